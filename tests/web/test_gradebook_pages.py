"""Gradebook pages: the grid per course and semester, and the admin's locks and history."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import GradeLock


def test_teacher_sees_the_grid_with_scores_and_averages(client, web, make, school):
    course, teacher, (one, *_rest) = make.gradebook_course(school)
    make.scores(course, one, 1, ["8", "7", "9"], "7,5", "8")
    web.login(teacher.username)
    page = client.get(f"/gradebook/courses/{course.id}?semester=1").get_data(as_text=True)
    assert 'id="gradebook-grid"' in page
    assert 'value="7,5"' in page
    assert ">7,9<" in page
    assert "js/gradebook.js" in page and "<script>" not in page


def test_teacher_lists_their_courses(client, web, make, school):
    course, teacher, _ = make.gradebook_course(school)
    web.login(teacher.username)
    page = client.get("/gradebook/").get_data(as_text=True)
    assert f"/gradebook/courses/{course.id}?semester=2" in page


def test_another_teacher_cannot_open_the_grid(client, web, make, school):
    course, _teacher, _ = make.gradebook_course(school)
    make.user(school, "teacher", username="gv.khac")
    web.login("gv.khac")
    assert client.get(f"/gradebook/courses/{course.id}").status_code == 403


def test_other_schools_course_is_404(client, web, make, school):
    course, _teacher, _ = make.gradebook_course(school)
    other = make.school("THPT2", "Trường khác")
    make.user(other, "teacher", username="gv.khac")
    web.login("gv.khac")
    assert client.get(f"/gradebook/courses/{course.id}").status_code == 404


def test_grid_saves_through_the_api_with_the_session_and_csrf(client, web, make, school):
    course, teacher, _ = make.gradebook_course(school)
    web.login(teacher.username)
    body = {"semester": 1, "entries": [{"student_code": "HS001", "column": "tx1", "score": "8,5"}]}
    refused = client.put(f"/api/v1/courses/{course.id}/gradebook", json=body)
    assert refused.status_code == 400  # no CSRF token: a forged cross-site request
    token = web.csrf(f"/gradebook/courses/{course.id}")
    saved = client.put(
        f"/api/v1/courses/{course.id}/gradebook", json=body, headers={"X-CSRFToken": token}
    )
    assert saved.status_code == 200
    assert saved.get_json()["items"][0]["tx"][0] == "8.5"


def test_admin_locks_and_unlocks_a_semester_and_sees_grade_history(client, web, make, school):
    course, teacher, (one, *_rest) = make.gradebook_course(school)
    from app.services.gradebook import record_score

    record_score(teacher, course.id, one.id, "tx1", "6", semester=1)
    record_score(teacher, course.id, one.id, "tx1", "7", semester=1, reason="Chấm nhầm")
    make.user(school, "admin", username="ad")
    web.login("ad")
    page = client.get("/gradebook/admin").get_data(as_text=True)
    assert "Chấm nhầm" in page and "HS001" in page
    url = f"/gradebook/admin/locks/{course.school_year_id}/1"
    web.post_form(url, {"is_locked": "1"}, token_page="/gradebook/admin")
    assert db.session.scalar(select(GradeLock.semester)) == 1
    web.post_form(url, {"is_locked": "0"}, token_page="/gradebook/admin")
    assert db.session.scalar(select(GradeLock.id)) is None


def test_teacher_cannot_open_the_lock_page(client, web, make, school):
    _course, teacher, _ = make.gradebook_course(school)
    web.login(teacher.username)
    assert client.get("/gradebook/admin").status_code == 403


def test_homeroom_teacher_sees_the_class_ratings(client, web, make, school):
    course, teacher, (one, *_rest) = make.gradebook_course(school)
    course.school_class.homeroom_teacher_id = teacher.id
    db.session.commit()
    make.scores(course, one, 1, ["8", "7", "9"], "7,5", "8")
    web.login(teacher.username)
    assert f"/gradebook/classes/{course.class_id}" in client.get("/gradebook/").get_data(
        as_text=True
    )
    page = client.get(f"/gradebook/classes/{course.class_id}?period=1").get_data(as_text=True)
    assert "7,9" in page and "Toán" in page
    assert "Chưa đủ điểm" in page  # HS002 has no scores yet


def test_other_teacher_cannot_see_the_class_ratings(client, web, make, school):
    course, _teacher, _ = make.gradebook_course(school)
    make.user(school, "teacher", username="gv.khac")
    web.login("gv.khac")
    assert client.get(f"/gradebook/classes/{course.class_id}").status_code == 403


def test_admin_downloads_a_class_in_the_smas_layout_and_a_oneroster_bundle(
    client, web, make, school
):
    course, _teacher, (one, *_rest) = make.gradebook_course(school)
    make.scores(course, one, 1, ["8", "7", "9"], "7,5", "8")
    make.user(school, "admin", username="ad")
    web.login("ad")
    assert 'id="export-form"' in client.get("/gradebook/admin").get_data(as_text=True)
    smas = client.get("/gradebook/admin/export?semester=1&class=10a1&format=smas")
    assert smas.status_code == 200 and smas.data[:2] == b"PK"
    assert "smas.xlsx" in smas.headers["Content-Disposition"]
    bundle = client.get("/gradebook/admin/export?semester=1&format=oneroster")
    assert bundle.status_code == 200 and bundle.mimetype == "application/zip"
    bad = client.get("/gradebook/admin/export?semester=1&class=12Z&format=smas")
    assert bad.status_code == 404
    assert client.get("/gradebook/admin/export?semester=9").status_code == 422
