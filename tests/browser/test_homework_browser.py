"""Submit-and-grade in a real Chromium: teacher sets homework, a student on a phone submits,
the teacher grades in the table, the student sees the score."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from app.core.clock import now_utc

pytestmark = pytest.mark.browser


def _sign_in(page, live_url, username, password="matkhau123"):
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()


def test_homework_is_set_submitted_on_a_phone_graded_and_returned(
    page, browser, live_url, make, school
):
    teacher = make.user(school, "teacher", username="gv")
    klass = make.school_class(school, "10A1")
    make.enrol(make.user(school, "student", username="hs", full_name="Lê Thị Mai"), klass)
    course = make.course(school, klass, teacher)
    due = (now_utc() + timedelta(days=2)).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))

    _sign_in(page, live_url, "gv")
    page.goto(f"{live_url}/homework/course/{course.id}")
    page.fill("#hw-title", "Bài tập chương 1")
    page.fill("#hw-instructions", "<p>Giải phương trình \\(x^2 = 4\\)</p>")
    page.fill("#hw-due", due.strftime("%Y-%m-%dT%H:%M"))
    page.click("#new-homework-form button[type=submit]")
    page.wait_for_selector("#submissions")
    homework_url = page.url

    phone = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    student = phone.new_page()
    try:
        _sign_in(student, live_url, "hs")
        student.goto(f"{live_url}/homework/todo")
        student.click("#todo-list a:has-text('Bài tập chương 1')")
        student.fill("#sub-text", "x = 2 hoặc x = -2")
        student.click("#submit-form button[type=submit]")
        student.wait_for_selector("#my-submission")
        width = student.evaluate("document.documentElement.scrollWidth")
        assert width <= 375

        page.goto(homework_url)
        row = page.locator("#submissions tr[data-student]")
        assert "Đã nộp" in row.inner_text()
        row.locator("input[name=score]").fill("8,5")
        row.locator("input[name=comment]").fill("Đúng, trình bày tốt")
        row.locator("button:has-text('Lưu')").click()
        page.wait_for_load_state()
        page.click("#return-all")
        page.wait_for_selector("text=Đã trả")

        student.goto(f"{live_url}/homework/todo")
        assert "Điểm: 8.5" in student.inner_text("#todo-list")
        student.click("#todo-list a:has-text('Bài tập chương 1')")
        assert "Điểm: 8.5 / 10" in student.inner_text("#score")
        assert "Đúng, trình bày tốt" in student.inner_text("#feedback")
    finally:
        phone.close()
    assert page.problems == []
