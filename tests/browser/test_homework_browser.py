"""Issue 5's "done when", in a real Chromium: a teacher builds a course of three lessons and
publishes homework with a file; 40 students hand in (one on a 375-px phone, after seeing it in
"to do"); the teacher grades the 40 in one table with the keyboard ("8,5") and returns them all;
the student sees score and feedback; the parent's e-mail is queued and delivered over SMTP."""

from __future__ import annotations

import email
import socket
from datetime import timedelta
from email.policy import default as default_policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.core.clock import now_utc
from app.extensions import db
from app.models import Assignment, Lesson, OutboxMail, Submission, User
from app.services import homework, mail_outbox

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
CLASS_SIZE = 40


def _sign_in(page, live_url, username, password="matkhau123"):
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=default_policy)
        )
        return "250 OK"


@pytest.fixture
def smtp_inbox(app):
    """A real SMTP server (aiosmtpd) on a free port, which the app is pointed at."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(saved)


def _class_of_forty(make, school):
    teacher = make.user(school, "teacher", username="gv", full_name="Cô Lan")
    klass = make.school_class(school, "10A1")
    mai = make.user(school, "student", username="hs", full_name="Lê Thị Mai", student_code="HS040")
    make.enrol(mai, klass)
    others = []
    for n in range(1, CLASS_SIZE):
        pupil = make.user(
            school, "student", full_name=f"Học sinh {n:02d}", student_code=f"HS{n:03d}"
        )
        make.enrol(pupil, klass)
        others.append(pupil)
    mother = make.user(school, "parent", username="me.mai", full_name="Mẹ Mai", email="me@nha.vn")
    make.link(mother, mai)
    return teacher, make.course(school, klass, teacher), others


def _build_course(page, live_url, course):
    page.goto(f"{live_url}/courses/{course.id}")
    page.fill("#new-section-form input[name=title]", "Chủ đề 1: Phương trình bậc hai")
    page.fill("#new-section-form input[name=week]", "12")
    page.click("#new-section-form button[type=submit]")
    page.wait_for_selector("#sections section")
    lessons = ["Bài 1. Định nghĩa", "Bài 2. Công thức nghiệm", "Bài 3. Hệ thức Vi-ét"]
    for n, title in enumerate(lessons, start=1):
        section = page.locator("#sections section").first
        section.locator("summary:has-text('Thêm bài học')").click()
        section.locator("input[name=title]").fill(title)
        section.locator("textarea[name=body]").fill(f"<p>Nội dung {n}: \\(ax^2+bx+c=0\\)</p>")
        section.locator("button:has-text('Thêm bài học')").click()
        page.wait_for_selector(f"article.lesson:has-text('{title}')")
    assert page.locator("article.lesson h2").all_inner_texts() == lessons


def _publish_homework(page, live_url, course):
    due = (now_utc() + timedelta(days=2)).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    page.click("#homework-link")
    page.fill("#hw-title", "Bài tập chương 1")
    page.fill("#hw-instructions", "<p>Giải phương trình \\(x^2 = 4\\)</p>")
    page.fill("#hw-due", due.strftime("%Y-%m-%dT%H:%M"))
    page.set_input_files(
        "#hw-files", [{"name": "Đề bài chương 1.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.click("#new-homework-form button[type=submit]")
    page.wait_for_selector("#submissions")
    assert "Đề bài chương 1.pdf" in page.inner_text("#attachments")
    return page.url


def _grade_all_in_one_table(page, homework_url):
    page.goto(homework_url)
    assert "Đã nộp: 40" in page.inner_text("#counts")
    rows = page.locator("#submissions tbody tr")
    assert rows.count() == CLASS_SIZE
    scores = page.locator("#submissions .grade-score")
    # The keyboard: type a score, Enter to the comment, Enter to the next student's score.
    scores.nth(0).click()
    page.keyboard.type("7,5")
    page.keyboard.press("Enter")
    page.keyboard.type("Khá")
    page.keyboard.press("Enter")
    second = scores.nth(1).get_attribute("name")
    assert page.evaluate("() => document.activeElement.name") == second
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    for n in range(2, CLASS_SIZE):
        row = rows.nth(n)
        if row.get_attribute("data-student") == "HS040":
            row.locator(".grade-score").fill("8,5")
            row.locator(".grade-comment").fill("Đúng, trình bày tốt")
        else:
            row.locator(".grade-score").fill(f"{5 + n % 5},25")
    page.click("#return-all")
    page.wait_for_selector("text=Đã lưu 40 điểm, trả 40 bài.")
    assert page.locator("#submissions .returned").count() == CLASS_SIZE


def test_course_homework_forty_submissions_graded_in_one_table_and_the_parent_is_mailed(
    page, browser, live_url, make, school, smtp_inbox
):
    _teacher, course, others = _class_of_forty(make, school)
    _sign_in(page, live_url, "gv")
    _build_course(page, live_url, course)
    homework_url = _publish_homework(page, live_url, course)
    assignment = db.session.scalar(select(Assignment).where(Assignment.course_id == course.id))
    assert db.session.scalar(select(Lesson.id).where(Lesson.course_id == course.id).offset(2))
    for n, pupil in enumerate(others, start=1):
        homework.submit(pupil, assignment.id, f"Bài làm của học sinh {n}", [])

    phone = browser.new_context(
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    student = phone.new_page()
    problems: list[str] = []
    student.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        _sign_in(student, live_url, "hs")
        student.goto(f"{live_url}/homework/todo")
        item = student.locator("#todo-list .todo-item:has-text('Bài tập chương 1')")
        assert item.get_attribute("data-state") == "due_soon"
        item.locator("a").click()
        assert "Đề bài chương 1.pdf" in student.inner_text("#attachments")
        student.fill("#sub-text", "x = 2 hoặc x = -2")
        student.click("#submit-form button[type=submit]")
        student.wait_for_selector("#my-submission")
        assert student.evaluate("() => document.documentElement.scrollWidth") <= 375

        _grade_all_in_one_table(page, homework_url)

        student.goto(f"{live_url}/homework/todo")
        assert "Điểm: 8.5" in student.inner_text("#todo-list")
        student.click("#todo-list a:has-text('Bài tập chương 1')")
        assert "Điểm: 8.5 / 10" in student.inner_text("#score")
        assert "Đúng, trình bày tốt" in student.inner_text("#feedback")
        assert student.evaluate("() => document.documentElement.scrollWidth") <= 375
    finally:
        phone.close()

    db.session.expire_all()
    graded = db.session.scalars(select(Submission).where(Submission.assignment_id == assignment.id))
    graded = list(graded)
    assert len(graded) == CLASS_SIZE and all(s.returned_at and s.score is not None for s in graded)
    mai = db.session.scalar(select(User).where(User.username == "hs"))
    assert next(s for s in graded if s.student_id == mai.id).score == 8.5
    queued = db.session.scalars(select(OutboxMail).where(OutboxMail.to_address == "me@nha.vn"))
    assert any("Đã có điểm: Bài tập chương 1" in m.subject for m in queued)
    mail_outbox.send_pending(limit=200)
    delivered = [m for m in smtp_inbox.messages if m["To"] == "me@nha.vn"]
    assert any("8,5/10" in m.get_content() for m in delivered)
    assert any("Bài tập mới" in str(m["Subject"]) for m in delivered)
    assert page.problems == [] and problems == []
