"""Homework API: to-do, submit (JSON and multipart), set, list and grade; errors as JSON."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.models import Submission, User
from app.services import homework

PDF = b"%PDF-1.4\n%%EOF\n"


def _setup(make, school):
    teacher = make.user(school, "teacher", username="gv")
    klass = make.school_class(school, "10A1")
    for name in ("hs", "hs2"):
        make.enrol(make.user(school, "student", username=name), klass)
    return make.course(school, klass, teacher)


def test_teacher_sets_homework_and_student_sees_it_in_todo(client, web, make, school, frozen_now):
    course = _setup(make, school)
    response = client.post(
        f"/api/v1/courses/{course.id}/assignments",
        json={"title": "Bài 1", "due_at": "2026-11-24T17:00", "late_policy": "refuse"},
        headers=web.bearer("gv"),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["due_at"] == "2026-11-24T10:00:00+00:00" and body["late_policy"] == "refuse"
    todo = client.get("/api/v1/todo", headers=web.bearer("hs")).get_json()
    assert todo["total"] == 1 and todo["items"][0]["state"] == "due_soon"
    assert set(todo) == {"items", "page", "per_page", "total"}


def test_past_due_time_gives_a_json_422(client, web, make, school, frozen_now):
    course = _setup(make, school)
    response = client.post(
        f"/api/v1/courses/{course.id}/assignments",
        json={"title": "Bài 1", "due_at": "2026-11-01T08:00:00+07:00"},
        headers=web.bearer("gv"),
    )
    assert response.status_code == 422
    assert "Hạn nộp đã qua" in response.get_json()["error"]["message"]


def test_student_submits_multipart_and_teacher_grades_with_comma(
    client, web, make, school, frozen_now
):
    course = _setup(make, school)
    assignment = make.assignment(course)
    sent = client.post(
        f"/api/v1/assignments/{assignment.id}/submissions",
        data={"text": "Bài làm", "files": (io.BytesIO(PDF), "bài làm.pdf")},
        content_type="multipart/form-data",
        headers=web.bearer("hs"),
    )
    assert sent.status_code == 201, sent.get_json()
    assert sent.get_json()["files"][0]["filename"] == "bài làm.pdf"
    teacher = web.bearer("gv")
    table = client.get(f"/api/v1/assignments/{assignment.id}/submissions", headers=teacher)
    statuses = sorted(r["status"] for r in table.get_json()["items"])
    assert statuses == ["missing", "submitted"]
    submission_id = sent.get_json()["id"]
    graded = client.put(
        f"/api/v1/submissions/{submission_id}/grade",
        json={"score": "8,5", "comment": "Tốt"},
        headers=teacher,
    )
    assert graded.status_code == 200 and graded.get_json()["score"] == "8.50"
    bad = client.put(
        f"/api/v1/submissions/{submission_id}/grade", json={"score": "x"}, headers=teacher
    )
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid"


def test_empty_file_is_refused_and_nothing_is_saved(client, web, make, school, frozen_now):
    course = _setup(make, school)
    assignment = make.assignment(course)
    response = client.post(
        f"/api/v1/assignments/{assignment.id}/submissions",
        data={"text": "x", "files": (io.BytesIO(b""), "rỗng.pdf")},
        content_type="multipart/form-data",
        headers=web.bearer("hs"),
    )
    assert response.status_code == 422
    assert "0 byte" in response.get_json()["error"]["message"]
    assert db.session.scalar(select(Submission)) is None


def test_student_cannot_list_or_grade_submissions(client, web, make, school, frozen_now):
    course = _setup(make, school)
    assignment = make.assignment(course)
    owner = db.session.scalar(select(User).where(User.username == "hs"))
    submission = homework.submit(owner, assignment.id, "BÍ MẬT", [])
    other = web.bearer("hs2")
    listing = client.get(f"/api/v1/assignments/{assignment.id}/submissions", headers=other)
    assert listing.status_code == 403 and "BÍ MẬT" not in listing.get_data(as_text=True)
    grade = client.put(
        f"/api/v1/submissions/{submission.id}/grade", json={"score": 10}, headers=other
    )
    assert grade.status_code == 403
    assert "BÍ MẬT" not in client.get("/api/v1/todo", headers=other).get_data(as_text=True)
