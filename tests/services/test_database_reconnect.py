"""The database going away under pooled connections (a PostgreSQL restart, simulated by
terminating every backend of the test database): the request in flight gets a clean 503 with
Retry-After, nothing half-written, and the retry succeeds; a connection that sat idle is
pinged and replaced before use, so its request never sees the loss."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, text

from app import extensions
from app.core import observability as obs
from app.extensions import db
from app.models import Response
from tests.api import test_exams_api as exams_api

setting = exams_api.setting  # the exam-taking API tests' school, class, bank and course
_exam, _start = exams_api._exam, exams_api._start


def _terminate_backends() -> int:
    """Kill every other connection to this database, as a server restart would."""
    engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return len(
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).all()
            )
    finally:
        engine.dispose()


@pytest.fixture
def postgres(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): the restart is simulated there")


def _single_choice(attempt: dict) -> tuple[str, str]:
    """The save URL and an option of a single-choice question (the order is shuffled per
    attempt, and the bank also holds a true/false cluster, whose answer is a mapping)."""
    question = next(q for q in attempt["questions"] if q["type"] == "single_choice")
    url = f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}"
    return url, question["options"][0]["id"]


def _release_connection() -> None:
    db.session.rollback()
    db.session.close()


def test_a_save_during_a_database_restart_gets_503_and_its_retry_is_stored(
    postgres, web, setting, monkeypatch, app
):
    monkeypatch.setattr(extensions, "IDLE_PING_SECONDS", 3600.0)  # the connection is "busy"
    # The full request path's contract (the direct answer lane hands a lost connection over to
    # it: the next test).
    monkeypatch.setitem(app.config, "LOPHOC_ANSWER_LANE", False)
    exam = _exam(setting)
    headers = web.bearer("hs0")
    attempt = _start(web, headers, exam.id).get_json()
    url, option = _single_choice(attempt)
    first = web.client.put(url, json={"answer": option, "seq": 1}, headers=headers)
    assert first.status_code == 200
    _release_connection()
    assert _terminate_backends() >= 1

    lost = web.client.put(url, json={"answer": option, "seq": 2}, headers=headers)
    assert lost.status_code == 503
    assert lost.get_json()["error"]["code"] == "database_unavailable"
    assert lost.headers["Retry-After"] == "1"
    _release_connection()

    again = web.client.put(url, json={"answer": option, "seq": 2}, headers=headers)
    assert again.status_code == 200 and again.get_json() == {"saved": True, "seq": 2}
    _release_connection()
    assert db.session.scalar(select(Response.seq)) == 2


def test_the_answer_lane_never_acknowledges_a_save_the_lost_database_did_not_store(
    postgres, web, setting, monkeypatch
):
    """The direct path (app/api/answer_lane.py) meets the dead connection first: it drops it
    and hands the request to the full path, which either stores the save on a new connection
    (200) or answers 503 when it too draws a dead one; never a 200 for nothing, never a 500."""
    monkeypatch.setattr(extensions, "IDLE_PING_SECONDS", 3600.0)
    exam = _exam(setting)
    headers = web.bearer("hs0")
    attempt = _start(web, headers, exam.id).get_json()
    url, option = _single_choice(attempt)
    lane = obs.ANSWER_LANE.labels("written")
    before = lane._value.get()
    for seq in (1, 2):  # the second goes by the lane (the first warmed its caches)
        saved = web.client.put(url, json={"answer": option, "seq": seq}, headers=headers)
        assert saved.status_code == 200
    assert lane._value.get() == before + 1
    _release_connection()
    assert _terminate_backends() >= 1

    lost = web.client.put(url, json={"answer": option, "seq": 3}, headers=headers)
    assert lost.status_code in (200, 503), lost.get_data()
    _release_connection()
    stored = db.session.scalar(select(Response.seq))
    _release_connection()
    if lost.status_code == 200:
        assert lost.get_json() == {"saved": True, "seq": 3} and stored == 3
    else:
        assert lost.headers["Retry-After"] == "1" and stored == 2
    again = web.client.put(url, json={"answer": option, "seq": 4}, headers=headers)
    assert again.status_code == 200 and again.get_json() == {"saved": True, "seq": 4}
    _release_connection()
    assert db.session.scalar(select(Response.seq)) == 4


def test_an_idle_connection_is_checked_and_replaced_before_use(postgres, web, setting, monkeypatch):
    exam = _exam(setting)
    headers = web.bearer("hs0")
    attempt = _start(web, headers, exam.id).get_json()
    url, option = _single_choice(attempt)
    _release_connection()
    monkeypatch.setattr(extensions, "IDLE_PING_SECONDS", 0.0)  # every pooled one counts as idle
    assert _terminate_backends() >= 1

    saved = web.client.put(url, json={"answer": option, "seq": 1}, headers=headers)
    assert saved.status_code == 200, saved.get_json()
    _release_connection()
    assert db.session.scalar(select(Response.seq)) == 1
