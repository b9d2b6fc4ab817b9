"""Lesson edit and outline pages: cleaned text, empty title refused, moves by form posts."""

from __future__ import annotations

from app.extensions import db
from app.models import Lesson
from app.services import courses


def _setup(make, school):
    course, teacher, pupils = make.gradebook_course(school, students=1)
    pupils[0].username = "hs"
    db.session.commit()
    one = courses.add_section(teacher, course.id, "Chủ đề 1")
    two = courses.add_section(teacher, course.id, "Chủ đề 2")
    first = courses.add_lesson(teacher, one.id, "Bài 1")
    second = courses.add_lesson(teacher, one.id, "Bài 2")
    return course, (one, two), (first, second)


def test_teacher_edits_a_lesson_and_the_html_is_cleaned(client, web, make, school):
    course, _sections, (first, _second) = _setup(make, school)
    web.login("gv.toan")
    page = f"/courses/{course.id}/lessons/{first.id}/edit"
    assert 'value="Bài 1"' in client.get(page).get_data(as_text=True)
    response = web.post_form(
        page, {"title": "Bài 1 (sửa)", "body": "<p>\\(x^2\\)</p><script>alert(1)</script>"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    lesson = db.session.get(Lesson, first.id)
    assert lesson.title == "Bài 1 (sửa)" and "<script>" not in lesson.body_html
    assert "\\(x^2\\)" in lesson.body_html


def test_empty_title_is_refused_and_the_text_is_kept(client, web, make, school):
    course, _sections, (first, _second) = _setup(make, school)
    web.login("gv.toan")
    response = web.post_form(
        f"/courses/{course.id}/lessons/{first.id}/edit", {"title": "  ", "body": "<p>giữ lại</p>"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Thiếu tiêu đề bài học" in html and "giữ lại" in html
    assert db.session.get(Lesson, first.id).title == "Bài 1"


def test_outline_moves_lessons_and_sections(client, web, make, school):
    course, (one, two), (first, second) = _setup(make, school)
    web.login("gv.toan")
    outline = f"/courses/{course.id}/outline"
    html = client.get(outline).get_data(as_text=True)
    assert f'id="o-lesson-{first.id}"' in html
    moved = web.post_form(
        f"/courses/{course.id}/lessons/{first.id}/move",
        {"direction": "down", "anchor": f"#o-lesson-{first.id}"},
    )
    assert moved.status_code == 302 and moved.headers["Location"].endswith(f"#o-lesson-{first.id}")
    html = client.get(outline).get_data(as_text=True)
    assert html.index(f'id="o-lesson-{second.id}"') < html.index(f'id="o-lesson-{first.id}"')
    web.post_form(f"/courses/{course.id}/lessons/{first.id}/move", {"section_id": str(two.id)})
    assert db.session.get(Lesson, first.id).section_id == two.id
    web.post_form(f"/courses/{course.id}/sections/{two.id}/move", {"direction": "up"})
    html = client.get(outline).get_data(as_text=True)
    assert html.index(f'id="o-section-{two.id}"') < html.index(f'id="o-section-{one.id}"')
    bad = web.post_form(f"/courses/{course.id}/sections/{two.id}/move", {"direction": "x"})
    assert bad.status_code == 422


def test_student_cannot_open_the_outline_or_edit(client, web, make, school):
    course, _sections, (first, _second) = _setup(make, school)
    web.login("hs")
    assert client.get(f"/courses/{course.id}/outline").status_code == 403
    assert client.get(f"/courses/{course.id}/lessons/{first.id}/edit").status_code == 403
    response = web.post_form(f"/courses/{course.id}/lessons/{first.id}/move", {"direction": "down"})
    assert response.status_code == 403
