"""Fault: the database goes away during an exam, end to end. A real `lophoc run` server on a
PostgreSQL database of its own and the exam page in headless Chromium: while the student
answers, the database refuses new connections and every backend of it is terminated
(pg_terminate_backend), as in a restart; the page shows its offline/reconnecting banner and
keeps the answers queued, and once the database is back it sends them: every answer the page
shows as saved is in the database.

On SQLite there is no clean way to take the database file away from a running server (it
holds the file open; moving or chmod-ing it does not stop that process), so the test is
PostgreSQL only (TEST_DATABASE_URL, or LOPHOC_POSTGRES_SERVER_URL in the SQLite pass)."""

from __future__ import annotations

import json
import os
import time

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import OperationalError

from app.core.security import hash_password
from app.models import Response, User
from tests.conftest import PASSWORD
from tests.services.test_exam_durability import Server, _database, _run

pytestmark = [pytest.mark.security, pytest.mark.browser]


def _server_url() -> str:
    """A PostgreSQL server to make a throw-away database on. The browser tests run in the
    SQLite pass of `make test` (TEST_DATABASE_URL unset there), which hands the server over as
    LOPHOC_POSTGRES_SERVER_URL, so that this test runs in CI."""
    return os.environ.get("TEST_DATABASE_URL") or os.environ.get("LOPHOC_POSTGRES_SERVER_URL", "")


@pytest.fixture
def exam_on_its_own_database(tmp_path):
    if not _server_url().startswith("postgresql"):
        pytest.skip(
            "PostgreSQL only: a SQLite file cannot be taken away from a running server cleanly"
        )
    with _database("postgresql", tmp_path, _server_url()) as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "LOPHOC_INSTANCE_DIR": str(tmp_path),
            "LOPHOC_ENV": "development",
            "SECRET_KEY": "db-restart-test",
            "FLASK_DEBUG": "0",
            "LOPHOC_LOGIN_RATE_LIMIT": "1000 per minute",
        }
        out = _run(
            env,
            "bench/exam_setup.py",
            "--students",
            "1",
            "--class-size",
            "1",
            "--questions",
            "9",
            "--json",
            "--upgrade",
        )
        sitting = json.loads(out.strip().splitlines()[-1])
        engine = create_engine(url)
        seat = sitting["seats"][0]
        with engine.begin() as conn:
            conn.execute(
                update(User)
                .where(User.id == seat["student_id"])
                .values(password_hash=hash_password(PASSWORD))
            )
            username = conn.scalar(select(User.username).where(User.id == seat["student_id"]))
        server = Server(env, tmp_path / "server.log")
        server.start()
        try:
            yield server, engine, url.rsplit("/", 1)[-1], username, seat["exam_id"]
        finally:
            server.kill()
            engine.dispose()


def _admin():
    from sqlalchemy.engine import make_url

    base = make_url(_server_url()).set(database="postgres")
    return create_engine(base, isolation_level="AUTOCOMMIT")


def _take_down(admin, name: str) -> int:
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        return len(
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).all()
        )


def _bring_back(admin, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))


def _answer(page, card) -> None:
    card.locator("input[type=radio]").nth(1).check()


def _shown_saved(page) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.exam-q')]
            .filter((c) => c.querySelector('.exam-q-status[data-state="saved"]'))
            .map((c) => [c.dataset.qid, (c.querySelector('input[type=radio]:checked') || {}).value])
            .filter(([, v]) => v !== undefined))"""
    )


def test_answers_queued_while_the_database_restarts_are_all_saved(
    page,
    exam_on_its_own_database,
):
    server, engine, name, username, exam_id = exam_on_its_own_database
    url = f"http://127.0.0.1:{server.port}"
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")
    page.goto(f"{url}/exams/{exam_id}/take")
    page.wait_for_selector(".exam-q")
    cards = page.locator(".exam-q:has(input[type=radio])")
    assert cards.count() >= 4
    _answer(page, cards.nth(0))
    page.wait_for_selector('.exam-q-status[data-state="saved"]')

    admin = _admin()
    try:
        terminated = _take_down(admin, name)
        assert terminated >= 1, "the server held no connection to the database"
        for n in (1, 2, 3):
            _answer(page, cards.nth(n))
        page.wait_for_selector("#exam-net:not([hidden])", timeout=15000)
        time.sleep(2)  # retries go on while the database is down
        engine.dispose()
        with pytest.raises(OperationalError, match="not currently accepting connections"):
            engine.connect().close()
        offline = page.locator('.exam-q-status[data-state="offline"]').count()
    finally:
        _bring_back(admin, name)
        admin.dispose()
    assert offline >= 1
    assert page.is_visible("#exam-net")
    assert page.locator('.exam-q-status[data-state="offline"]').count() >= 1

    page.wait_for_function(
        """() => document.querySelectorAll('.exam-q-status[data-state="saved"]').length >= 4
            && document.getElementById('exam-net').hidden""",
        timeout=60000,
    )
    shown = _shown_saved(page)
    assert len(shown) == 4
    engine.dispose()
    with engine.connect() as conn:
        stored = {
            str(q): a for q, a in conn.execute(select(Response.question_id, Response.answer)).all()
        }
    missing = {q: a for q, a in shown.items() if str(stored.get(q)) != str(a)}
    assert missing == {}, f"shown as saved but not in the database: {missing} {stored}"
    assert page.problems and all(p.startswith("503 ") for p in page.problems), page.problems
