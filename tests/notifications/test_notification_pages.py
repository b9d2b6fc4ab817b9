"""Notification pages: the nav count, mark read / all read, e-mail settings, the admin outbox."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, OutboxMail
from app.services import homework


def _set_homework(family, title="Bài <b>hàm</b> số"):
    return homework.create_assignment(
        family["teacher"], family["course"].id, {"title": title, "due_at": "2026-11-25T17:00"}
    )


def _unread(html: str) -> str | None:
    match = re.search(r'id="unread-count"[^>]*>(\d+)<', html)
    return match[1] if match else None


def test_student_sees_the_unread_count_and_opens_the_homework_from_the_notice(web, family):
    assignment = _set_homework(family)
    web.login("an")
    home = web.client.get("/").get_data(as_text=True)
    assert _unread(home) == "1"
    page = web.client.get("/notifications").get_data(as_text=True)
    assert "Bài tập mới" in page and "<b>hàm</b>" not in page  # escaped
    note = db.session.scalar(select(Notification).where(Notification.user_id == family["an"].id))
    response = web.post_form(f"/notifications/{note.id}/read", {"open": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/homework/{assignment.id}"
    assert _unread(web.client.get("/notifications").get_data(as_text=True)) is None


def test_nobody_marks_or_sees_anothers_notification(web, family):
    _set_homework(family)
    note = db.session.scalar(select(Notification).where(Notification.user_id == family["an"].id))
    web.login("binh")
    assert web.post_form(f"/notifications/{note.id}/read").status_code == 404
    page = web.client.get("/notifications").get_data(as_text=True)
    assert "Trần Thị Bình" in page  # her own page
    assert page.count('class="list-group-item notification') == 1
    db.session.refresh(note)
    assert note.read_at is None


def test_mark_all_read(web, family):
    _set_homework(family)
    _set_homework(family, "Bài 2")
    web.login("me.an")
    assert _unread(web.client.get("/").get_data(as_text=True)) == "2"
    web.post_form("/notifications/read-all")
    assert _unread(web.client.get("/").get_data(as_text=True)) is None


def test_settings_turn_off_email_for_one_kind(web, family):
    web.login("me.an")
    page = web.client.get("/notifications/settings").get_data(as_text=True)
    assert 'value="homework_new" id="email-homework_new" checked' in page
    web.post_form("/notifications/settings", {"email": ["feedback", "homework_due"]})
    _set_homework(family)
    assert db.session.scalar(select(OutboxMail).where(OutboxMail.to_address == "me@nha.vn")) is None
    page = web.client.get("/notifications/settings").get_data(as_text=True)
    assert 'value="homework_new" id="email-homework_new">' in page


def test_user_without_email_is_told_only_in_app(web, family):
    web.login("bo.binh")
    page = web.client.get("/notifications/settings").get_data(as_text=True)
    assert "chưa có địa chỉ thư điện tử" in page


def test_admin_outbox_lists_by_state_and_retries(web, family, make, school):
    make.user(school, "admin", username="qt")
    _set_homework(family)
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.to_address == "an@hs.vn"))
    mail.state, mail.last_error = "failed", "ConnectionRefusedError: [Errno 111]"
    db.session.commit()
    web.login("qt")
    page = web.client.get("/notifications/admin/mail?state=failed").get_data(as_text=True)
    assert "an@hs.vn" in page and "me@nha.vn" not in page and "Errno 111" in page
    response = web.post_form(f"/notifications/admin/mail/{mail.id}/retry")
    assert response.status_code == 302
    db.session.refresh(mail)
    assert mail.state == "pending" and mail.attempts == 0


def test_outbox_page_and_retry_are_for_admins_only(web, family):
    _set_homework(family)
    mail = db.session.scalar(select(OutboxMail))
    web.login("gv")
    assert web.client.get("/notifications/admin/mail").status_code == 403
    assert web.post_form(f"/notifications/admin/mail/{mail.id}/retry").status_code == 403


def test_admin_of_another_school_cannot_retry(web, family, make):
    other = make.school("THPT2", "Trường khác")
    make.user(other, "admin", username="qt2")
    _set_homework(family)
    mail = db.session.scalar(select(OutboxMail))
    web.login("qt2")
    assert "an@hs.vn" not in web.client.get("/notifications/admin/mail").get_data(as_text=True)
    assert web.post_form(f"/notifications/admin/mail/{mail.id}/retry").status_code == 404
