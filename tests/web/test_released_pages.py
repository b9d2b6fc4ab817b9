"""The teacher's release switch, the student's "Điểm của em" page, the parent's child page."""

from __future__ import annotations


def test_teacher_releases_then_student_and_parent_see_the_scores(client, web, make, school):
    course, teacher, (one, *_rest) = make.gradebook_course(school)
    make.scores(course, one, 1, ["8", "7", "9"], "7,5", "8")
    parent = make.user(school, "parent", username="ph1")
    make.link(parent, one)

    web.login(one.username)
    page = client.get("/gradebook/my").get_data(as_text=True)
    assert "Điểm của em" in page and "Giáo viên chưa công bố điểm." in page
    assert "7,9" not in page
    web.post_form("/logout")

    web.login(teacher.username)
    grid = f"/gradebook/courses/{course.id}?semester=1"
    assert 'id="release-form"' in client.get(grid).get_data(as_text=True)
    response = web.post_form(
        f"/gradebook/courses/{course.id}/release",
        {"semester": "1", "is_released": "1"},
        token_page=grid,
    )
    assert response.status_code == 302
    assert 'id="released-badge"' in client.get(grid).get_data(as_text=True)
    web.post_form("/logout")

    web.login(one.username)
    page = client.get("/gradebook/my").get_data(as_text=True)
    assert "8 · 7 · 9" in page and "7,5" in page and "7,9" in page
    web.post_form("/logout")

    web.login("ph1")
    page = client.get(f"/children/{one.student_code}").get_data(as_text=True)
    assert 'id="child-scores"' in page and "7,9" in page


def test_another_teacher_cannot_release(client, web, make, school):
    course, _teacher, _pupils = make.gradebook_course(school)
    make.user(school, "teacher", username="gv2")
    web.login("gv2")
    response = web.post_form(
        f"/gradebook/courses/{course.id}/release", {"semester": "1", "is_released": "1"}
    )
    assert response.status_code == 403


def test_a_teacher_has_no_student_score_page(client, web, make, school):
    _course, teacher, _pupils = make.gradebook_course(school)
    web.login(teacher.username)
    assert client.get("/gradebook/my").status_code == 403
