"""No acknowledged answer is ever lost: the real server is SIGKILLed in the middle of a load of
saves and restarted; every save that got a 200 is in the database, and re-sent seqs are
idempotent. The server runs as `lophoc run` in a subprocess on its own database (a temporary
SQLite file, or a throw-away PostgreSQL database beside TEST_DATABASE_URL's), prepared by
bench/exam_setup.py, so the suite's own database is not touched."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app.models import Attempt, Response

ROOT = Path(__file__).resolve().parents[2]
STUDENTS = 6
BOOT_SECONDS = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`lophoc run` on a free port, as a school's lab server runs it; can be SIGKILLed."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log, self.port = env, log, _free_port()
        self.process: subprocess.Popen | None = None

    def start(self, *, first: bool = True) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "app.cli",
                    "run",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--no-reload",
                    "--no-debugger",
                ],
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + BOOT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            with contextlib.suppress(OSError):
                status, _body = call(self.port, "GET", "/healthz")
                if status == 200:
                    return
            time.sleep(0.1)
        self.kill()
        if first:
            pytest.skip(f"the server did not start (`lophoc run`): {self.log_tail()}")
        pytest.fail(f"the server did not start again after SIGKILL: {self.log_tail()}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-1500:]


def call(port: int, method: str, path: str, token: str | None = None, body=None, conn=None):
    """One JSON request; with `conn` on that keep-alive connection. Returns (status, json)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        if own:
            conn.close()
    return response.status, (json.loads(raw) if raw[:1] in (b"{", b"[") else raw)


def _run(env: dict, *args: str, timeout: float = 60) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stderr[-3000:]}"
    return result.stdout


@contextlib.contextmanager
def _database(kind: str, tmp: Path, base: str | None = None):
    """A database of our own: a SQLite file, or a PostgreSQL database created and dropped here
    (on the server of `base`, default TEST_DATABASE_URL)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp}/durable.sqlite3"
        return
    base = base or os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL run needs TEST_DATABASE_URL (a server we may create a database on)")
    name = f"lophoc_durability_{uuid.uuid4().hex[:10]}"
    # CREATE/DROP DATABASE from the server's maintenance database, not the suite's own.
    admin_url = make_url(base).set(database="postgres")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no right to create databases: not this test's failure
        admin.dispose()
        pytest.skip(f"cannot create a separate PostgreSQL database: {exc}")
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def exam_server(request, tmp_path_factory):
    """A migrated database with a published exam and STUDENTS students, and its running server."""
    tmp = tmp_path_factory.mktemp(f"durability_{request.param}")
    with _database(request.param, tmp) as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "LOPHOC_INSTANCE_DIR": str(tmp),
            "LOPHOC_ENV": "development",
            "SECRET_KEY": "durability-test",
            "FLASK_DEBUG": "0",
        }
        out = _run(
            env,
            "bench/exam_setup.py",
            "--students",
            str(STUDENTS),
            "--class-size",
            str(STUDENTS),
            "--questions",
            "10",
            "--json",
            "--upgrade",
        )
        sitting = json.loads(out.strip().splitlines()[-1])
        server = Server(env, tmp / "server.log")
        server.start()
        engine = create_engine(url)
        try:
            yield server, sitting, engine
        finally:
            server.kill()
            engine.dispose()


class Saver(threading.Thread):
    """One student's exam page: saves answers as fast as they are acknowledged, retrying on
    a dead server, with an ever-growing seq; remembers the highest acknowledged one."""

    def __init__(self, port: int, token: str, attempt: dict, stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.token, self.attempt, self.stop = port, token, attempt, stop
        self.rng = random.Random(attempt["id"])
        self.acked: dict[int, tuple[int, object]] = {}
        self.ack_times: list[float] = []
        self.failures = 0

    def run(self) -> None:
        conn, seq = None, 0
        while not self.stop.is_set():
            question = self.rng.choice(self.attempt["questions"])
            options = [o["id"] for o in question.get("options") or []]
            answer = self.rng.choice(options) if options else str(self.rng.randint(1, 10**6))
            seq += 1
            path = f"/api/v1/attempts/{self.attempt['id']}/answers/{question['id']}"
            try:
                conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=3)
                status, _body = call(
                    self.port, "PUT", path, self.token, {"answer": answer, "seq": seq}, conn=conn
                )
            except (OSError, http.client.HTTPException):
                self.failures += 1
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.02)
                continue
            if status == 200:
                self.acked[question["id"]] = (seq, answer)
                self.ack_times.append(time.monotonic())
        if conn is not None:
            conn.close()


def _stored(engine, attempt_id: int) -> dict[int, tuple[int, object]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Response.question_id, Response.seq, Response.answer).where(
                Response.attempt_id == attempt_id
            )
        )
        return {q: (seq, answer) for q, seq, answer in rows}


def _acks(savers) -> int:
    return sum(len(s.ack_times) for s in savers)


def _wait_for_acks(savers, at_least: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while _acks(savers) < at_least and time.monotonic() < deadline:
        time.sleep(0.05)


def test_acknowledged_saves_survive_a_server_kill(exam_server):
    server, sitting, engine = exam_server
    attempts = []
    for seat in sitting["seats"]:
        status, body = call(
            server.port, "POST", f"/api/v1/exams/{seat['exam_id']}/attempts", seat["token"], {}
        )
        assert status in (200, 201), body
        attempts.append(body)
    stop = threading.Event()
    savers = [
        Saver(server.port, seat["token"], attempt, stop)
        for seat, attempt in zip(sitting["seats"], attempts, strict=True)
    ]
    for saver in savers:
        saver.start()
    try:
        _wait_for_acks(savers, 60, seconds=3)
        server.kill()  # SIGKILL while saves are in flight
        killed_at, before = time.monotonic(), _acks(savers)
        time.sleep(0.3)
        server.start(first=False)
        _wait_for_acks(savers, before + 40, seconds=3)
    finally:
        stop.set()
        for saver in savers:
            saver.join(timeout=10)
    after = sum(1 for s in savers for t in s.ack_times if t > killed_at)
    assert before >= 10 and after >= 10, (before, after, server.log_tail())
    assert sum(s.failures for s in savers) > 0, "the kill did not interrupt any save"
    lost = []
    for saver in savers:
        stored = _stored(engine, saver.attempt["id"])
        for question_id, (seq, answer) in saver.acked.items():
            kept_seq, kept_answer = stored.get(question_id, (0, None))
            if kept_seq < seq or (kept_seq == seq and kept_answer != answer):
                lost.append((saver.attempt["id"], question_id, seq, answer, kept_seq, kept_answer))
    assert lost == [], f"{len(lost)} acknowledged saves lost, e.g. {lost[:3]}"
    with engine.connect() as conn:
        per_student = (
            conn.execute(
                select(func.count())
                .select_from(Attempt)
                .where(Attempt.exam_id.in_(sitting["exam_ids"]))
                .group_by(Attempt.exam_id, Attempt.student_id)
            )
            .scalars()
            .all()
        )
    assert per_student and max(per_student) == 1


def test_resent_seq_is_idempotent(exam_server):
    server, sitting, engine = exam_server
    if server.process is None or server.process.poll() is not None:
        server.start()
    seat = sitting["seats"][0]
    status, attempt = call(
        server.port, "POST", f"/api/v1/exams/{seat['exam_id']}/attempts", seat["token"], {}
    )
    assert status in (200, 201), attempt
    question = next(q for q in attempt["questions"] if q.get("options"))
    first, other = (o["id"] for o in question["options"][:2])
    path = f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}"
    seq = max((s for s, _a in _stored(engine, attempt["id"]).values()), default=0) + 1000

    assert call(server.port, "PUT", path, seat["token"], {"answer": first, "seq": seq})[0] == 200
    for resent in (
        {"answer": first, "seq": seq},
        {"answer": other, "seq": seq},
        {"answer": other, "seq": seq - 1},
    ):
        status, body = call(server.port, "PUT", path, seat["token"], resent)
        assert status == 200, (resent, body)
        assert _stored(engine, attempt["id"])[question["id"]] == (seq, first), resent
    status, _body = call(server.port, "PUT", path, seat["token"], {"answer": other, "seq": seq + 1})
    assert status == 200
    assert _stored(engine, attempt["id"])[question["id"]] == (seq + 1, other)
