"""The connection pool under concurrency: on PostgreSQL the pool keeps as many connections
open as the server's threads use at once, so a burst of requests reuses them instead of
opening (and closing) a new server backend per request past the pool (SQLAlchemy's default
5 + 10 overflow did that: under an exam's load the churn cost more CPU than the saves)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, text

from app import create_app
from app.extensions import db


def test_sqlite_keeps_its_own_pool(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite half of the rule (TEST_DATABASE_URL is PostgreSQL)")
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert "pool_size" not in options and "max_overflow" not in options


def test_a_burst_of_concurrent_requests_reuses_the_pools_connections(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): SQLite has no server backends")
    server = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "LOPHOC_DB_POOL_SIZE": 12,
            "LOPHOC_DB_MAX_OVERFLOW": 4,
        }
    )
    with server.app_context():
        engine = db.engine
        assert (engine.pool.size(), engine.pool._max_overflow) == (12, 4)
        opened = []
        event.listen(engine, "connect", lambda *_args: opened.append(1))
        errors = []

        def requests(n: int) -> None:
            try:
                for _ in range(n):
                    with engine.connect() as conn:
                        conn.execute(text("SELECT pg_sleep(0.002)"))
                    time.sleep(0.001)
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=requests, args=(30,)) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        engine.dispose()
    assert errors == []
    # 12 threads, 360 checkouts: at most one connection per thread was ever opened.
    assert 1 <= len(opened) <= 12
