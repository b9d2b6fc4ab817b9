"""Announcements: who may write to whom, recipients and their notices/e-mails in one
transaction, sanitised text, read receipts for the author only, expiry, pages and API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.clock import now_utc
from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import AnnouncementRecipient, AuditLog, Notification, OutboxMail
from app.services import announcements, mail_outbox


def _course_notice(w, **kw):
    fields = {
        "title": "Họp phụ huynh cuối kì I",
        "body_html": "<p>Kính mời phụ huynh <b>lớp 10A1</b> dự họp.</p><script>alert(1)</script>",
        "target_kind": "course",
        "target_id": w.course.id,
    }
    fields.update(kw)
    return announcements.create(w.lan, **fields)


def test_teacher_announcement_reaches_course_students_and_their_parents(world, smtp):
    w = world
    item = _course_notice(w)
    assert "<script>" not in item.body_html and "<b>lớp 10A1</b>" in item.body_html
    recipients = {
        r.user_id: r
        for r in db.session.scalars(
            select(AnnouncementRecipient).where(AnnouncementRecipient.announcement_id == item.id)
        )
    }
    # 10A1's students and parents; Chi (10A2) is not, but her mother is, once, through An.
    assert set(recipients) == {w.an.id, w.binh.id, w.me.id, w.bo.id}
    assert recipients[w.me.id].student_id == w.an.id
    bell = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "announcement")
    )
    assert set(bell) == set(recipients)
    mails = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "announcement")).all()
    assert {m.to_address for m in mails} == {"an@hs.vn", "me@nha.vn"}
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "announcement.create"))
    assert mail_outbox.send_pending()["sent"] == 2
    message = smtp.inbox.to("me@nha.vn")[0]
    assert message["Subject"] == "Thông báo: Họp phụ huynh cuối kì I"
    body = message.get_content()
    assert "Cô Lan gửi Toán – 10A1" in body and "Kính mời phụ huynh lớp 10A1 dự họp." in body
    assert "alert" not in body


def test_audience_parents_only_skips_students(world):
    item = _course_notice(world, audience="parents")
    users = set(
        db.session.scalars(
            select(AnnouncementRecipient.user_id).where(
                AnnouncementRecipient.announcement_id == item.id
            )
        )
    )
    assert users == {world.me.id, world.bo.id}


def test_teacher_cannot_address_a_class_they_do_not_teach(world):
    with pytest.raises(Forbidden):
        announcements.create(
            world.lan, title="x", body_html="<p>y</p>", target_kind="class", target_id=world.a2.id
        )
    with pytest.raises(Forbidden):
        announcements.create(
            world.lan, title="x", body_html="<p>y</p>", target_kind="school", target_id=None
        )
    with pytest.raises(Forbidden):
        announcements.create(
            world.an,
            title="x",
            body_html="<p>y</p>",
            target_kind="course",
            target_id=world.course.id,
        )
    assert db.session.scalar(select(AnnouncementRecipient.id)) is None


def test_homeroom_teacher_may_address_their_class(world):
    item = announcements.create(
        world.minh,
        title="Lịch lao động",
        body_html="<p>Thứ bảy</p>",
        target_kind="class",
        target_id=world.a2.id,
        audience="both",
    )
    assert item.class_id == world.a2.id


def test_empty_text_and_past_expiry_are_refused(world):
    with pytest.raises(ValidationFailed):
        _course_notice(world, title="  ")
    with pytest.raises(ValidationFailed):
        _course_notice(world, body_html="<script>x</script>")
    with pytest.raises(ValidationFailed):
        _course_notice(world, expires_at=now_utc() - timedelta(hours=1))
    with pytest.raises(ValidationFailed):
        _course_notice(world, audience="everyone")


def test_admin_school_wide_reaches_every_class(world):
    item = announcements.create(
        world.admin, title="Nghỉ lễ", body_html="<p>Nghỉ 20/11</p>", target_kind="school"
    )
    receipts = announcements.receipts(world.admin, item.id)
    assert receipts["total"] == 5  # An, Bình, Chi, Mẹ, Bố
    assert {c["class"]: c["total"] for c in receipts["per_class"]} == {"10A1": 4, "10A2": 1}


def test_read_receipts_count_per_class_and_list_who_has_not_read(world):
    w = world
    item = _course_notice(w)
    announcements.open_announcement(w.me, item.id)
    announcements.open_announcement(w.me, item.id)  # a second opening changes nothing
    receipts = announcements.receipts(w.lan, item.id)
    assert (receipts["read"], receipts["total"]) == (1, 4)
    assert receipts["per_class"] == [{"class": "10A1", "total": 4, "read": 1}]
    unread = {r["full_name"]: r for r in receipts["unread"]}
    assert set(unread) == {"Nguyễn Văn An", "Trần Thị Bình", "Bố Bình"}
    assert unread["Bố Bình"]["student"] == "Trần Thị Bình"
    note = db.session.scalar(select(Notification).where(Notification.user_id == w.me.id))
    assert note.read_at is not None
    with pytest.raises(Forbidden):
        announcements.receipts(w.me, item.id)


def test_people_outside_the_audience_cannot_open_it(world, make):
    item = _course_notice(world)
    with pytest.raises(NotFound):
        announcements.open_announcement(world.chi, item.id)  # 10A2 student
    with pytest.raises(NotFound):
        announcements.open_announcement(world.minh, item.id)
    other = make.school("THPT2", "Trường khác")
    stranger = make.user(other, "admin", username="qt2")
    with pytest.raises(NotFound):
        announcements.open_announcement(stranger, item.id)


def test_expired_announcements_are_hidden_from_recipients(world, frozen_now):
    from app.core import clock

    _course_notice(world, expires_at=frozen_now + timedelta(days=1))
    assert announcements.listing(world.me).total == 1
    clock.freeze(frozen_now + timedelta(days=2))
    assert announcements.listing(world.me).total == 0
    assert announcements.listing(world.lan).total == 1  # the author keeps it


def test_pages_compose_show_and_receipts(world, web, other_browser):
    w = world
    web.login("gv.lan")
    page = web.client.get("/announcements/new").get_data(as_text=True)
    assert f'value="course:{w.course.id}"' in page and "10A2" not in page
    response = web.post_form(
        "/announcements/new",
        {
            "title": "Thi thử",
            "body_html": "<p>Thứ hai</p>",
            "target": f"course:{w.course.id}",
            "audience": "both",
            "is_pinned": "1",
            "expires_at": "2026-12-31T17:00",
        },
        token_page="/announcements/new",
    )
    assert response.status_code == 302
    item_id = int(response.headers["Location"].rsplit("/", 1)[1])
    bad = web.post_form(
        "/announcements/new",
        {"title": "", "body_html": "x", "target": f"course:{w.course.id}"},
        token_page="/announcements/new",
    )
    assert bad.status_code == 422 and "Hãy nhập tiêu đề" in bad.get_data(as_text=True)
    refused = web.post_form(
        "/announcements/new",
        {"title": "a", "body_html": "b", "target": f"class:{w.a2.id}"},
        token_page="/announcements/new",
    )
    assert refused.status_code == 403
    other_browser.login("me")
    shown = other_browser.client.get(f"/announcements/{item_id}").get_data(as_text=True)
    assert "Thi thử" in shown and "Chưa đọc" not in shown
    listing = other_browser.client.get("/announcements").get_data(as_text=True)
    assert "Ghim" in listing and "hết hạn 31/12/2026 17:00" in listing
    receipts = web.client.get(f"/announcements/{item_id}").get_data(as_text=True)
    assert 'id="read-count">1<' in receipts and "Bố Bình" in receipts
    assert other_browser.client.get("/announcements/new").status_code == 403


def test_api_create_list_open_and_receipts(world, client, web):
    w = world
    teacher = web.bearer("gv.lan")
    created = client.post(
        "/api/v1/announcements",
        json={
            "title": "Kiểm tra 15 phút",
            "body_html": "<p>Thứ ba</p>",
            "target": "course",
            "target_id": w.course.id,
            "audience": "parents",
        },
        headers=teacher,
    )
    assert created.status_code == 201, created.get_json()
    item_id = created.get_json()["id"]
    parent = web.bearer("bo")
    listing = client.get("/api/v1/announcements", headers=parent).get_json()
    assert [i["id"] for i in listing["items"]] == [item_id] and listing["total"] == 1
    assert client.get(f"/api/v1/announcements/{item_id}", headers=parent).status_code == 200
    receipts = client.get(f"/api/v1/announcements/{item_id}/receipts", headers=teacher).get_json()
    assert receipts["read"] == 1 and receipts["total"] == 2
    assert [u["full_name"] for u in receipts["unread"]] == ["Mẹ An Chi"]
    forbidden = client.get(f"/api/v1/announcements/{item_id}/receipts", headers=parent)
    assert forbidden.status_code == 403 and forbidden.get_json()["error"]["code"] == "forbidden"
    student = web.bearer("chi")
    assert client.get(f"/api/v1/announcements/{item_id}", headers=student).status_code == 404
    bad = client.post(
        "/api/v1/announcements",
        json={"title": "x", "body_html": "", "target": "course", "target_id": w.course.id},
        headers=teacher,
    )
    assert bad.status_code == 422
    assert "/api/v1/announcements" in client.get("/api/v1/openapi.json").get_json()["paths"]
