"""Parent-teacher messaging: who may write to whom, threads kept for the record (audit, no
delete), closing, unread counts, e-mail to the other side, and the pages' permissions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.errors import Conflict, Forbidden, NotFound
from app.extensions import db
from app.models import AuditLog, MessageThread, Notification, OutboxMail
from app.services import messaging


def test_parent_writes_to_a_teacher_of_the_child_and_the_teacher_is_told(world):
    w = world
    assert {t.id for t in messaging.teachers_of(w.chi)} == {w.minh.id}  # homeroom + Văn
    thread = messaging.start_by_parent(w.me, w.an.id, w.lan.id, "Xin phép nghỉ", "Cháu An ốm.")
    assert (thread.teacher_id, thread.parent_id, thread.student_id) == (w.lan.id, w.me.id, w.an.id)
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.kind == "message"))
    assert mail.to_address == "lan@truong.vn" and "Cháu An ốm." in mail.body
    assert mail.subject == "Tin nhắn mới: Xin phép nghỉ"
    assert messaging.unread_count(w.lan) == 1 and messaging.unread_count(w.me) == 0
    messaging.open_thread(w.lan, thread.id)
    assert messaging.unread_count(w.lan) == 0
    messaging.reply(w.lan, thread.id, "Cô đã nhận, chúc cháu mau khoẻ.")
    assert messaging.unread_count(w.me) == 1
    assert db.session.scalar(select(Notification).where(Notification.user_id == w.me.id))


def test_parent_cannot_write_to_a_teacher_who_does_not_teach_the_child(world):
    with pytest.raises(Forbidden):
        messaging.start_by_parent(world.me, world.an.id, world.minh.id, "a", "b")
    with pytest.raises(NotFound):  # not their child
        messaging.start_by_parent(world.me, world.binh.id, world.lan.id, "a", "b")
    with pytest.raises(Forbidden):  # a student never writes
        messaging.start_by_parent(world.an, world.an.id, world.lan.id, "a", "b")


def test_teacher_reaches_only_parents_of_students_they_teach(world):
    w = world
    threads = messaging.start_by_teacher(w.lan, [w.an.id, w.binh.id], "Kết quả giữa kì", "Mời xem.")
    assert {(t.parent_id, t.student_id) for t in threads} == {
        (w.me.id, w.an.id),
        (w.bo.id, w.binh.id),
    }
    with pytest.raises(Forbidden):
        messaging.start_by_teacher(w.lan, [w.chi.id], "a", "b")
    with pytest.raises(Forbidden):
        messaging.start_by_teacher(w.minh, [w.an.id], "a", "b")
    assert (
        db.session.scalar(select(MessageThread).where(MessageThread.student_id == w.chi.id)) is None
    )


def test_closed_thread_refuses_replies_until_reopened_and_is_audited(world):
    w = world
    thread = messaging.start_by_parent(w.me, w.an.id, w.lan.id, "Hỏi bài", "Con chưa hiểu bài 3.")
    with pytest.raises(Forbidden):
        messaging.set_closed(w.me, thread.id, True)  # only the teacher closes
    messaging.set_closed(w.lan, thread.id, True)
    with pytest.raises(Conflict):
        messaging.reply(w.me, thread.id, "Còn một câu nữa ạ.")
    messaging.set_closed(w.lan, thread.id, False)
    messaging.reply(w.me, thread.id, "Còn một câu nữa ạ.")
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.entity_type == "message_threads")
    ).all()
    assert actions == ["message_thread.create", "message_thread.close", "message_thread.reopen"]
    assert len(messaging.messages_of(thread)) == 2


def test_strangers_cannot_see_a_thread_but_the_admin_can(world, make):
    w = world
    thread = messaging.start_by_parent(w.me, w.an.id, w.lan.id, "Riêng tư", "Nội dung.")
    for stranger in (w.bo, w.minh, w.an):
        with pytest.raises(NotFound):
            messaging.get_thread(stranger, thread.id)
    assert messaging.get_thread(w.admin, thread.id).id == thread.id
    assert messaging.listing(w.admin).total == 1 and messaging.listing(w.bo).total == 0
    with pytest.raises(Forbidden):
        messaging.reply(w.admin, thread.id, "x")
    other = make.user(make.school("THPT2", "Trường khác"), "admin", username="qt2")
    with pytest.raises(NotFound):
        messaging.get_thread(other, thread.id)


def test_pages_compose_reply_close_and_permissions(world, web, other_browser):
    w = world
    web.login("gv.lan")
    compose = web.client.get(f"/messages/new?student={w.an.id}&student={w.binh.id}")
    text = compose.get_data(as_text=True)
    assert compose.status_code == 200 and "Mẹ An Chi" in text and "Bố Bình" in text
    assert web.client.get(f"/messages/new?student={w.chi.id}").status_code == 403
    sent = web.post_form(
        "/messages/new",
        {"student": [str(w.an.id)], "subject": "Chuyên cần", "body": "Cháu đi muộn 2 buổi."},
        token_page="/messages",
    )
    assert sent.status_code == 302
    thread_id = int(sent.headers["Location"].rsplit("/", 1)[1])
    other_browser.login("me")
    inbox = other_browser.client.get("/messages")
    assert inbox.status_code == 200 and 'id="unread-messages"' in inbox.get_data(as_text=True)
    assert "Chuyên cần" in inbox.get_data(as_text=True)
    shown = other_browser.client.get(f"/messages/{thread_id}").get_data(as_text=True)
    assert "Cháu đi muộn 2 buổi." in shown and 'id="close-thread"' not in shown
    other_browser.post_form(
        f"/messages/{thread_id}/reply", {"body": "Dạ, gia đình xin lỗi."}, token_page="/messages"
    )
    assert (
        other_browser.post_form(
            f"/messages/{thread_id}/close", {}, token_page="/messages"
        ).status_code
        == 403
    )
    assert (
        web.post_form(f"/messages/{thread_id}/close", {}, token_page="/messages").status_code == 302
    )
    closed = other_browser.post_form(
        f"/messages/{thread_id}/reply", {"body": "Thêm"}, token_page="/messages"
    )
    assert closed.status_code == 409
    assert "Dạ, gia đình xin lỗi." in web.client.get(f"/messages/{thread_id}").get_data(
        as_text=True
    )


def test_students_and_other_families_are_kept_out(world, web, other_browser):
    w = world
    thread = messaging.start_by_parent(w.me, w.an.id, w.lan.id, "Riêng", "Nội dung riêng.")
    web.login("an")
    assert web.client.get("/messages/new").status_code == 403
    assert web.client.get(f"/messages/{thread.id}").status_code == 404
    assert web.client.get("/messages").status_code == 403
    other_browser.login("bo")
    assert other_browser.client.get(f"/messages/{thread.id}").status_code == 404
    page = other_browser.client.get("/messages/new").get_data(as_text=True)
    assert "Cô Lan" in page and "Thầy Minh" not in page
    refused = other_browser.post_form(
        "/messages/new",
        {"to": f"{w.an.id}:{w.lan.id}", "subject": "a", "body": "b"},
        token_page="/messages/new",
    )
    assert refused.status_code == 404
    # Kept for the record: nothing under /messages deletes.
    from flask import current_app

    rules = [r for r in current_app.url_map.iter_rules() if r.rule.startswith("/messages")]
    assert rules and not any("DELETE" in r.methods or "delete" in r.rule for r in rules)


def test_admin_reads_the_schools_threads_but_cannot_reply(world, web):
    w = world
    thread = messaging.start_by_parent(w.me, w.an.id, w.lan.id, "Hồ sơ", "Nội dung lưu trữ.")
    web.login("qt")
    listing = web.client.get("/messages")
    assert listing.status_code == 200 and "Hồ sơ" in listing.get_data(as_text=True)
    shown = web.client.get(f"/messages/{thread.id}").get_data(as_text=True)
    assert "Nội dung lưu trữ." in shown and 'id="reply-body"' not in shown
    assert messaging.unread_count(w.lan) == 1  # the admin's reading is not the teacher's


def test_teacher_without_students_chosen_gets_a_picker_of_their_own_classes(world, web):
    web.login("gv.minh")
    page = web.client.get("/messages/new")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Lớp 10A2" in text and "Nguyễn Thị Chi" in text
    assert "10A1" not in text and "Nguyễn Văn An" not in text
    assert f'name="student" value="{world.chi.id}"' in text


def test_api_threads_reply_close_and_strangers(world, client, web):
    w = world
    parent, teacher = web.bearer("me"), web.bearer("gv.lan")
    started = client.post(
        "/api/v1/messages",
        json={
            "student_ids": [w.an.id],
            "teacher_id": w.lan.id,
            "subject": "Xin nghỉ",
            "body": "Cháu sốt.",
        },
        headers=parent,
    )
    assert started.status_code == 201, started.get_json()
    thread_id = started.get_json()["items"][0]["id"]
    listing = client.get("/api/v1/messages", headers=teacher).get_json()
    assert listing["items"][0]["is_unread"] is True and listing["total"] == 1
    detail = client.get(f"/api/v1/messages/{thread_id}", headers=teacher).get_json()
    assert [m["body"] for m in detail["messages"]] == ["Cháu sốt."]
    assert detail["student"]["student_code"] == w.an.student_code
    reply = client.post(
        f"/api/v1/messages/{thread_id}/replies", json={"body": "Đã rõ."}, headers=teacher
    )
    assert reply.status_code == 201
    assert (
        client.patch(
            f"/api/v1/messages/{thread_id}", json={"is_closed": True}, headers=parent
        ).status_code
        == 403
    )
    closed = client.patch(
        f"/api/v1/messages/{thread_id}", json={"is_closed": True}, headers=teacher
    )
    assert closed.status_code == 200 and closed.get_json()["is_closed"] is True
    refused = client.post(
        f"/api/v1/messages/{thread_id}/replies", json={"body": "Thêm"}, headers=parent
    )
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "thread_closed"
    other = web.bearer("bo")
    assert client.get(f"/api/v1/messages/{thread_id}", headers=other).status_code == 404
    student = web.bearer("an")
    assert client.get("/api/v1/messages", headers=student).status_code == 403
    assert (
        client.post(
            "/api/v1/messages",
            json={"student_ids": [w.an.id], "subject": "a", "body": "b"},
            headers=student,
        ).status_code
        == 403
    )
    across = client.post(
        "/api/v1/messages",
        json={"student_ids": [w.chi.id], "subject": "a", "body": "b"},
        headers=teacher,
    )
    assert across.status_code == 403
