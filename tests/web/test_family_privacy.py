"""Privacy: every parent/student page and API route of the family area, walked with another
family's ids (and from another school), answers 403/404 and never shows the child; class
averages never come from fewer than five students."""

from __future__ import annotations

import pytest

from app.services import progress_pages
from tests.web.family_world import build

# Every route of the area (pages and API); the test below fails when a new one is not walked.
AREA_ENDPOINTS = {
    "family.child",
    "family.subject",
    "progress.mine",
    "progress.my_subject",
    "progress.report_card",
    "progress.homeroom_index",
    "progress.homeroom_class",
    "progress.settings",
    "api_children.ChildrenResource",
    "api_children.ChildProgressResource",
    "api_children.ChildExportResource",
    "api_me.MeResource",
    "api_me.MyGradesResource",
    "api_me.MyProgressResource",
}


def _victim_urls(w) -> dict[str, str]:
    code = w.first.student_code
    return {
        "family.child": f"/children/{code}",
        "family.subject": f"/children/{code}/subjects/{w.math.id}",
        "progress.report_card": f"/students/{w.first.id}/report-card?period=1",
        "api_children.ChildProgressResource": f"/api/v1/children/{code}/progress",
        "api_children.ChildExportResource": f"/api/v1/children/{code}/export",
    }


def test_every_route_of_the_area_is_walked(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    own = {e for e in endpoints if e.split(".")[0] in ("family", "progress", "api_children")}
    # /me is shared with other areas: only its family routes must be here
    assert own == {e for e in AREA_ENDPOINTS if not e.startswith("api_me.")}
    assert endpoints >= AREA_ENDPOINTS


@pytest.mark.parametrize("how", ["session", "bearer"])
def test_another_parent_gets_not_found_for_every_child_route(client, web, make, school, how):
    w = build(make, school)
    headers = {}
    if how == "session":
        web.login("ph2")
    else:
        headers = web.bearer("ph2")
    for endpoint, url in _victim_urls(w).items():
        if how == "bearer" and not url.startswith("/api/"):
            continue
        response = client.get(url, headers=headers)
        assert response.status_code == 404, (endpoint, response.status_code)
        assert "Nguyễn Văn An" not in response.get_data(as_text=True), endpoint
    # the parent's own lists do not show the other family
    children = client.get("/api/v1/children", headers=headers).get_json()
    assert [c["student_code"] for c in children["items"]] == [w.other.student_code]
    if how == "session":
        assert "Nguyễn Văn An" not in client.get("/").get_data(as_text=True)


def test_a_parent_cannot_use_student_staff_or_admin_routes(client, web, make, school):
    w = build(make, school)
    web.login("ph")
    for url in (
        "/me/progress",
        f"/me/progress/subjects/{w.math.id}",
        "/homeroom",
        f"/homeroom/classes/{w.math.class_id}",
        "/admin/school/family-view",
        "/api/v1/me/progress",
        "/api/v1/me/grades",
    ):
        assert client.get(url).status_code == 403, url


def test_a_student_cannot_see_another_students_progress(client, web, make, school):
    w = build(make, school)
    web.login("hs.cuong")
    for endpoint, url in _victim_urls(w).items():
        response = client.get(url)
        assert response.status_code in (403, 404), (endpoint, response.status_code)
        assert "Nguyễn Văn An" not in response.get_data(as_text=True), endpoint
    # a course of another class is not theirs either
    assert client.get(f"/me/progress/subjects/{w.small_course.id}").status_code == 404
    assert client.get(f"/homeroom/classes/{w.math.class_id}").status_code == 403
    own = client.get("/api/v1/me/progress").get_json()
    assert own["student_code"] == w.other.student_code
    assert "Em làm bài cẩn thận" not in str(own)  # the comment was for the first child


def test_a_parent_of_another_school_reaches_nothing(client, web, make, school):
    w = build(make, school)
    other_school = make.school("THCS2", "Trường THCS Số 2")
    child = make.user(other_school, "student", student_code=w.first.student_code)
    make.link(make.user(other_school, "parent", username="ph.khac"), child)
    web.login("ph.khac")
    assert client.get(f"/students/{w.first.id}/report-card").status_code == 404
    page = client.get(f"/children/{w.first.student_code}").get_data(as_text=True)
    assert "Nguyễn Văn An" not in page  # the same code is their own child, not ours
    assert client.get(f"/children/{w.first.student_code}/subjects/{w.math.id}").status_code == 404


def test_a_teacher_who_is_not_homeroom_cannot_print_a_report(client, web, make, school):
    w = build(make, school)
    web.login(w.teacher.username)
    assert client.get(f"/students/{w.first.id}/report-card").status_code == 403
    assert client.get(f"/children/{w.first.student_code}").status_code == 403


def test_class_average_is_suppressed_under_five_scores(make, school):
    w = build(make, school)
    averages = progress_pages.class_averages(w.math)
    assert set(averages) == {(1, "tx1")}  # tx2 has 3 scores, gk and ck one each
    # a class of four never shows an average, even with every score entered
    four, teacher, pupils = make.gradebook_course(
        school, students=4, class_name="12A9", prefix="HS9", teacher="gv.bon"
    )
    for pupil in pupils:
        make.scores(four, pupil, 1, ["7", "8"], "7", "8")
    from app.services.gradebook_release import set_release

    set_release(teacher, four.id, 1, True)
    assert progress_pages.class_averages(four) == {}


def test_ids_past_the_integer_range_are_not_found(client, web, make, school):
    build(make, school)
    web.login("ph")
    assert client.get("/students/99999999999/report-card").status_code == 404
    web.post_form("/logout")
    web.login("gvcn")
    assert client.get("/homeroom/classes/99999999999").status_code == 404
