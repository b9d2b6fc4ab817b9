"""Notifications and homework attachments over the API (bearer tokens, the mobile app)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Notification
from app.services import homework, homework_files

PDF = b"%PDF-1.4\n%%EOF\n"


def _world(make, school):
    teacher = make.user(school, "teacher", username="gv")
    klass = make.school_class(school, "10A1")
    an = make.user(school, "student", username="an")
    make.enrol(an, klass)
    make.enrol(make.user(school, "student", username="binh"), make.school_class(school, "10A2"))
    course = make.course(school, klass, teacher)
    assignment = homework.create_assignment(
        teacher, course.id, {"title": "Bài 1", "due_at": "2026-11-25T17:00"}
    )
    return assignment, teacher


def test_student_lists_and_reads_notifications(client, web, make, school, frozen_now):
    _world(make, school)
    headers = web.bearer("an")
    body = client.get("/api/v1/notifications", headers=headers).get_json()
    assert body["total"] == 1 and body["unread"] == 1
    item = body["items"][0]
    assert item["kind"] == "homework_new" and item["title"] == "Bài tập mới: Bài 1"
    assert item["created_at"].endswith("+00:00") and item["read_at"] is None
    other = client.post(f"/api/v1/notifications/{item['id']}/read", headers=web.bearer("binh"))
    assert other.status_code == 404 and other.get_json()["error"]["code"] == "not_found"
    read = client.post(f"/api/v1/notifications/{item['id']}/read", headers=headers)
    assert read.status_code == 200 and read.get_json()["read_at"]
    assert client.get("/api/v1/notifications", headers=headers).get_json()["unread"] == 0
    assert client.post("/api/v1/notifications/read-all", headers=headers).get_json() == {
        "marked": 0
    }
    assert client.get("/api/v1/notifications").status_code == 401


def test_read_all_marks_only_ones_own(client, web, make, school, frozen_now):
    assignment, teacher = _world(make, school)
    homework.create_assignment(
        teacher, assignment.course_id, {"title": "Bài 2", "due_at": "2026-11-26T17:00"}
    )
    response = client.post("/api/v1/notifications/read-all", headers=web.bearer("an"))
    assert response.get_json() == {"marked": 2}
    assert db.session.scalar(select(Notification.id).where(Notification.read_at.is_(None))) is None


def test_attachments_are_listed_and_downloaded_only_by_the_class(
    client, web, make, school, frozen_now
):
    assignment, teacher = _world(make, school)
    row = homework_files.attach(teacher, assignment.id, "Đề bài số 1.pdf", PDF)
    todo = client.get("/api/v1/todo", headers=web.bearer("an")).get_json()
    [listed] = todo["items"][0]["assignment"]["attachments"]
    assert (
        listed["filename"] == "Đề bài số 1.pdf" and listed["url"] == f"/api/v1/attachments/{row.id}"
    )
    ok = client.get(listed["url"], headers=web.bearer("an"))
    assert ok.status_code == 200 and ok.data == PDF
    assert ok.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in ok.headers["Content-Disposition"]
    denied = client.get(listed["url"], headers=web.bearer("binh"))
    assert denied.status_code == 404 and denied.get_json()["error"]["code"] == "not_found"
