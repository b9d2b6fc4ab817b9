"""Timetable pages: class week with the create form, my week, edit/cancel, the register (default
present, one click per change), the course summary and the teaching-record download."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models import AttendanceRecord, TimetableSlot
from app.services import timetable

SLOT = {"date": "2026-11-23", "start": "07:30", "end": "08:15", "topic": "Hàm số bậc nhất"}


def _setup(make, school):
    course, teacher, pupils = make.gradebook_course(school, students=2)
    pupils[0].username = "hs"
    db.session.commit()
    return course, teacher, pupils


def test_teacher_creates_weekly_slots_on_the_class_page(client, web, make, school, frozen_now):
    course, _teacher, _pupils = _setup(make, school)
    web.login("gv.toan")
    page = f"/timetable/class/{course.class_id}"
    assert "new-slot-form" in client.get(page).get_data(as_text=True)
    response = web.post_form(
        f"{page}/slots", {**SLOT, "course_id": course.id, "repeat_until": "2026-12-07"}
    )
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "07:30–08:15" in html and "Hàm số bậc nhất" in html and "Thứ Hai" in html
    assert db.session.scalar(select(db.func.count()).select_from(TimetableSlot)) == 3


def test_bad_slot_form_shows_the_message_and_keeps_the_input(client, web, make, school, frozen_now):
    course, _teacher, _pupils = _setup(make, school)
    web.login("gv.toan")
    response = web.post_form(
        f"/timetable/class/{course.class_id}/slots",
        {**SLOT, "course_id": course.id, "end": "07:00"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Giờ kết thúc phải sau giờ bắt đầu" in html and 'value="Hàm số bậc nhất"' in html


def test_student_sees_my_week_and_not_another_class(client, web, make, school, frozen_now):
    course, teacher, _pupils = _setup(make, school)
    timetable.create_slots(teacher, course.id, {**SLOT, "meeting_url": "https://meet.example/x"})
    web.login("hs")
    html = client.get("/timetable/week?d=2026-11-23").get_data(as_text=True)
    assert "Hàm số bậc nhất" in html and "https://meet.example/x" in html
    assert "new-slot-form" not in client.get(f"/timetable/class/{course.class_id}").get_data(
        as_text=True
    )
    other = make.school_class(school, "10A2")
    assert client.get(f"/timetable/class/{other.id}").status_code == 403
    assert client.get("/timetable/week?d=not-a-date").status_code == 422


def test_edit_and_cancel_pages(client, web, make, school, frozen_now):
    course, teacher, _pupils = _setup(make, school)
    (slot,) = timetable.create_slots(teacher, course.id, SLOT)
    web.login("gv.toan")
    edit = f"/timetable/slots/{slot.id}/edit"
    assert 'value="07:30"' in client.get(edit).get_data(as_text=True)
    moved = web.post_form(edit, {**SLOT, "start": "09:00", "end": "09:45"})
    assert moved.status_code == 302
    db.session.refresh(slot)
    assert slot.starts_at == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert (
        web.post_form(f"/timetable/slots/{slot.id}/cancel", {"reason": "Nghỉ"}).status_code == 302
    )
    db.session.refresh(slot)
    assert slot.is_cancelled


def test_register_defaults_present_and_saves_changes(client, web, make, school, frozen_now):
    course, teacher, pupils = _setup(make, school)
    (slot,) = timetable.create_slots(teacher, course.id, SLOT)
    clock.freeze(datetime(2026, 11, 23, 0, 35, tzinfo=UTC))
    web.login("gv.toan")
    page = f"/timetable/slots/{slot.id}/attendance"
    html = client.get(page).get_data(as_text=True)
    assert html.count('value="present" autocomplete="off" checked') == 2
    response = web.post_form(
        page,
        {
            f"status-{pupils[0].id}": "present",
            f"status-{pupils[1].id}": "excused",
            f"note-{pupils[1].id}": "Ốm, có giấy",
        },
    )
    assert response.status_code == 302
    records = {r.student_id: r for r in db.session.scalars(select(AttendanceRecord))}
    assert records[pupils[1].id].status == "excused" and records[pupils[1].id].note == "Ốm, có giấy"
    html = client.get(page).get_data(as_text=True)
    assert "mọi thay đổi được ghi vào nhật ký" in html
    bad = web.post_form(page, {f"status-{pupils[0].id}": "absent"})
    assert bad.status_code == 422


def test_student_cannot_open_the_register(client, web, make, school, frozen_now):
    course, teacher, _pupils = _setup(make, school)
    (slot,) = timetable.create_slots(teacher, course.id, SLOT)
    web.login("hs")
    assert client.get(f"/timetable/slots/{slot.id}/attendance").status_code == 403
    assert client.get(f"/timetable/course/{course.id}/teaching-record.xlsx").status_code == 403


def test_course_page_summary_and_teaching_record_download(client, web, make, school, frozen_now):
    course, teacher, pupils = _setup(make, school)
    section = make.section(course)
    lesson = make.lesson(section)
    make.assignment(course, title="=HYPERLINK(1)")
    (slot,) = timetable.create_slots(teacher, course.id, {**SLOT, "lesson_id": lesson.id})
    clock.freeze(datetime(2026, 11, 23, 0, 35, tzinfo=UTC))
    web.login("gv.toan")
    web.post_form(f"/timetable/slots/{slot.id}/attendance", {f"status-{pupils[0].id}": "late"})
    html = client.get(f"/timetable/course/{course.id}").get_data(as_text=True)
    assert "attendance-summary" in html and "Bài 1. Hàm số bậc nhất" in html
    assert "teaching-record-link" in client.get(f"/courses/{course.id}").get_data(as_text=True)
    response = client.get(f"/timetable/course/{course.id}/teaching-record.xlsx")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Thông tin", "Tiết đã dạy", "Học liệu", "Bài tập", "Điểm danh"]
    lessons = list(book["Tiết đã dạy"].values)
    assert lessons[1][1:5] == ("23/11/2026", "07:30", "08:15", "Bài 1. Hàm số bậc nhất")
    assert lessons[1][6:] == ("Đã dạy", 2)
    homework = list(book["Bài tập"].values)
    assert homework[1][0] == "'=HYPERLINK(1)" and homework[1][4:] == (0, 0, 2, 0)
    attendance_rows = list(book["Điểm danh"].values)
    by_name = {row[1]: row for row in attendance_rows[1:]}
    assert by_name[pupils[0].full_name][2:] == ("M", 0, 1, 0, 0)
    assert by_name[pupils[1].full_name][2:] == ("C", 1, 0, 0, 0)


def test_another_school_sees_nothing(client, web, make, school, frozen_now):
    course, teacher, _pupils = _setup(make, school)
    (slot,) = timetable.create_slots(teacher, course.id, SLOT)
    make.user(make.school("THPT2", "Trường khác"), "admin", username="qt2")
    web.login("qt2")
    for path in (
        f"/timetable/class/{course.class_id}",
        f"/timetable/course/{course.id}",
        f"/timetable/slots/{slot.id}/attendance",
        f"/timetable/slots/{slot.id}/edit",
        f"/timetable/course/{course.id}/teaching-record.xlsx",
    ):
        assert client.get(path).status_code == 404, path
    assert "Hàm số bậc nhất" not in client.get("/timetable/week?d=2026-11-23").get_data(
        as_text=True
    )
