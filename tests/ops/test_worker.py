"""`lophoc worker` and the job registry: built-in steps, retries after a failure, and the RQ
queue on a real Redis (db 6; skipped with the reason when no Redis answers)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from app.cli import main
from app.core import clock
from app.extensions import db
from app.models import Attempt, School
from app.services import jobs

REDIS_URL = "redis://127.0.0.1:6379/6"


@pytest.fixture
def temp_steps():
    """Steps registered by a test are removed afterwards (the registry is process-wide)."""
    before = set(jobs.steps())
    yield
    for name in set(jobs._STEPS) - before:
        del jobs._STEPS[name]


def test_builtin_steps_are_registered_and_push_is_off_without_url(app):
    registered = jobs.steps()
    assert {"grade_push", "exams_close_expired"} <= set(registered)
    assert registered["grade_push"].is_enabled() is False
    app.config["SIS_PUSH_URL"] = "http://127.0.0.1:9/push"
    try:
        assert registered["grade_push"].is_enabled() is True
    finally:
        app.config["SIS_PUSH_URL"] = ""


def test_worker_round_closes_expired_attempts(app, web, exam_setting, frozen_now):
    exam = exam_setting["exam"]
    headers = web.bearer("hs0")
    started = web.client.post(f"/api/v1/exams/{exam.id}/attempts", json={}, headers=headers)
    assert started.status_code == 201
    clock.freeze(frozen_now + timedelta(minutes=20))
    result = app.test_cli_runner().invoke(
        main, ["worker", "--every", "0", "--only", "exams_close_expired", "--json"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert lines[-1] == {"steps": {"exams_close_expired": {"closed": 1}}}
    db.session.expire_all()
    attempt = db.session.get(Attempt, started.get_json()["id"])
    assert (attempt.status, attempt.submitted_by) == ("submitted", "deadline")


def test_a_failed_step_rolls_back_and_is_retried_with_backoff(app, temp_steps):
    calls = []

    @jobs.step("flaky_test_step", every=60)
    def flaky():
        calls.append(1)
        db.session.add(School(code=f"X{len(calls)}", name="Tạm"))
        db.session.flush()
        if len(calls) == 1:
            raise RuntimeError("SMTP down")
        return {"ok": len(calls)}

    now = [1000.0]
    runner = jobs.Runner(only={"flaky_test_step"}, clock=lambda: now[0])
    first = runner.tick()
    assert "RuntimeError" in first["flaky_test_step"]["error"]
    assert db.session.query(School).filter_by(code="X1").count() == 0  # rolled back
    assert runner.tick() == {}  # not yet: the retry waits 5 s
    now[0] += 5
    assert runner.tick() == {"flaky_test_step": {"ok": 2}}
    assert db.session.query(School).filter_by(code="X2").count() == 1
    now[0] += 30
    assert runner.tick() == {}  # success: back to the step's own 60 s
    now[0] += 30
    assert runner.tick() == {"flaky_test_step": {"ok": 3}}


def test_worker_keeps_running_when_mail_is_not_configured(app):
    result = app.test_cli_runner().invoke(main, ["worker", "--every", "0"])
    # The mail step reports the missing MAIL_SERVER; the other steps still ran.
    assert "MAIL_SERVER" in result.output
    assert result.exit_code == 1


@pytest.fixture
def redis_queue(app):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    name = f"lophoc-test-{uuid.uuid4().hex[:8]}"
    app.config.update(REDIS_URL=REDIS_URL, LOPHOC_QUEUE="rq", LOPHOC_QUEUE_NAME=name)
    queue = jobs.rq_queue(client)
    yield queue
    app.config.update(REDIS_URL=None, LOPHOC_QUEUE="", LOPHOC_QUEUE_NAME=None)
    queue.empty()
    for key in client.scan_iter(match=f"*{name}*"):
        client.delete(key)
    client.close()


def _step_name() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def _cleanup_jobs(queue, *names: str) -> None:
    for name in names:
        for key in queue.connection.scan_iter(match=f"*{jobs.job_id(name)}*"):
            queue.connection.delete(key)


def test_rq_runs_a_step_once_even_if_enqueued_twice(app, redis_queue, temp_steps):
    name, runs = _step_name(), []

    @jobs.step(name, every=60)
    def counted():
        runs.append(1)
        db.session.add(School(code=f"R{len(runs)}", name="Qua RQ"))
        return {"runs": len(runs)}

    try:
        assert jobs.queue_mode() == "rq"
        assert jobs.enqueue(name, redis_queue) is True
        assert jobs.enqueue(name, redis_queue) is False  # still waiting: not twice
        # The worker "restarts": a new connection and queue object find the job in Redis.
        fresh = jobs.rq_queue()
        assert fresh.count == 1
        jobs.consume(fresh, burst=True)
        assert runs == [1]
        assert db.session.query(School).filter_by(code="R1").count() == 1
        assert jobs.enqueue(name, redis_queue) is True  # finished: may run again
    finally:
        _cleanup_jobs(redis_queue, name)


def test_rq_retries_a_failing_step(app, redis_queue, temp_steps):
    name, runs = _step_name(), []

    @jobs.step(name, every=60)
    def fails_twice():
        runs.append(1)
        if len(runs) <= 2:
            raise ConnectionError("SIS down")
        return {"runs": len(runs)}

    try:
        from rq.job import Job

        jobs.enqueue(name, redis_queue)
        jobs.consume(redis_queue, burst=True)
        assert len(runs) == 3
        job = Job.fetch(jobs.job_id(name), connection=redis_queue.connection)
        assert job.get_status() == "finished"
        assert job.return_value() == {"runs": 3}
    finally:
        _cleanup_jobs(redis_queue, name)


def test_worker_in_rq_mode_enqueues_and_works_the_queue(app, redis_queue, temp_steps):
    name, runs = _step_name(), []

    @jobs.step(name, every=60)
    def counted():
        runs.append(1)
        return {"runs": len(runs)}

    try:
        result = app.test_cli_runner().invoke(
            main, ["worker", "--every", "0", "--only", name, "--json"]
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.output.splitlines()[-1]) == {"steps": {name: {"enqueued": True}}}
        assert runs == [1]
    finally:
        _cleanup_jobs(redis_queue, name)
