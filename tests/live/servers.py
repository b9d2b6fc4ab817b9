"""Real server processes for the scale-out tests: bench/live_server.py on free ports, sharing
the test database and a real Redis (db 11, a channel of their own)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests
import socketio as sio

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("LOPHOC_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict, port: int | None = None, async_mode: str = "threading"):
        self.env, self.port = env, port or free_port()
        self.async_mode = async_mode
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="live-server-", suffix=".log")  # noqa: SIM115

    def start(self) -> Server:
        return self.spawn().wait_ready()

    def spawn(self) -> Server:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "bench" / "live_server.py"),
                "--port",
                str(self.port),
                "--async-mode",
                self.async_mode,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        return self

    def wait_ready(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = Path(self.log.name).read_text()[-3000:]
                raise RuntimeError(f"server exited with {self.proc.returncode}: {log}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"server on {self.port} did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def servers(app):
    """Two server processes A and B (threading mode) on one database and one Redis queue."""
    yield from _two_servers(app, "threading")


@pytest.fixture
def gevent_servers(app):
    """The same two processes in gevent mode (one greenlet per connection), as in production."""
    yield from _two_servers(app, "gevent")


def _two_servers(app, async_mode: str):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    # A clean environment: variables other tests set in this process (FLASK_*, WERKZEUG_*)
    # must not leak into the servers.
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
    env = {
        **{k: os.environ[k] for k in keep if k in os.environ},
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LOPHOC_SOCKETIO_CHANNEL": f"lophoc-test-{uuid.uuid4().hex}",
        "LOPHOC_LOGIN_RATE_LIMIT": "1000 per minute",
        "LOPHOC_ENV": "development",
    }
    started = [Server(env, async_mode=async_mode).spawn() for _ in range(2)]  # boot at once
    try:
        for server in started:
            server.wait_ready()
        yield started
    finally:
        for server in started:
            server.stop()


NS = "/live"


class Client:
    """A python-socketio client that joins a room on every (re)connect, as live.js does."""

    def __init__(self, url: str, token: str, session_id: int):
        self.received: list[dict] = []
        self.presence: list[dict] = []
        self.got = threading.Event()
        self.joined = threading.Event()
        self.session_id = session_id
        self.client = sio.Client(reconnection_delay=0.2, reconnection_delay_max=1)
        self.client.on("chat_message", self._chat, namespace=NS)
        self.client.on("presence", self.presence.append, namespace=NS)
        self.polls: list[dict] = []
        self.client.on("poll", self.polls.append, namespace=NS)
        self.joins = 0
        self.client.on("connect", self._join, namespace=NS)
        self.client.connect(
            url, namespaces=[NS], auth={"token": token}, transports=["websocket"], wait_timeout=10
        )
        assert self.joined.wait(10)

    def _join(self):
        threading.Thread(target=self._join_now, daemon=True).start()

    def _join_now(self):
        ack = self.client.call(
            "join_session", {"session_id": self.session_id}, namespace=NS, timeout=10
        )
        assert ack["ok"], ack
        self.state = ack["state"]
        self.joins += 1
        self.joined.set()

    @property
    def newest_presence(self) -> dict:
        """The presence list with the highest version, as live.js keeps it (lists sent by
        two processes can arrive in either order); the join's ack if no broadcast is newer."""
        newest = {"present": self.state["present"], "version": self.state["presence_version"]}
        for message in list(self.presence):
            if message["version"] >= newest["version"]:
                newest = message
        return newest

    def _chat(self, message):
        self.received.append(message)
        self.got.set()

    def close(self):
        self.client.disconnect()
