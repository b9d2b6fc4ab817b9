"""The exam's Socket.IO namespaces through python-socketio's real server (Flask-SocketIO's
test client drives it in-process): who may connect, which rooms they may join, and that a
proctor's change reaches the student's page and the proctor view at once."""

from __future__ import annotations

import pytest

from app.extensions import socketio
from tests.exam_world import choice, exam_class, publish


@pytest.fixture
def exam_room(make, school, frozen_now):
    make.user(school, "teacher", "gv.ngoai")
    world = exam_class(
        make,
        school,
        teacher="gv.coithi",
        class_name="12C",
        students=[f"thi{i}" for i in range(2)],
        bank="Đề thi",
        items=[choice(3, stem="<p>2 + 2 = ?</p>")],
    )
    return publish(world, title="Thi thử", duration_minutes=10, release="after_close")


def _connect(app, namespace, web=None, token=None):
    return socketio.test_client(
        app,
        namespace=namespace,
        flask_test_client=web.client if web else None,
        auth={"token": token} if token else None,
    )


def _token(web, username):
    return web.bearer(username)["Authorization"].split()[1]


def test_connections_without_credentials_or_with_the_wrong_role_are_refused(app, web, exam_room):
    assert not _connect(app, "/proctor").is_connected("/proctor")
    assert not _connect(app, "/exam").is_connected("/exam")
    assert not _connect(app, "/exam", token="not-a-token").is_connected("/exam")
    student = _token(web, "thi0")
    assert not _connect(app, "/proctor", token=student).is_connected("/proctor")
    assert _connect(app, "/exam", token=student).is_connected("/exam")


def test_a_teacher_watches_only_their_own_exam(app, web, other_browser, exam_room):
    web.login("gv.coithi")
    proctor = _connect(app, "/proctor", web=web)
    assert proctor.is_connected("/proctor")
    ack = proctor.emit("watch_exam", {"exam_id": exam_room.id}, namespace="/proctor", callback=True)
    assert ack["ok"] and ack["snapshot"]["counts"]["not_started"] == 2
    outsider = _connect(app, "/proctor", token=_token(other_browser, "gv.ngoai"))
    refused = outsider.emit(
        "watch_exam", {"exam_id": exam_room.id}, namespace="/proctor", callback=True
    )
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    errors = [m for m in outsider.get_received("/proctor") if m["name"] == "error"]
    assert errors and errors[0]["args"][0]["code"] == "forbidden"
    bad = proctor.emit("watch_exam", {"exam_id": "1; drop"}, namespace="/proctor", callback=True)
    assert bad["error"]["code"] == "invalid_payload"
    assert proctor.emit("watch_exam", "junk", namespace="/proctor", callback=True)["ok"] is False


def test_a_pause_reaches_the_students_page_and_the_proctor_at_once(app, web, exam_room):
    student_token = _token(web, "thi0")
    headers = {"Authorization": f"Bearer {student_token}"}
    attempt = web.client.post(
        f"/api/v1/exams/{exam_room.id}/attempts", json={}, headers=headers
    ).get_json()
    page = _connect(app, "/exam", token=student_token)
    joined = page.emit(
        "join_attempt", {"attempt_id": attempt["id"]}, namespace="/exam", callback=True
    )
    assert joined == {"ok": True, "attempt_id": attempt["id"]}
    intruder = _connect(app, "/exam", token=_token(web, "thi1"))
    stolen = intruder.emit(
        "join_attempt", {"attempt_id": attempt["id"]}, namespace="/exam", callback=True
    )
    assert stolen["ok"] is False and stolen["error"]["code"] == "forbidden"
    teacher = web.bearer("gv.coithi")
    proctor = _connect(app, "/proctor", token=teacher["Authorization"].split()[1])
    proctor.emit("watch_exam", {"exam_id": exam_room.id}, namespace="/proctor", callback=True)
    page.get_received("/exam")
    proctor.get_received("/proctor")

    response = web.client.post(
        f"/api/v1/attempts/{attempt['id']}/proctor",
        json={"action": "pause", "reason": "Kiểm tra máy"},
        headers=teacher,
    )
    assert response.status_code == 200
    pushed = [m for m in page.get_received("/exam") if m["name"] == "exam_changed"]
    assert pushed == [
        {
            "name": "exam_changed",
            "args": [{"kind": "pause", "attempt_id": attempt["id"]}],
            "namespace": "/exam",
        }
    ]
    seen = [
        m["args"][0] for m in proctor.get_received("/proctor") if m["name"] == "attempt_changed"
    ]
    assert seen and seen[0]["kind"] == "pause" and seen[0]["attempt_id"] == attempt["id"]
    assert not [m for m in intruder.get_received("/exam") if m["name"] == "exam_changed"]
