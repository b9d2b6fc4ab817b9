"""The gradebook API: a course's grid by student code, all-or-nothing saves, school export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models import GradeEntry
from app.services import identity
from app.services.school import current_year


@pytest.fixture
def course_setup(make, school, web):
    course, teacher, pupils = make.gradebook_course(school)
    return course, web.bearer(teacher.username), pupils


def _put(client, course, headers, entries, semester=1):
    return client.put(
        f"/api/v1/courses/{course.id}/gradebook",
        json={"semester": semester, "entries": entries},
        headers=headers,
    )


def test_grading_md_example_through_the_api(client, course_setup):
    course, headers, _ = course_setup
    entries = [
        {"student_code": "HS001", "column": c, "score": s}
        for c, s in (("tx1", 8), ("tx2", "7"), ("tx3", "9"), ("gk", "7,5"), ("ck", 8.0))
    ]
    response = _put(client, course, headers, entries)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["changed"] == 5
    body = client.get(f"/api/v1/courses/{course.id}/gradebook?semester=1", headers=headers)
    first = body.get_json()["items"][0]
    assert first["student_code"] == "HS001"
    assert first["tx"] == ["8", "7", "9"]
    assert (first["gk"], first["ck"], first["average"]) == ("7.5", "8", "7.9")
    assert first["status"] == "complete"


def test_incomplete_student_has_no_average_and_names_what_is_missing(client, course_setup):
    course, headers, _ = course_setup
    _put(client, course, headers, [{"student_code": "HS002", "column": "tx1", "score": "9"}])
    body = client.get(f"/api/v1/courses/{course.id}/gradebook?semester=1", headers=headers)
    second = body.get_json()["items"][1]
    assert second["average"] is None and second["status"] == "incomplete"
    assert second["missing"] == ["tx2", "gk", "ck"]


def test_bad_entries_are_a_422_naming_code_and_column_and_nothing_is_saved(client, course_setup):
    course, headers, _ = course_setup
    response = _put(
        client,
        course,
        headers,
        [
            {"student_code": "HS001", "column": "tx1", "score": "8,5"},
            {"student_code": "HS002", "column": "tx1", "score": "mười"},
            {"student_code": "HS003", "column": "gk", "score": 8.55},
            {"student_code": "HS404", "column": "ck", "score": 7},
            {"student_code": "HS001", "column": "tx99", "score": 7},
        ],
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    pairs = [(e["student_code"], e["column"]) for e in error["details"]["errors"]]
    assert pairs == [("HS002", "tx1"), ("HS003", "gk"), ("HS404", "ck"), ("HS001", "tx99")]
    assert all(e["message"] for e in error["details"]["errors"])
    assert db.session.scalar(select(GradeEntry.id)) is None


def test_missing_semester_is_a_422(client, course_setup):
    course, headers, _ = course_setup
    response = client.put(
        f"/api/v1/courses/{course.id}/gradebook", json={"entries": []}, headers=headers
    )
    assert response.status_code == 422
    response = _put(client, course, headers, [], semester=3)
    assert response.status_code == 422


def test_locked_semester_needs_a_reason_per_entry(client, make, school, course_setup):
    course, headers, _ = course_setup
    from app.services.gradebook import set_lock

    set_lock(make.user(school, "admin"), course.school_year_id, 1, True)
    entry = {"student_code": "HS001", "column": "tx1", "score": "8"}
    response = _put(client, course, headers, [entry])
    assert response.status_code == 422
    assert "khoá" in response.get_json()["error"]["details"]["errors"][0]["message"]
    response = _put(client, course, headers, [{**entry, "reason": "Nhập bổ sung"}])
    assert response.status_code == 200
    assert response.get_json()["is_locked"] is True


def test_another_teacher_gets_403_and_another_school_404(client, make, school, web, course_setup):
    course, _headers, _ = course_setup
    make.user(school, "teacher", username="gv.khac")
    response = _put(client, course, web.bearer("gv.khac"), [])
    assert response.status_code == 403
    other = make.school("THPT2", "Trường khác")
    make.user(other, "admin", username="ad.khac")
    response = client.get(f"/api/v1/courses/{course.id}/gradebook", headers=web.bearer("ad.khac"))
    assert response.status_code == 404


def test_student_cannot_read_the_course_gradebook(client, web, course_setup):
    course, _headers, pupils = course_setup
    headers = web.bearer(pupils[0].username)
    assert client.get(f"/api/v1/courses/{course.id}/gradebook", headers=headers).status_code == 403


def _school_grades(client, school, headers, **params):
    params.setdefault("year", current_year(school).name)
    params.setdefault("semester", "1")
    return client.get(f"/api/v1/schools/{school.code}/grades", query_string=params, headers=headers)


@pytest.fixture
def graded(make, school, course_setup):
    course, _headers, (one, two, _) = course_setup
    make.scores(course, one, 1, ["8", "7", "9"], "7,5", "8")
    make.scores(course, two, 1, ["6", "7"], "5,5", "6,5")
    admin = make.user(school, "admin", username="ad")
    return admin


def test_admin_pulls_school_grades_by_student_code(client, school, web, graded):
    response = _school_grades(client, school, web.bearer("ad"), per_page=2)
    body = response.get_json()
    assert response.status_code == 200
    assert body["total"] == 3 and len(body["items"]) == 2
    first = body["items"][0]
    assert (first["student_code"], first["class"], first["subject"]) == ("HS001", "10A1", "Toán")
    assert first["average"] == "7.9"
    assert body["items"][1]["average"] == "6.2"


def test_integration_token_needs_the_grades_scope(client, school, graded):
    reader = identity.create_integration_token(graded, "SMAS", ["grades:read"]).token
    roster = identity.create_integration_token(graded, "Roster", ["roster:read"]).token
    ok = _school_grades(client, school, {"Authorization": f"Bearer {reader}"})
    assert ok.status_code == 200
    refused = _school_grades(client, school, {"Authorization": f"Bearer {roster}"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "insufficient_scope"


def test_teacher_cannot_pull_school_grades(client, school, web, graded):
    assert _school_grades(client, school, web.bearer("gv.toan")).status_code == 403


def test_other_school_code_is_404(client, make, web, graded):
    other = make.school("THPT2", "Trường khác")
    assert _school_grades(client, other, web.bearer("ad")).status_code == 404


def test_school_grades_as_csv_with_bom(client, school, web, graded):
    response = _school_grades(client, school, web.bearer("ad"), format="csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[1][0] == "HS001"


def test_school_grades_xlsx_and_bad_format(client, school, web, graded):
    xlsx = _school_grades(client, school, web.bearer("ad"), format="xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    bad = _school_grades(client, school, web.bearer("ad"), format="pdf")
    assert bad.status_code == 422


def test_bad_year_and_semester_are_clean_errors(client, school, web, graded):
    headers = web.bearer("ad")
    assert _school_grades(client, school, headers, year="2026").status_code == 422
    assert _school_grades(client, school, headers, year="1990-1991").status_code == 404
    assert _school_grades(client, school, headers, semester="3").status_code == 422


def test_changed_since_returns_only_rows_changed_after(client, make, school, web, graded):
    from app.models import Course

    course = db.session.scalars(select(Course)).first()
    later = datetime.now(UTC) + timedelta(days=1)
    clock.freeze(later)
    make.scores(course, course_pupil(course, "HS003"), 1, ["5"])
    since = (later - timedelta(minutes=1)).isoformat()
    body = _school_grades(client, school, web.bearer("ad"), changed_since=since).get_json()
    assert [item["student_code"] for item in body["items"]] == ["HS003"]


def course_pupil(course, code):
    from app.models import User

    return db.session.scalar(select(User).where(User.student_code == code))


def test_openapi_documents_the_gradebook_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "put"} <= set(paths["/api/v1/courses/{course_id}/gradebook"])
    assert "get" in paths["/api/v1/schools/{code}/grades"]


def test_pages_cover_every_row_once_across_courses(client, make, school, web, graded):
    from app.models import Course

    course = db.session.scalars(select(Course)).first()
    teacher = course.teacher
    make.course(school, course.school_class, teacher, "Ngữ văn")
    headers = web.bearer("ad")
    seen = []
    for page in (1, 2, 3, 4):
        body = _school_grades(client, school, headers, per_page=2, page=page).get_json()
        assert body["total"] == 6
        seen += [(i["subject"], i["student_code"]) for i in body["items"]]
    assert len(seen) == 6 and len(set(seen)) == 6


@pytest.mark.parametrize("semester", ["1", "year"])
def test_hand_built_page_items_equal_the_documented_schema(client, school, web, graded, semester):
    from app.api.grades import GradeItem
    from app.services.gradebook_export import GradeQuery, school_grades

    body = _school_grades(client, school, web.bearer("ad"), semester=semester).get_json()
    export = school_grades(None, school.code, GradeQuery(current_year(school).name, semester))
    expected = GradeItem(many=True).dump(export.rows)
    assert body["items"] == expected
    assert body["items"][0]["updated_at"].endswith("+00:00")
