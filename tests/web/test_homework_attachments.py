"""Homework attachments: the teacher attaches, the course's students download, nobody else;
files checked by content, 0 bytes refused, Vietnamese names kept, served as attachments."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.core.clock import now_utc
from app.extensions import db
from app.models import Assignment, AssignmentFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
NAME = "Đề bài tuần 3 – Hàm số.pdf"


def _setup(make, school):
    teacher = make.user(school, "teacher", username="gv")
    klass = make.school_class(school, "10A1")
    other_class = make.school_class(school, "10A2")
    make.enrol(make.user(school, "student", username="hs"), klass)
    make.enrol(make.user(school, "student", username="hs.khac"), other_class)
    parent = make.user(school, "parent", username="ph")
    make.user(school, "teacher", username="gv.khac")
    course = make.course(school, klass, teacher)
    return course, make.assignment(course), parent


def _attach(web, assignment, data=PDF, name=NAME):
    return web.post_form(
        f"/homework/{assignment.id}/attachments",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_teacher_attaches_and_the_student_downloads_with_the_vietnamese_name(
    web, other_browser, make, school, frozen_now
):
    _course, assignment, _parent = _setup(make, school)
    web.login("gv")
    assert _attach(web, assignment).status_code == 302
    row = db.session.scalar(select(AssignmentFile))
    assert row.filename == NAME and row.mime_type == "application/pdf"
    other_browser.login("hs")
    page = other_browser.client.get(f"/homework/{assignment.id}").get_data(as_text=True)
    assert NAME in page
    response = other_browser.client.get(f"/homework/attachments/{row.id}")
    assert response.status_code == 200 and response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and quote(NAME) in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_nobody_outside_the_course_gets_an_attachment(app, web, make, school, frozen_now):
    _course, assignment, _parent = _setup(make, school)
    web.login("gv")
    _attach(web, assignment)
    row = db.session.scalar(select(AssignmentFile))
    other = make.school("THPT2", "Trường khác")
    make.user(other, "admin", username="qt2")
    for username in ("hs.khac", "ph", "gv.khac", "qt2"):
        browser = type(web)(app.test_client())  # a fresh browser per person
        browser.login(username)
        assert browser.client.get(f"/homework/attachments/{row.id}").status_code == 404, username
    anonymous = app.test_client().get(f"/homework/attachments/{row.id}")
    assert anonymous.status_code in (302, 401)
    web = type(web)(app.test_client())
    web.login("gv.khac")
    assert _attach(web, assignment).status_code in (403, 404)
    delete = web.post_form(f"/homework/{assignment.id}/attachments/{row.id}/delete")
    assert delete.status_code in (403, 404)
    assert db.session.scalar(select(AssignmentFile.id)) == row.id


def test_student_cannot_attach_or_remove(app, web, make, school, frozen_now):
    _course, assignment, _parent = _setup(make, school)
    web.login("gv")
    _attach(web, assignment)
    row = db.session.scalar(select(AssignmentFile))
    web = type(web)(app.test_client())
    web.login("hs")
    assert _attach(web, assignment).status_code == 403
    delete = web.post_form(f"/homework/{assignment.id}/attachments/{row.id}/delete")
    assert delete.status_code == 403
    assert db.session.scalar(select(AssignmentFile.id)) == row.id


def test_attachment_of_homework_not_yet_open_is_hidden_from_students(
    app, web, make, school, frozen_now
):
    course, _assignment, _parent = _setup(make, school)
    later = make.assignment(
        course,
        title="Chưa mở",
        opens_at=now_utc() + timedelta(days=1),
        due_at=now_utc() + timedelta(days=3),
    )
    web.login("gv")
    _attach(web, later)
    row = db.session.scalar(select(AssignmentFile))
    web = type(web)(app.test_client())
    web.login("hs")
    assert web.client.get(f"/homework/attachments/{row.id}").status_code == 404


def test_bad_files_are_refused_with_a_clear_message(web, make, school, frozen_now):
    _course, assignment, _parent = _setup(make, school)
    web.login("gv")
    empty = _attach(web, assignment, b"", "rỗng.pdf")
    assert empty.status_code == 422 and "rỗng (0 byte)" in empty.get_data(as_text=True)
    fake = _attach(web, assignment, b"<script>alert(1)</script>", "giả.pdf")
    assert fake.status_code == 400 and "không khớp loại" in fake.get_data(as_text=True)
    assert db.session.scalar(select(AssignmentFile)) is None


def test_teacher_removes_an_attachment(web, make, school, frozen_now):
    _course, assignment, _parent = _setup(make, school)
    web.login("gv")
    _attach(web, assignment)
    row = db.session.scalar(select(AssignmentFile))
    assert (
        web.post_form(f"/homework/{assignment.id}/attachments/{row.id}/delete").status_code == 302
    )
    assert db.session.scalar(select(AssignmentFile)) is None


def _create(web, course, files, title="Bài tập có đề"):
    due = (now_utc() + timedelta(days=2)).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    data = {"title": title, "due_at": due.strftime("%Y-%m-%dT%H:%M"), "files": files}
    return web.post_form(f"/homework/course/{course.id}", data, content_type="multipart/form-data")


def test_files_chosen_in_the_create_form_are_attached_with_the_new_homework(
    web, other_browser, make, school, frozen_now
):
    course, _assignment, _parent = _setup(make, school)
    web.login("gv")
    files = [(io.BytesIO(PDF), NAME), (io.BytesIO(b"\x89PNG\r\n\x1a\nanh"), "Hình vẽ 1.png")]
    response = _create(web, course, files)
    assert response.status_code == 302
    created = db.session.scalar(select(Assignment).where(Assignment.title == "Bài tập có đề"))
    rows = db.session.scalars(
        select(AssignmentFile).where(AssignmentFile.assignment_id == created.id)
    ).all()
    assert [(r.filename, r.mime_type) for r in rows] == [
        (NAME, "application/pdf"),
        ("Hình vẽ 1.png", "image/png"),
    ]
    other_browser.login("hs")
    page = other_browser.client.get(f"/homework/{created.id}").get_data(as_text=True)
    assert NAME in page and "Hình vẽ 1.png" in page
    download = other_browser.client.get(f"/homework/attachments/{rows[0].id}")
    assert download.status_code == 200 and download.data == PDF


def test_a_bad_file_in_the_create_form_creates_nothing_and_keeps_what_was_typed(
    web, make, school, frozen_now
):
    course, _assignment, _parent = _setup(make, school)
    web.login("gv")
    before = db.session.scalar(select(func.count(Assignment.id)))
    files = [(io.BytesIO(PDF), NAME), (io.BytesIO(b""), "trống.pdf")]
    response = _create(web, course, files, title="Bài không được giao")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "“trống.pdf” rỗng (0 byte)" in page
    assert 'value="Bài không được giao"' in page
    fake = _create(web, course, [(io.BytesIO(b"MZ\x90\x00"), "virus.pdf")], title="Bài 2")
    assert fake.status_code == 400 and "không khớp loại" in fake.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Assignment.id))) == before
    assert db.session.scalar(select(func.count(AssignmentFile.id))) == 0
    assert "Bài không được giao" not in web.client.get(f"/homework/course/{course.id}").get_data(
        as_text=True
    )
