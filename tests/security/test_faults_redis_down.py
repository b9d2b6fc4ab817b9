"""Fault: Redis is down (REDIS_URL points at a port where nothing listens). The app starts;
the live room works inside the one process, with a warning in the log and on /readyz; exams
(start, save, submit) and the rate-limited sign-in are unaffected."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import requests

from app import create_app
from tests.conftest import PASSWORD
from tests.exam_world import choice, exam_class, publish
from tests.live.conftest import room, token_for  # noqa: F401 - the room fixture
from tests.live.servers import Client, Server

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
        present = {p["id"] for p in teacher.presence[-1]["present"]}
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


def test_rate_limited_sign_in_falls_back_to_memory_when_redis_is_down(app, make, school):
    """Redis as the limiter's storage (as production configures it from REDIS_URL)."""
    make.user(school, "teacher", "gv.hoa")
    down = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": DOWN,
            "RATELIMIT_STORAGE_URI": DOWN,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "SERVER_NAME": None,
        }
    )
    assert down.config["LOPHOC_LIVE_SINGLE_PROCESS"] is True
    client = down.test_client()
    body = {"username": "gv.hoa", "password": PASSWORD}
    statuses = [client.post("/api/v1/auth/token", json=body).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # signed in, and still limited (in memory)
