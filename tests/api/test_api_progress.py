"""GET /api/v1/children/{code}/progress and GET /api/v1/me/grades: released scores only."""

from __future__ import annotations

from app.services.gradebook_release import set_release


def _setup(make, school):
    course, teacher, (one, two, _) = make.gradebook_course(school)
    make.scores(course, one, 1, ["8", "7", "9"], "7,5", "8")
    make.scores(course, one, 2, ["9", "9"], "9", "9")
    parent = make.user(school, "parent", username="ph1")
    make.link(parent, one)
    return course, teacher, one, two


def test_progress_shows_released_scores_and_never_unreleased_ones(client, web, make, school):
    course, teacher, one, _two = _setup(make, school)
    set_release(teacher, course.id, 1, True)
    headers = web.bearer("ph1")
    response = client.get(f"/api/v1/children/{one.student_code}/progress", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["student_code"] == one.student_code and body["class"] == "10A1"
    (subject,) = body["scores"]
    assert subject["subject"] == "Toán" and subject == body["subjects"][0]
    first, second = subject["semesters"]
    assert first["released"] is True
    assert first["tx"] == ["8", "7", "9"] and first["average"] == "7.9"
    assert second == {
        "semester": 2,
        "released": False,
        "tx": [],
        "gk": None,
        "ck": None,
        "average": None,
        "result": None,
        "status": None,
    }
    assert "9" not in str(second)


def test_progress_of_another_childs_code_is_not_found(client, web, make, school):
    _course, _teacher, _one, two = _setup(make, school)
    response = client.get(
        f"/api/v1/children/{two.student_code}/progress", headers=web.bearer("ph1")
    )
    assert response.status_code == 404
    assert response.get_json()["error"]["code"]


def test_progress_is_for_parents_only(client, web, make, school):
    _course, teacher, one, _two = _setup(make, school)
    response = client.get(
        f"/api/v1/children/{one.student_code}/progress", headers=web.bearer(teacher.username)
    )
    assert response.status_code == 403
    assert client.get(f"/api/v1/children/{one.student_code}/progress").status_code == 401


def test_a_student_reads_their_own_released_grades(client, web, make, school):
    course, teacher, one, _two = _setup(make, school)
    headers = web.bearer(one.username)
    before = client.get("/api/v1/me/grades", headers=headers).get_json()
    assert [s["released"] for s in before["subjects"][0]["semesters"]] == [False, False]
    set_release(teacher, course.id, 2, True)
    after = client.get("/api/v1/me/grades", headers=headers).get_json()
    first, second = after["subjects"][0]["semesters"]
    assert first["released"] is False and first["tx"] == []
    assert second["tx"] == ["9", "9"] and second["average"] == "9.0"
    assert client.get("/api/v1/me/grades", headers=web.bearer("ph1")).status_code == 403
