"""The family API: progress with homework, attendance and exam results; /me/progress; the JSON
export of a child's data; all in the OpenAPI document; a constant number of queries."""

from __future__ import annotations

import json

from sqlalchemy import event

from app.extensions import db
from app.services.progress import family_cards
from tests.web.family_world import build


def test_progress_has_homework_attendance_and_exam_results(client, web, make, school):
    w = build(make, school)
    body = client.get(
        f"/api/v1/children/{w.first.student_code}/progress", headers=web.bearer("ph")
    ).get_json()
    assert body["scores"][0]["semesters"][0]["average"] == "7.9"
    homework = body["homework"]
    assert (homework["due"], homework["missing"], homework["late"]) == (1, 1, 0)
    assert homework["completion_rate"] == 50
    (returned,) = [h for h in homework["items"] if h["state"] == "returned"]
    assert returned["score"] == "9" and returned["comment"].startswith("Em làm bài cẩn thận")
    assert [h["score"] for h in homework["items"] if h["state"] != "returned"] == [None, None]
    attendance = body["attendance"]
    assert attendance["counts"] == {"present": 1, "late": 0, "excused": 0, "unexcused": 1}
    assert attendance["this_week"]["lessons"] == 2 and attendance["this_week"]["absent"] == 1
    assert attendance["records"][0]["starts_at"] == "2026-11-24T01:00:00+00:00"
    (exam,) = body["exams"]
    assert exam["title"] == "Kiểm tra 15 phút" and exam["released"] is True
    assert exam["score10"] == "8.50"
    (upcoming,) = body["upcoming_exams"]
    assert upcoming["title"] == "Kiểm tra giữa kỳ Toán" and upcoming["subject"] == "Toán"


def test_unreleased_exam_results_are_not_in_progress(client, web, make, school):
    w = build(make, school)
    w.past_exam.release = "manual"
    db.session.commit()
    body = client.get(
        f"/api/v1/children/{w.first.student_code}/progress", headers=web.bearer("ph")
    ).get_json()
    (exam,) = body["exams"]
    assert exam["released"] is False and exam["score10"] is None and exam["score"] is None
    assert "8.5" not in json.dumps(body["exams"])


def test_student_reads_own_progress_and_parents_cannot_use_it(client, web, make, school):
    w = build(make, school)
    body = client.get("/api/v1/me/progress", headers=web.bearer("hs.an")).get_json()
    assert body["student_code"] == w.first.student_code and body["homework"]["missing"] == 1
    assert client.get("/api/v1/me/progress", headers=web.bearer("ph")).status_code == 403


def test_export_is_everything_the_parent_sees_as_a_download(client, web, make, school):
    w = build(make, school)
    response = client.get(
        f"/api/v1/children/{w.first.student_code}/export", headers=web.bearer("ph")
    )
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert f"lophoc-{w.first.student_code}.json" in response.headers["Content-Disposition"]
    body = response.get_json()
    assert body["format"] == "lophoc.family-export.v1"
    assert body["student"]["full_name"] == "Nguyễn Văn An" and body["student"]["class"] == "10A1"
    assert {s["subject"] for s in body["scores"]} == {"Toán", "Ngữ văn"}
    literature = next(s for s in body["scores"] if s["subject"] == "Ngữ văn")
    assert (
        literature["semesters"][0]["released"] is False and literature["semesters"][0]["tx"] == []
    )
    assert len(body["homework"]) == 3 and body["homework_completion_rate"] == 50
    assert len(body["attendance"]["records"]) == 2
    assert body["class_averages"] == [
        {"subject": "Toán", "semester": 1, "column": "tx1", "average": "7.0"}
    ]
    assert body["exams"][0]["score10"] == "8.50" and body["upcoming_exams"][0]["exam_id"]
    assert "Trần Văn Cường" not in response.get_data(as_text=True)


def test_export_works_from_the_child_page_session(client, web, make, school):
    w = build(make, school)
    web.login("ph")
    response = client.get(f"/api/v1/children/{w.first.student_code}/export")
    assert response.status_code == 200 and response.get_json()["student"]["student_code"]


def test_openapi_documents_the_family_routes_and_fields(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/children/{student_code}/progress",
        "/api/v1/children/{student_code}/export",
        "/api/v1/me/progress",
    ):
        assert path in spec["paths"], path
    progress = spec["components"]["schemas"]["ChildProgress"]["properties"]
    assert {"homework", "attendance", "exams", "upcoming_exams", "scores"} <= set(progress)


def _count_queries(run) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_parent_home_queries_do_not_grow_with_children_or_courses(make, school):
    w = build(make, school)
    parent = db.session.scalar(db.select(type(w.first)).where(type(w.first).username == "ph"))
    db.session.expire_all()
    two_children = _count_queries(lambda: family_cards(parent))
    # a third child in another class with three more courses
    extra, teacher, (third,) = make.gradebook_course(
        school, students=1, class_name="7A1", prefix="HS7", teacher="gv.bay"
    )
    for subject in ("Vật lí", "Hoá học", "Sinh học"):
        make.course(school, extra.school_class, teacher, subject)
    make.link(parent, third)
    make.assignment(extra, "Bài tập lớp 7")
    db.session.expire_all()
    three_children = _count_queries(lambda: family_cards(parent))
    assert len(family_cards(parent)) == 3
    assert three_children == two_children, (two_children, three_children)
