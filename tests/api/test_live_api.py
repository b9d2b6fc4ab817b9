"""Live sessions over the API: start, attendance per student, end, teacher's confirmation."""

from __future__ import annotations

from datetime import timedelta

from app.core import clock
from app.extensions import db
from app.models import LiveSession
from app.services import live, live_presence, timetable


def _room(make, school):
    course, teacher, students = make.gradebook_course(school, students=3)
    return course, teacher, students


def test_teacher_starts_a_session_and_a_second_one_conflicts(client, web, make, school):
    course, teacher, _students = _room(make, school)
    headers = web.bearer(teacher.username)
    slot = timetable.create_slots(
        teacher, course.id, {"date": "2030-01-09", "start": "07:30", "end": "08:15"}
    )[0]
    response = client.post(
        f"/api/v1/courses/{course.id}/live-sessions",
        json={"timetable_slot_id": slot.id},
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["id"] and body["timetable_slot_id"] == slot.id and body["ended_at"] is None
    assert body["room_url"] == f"/live/{body['id']}" and body["socket_namespace"] == "/live"
    again = client.post(f"/api/v1/courses/{course.id}/live-sessions", json={}, headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "session_open"


def test_students_and_strangers_cannot_start(client, web, make, school):
    course, _teacher, students = _room(make, school)
    response = client.post(
        f"/api/v1/courses/{course.id}/live-sessions",
        json={},
        headers=web.bearer(students[0].username),
    )
    assert response.status_code == 403
    other = make.school("THPT2", "Trường khác")
    outsider = make.user(other, "teacher")
    response = client.post(
        f"/api/v1/courses/{course.id}/live-sessions",
        json={},
        headers=web.bearer(outsider.username),
    )
    assert response.status_code == 404


def test_bad_slot_id_is_refused(client, web, make, school):
    course, teacher, _students = _room(make, school)
    response = client.post(
        f"/api/v1/courses/{course.id}/live-sessions",
        json={"timetable_slot_id": "abc"},
        headers=web.bearer(teacher.username),
    )
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_slot"


def test_attendance_merges_short_drops_and_marks_late_and_absent(
    client, web, make, school, frozen_now
):
    course, teacher, (early, late, absent) = _room(make, school)
    session = live.start_session(teacher, course.id)
    live_presence.join(session, early.id)
    clock.freeze(frozen_now + timedelta(minutes=20))
    live_presence.leave(session.id, early.id)
    clock.freeze(frozen_now + timedelta(minutes=21))  # a 60 s drop: the same presence
    live_presence.join(session, early.id)
    live_presence.join(session, late.id)
    clock.freeze(frozen_now + timedelta(minutes=45))
    live_presence.leave(session.id, early.id)
    clock.freeze(frozen_now + timedelta(minutes=50))  # a 5 min gap: a new interval
    live_presence.join(session, early.id)
    clock.freeze(frozen_now + timedelta(minutes=60))
    headers = web.bearer(teacher.username)
    body = client.get(f"/api/v1/live-sessions/{session.id}/attendance", headers=headers).get_json()
    rows = {r["student_id"]: r for r in body["items"]}
    assert body["is_confirmed"] is False
    assert rows[early.id]["status"] == "present"
    assert rows[early.id]["minutes_present"] == 55  # 0-45 and 50-60
    assert rows[early.id]["last_leave_at"] is None  # still in the room
    assert rows[late.id]["status"] == "late" and rows[late.id]["minutes_present"] == 39
    assert rows[absent.id]["status"] == "absent" and rows[absent.id]["first_join_at"] is None

    early_confirm = client.put(
        f"/api/v1/live-sessions/{session.id}/attendance", json={}, headers=headers
    )
    assert early_confirm.status_code == 409

    end = client.post(f"/api/v1/live-sessions/{session.id}/end", headers=headers)
    assert end.status_code == 200 and end.get_json()["ended_at"]
    after = client.get(f"/api/v1/live-sessions/{session.id}/attendance", headers=headers)
    rows = {r["student_id"]: r for r in after.get_json()["items"]}
    assert rows[early.id]["last_leave_at"] is not None

    bad = client.put(
        f"/api/v1/live-sessions/{session.id}/attendance",
        json={"statuses": {str(absent.id): "asleep"}},
        headers=headers,
    )
    assert bad.status_code == 422
    stranger = client.put(
        f"/api/v1/live-sessions/{session.id}/attendance",
        json={"statuses": {"999999": "present"}},
        headers=headers,
    )
    assert stranger.status_code == 422
    ok = client.put(
        f"/api/v1/live-sessions/{session.id}/attendance",
        json={"statuses": {str(late.id): "present"}},
        headers=headers,
    )
    assert ok.status_code == 200 and ok.get_json()["is_confirmed"] is True
    db.session.expire_all()
    session = db.session.get(LiveSession, session.id)
    assert live_presence.confirmed_attendance(session) == {
        early.id: "present",
        late.id: "present",
        absent.id: "absent",
    }
    log = client.get(f"/api/v1/live-sessions/{session.id}/log", headers=headers).get_json()
    kinds = [e["kind"] for e in log["items"]]
    assert kinds[0] == "start" and "end" in kinds and kinds[-1] == "attendance_confirmed"
    assert kinds.count("join") == 3  # early twice (after the 5 min gap), late once


def test_students_cannot_read_attendance(client, web, make, school):
    course, teacher, students = _room(make, school)
    session = live.start_session(teacher, course.id)
    response = client.get(
        f"/api/v1/live-sessions/{session.id}/attendance",
        headers=web.bearer(students[0].username),
    )
    assert response.status_code == 403
    assert client.get(f"/api/v1/live-sessions/{session.id}/attendance").status_code == 401
