"""Readiness (database, Redis, outbox backlog) and the database-derived metrics of /metrics."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select, text

from app.core.clock import now_utc
from app.extensions import db
from app.models import Attempt, GradePush, LivePresence, OutboxMail

# (name, model, pending state) of every database outbox the worker drains.
OUTBOXES = (("mail", OutboxMail, "pending"), ("grade_push", GradePush, "pending"))


@dataclass
class Readiness:
    ready: bool = True
    checks: dict = field(default_factory=dict)

    def fail(self, name: str, detail: dict) -> None:
        self.ready = False
        self.checks[name] = {"status": "fail", **detail}

    def as_dict(self) -> dict:
        return {"status": "ready" if self.ready else "not_ready", "checks": self.checks}


def outbox_backlog() -> dict[str, dict]:
    """Per outbox: rows pending and the age in seconds of the oldest one that is due."""
    now = now_utc()
    result = {}
    for name, model, state in OUTBOXES:
        pending = db.session.scalar(select(func.count()).where(model.state == state)) or 0
        oldest_due = db.session.scalar(
            select(func.min(model.next_attempt_at)).where(
                model.state == state, model.next_attempt_at <= now
            )
        )
        age = 0.0
        if oldest_due is not None:
            if oldest_due.tzinfo is None:  # SQLite hands back naive UTC in raw aggregates
                from datetime import UTC

                oldest_due = oldest_due.replace(tzinfo=UTC)
            age = max((now - oldest_due).total_seconds(), 0.0)
        result[name] = {"pending": int(pending), "oldest_due_seconds": round(age, 1)}
    return result


def _check_database(report: Readiness) -> bool:
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception as exc:  # any driver error means "not ready", never a 500
        db.session.rollback()
        report.fail("database", {"error": f"{type(exc).__name__}: {exc}"[:300]})
        return False
    report.checks["database"] = {
        "status": "ok",
        "dialect": db.engine.dialect.name,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    return True


def _check_redis(report: Readiness) -> None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        report.checks["redis"] = {"status": "not_configured"}
        return
    import redis

    started = time.perf_counter()
    try:
        client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # connection refused, timeout, auth...
        details = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        if current_app.config.get("LOPHOC_LIVE_SINGLE_PROCESS"):
            details["live"] = "single_process"  # started without Redis: no cross-worker room
        report.fail("redis", details)
        return
    if current_app.config.get("LOPHOC_LIVE_SINGLE_PROCESS"):
        # Redis is back, but this process started without it: its live room stays alone
        # until it is restarted, so it is not ready to share rooms with the other workers.
        report.fail(
            "redis",
            {"live": "single_process", "error": "started while Redis was down; restart it"},
        )
        return
    report.checks["redis"] = {
        "status": "ok",
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def readiness() -> Readiness:
    """Database reachable, Redis (when configured) reachable, and the outboxes drained: when
    LOPHOC_READY_OUTBOX_MAX_AGE (seconds, 0 = off) is set, a due row older than that means the
    worker is not keeping up (or not running) and the check fails."""
    report = Readiness()
    database_ok = _check_database(report)
    _check_redis(report)
    if not database_ok:
        report.checks["outbox"] = {"status": "unknown"}
        return report
    backlog = outbox_backlog()
    limit = float(current_app.config.get("LOPHOC_READY_OUTBOX_MAX_AGE") or 0)
    stale = [n for n, b in backlog.items() if limit and b["oldest_due_seconds"] > limit]
    if stale:
        report.fail("outbox", {"stale": stale, "max_age_seconds": limit, "outboxes": backlog})
    else:
        report.checks["outbox"] = {"status": "ok", "outboxes": backlog}
    return report


def gauges() -> dict[str, float | dict]:
    """Values read from the database at scrape time, the same whichever worker answers."""
    active = db.session.scalar(
        select(func.count()).where(Attempt.status == "in_progress", Attempt.deadline_at > now_utc())
    )
    connected = db.session.scalar(
        select(func.coalesce(func.sum(LivePresence.connections), 0)).where(
            LivePresence.left_at.is_(None)
        )
    )
    backlog = outbox_backlog()
    db.session.rollback()
    return {"active_attempts": active or 0, "live_clients": connected or 0, "outbox": backlog}
