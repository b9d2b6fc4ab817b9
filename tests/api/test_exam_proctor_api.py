"""Proctoring an exam while it runs: pause and resume stop the clock, close now, move to
another computer, accept answers kept offline; fixed variants ("mã đề"); the snapshot."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models import Attempt, AuditLog, IntegrityEvent, Response
from tests.exam_world import choice, exam_class, publish


@pytest.fixture
def room(make, school, frozen_now):
    world = exam_class(
        make,
        school,
        teacher="gv.thi",
        class_name="11B2",
        students=[f"em{i}" for i in range(4)],
        bank="Ngân hàng thi",
        items=[choice(n) for n in range(1, 6)],
    )
    return world | {"now": frozen_now}


def _exam(room, **overrides):
    return publish(room, **{"title": "Kiểm tra giữa kỳ", "duration_minutes": 20} | overrides)


def _start(web, headers, exam_id):
    response = web.client.post(f"/api/v1/exams/{exam_id}/attempts", json={}, headers=headers)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def _answer(web, headers, attempt, n=0, seq=1):
    question = attempt["questions"][n]
    return web.client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}",
        json={"answer": question["options"][1]["id"], "seq": seq},
        headers=headers,
    )


def _act(web, headers, attempt_id, action, **body):
    return web.client.post(
        f"/api/v1/attempts/{attempt_id}/proctor", json={"action": action} | body, headers=headers
    )


def test_pause_stops_the_clock_and_saves_until_resumed(web, room):
    exam = _exam(room)
    student, teacher = web.bearer("em0"), web.bearer("gv.thi")
    attempt = _start(web, student, exam.id)
    clock.freeze(room["now"] + timedelta(minutes=5))
    paused = _act(web, teacher, attempt["id"], "pause", reason="Mất điện phòng máy")
    assert paused.status_code == 200 and paused.get_json()["paused"] is True
    assert paused.get_json()["seconds_left"] == 15 * 60
    refused = _answer(web, student, attempt)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "attempt_paused"
    # Thirty minutes later (past the original deadline) the attempt is still open and paused.
    clock.freeze(room["now"] + timedelta(minutes=35))
    view = web.client.get(f"/api/v1/attempts/{attempt['id']}", headers=student).get_json()
    assert (view["status"], view["paused"], view["seconds_left"]) == ("in_progress", True, 900)
    assert _act(web, teacher, attempt["id"], "pause", reason="x").status_code == 409
    resumed = _act(web, teacher, attempt["id"], "resume", reason="Có điện lại")
    assert resumed.get_json()["seconds_left"] == 15 * 60
    assert _answer(web, student, attempt).status_code == 200
    kinds = db.session.scalars(select(IntegrityEvent.kind).order_by(IntegrityEvent.id)).all()
    assert kinds == ["paused", "resumed"]
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "attempt.pause")).reason


def test_a_paused_attempt_is_not_closed_by_the_deadline_sweep(web, room):
    from app.services import exam_attempts

    exam = _exam(room)
    student, teacher = web.bearer("em0"), web.bearer("gv.thi")
    attempt = _start(web, student, exam.id)
    _act(web, teacher, attempt["id"], "pause", reason="Sự cố")
    clock.freeze(room["now"] + timedelta(hours=2))
    assert exam_attempts.close_expired(exam.id) == 0
    assert db.session.get(Attempt, attempt["id"]).status == "in_progress"


def test_close_now_and_reopen_need_a_reason_and_are_logged(web, room):
    exam = _exam(room)
    student, teacher = web.bearer("em1"), web.bearer("gv.thi")
    attempt = _start(web, student, exam.id)
    _answer(web, student, attempt)
    no_reason = _act(web, teacher, attempt["id"], "close")
    assert no_reason.status_code == 422
    assert no_reason.get_json()["error"]["code"] == "reason_required"
    closed = _act(web, teacher, attempt["id"], "close", reason="Sử dụng tài liệu")
    assert closed.get_json()["status"] == "submitted"
    assert db.session.get(Attempt, attempt["id"]).submitted_by == "proctor"
    assert _act(web, teacher, attempt["id"], "close", reason="again").status_code == 409
    reopened = _act(web, teacher, attempt["id"], "reopen", reason="Nhầm học sinh", minutes=5)
    assert reopened.get_json()["status"] == "in_progress"
    assert reopened.get_json()["seconds_left"] == 300


def test_students_and_other_teachers_cannot_proctor(web, room, make, school):
    exam = _exam(room)
    make.user(school, "teacher", "gv.khac")
    student = web.bearer("em0")
    attempt = _start(web, student, exam.id)
    assert _act(web, student, attempt["id"], "pause", reason="x").status_code == 403
    other = web.bearer("gv.khac")
    assert _act(web, other, attempt["id"], "pause", reason="x").status_code == 403
    assert web.client.get(f"/api/v1/exams/{exam.id}/proctor", headers=other).status_code == 403
    bad = _act(web, web.bearer("gv.thi"), attempt["id"], "explode", reason="x")
    assert bad.status_code == 422


def test_move_to_another_computer_takes_over_without_a_warning(web, room):
    exam = _exam(room)
    student, teacher = web.bearer("em2"), web.bearer("gv.thi")
    first = {"X-Exam-Session": "may-01"} | student
    attempt = web.client.post(f"/api/v1/exams/{exam.id}/attempts", json={}, headers=first)
    attempt_id = attempt.get_json()["id"]
    second = {"X-Exam-Session": "may-02"} | student
    web.client.post(f"/api/v1/exams/{exam.id}/attempts", json={}, headers=second)
    assert db.session.scalars(select(IntegrityEvent.kind)).all() == ["second_device"]
    assert _act(web, teacher, attempt_id, "move", reason="Máy 02 hỏng").status_code == 200
    third = {"X-Exam-Session": "may-03"} | student
    web.client.post(f"/api/v1/exams/{exam.id}/attempts", json={}, headers=third)
    kinds = db.session.scalars(select(IntegrityEvent.kind).order_by(IntegrityEvent.id)).all()
    assert kinds == ["second_device", "moved"]
    assert db.session.get(Attempt, attempt_id).session_key == "may-03"


def test_offline_answers_count_only_with_the_proctors_acceptance(web, room):
    exam = _exam(room)
    student, teacher = web.bearer("em3"), web.bearer("gv.thi")
    attempt = _start(web, student, exam.id)
    q = attempt["questions"]
    right = {x["id"]: "B" for x in q}  # option B is right in every question
    before = (room["now"] + timedelta(minutes=10)).isoformat()
    after = (room["now"] + timedelta(minutes=25)).isoformat()
    clock.freeze(room["now"] + timedelta(minutes=30))  # the device was offline, time is up
    url = f"/api/v1/attempts/{attempt['id']}/offline-answers"
    items = [
        {"question_id": q[0]["id"], "answer": right[q[0]["id"]], "seq": 1, "answered_at": before},
        {"question_id": q[1]["id"], "answer": right[q[1]["id"]], "seq": 1, "answered_at": after},
        {"question_id": 987654, "answer": "A", "seq": 1, "answered_at": before},
        {"question_id": q[2]["id"], "answer": "Z", "seq": 1, "answered_at": before},
    ]
    refused = web.client.post(url, json={"answers": items}, headers=student)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "offline_not_accepted"
    # The attempt was closed by the server at the deadline, with nothing answered.
    assert (
        web.client.get(f"/api/v1/attempts/{attempt['id']}", headers=student).get_json()["status"]
        == "submitted"
    )
    assert db.session.get(Attempt, attempt["id"]).score == 0
    ok = _act(web, teacher, attempt["id"], "accept_offline", reason="Mạng phòng 3 bị ngắt")
    assert ok.get_json()["offline_accepted"] is True
    result = web.client.post(url, json={"answers": items}, headers=student).get_json()
    assert result["accepted"] == 1
    assert {r["question_id"] for r in result["refused"]} == {q[1]["id"], 987654, q[2]["id"]}
    db.session.expire_all()
    assert db.session.get(Attempt, attempt["id"]).score == Decimal(1)
    assert len(db.session.scalars(select(Response)).all()) == 1
    # One upload per acceptance.
    assert web.client.post(url, json={"answers": items}, headers=student).status_code == 409
    other = web.bearer("em0")
    assert web.client.post(url, json={"answers": []}, headers=other).status_code == 403


def test_fixed_variants_are_dealt_by_class_list_and_shared_by_code(web, room):
    exam = _exam(room, variant_count=2)
    views = [_start(web, web.bearer(f"em{i}"), exam.id) for i in range(4)]
    codes = [v["variant_code"] for v in views]
    assert codes == [101, 102, 101, 102]
    orders = [[q["id"] for q in v["questions"]] for v in views]
    assert orders[0] == orders[2] and orders[1] == orders[3]
    options = [[o["id"] for o in v["questions"][0]["options"]] for v in views]
    assert options[0] == options[2]


def test_variant_count_is_validated(web, room):
    with pytest.raises(Exception) as error:
        _exam(room, variant_count=500)
    assert getattr(error.value, "code", "") == "invalid_setting"


def test_snapshot_shows_who_is_in_their_progress_and_events(web, room):
    exam = _exam(room)
    student = web.bearer("em0")
    attempt = _start(web, student, exam.id)
    _answer(web, student, attempt, 0)
    _answer(web, student, attempt, 1)
    web.client.post(
        f"/api/v1/attempts/{attempt['id']}/events", json={"kind": "blur"}, headers=student
    )
    data = web.client.get(
        f"/api/v1/exams/{exam.id}/proctor", headers=web.bearer("gv.thi")
    ).get_json()
    assert data["counts"] == {"not_started": 3, "in_progress": 1, "paused": 0, "submitted": 0}
    row = next(r for r in data["rows"] if r["attempt_id"] == attempt["id"])
    assert (row["answered"], row["question_count"], row["warnings"]) == (2, 5, 1)
    assert row["seconds_left"] == 20 * 60
    assert row["events"][0]["kind"] == "blur"


def test_paper_prints_each_variant_in_the_order_students_see_with_its_key(web, other_browser, room):
    exam = _exam(room, variant_count=2)
    started = (_start(web, web.bearer(f"em{i}"), exam.id) for i in (0, 1))
    views = {v["variant_code"]: v for v in started}
    web.login("gv.thi")
    html = web.client.get(f"/exams/{exam.id}/paper?keys=1").get_data(as_text=True)
    assert "Mã đề 101" in html and "Mã đề 102" in html
    for code, view in views.items():
        section = html.split(f'data-variant="{code}"')[1].split('<section class="paper"')[0]
        stems = [q["stem_html"] for q in view["questions"]]
        positions = [section.index(stem) for stem in stems]
        assert positions == sorted(positions)  # the same question order as on screen
        first = view["questions"][0]
        letter = chr(65 + [o["id"] for o in first["options"]].index("B"))
        assert f'<th scope="row">Câu 1</th><td>{letter}</td>' in section
    assert web.client.get(f"/exams/{exam.id}/paper?variant=999").status_code == 422
    other_browser.login("em0")
    assert other_browser.client.get(f"/exams/{exam.id}/paper").status_code == 403


def test_proctor_page_and_extend_for_everyone(web, room):
    exam = _exam(room)
    student = web.bearer("em0")
    attempt = _start(web, student, exam.id)
    web.login("gv.thi")
    page = web.client.get(f"/exams/{exam.id}/proctor")
    assert page.status_code == 200 and "proctor.js" in page.get_data(as_text=True)
    teacher = web.bearer("gv.thi")
    extended = web.client.post(
        f"/api/v1/exams/{exam.id}/proctor",
        json={"action": "extend", "minutes": 5, "reason": "Mất điện 5 phút"},
        headers=teacher,
    )
    assert extended.get_json() == {"extended": 1}
    view = web.client.get(f"/api/v1/attempts/{attempt['id']}", headers=student).get_json()
    assert view["seconds_left"] == 25 * 60
