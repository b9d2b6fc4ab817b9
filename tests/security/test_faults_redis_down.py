"""Fault: Redis is down (REDIS_URL points at a port where nothing listens). The app starts;
the live room works inside the one process, with a warning in the log and on /readyz; exams
(start, save, submit) and the rate-limited sign-in are unaffected."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import requests

from tests.conftest import PASSWORD
from tests.exam_world import choice, exam_class, publish
from tests.live.conftest import room, token_for  # noqa: F401 - the room fixture
from tests.live.servers import Client, Server
from tests.services.test_exam_durability import Server as RunServer

pytestmark = pytest.mark.security

DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1
NS = "/live"


@pytest.fixture
def server_without_redis(app):
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
    env = {
        **{k: os.environ[k] for k in keep if k in os.environ},
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": DOWN,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LOPHOC_SOCKETIO_CHANNEL": f"lophoc-test-{uuid.uuid4().hex}",
        "LOPHOC_LOGIN_RATE_LIMIT": "1000 per minute",
        "LOPHOC_ENV": "development",
    }
    server = Server(env).start()
    try:
        yield server
    finally:
        server.stop()


def test_the_live_room_runs_in_one_process_with_a_warning(server_without_redis, room):  # noqa: F811
    server = server_without_redis
    ready = requests.get(f"{server.url}/readyz", timeout=5)
    assert ready.status_code == 503
    assert ready.json()["checks"]["redis"]["live"] == "single_process"
    assert "live room runs in this process only" in Path(server.log.name).read_text()
    session = room.start()
    teacher = Client(server.url, token_for(room.teacher), session.id)
    pupil = Client(server.url, token_for(room.students[0]), session.id)
    try:
        ack = teacher.client.call(
            "chat_message",
            {"session_id": session.id, "text": "Chào cả lớp"},
            namespace=NS,
            timeout=10,
        )
        assert ack["ok"], ack
        assert pupil.got.wait(10), "a message did not reach a client of the same process"
        assert pupil.received[-1]["text"] == "Chào cả lớp"
        present = {p["id"] for p in teacher.newest_presence["present"]}
        assert present == {room.teacher.id, room.students[0].id}
    finally:
        teacher.close()
        pupil.close()


def test_an_exam_is_unaffected_when_redis_is_down(server_without_redis, make, school):
    server = server_without_redis
    world = exam_class(
        make,
        school,
        teacher="gv",
        class_name="10A1",
        students=["hs"],
        bank="Toán",
        items=[choice(1), choice(2)],
    )
    exam = publish(world)
    signed_in = requests.post(
        f"{server.url}/api/v1/auth/token",
        json={"username": "hs", "password": PASSWORD},
        timeout=10,
    )
    assert signed_in.status_code == 200, signed_in.text
    headers = {"Authorization": f"Bearer {signed_in.json()['token']}"}
    started = requests.post(
        f"{server.url}/api/v1/exams/{exam.id}/attempts", json={}, headers=headers, timeout=10
    )
    assert started.status_code in (200, 201), started.text
    attempt = started.json()
    for seq, question in enumerate(attempt["questions"], start=1):
        saved = requests.put(
            f"{server.url}/api/v1/attempts/{attempt['id']}/answers/{question['id']}",
            json={"answer": question["options"][1]["id"], "seq": seq},
            headers=headers,
            timeout=10,
        )
        assert saved.status_code == 200, saved.text
    submitted = requests.post(
        f"{server.url}/api/v1/attempts/{attempt['id']}/submit",
        json={},
        headers=headers,
        timeout=10,
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"


def test_rate_limited_sign_in_falls_back_to_memory_when_redis_is_down(app, make, school, tmp_path):
    """`lophoc run` as configured in production: the limiter's storage is REDIS_URL."""
    make.user(school, "teacher", "gv.hoa")
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
    env = {
        **{k: os.environ[k] for k in keep if k in os.environ},
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": DOWN,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LOPHOC_INSTANCE_DIR": str(tmp_path),
        "LOPHOC_LOGIN_RATE_LIMIT": "3 per minute",
        "LOPHOC_ENV": "development",
        "FLASK_DEBUG": "0",
    }
    server = RunServer(env, tmp_path / "server.log")
    server.start(first=False)
    try:
        url = f"http://127.0.0.1:{server.port}"
        body = {"username": "gv.hoa", "password": PASSWORD}
        statuses = [
            requests.post(f"{url}/api/v1/auth/token", json=body, timeout=10).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429], server.log_tail()  # still limited, in memory
        ready = requests.get(f"{url}/readyz", timeout=5).json()
        assert ready["checks"]["redis"]["live"] == "single_process"
    finally:
        server.kill()
