"""Timetable API: create (one-off, weekly), list per class and course, edit, cancel, register;
403 for a student of another class, 404 for another school, 422 for bad times, 409 overlaps."""

from __future__ import annotations

from datetime import UTC, datetime

from app.core import clock

BODY = {"date": "2026-11-23", "start": "07:30", "end": "08:15", "topic": "Hàm số"}


def _setup(make, school):
    course, _teacher, pupils = make.gradebook_course(school, students=2)
    for i, pupil in enumerate(pupils):
        pupil.username = f"hs{i}"
    from app.extensions import db

    db.session.commit()
    return course, pupils


def _create(client, web, course, **extra):
    return client.post(
        f"/api/v1/courses/{course.id}/timetable",
        json={**BODY, **extra},
        headers=web.bearer("gv.toan"),
    )


def test_teacher_timetables_weekly_and_class_lists_it_paginated(
    client, web, make, school, frozen_now
):
    course, _pupils = _setup(make, school)
    created = _create(client, web, course, repeat_until="2026-12-07")
    assert created.status_code == 201, created.get_json()
    items = created.get_json()["items"]
    assert len(items) == 3
    assert items[0]["starts_at"] == "2026-11-23T00:30:00+00:00"
    assert items[0]["local_start"] == "07:30" and items[0]["local_date"] == "2026-11-23"
    listed = client.get(
        f"/api/v1/classes/{course.class_id}/timetable?from=2026-11-23&to=2026-12-31&per_page=2",
        headers=web.bearer("hs0"),
    ).get_json()
    assert set(listed) == {"items", "page", "per_page", "total"}
    assert listed["total"] == 3 and len(listed["items"]) == 2
    by_course = client.get(f"/api/v1/courses/{course.id}/timetable", headers=web.bearer("hs0"))
    assert by_course.get_json()["total"] == 3


def test_bad_times_give_422_and_overlap_409(client, web, make, school, frozen_now):
    course, _pupils = _setup(make, school)
    bad = _create(client, web, course, end="07:00")
    assert bad.status_code == 422
    assert "Giờ kết thúc phải sau giờ bắt đầu" in bad.get_json()["error"]["message"]
    past = _create(client, web, course, date="2026-11-01")
    assert past.status_code == 422 and "đã qua" in past.get_json()["error"]["message"]
    missing = client.post(
        f"/api/v1/courses/{course.id}/timetable",
        json={"date": "2026-11-23"},
        headers=web.bearer("gv.toan"),
    )
    assert missing.status_code == 422 and missing.get_json()["error"]["code"] == "invalid"
    assert _create(client, web, course).status_code == 201
    clash = _create(client, web, course, start="08:00", end="09:00")
    assert clash.status_code == 409 and clash.get_json()["error"]["code"] == "overlap"
    window = client.get(
        f"/api/v1/classes/{course.class_id}/timetable?from=2026-12-01&to=2026-11-01",
        headers=web.bearer("gv.toan"),
    )
    assert window.status_code == 422


def test_student_of_another_class_gets_403_and_another_school_404(
    client, web, make, school, frozen_now
):
    course, _pupils = _setup(make, school)
    slot_id = _create(client, web, course).get_json()["items"][0]["id"]
    make.enrol(make.user(school, "student", username="lop_khac"), make.school_class(school, "10A2"))
    other = make.school("THPT2", "Trường khác")
    make.user(other, "admin", username="qt_khac")
    stranger = web.bearer("lop_khac")
    for path in (
        f"/api/v1/classes/{course.class_id}/timetable",
        f"/api/v1/courses/{course.id}/timetable",
        f"/api/v1/timetable/{slot_id}",
        f"/api/v1/timetable/{slot_id}/attendance",
    ):
        assert client.get(path, headers=stranger).status_code == 403, path
        assert client.get(path, headers=web.bearer("qt_khac")).status_code == 404, path
    assert client.get("/api/v1/timetable/999999", headers=stranger).status_code == 404
    student_post = client.post(
        f"/api/v1/courses/{course.id}/timetable", json=BODY, headers=web.bearer("hs0")
    )
    assert student_post.status_code == 403


def test_edit_and_cancel_a_slot(client, web, make, school, frozen_now):
    course, _pupils = _setup(make, school)
    teacher = web.bearer("gv.toan")
    slot_id = _create(client, web, course).get_json()["items"][0]["id"]
    moved = client.put(
        f"/api/v1/timetable/{slot_id}",
        json={**BODY, "start": "09:00", "end": "09:45"},
        headers=teacher,
    )
    assert moved.status_code == 200 and moved.get_json()["local_start"] == "09:00"
    cancelled = client.post(f"/api/v1/timetable/{slot_id}/cancel", json={}, headers=teacher)
    assert cancelled.status_code == 200 and cancelled.get_json()["is_cancelled"] is True
    again = client.post(f"/api/v1/timetable/{slot_id}/cancel", json={}, headers=teacher)
    assert again.status_code == 409


def test_register_get_and_put(client, web, make, school, frozen_now):
    course, pupils = _setup(make, school)
    teacher = web.bearer("gv.toan")
    slot_id = _create(client, web, course).get_json()["items"][0]["id"]
    early = client.put(
        f"/api/v1/timetable/{slot_id}/attendance", json={"entries": []}, headers=teacher
    )
    assert early.status_code == 409
    clock.freeze(datetime(2026, 11, 23, 0, 40, tzinfo=UTC))
    teacher = web.bearer("gv.toan")  # a token lasts less than a day
    register = client.get(f"/api/v1/timetable/{slot_id}/attendance", headers=teacher).get_json()
    assert register["is_taken"] is False
    assert [r["status"] for r in register["items"]] == ["present", "present"]
    saved = client.put(
        f"/api/v1/timetable/{slot_id}/attendance",
        json={"entries": [{"student_id": pupils[1].id, "status": "late", "note": "5 phút"}]},
        headers=teacher,
    )
    assert saved.status_code == 200 and saved.get_json()["saved"] == 2
    register = client.get(f"/api/v1/timetable/{slot_id}/attendance", headers=teacher).get_json()
    assert register["is_taken"] is True
    assert {r["status"] for r in register["items"]} == {"present", "late"}
    bad = client.put(
        f"/api/v1/timetable/{slot_id}/attendance",
        json={"entries": [{"student_id": pupils[1].id, "status": "absent"}]},
        headers=teacher,
    )
    assert bad.status_code == 422
    own_student = client.get(f"/api/v1/timetable/{slot_id}/attendance", headers=web.bearer("hs0"))
    assert own_student.status_code == 403


def test_course_attendance_summary(client, web, make, school, frozen_now):
    course, pupils = _setup(make, school)
    slot_id = _create(client, web, course).get_json()["items"][0]["id"]
    clock.freeze(datetime(2026, 11, 23, 0, 40, tzinfo=UTC))
    teacher = web.bearer("gv.toan")
    client.put(
        f"/api/v1/timetable/{slot_id}/attendance",
        json={"entries": [{"student_id": pupils[0].id, "status": "unexcused"}]},
        headers=teacher,
    )
    body = client.get(f"/api/v1/courses/{course.id}/attendance", headers=teacher).get_json()
    assert body["total"] == 2
    counts = {row["student_id"]: row["counts"] for row in body["items"]}
    assert counts[pupils[0].id] == {"present": 0, "late": 0, "excused": 0, "unexcused": 1}
    assert counts[pupils[1].id]["present"] == 1
    student = client.get(f"/api/v1/courses/{course.id}/attendance", headers=web.bearer("hs0"))
    assert student.status_code == 403
