"""Course pages: sections and lessons, cleaned text, uploads checked by content, safe downloads."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.models import LessonFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _setup(make, school):
    teacher = make.user(school, "teacher", username="gv")
    klass = make.school_class(school, "10A1")
    student = make.user(school, "student", username="hs")
    make.enrol(student, klass)
    course = make.course(school, klass, teacher)
    return course


def test_teacher_builds_sections_and_lessons_with_cleaned_text(client, web, make, school):
    course = _setup(make, school)
    web.login("gv")
    page = f"/courses/{course.id}"
    assert web.post_form(f"{page}/sections", {"title": "Hàm số", "week": "3"}).status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Hàm số" in html and "Tuần 3" in html
    section_id = int(html.split('id="section-', 1)[1].split('"', 1)[0])
    body = '<p>Tính \\(x^2\\)</p><script>alert(1)</script><a href="javascript:x()">y</a>'
    response = web.post_form(
        f"{page}/sections/{section_id}/lessons", {"title": "Bài 1", "body": body}
    )
    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Tính \\(x^2\\)" in html
    assert "<script>alert" not in html and "javascript:" not in html
    assert "katex.min.js" in html


def test_week_out_of_range_and_empty_title_are_refused_with_a_message(client, web, make, school):
    course = _setup(make, school)
    web.login("gv")
    bad_week = web.post_form(f"/courses/{course.id}/sections", {"title": "A", "week": "99"})
    assert bad_week.status_code == 422
    assert "từ 1 đến 52" in bad_week.get_data(as_text=True)
    empty = web.post_form(f"/courses/{course.id}/sections", {"title": "  "})
    assert empty.status_code == 422
    assert "Thiếu tiêu đề" in empty.get_data(as_text=True)


def test_vietnamese_file_name_is_served_as_attachment_with_rfc5987(
    web, other_browser, make, school
):
    course = _setup(make, school)
    lesson = make.lesson(make.section(course))
    web.login("gv")
    response = web.post_form(
        f"/courses/{course.id}/lessons/{lesson.id}/files",
        {"file": (io.BytesIO(PDF), "Đề cương ôn tập.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    row = db.session.scalar(select(LessonFile))
    assert row.mime_type == "application/pdf" and row.filename == "Đề cương ôn tập.pdf"
    other_browser.login("hs")
    download = other_browser.client.get(f"/courses/files/{row.id}")
    assert download.status_code == 200 and download.data == PDF
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=UTF-8''%C4%90%E1%BB%81%20c%C6%B0%C6%A1ng" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_empty_file_is_refused_with_a_clear_message(client, web, make, school):
    course = _setup(make, school)
    lesson = make.lesson(make.section(course))
    web.login("gv")
    response = web.post_form(
        f"/courses/{course.id}/lessons/{lesson.id}/files",
        {"file": (io.BytesIO(b""), "trống.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "rỗng (0 byte)" in response.get_data(as_text=True)
    assert db.session.scalar(select(LessonFile)) is None


def test_file_whose_bytes_do_not_match_an_allowed_type_is_refused(client, web, make, school):
    course = _setup(make, school)
    lesson = make.lesson(make.section(course))
    web.login("gv")
    response = web.post_form(
        f"/courses/{course.id}/lessons/{lesson.id}/files",
        {"file": (io.BytesIO(b"<html><script>x</script>"), "bai.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "không khớp loại cho phép" in response.get_data(as_text=True)
    assert db.session.scalar(select(LessonFile)) is None


def test_file_over_the_configured_limit_is_refused_with_413(app, client, web, make, school):
    course = _setup(make, school)
    lesson = make.lesson(make.section(course))
    web.login("gv")
    app.config["LOPHOC_MATERIAL_MAX_MB"] = "0.01"
    try:
        response = web.post_form(
            f"/courses/{course.id}/lessons/{lesson.id}/files",
            {"file": (io.BytesIO(PDF + b"0" * 20_000), "to.pdf")},
            content_type="multipart/form-data",
        )
    finally:
        app.config.pop("LOPHOC_MATERIAL_MAX_MB")
    assert response.status_code == 413
    assert "tối đa 0.01 MB" in response.get_data(as_text=True)


def test_link_must_be_http_or_https(client, web, make, school):
    course = _setup(make, school)
    lesson = make.lesson(make.section(course))
    web.login("gv")
    bad = web.post_form(
        f"/courses/{course.id}/lessons/{lesson.id}/links", {"url": "javascript:alert(1)"}
    )
    assert bad.status_code == 422
    good = web.post_form(
        f"/courses/{course.id}/lessons/{lesson.id}/links",
        {"url": "https://igiaoduc.vn/bai-1", "label": "Video bài 1"},
    )
    assert good.status_code == 302
    assert "Video bài 1" in client.get(f"/courses/{course.id}").get_data(as_text=True)


def test_student_of_another_class_cannot_see_course_or_its_files(client, web, make, school):
    course = _setup(make, school)
    lesson = make.lesson(make.section(course))
    other = make.school_class(school, "10A2")
    make.enrol(make.user(school, "student", username="hs2"), other)
    from app.services import courses

    teacher = course.teacher
    row = courses.attach_file(teacher, lesson.id, "a.pdf", PDF)
    web.login("hs2")
    assert client.get(f"/courses/{course.id}").status_code == 404
    assert client.get(f"/courses/files/{row.id}").status_code == 404


def test_student_cannot_add_content(client, web, make, school):
    course = _setup(make, school)
    web.login("hs")
    response = web.post_form(f"/courses/{course.id}/sections", {"title": "Hack"})
    assert response.status_code == 403
    assert "Hack" not in client.get(f"/courses/{course.id}").get_data(as_text=True)
