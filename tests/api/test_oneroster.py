"""OneRoster 1.2 read endpoints: rostering and gradebook, scoped tokens, the school's rows only."""

from __future__ import annotations

import pytest

from app.services import identity

R = "/ims/oneroster/rostering/v1p2"
G = "/ims/oneroster/gradebook/v1p2"


@pytest.fixture
def setup(make, school):
    course, _teacher, (one, _two, _) = make.gradebook_course(school)
    make.scores(course, one, 1, ["8", "7", "9"], "7,5", "8")
    admin = make.user(school, "admin", username="ad")
    grades = identity.create_integration_token(admin, "OR", ["grades:read"]).token
    roster = identity.create_integration_token(admin, "OR", ["roster:read"]).token
    return course, {"Authorization": f"Bearer {grades}"}, {"Authorization": f"Bearer {roster}"}


def test_users_classes_and_enrollments_key_students_by_code(client, setup):
    course, _grades, roster = setup
    users = client.get(f"{R}/users", headers=roster).get_json()["users"]
    student = next(u for u in users if u["sourcedId"] == "HS001")
    assert student["roles"][0]["role"] == "student"
    assert student["roles"][0]["org"]["sourcedId"] == "THPT1"
    classes = client.get(f"{R}/classes", headers=roster).get_json()["classes"]
    assert classes[0]["sourcedId"] == f"course-{course.id}" and classes[0]["classCode"] == "10A1"
    enrollments = client.get(f"{R}/enrollments", headers=roster).get_json()["enrollments"]
    assert {e["role"] for e in enrollments} == {"teacher", "student"}
    assert len([e for e in enrollments if e["role"] == "student"]) == 3


def test_line_items_and_results_carry_the_scores(client, setup):
    course, grades, _roster = setup
    items = client.get(f"{G}/lineItems", headers=grades).get_json()["lineItems"]
    assert {i["sourcedId"] for i in items} == {
        f"course-{course.id}-1-{c}" for c in ("tx1", "tx2", "tx3", "gk", "ck")
    }
    results = client.get(f"{G}/results", headers=grades).get_json()["results"]
    gk = next(r for r in results if r["lineItem"]["sourcedId"].endswith("-gk"))
    assert (gk["student"]["sourcedId"], gk["score"]) == ("HS001", 7.5)


def test_paging_with_limit_offset_and_total_header(client, setup):
    _course, _grades, roster = setup
    response = client.get(f"{R}/users?limit=2&offset=1", headers=roster)
    assert len(response.get_json()["users"]) == 2
    assert int(response.headers["X-Total-Count"]) >= 5
    assert client.get(f"{R}/users?limit=abc", headers=roster).status_code == 422


def test_each_service_needs_its_scope(client, setup):
    _course, grades, roster = setup
    assert client.get(f"{R}/users", headers=grades).status_code == 403
    assert client.get(f"{G}/results", headers=roster).status_code == 403
    assert client.get(f"{G}/results").status_code == 401


def test_teacher_is_refused_and_other_school_sees_nothing_of_ours(client, make, web, setup):
    assert client.get(f"{G}/results", headers=web.bearer("gv.toan")).status_code == 403
    other = make.school("THPT2", "Trường khác")
    make.user(other, "admin", username="ad2")
    body = client.get(f"{G}/results", headers=web.bearer("ad2")).get_json()
    assert body["results"] == []
