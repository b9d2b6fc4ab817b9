"""Library pages: offer from the course page, review queue, search, download, copy; and who
may not see or do each of them."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select

from app.extensions import db
from app.models import Course, Lesson, LibraryItem
from app.services import courses, library

PDF = b"%PDF-1.4\n%%EOF\n"


def _world(make, school):
    make.user(school, "admin", username="qt")
    author = make.user(school, "teacher", username="gv.an")
    reader = make.user(school, "teacher", username="gv.binh")
    make.user(school, "student", username="hs")
    course = make.course(school, make.school_class(school, "11A1"), author, "Ngữ văn")
    lesson = make.lesson(make.section(course, "Truyện ngắn"), "Chí Phèo – Nam Cao", "<p>x</p>")
    courses.attach_file(author, lesson.id, "Sơ đồ tư duy Chí Phèo.pdf", PDF)
    target = make.course(school, make.school_class(school, "11A2"), reader, "Ngữ văn")
    return lesson, make.section(target, "Văn học hiện thực"), author, reader


def test_offer_review_search_download_and_copy(app, web, make, school, frozen_now):
    lesson, target_section, _author, _reader = _world(make, school)
    web.login("gv.an")
    course_page = web.client.get(f"/courses/{lesson.course_id}").get_data(as_text=True)
    assert f"/library/offer/{lesson.id}" in course_page
    assert web.post_form(f"/library/offer/{lesson.id}").status_code == 302
    again = web.post_form(f"/library/offer/{lesson.id}", follow_redirects=True)
    assert "đang chờ tổ trưởng duyệt" in again.get_data(as_text=True)
    item = db.session.scalar(select(LibraryItem))

    admin = type(web)(app.test_client())
    admin.login("qt")
    queue = admin.client.get("/library/review").get_data(as_text=True)
    assert "Chí Phèo – Nam Cao" in queue
    rejected = admin.post_form(f"/library/{item.id}/review", {"decision": "reject"})
    assert rejected.status_code == 422
    approved = admin.post_form(f"/library/{item.id}/review", {"decision": "approve"})
    assert approved.status_code == 302

    reader = type(web)(app.test_client())
    reader.login("gv.binh")
    found = reader.client.get("/library?q=chi+pheo").get_data(as_text=True)
    assert "Chí Phèo – Nam Cao" in found
    assert "Chí Phèo" not in reader.client.get("/library?q=lao+hac").get_data(as_text=True)
    detail = reader.client.get(f"/library/{item.id}").get_data(as_text=True)
    assert "Văn học hiện thực" in detail  # her own section is offered as the target
    download = reader.client.get(f"/library/{item.id}/files/0")
    assert download.status_code == 200 and download.data == PDF
    assert quote("Sơ đồ tư duy Chí Phèo.pdf") in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert reader.client.get(f"/library/{item.id}/files/5").status_code == 404
    copied = reader.post_form(f"/library/{item.id}/copy", {"section_id": target_section.id})
    assert copied.status_code == 302
    copy = db.session.scalar(select(Lesson).where(Lesson.section_id == target_section.id))
    assert copy.title == "Chí Phèo – Nam Cao"
    mine = web.client.get("/library/mine").get_data(as_text=True)
    assert "Đã duyệt" in mine


def test_students_and_parents_have_no_library(app, web, make, school, frozen_now):
    lesson, _target, author, _reader = _world(make, school)
    item = library.offer(author, lesson.id)
    web.login("hs")
    for path in (
        "/library",
        f"/library/{item.id}",
        f"/library/{item.id}/files/0",
        "/library/review",
        "/library/mine",
    ):
        assert web.client.get(path).status_code == 403, path
    assert web.post_form(f"/library/offer/{lesson.id}").status_code in (403, 404)


def test_a_waiting_item_is_hidden_from_other_teachers_and_bad_copies_refused(
    app, web, make, school, frozen_now
):
    lesson, target_section, author, _reader = _world(make, school)
    item = library.offer(author, lesson.id)
    web.login("gv.binh")
    assert web.client.get(f"/library/{item.id}").status_code == 404
    assert web.post_form(f"/library/{item.id}/review", {"decision": "approve"}).status_code == 403
    assert (
        web.post_form(f"/library/{item.id}/copy", {"section_id": target_section.id}).status_code
        == 404
    )


def test_admin_sets_the_subject_lead_on_a_page(app, web, make, school, frozen_now):
    lesson, _target, _author, reader = _world(make, school)
    web.login("qt")
    page = web.client.get("/admin/school/subject-leads").get_data(as_text=True)
    assert "Ngữ văn" in page
    subject_id = db.session.get(Course, lesson.course_id).subject_id
    saved = web.post_form(
        "/admin/school/subject-leads", {"subject_id": subject_id, "teacher_id": reader.id}
    )
    assert saved.status_code == 302
    page = web.client.get("/admin/school/subject-leads").get_data(as_text=True)
    assert f'value="{reader.id}" selected' in page
    teacher = type(web)(app.test_client())
    teacher.login("gv.an")
    assert teacher.client.get("/admin/school/subject-leads").status_code == 403
