"""The teaching record as a PDF: the course's teacher downloads it (Vietnamese font embedded,
the same tables as the XLSX), nobody else does."""

from __future__ import annotations

from app.services import homework, teaching_record_pdf, timetable


def _course_with_history(make, school):
    course, teacher, pupils = make.gradebook_course(school, students=12)
    section = make.section(course, "Chủ đề 1: Hàm số")
    make.lesson(section, "Bài 1. Hàm số bậc nhất")
    assignment = make.assignment(course, title="Bài tập về đồ thị")
    homework.submit(pupils[0], assignment.id, "bài làm", [])
    timetable.create_slots(
        teacher,
        course.id,
        {"date": "2026-11-23", "start": "07:30", "end": "08:15", "repeat_until": "2026-12-21"},
    )
    return course, pupils


def test_teacher_downloads_the_pdf_with_the_same_tables_as_the_workbook(
    web, make, school, frozen_now
):
    course, _pupils = _course_with_history(make, school)
    web.login("gv.toan")
    page = web.client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "teaching-record-pdf-link" in page
    response = web.client.get(f"/courses/{course.id}/teaching-record.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and b"DejaVu" in response.data
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert ".pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    record = teaching_record_pdf.build_pdf(None, course.id)
    assert record.rows == {"Tiết đã dạy": 5, "Học liệu": 1, "Bài tập": 1, "Điểm danh": 12}


def test_students_parents_and_other_teachers_get_no_pdf(app, web, make, school, frozen_now):
    course, pupils = _course_with_history(make, school)
    make.user(school, "teacher", username="gv.khac")
    make.user(school, "parent", username="ph")
    for username in ("gv.khac", "ph", pupils[0].username):
        browser = type(web)(app.test_client())
        browser.login(username)
        status = browser.client.get(f"/courses/{course.id}/teaching-record.pdf").status_code
        assert status in (403, 404), username


def test_a_server_without_the_font_says_so_instead_of_failing(
    web, make, school, frozen_now, tmp_path, monkeypatch
):
    course, _pupils = _course_with_history(make, school)
    monkeypatch.setattr(teaching_record_pdf, "FONT_DIRS", (str(tmp_path),))
    web.login("gv.toan")
    response = web.client.get(f"/courses/{course.id}/teaching-record.pdf")
    assert response.status_code == 409
    assert "fonts-dejavu-core" in response.get_data(as_text=True)
