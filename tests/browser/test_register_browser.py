"""Taking a register on a phone (375 px) in a real Chromium: everyone present by default, one
tap per absent or late student, saved once; the page never scrolls sideways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.clock import now_utc, to_local
from app.extensions import db
from app.models import AttendanceRecord
from app.services import timetable

pytestmark = pytest.mark.browser


def test_teacher_takes_a_register_on_a_phone(browser, live_url, make, school):
    course, teacher, pupils = make.gradebook_course(school, students=4)
    day = to_local(now_utc() + timedelta(days=1)).date()
    (slot,) = timetable.create_slots(
        teacher, course.id, {"date": day.isoformat(), "start": "07:30", "end": "08:15"}
    )
    clock.freeze(slot.starts_at + timedelta(minutes=5))

    phone = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, locale="vi-VN"
    )
    page = phone.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    try:
        page.goto(f"{live_url}/login")
        page.fill("#username", "gv.toan")
        page.fill("#password", "matkhau123")
        page.click("#login-form button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{live_url}/timetable/week?d={day.isoformat()}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.click(f"#slot-{slot.id} a:has-text('Điểm danh')")
        page.wait_for_selector("#register")
        assert page.locator("#register input[value=present]:checked").count() == 4
        page.click(f"label[for=st-{pupils[1].id}-unexcused]")
        page.click(f"label[for=st-{pupils[2].id}-late]")
        page.fill(f"input[name=note-{pupils[2].id}]", "Muộn 10 phút")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.click("#save-register")
        page.wait_for_selector("#taken-note")
        assert "Đã lưu điểm danh (4 học sinh)" in page.inner_text("main")
        assert page.locator(f"#st-{pupils[1].id}-unexcused").is_checked()
        assert problems == []
    finally:
        phone.close()

    db.session.expire_all()
    saved = {r.student_id: (r.status, r.note) for r in db.session.scalars(select(AttendanceRecord))}
    assert saved == {
        pupils[0].id: ("present", ""),
        pupils[1].id: ("unexcused", ""),
        pupils[2].id: ("late", "Muộn 10 phút"),
        pupils[3].id: ("present", ""),
    }
