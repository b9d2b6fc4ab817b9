"""Delivering the grade push outbox: claim a batch, sign and POST each change, back off.

Safe with several workers: a batch is claimed by a conditional UPDATE (only rows still
unclaimed, or whose lease ran out, are taken), and a change waits while an older change of
the same gradebook cell is still pending, so each cell's changes arrive in order. A worker that
dies mid-batch only delays its rows until the lease ends; receivers deduplicate by the
Idempotency-Key header, so a change delivered twice is applied once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import aliased

from app.core.clock import now_utc
from app.extensions import db
from app.models import GradePush
from app.services.grade_push import push_url

SIGNATURE_HEADER = "X-LopHoc-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
BATCH_SIZE = 50
LEASE = timedelta(minutes=5)
TIMEOUT_SECONDS = 10
BACKOFF_BASE_SECONDS = 10
BACKOFF_CAP_SECONDS = 600
MAX_ATTEMPTS = 25  # with the cap: well over three hours of retrying before "failed"


def sign(body: bytes, secret: str) -> str:
    """The signature header value: "sha256=" + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Delay before the next try after `attempts` failed ones: exponential, capped, with
    "equal jitter" (half fixed, half random) so that many rows do not retry in lock-step."""
    rng = rng or random
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=ceiling / 2 + rng.uniform(0, ceiling / 2))


@dataclass
class Outcome:
    """What one HTTP attempt gave: delivered, or an error and whether to try again."""

    is_delivered: bool
    error: str | None = None
    is_retryable: bool = True
    is_unreachable: bool = False


@dataclass
class PassResult:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"delivered": self.delivered, "retried": self.retried, "failed": self.failed}


def post(url: str, push: GradePush, secret: str) -> Outcome:
    """POST one change; 2xx is delivered, 408/429/5xx and network errors are retried, other
    4xx (the receiver refuses the change itself) fail at once."""
    body = json.dumps(push.payload, ensure_ascii=False, sort_keys=True).encode()
    request = urllib.request.Request(  # noqa: S310 - the configured https/http endpoint
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "LopHoc-grade-push/1",
            IDEMPOTENCY_HEADER: push.idempotency_key,
            SIGNATURE_HEADER: sign(body, secret),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read()
            return Outcome(True)
    except urllib.error.HTTPError as exc:
        status = exc.code
        retry = status in (408, 425, 429) or status >= 500
        return Outcome(False, f"HTTP {status} {exc.reason}"[:500], is_retryable=retry)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(False, f"{type(exc).__name__}: {reason}"[:500], is_unreachable=True)


def claim(batch_size: int = BATCH_SIZE, now: datetime | None = None) -> tuple[str, list[GradePush]]:
    """Take up to `batch_size` due rows for this worker (commits the claim)."""
    now = now or now_utc()
    older = aliased(GradePush)
    waiting_behind_older = exists().where(
        and_(
            older.entry_key == GradePush.entry_key,
            older.id < GradePush.id,
            older.state == "pending",
        )
    )
    free = or_(GradePush.claimed_until.is_(None), GradePush.claimed_until < now)
    due = (
        select(GradePush.id)
        .where(GradePush.state == "pending", GradePush.next_attempt_at <= now, free)
        .where(~waiting_behind_older)
        .order_by(GradePush.id)
        .limit(batch_size)
    )
    ids = list(db.session.scalars(due))
    token = uuid.uuid4().hex
    if ids:
        db.session.execute(
            update(GradePush)
            .where(GradePush.id.in_(ids), GradePush.state == "pending", free)
            .values(claim_token=token, claimed_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    if not ids:
        return token, []
    rows = db.session.scalars(
        select(GradePush).where(GradePush.claim_token == token).order_by(GradePush.id)
    )
    return token, list(rows)


def _finish(push: GradePush, token: str, outcome: Outcome, now: datetime) -> str:
    """Record the attempt, only if this worker still holds the lease; returns the new state."""
    attempts = push.attempts + 1
    values: dict = {"attempts": attempts, "claim_token": None, "claimed_until": None}
    if outcome.is_delivered:
        values.update(state="delivered", delivered_at=now, last_error=None)
    elif not outcome.is_retryable or attempts >= MAX_ATTEMPTS:
        values.update(state="failed", last_error=outcome.error)
    else:
        values.update(last_error=outcome.error, next_attempt_at=now + backoff(attempts))
    db.session.execute(
        update(GradePush)
        .where(GradePush.id == push.id, GradePush.claim_token == token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return values.get("state", "pending")


def _postpone(rows: list[GradePush], token: str, until: datetime) -> None:
    """The endpoint is unreachable: hand back the rest of the batch untried, for later."""
    db.session.execute(
        update(GradePush)
        .where(GradePush.id.in_([r.id for r in rows]), GradePush.claim_token == token)
        .values(claim_token=None, claimed_until=None, next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def deliver_batch(batch_size: int = BATCH_SIZE) -> tuple[int, PassResult]:
    """Claim and deliver one batch; returns (rows claimed, what happened)."""
    result = PassResult()
    url = push_url()
    if not url:
        return 0, result
    secret = current_app.config.get("SIS_PUSH_SECRET") or ""
    token, rows = claim(batch_size)
    for index, push in enumerate(rows):
        outcome = post(url, push, secret)
        now = now_utc()
        state = _finish(push, token, outcome, now)
        if state == "delivered":
            result.delivered += 1
            continue
        result.errors.append(outcome.error or "")
        if state == "failed":
            result.failed += 1
        else:
            result.retried += 1
        if outcome.is_unreachable and index + 1 < len(rows):
            _postpone(rows[index + 1 :], token, now + backoff(push.attempts + 1))
            break
    return len(rows), result


def deliver_pending(batch_size: int = BATCH_SIZE) -> PassResult:
    """Deliver every row due now, batch after batch (`lophoc sync run --once`)."""
    total = PassResult()
    while True:
        claimed, result = deliver_batch(batch_size)
        total.delivered += result.delivered
        total.retried += result.retried
        total.failed += result.failed
        total.errors += result.errors
        if claimed == 0:
            return total
