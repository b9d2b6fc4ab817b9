"""In a real Chromium on a phone: a teacher publishes homework, the student sees the in-app
notice (count in the nav, the notice opens the homework), and the parent's e-mail reaches a
real SMTP server through the outbox worker."""

from __future__ import annotations

import email
import socket
from datetime import timedelta
from email.policy import default as default_policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from app.core.clock import now_utc
from app.services import mail_outbox

pytestmark = pytest.mark.browser


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def smtp_inbox(app):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield inbox
    finally:
        controller.stop()
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = saved


def _sign_in(page, live_url, username, password="matkhau123"):
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()


def test_student_gets_the_notice_and_parent_gets_the_email(
    page, browser, live_url, make, school, smtp_inbox
):
    teacher = make.user(school, "teacher", username="gv")
    klass = make.school_class(school, "10A1")
    pupil = make.user(school, "student", username="hs", full_name="Lê Thị Mai")
    make.enrol(pupil, klass)
    parent = make.user(
        school, "parent", username="ph", full_name="Lê Văn Hùng", email="hung@nha.vn"
    )
    make.link(parent, pupil)
    course = make.course(school, klass, teacher)
    due = (now_utc() + timedelta(days=3)).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))

    _sign_in(page, live_url, "gv")
    page.goto(f"{live_url}/homework/course/{course.id}")
    page.fill("#hw-title", "Bài tập chương 2")
    page.fill("#hw-due", due.strftime("%Y-%m-%dT%H:%M"))
    page.click("#new-homework-form button[type=submit]")
    page.wait_for_selector("#submissions")

    phone = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    student = phone.new_page()
    try:
        _sign_in(student, live_url, "hs")
        assert student.inner_text("#unread-count") == "1"
        assert student.is_visible("#nav-notifications")  # outside the collapsed menu
        student.click("#nav-notifications")
        notice = student.locator("#notification-list .notification.unread")
        assert "Bài tập mới: Bài tập chương 2" in notice.inner_text()
        assert student.evaluate("document.documentElement.scrollWidth") <= 375
        notice.locator("button[name=open]").click()
        student.wait_for_selector("text=Bài tập chương 2")
        assert "/homework/" in student.url
        assert student.locator("#unread-count").count() == 0
    finally:
        phone.close()

    assert mail_outbox.send_pending()["sent"] == 1
    [message] = smtp_inbox.messages
    assert message["To"] == "hung@nha.vn"
    assert message["Subject"] == "Bài tập mới: Bài tập chương 2"
    body = message.get_content()
    assert "Lê Thị Mai" in body and due.strftime("%H:%M %d/%m/%Y") in body
    assert page.problems == []
