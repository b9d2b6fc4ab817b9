"""Grade push outbox: queue a change in its own transaction, the admin's view, replay.

`enqueue` is called by the gradebook for every changed cell when SIS_PUSH_URL is set, inside
the transaction of the change (flush only), so a rolled-back change never reaches the school
system and a committed one is never lost. Delivery is `grade_push_delivery`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update

from app.core.clock import now_utc
from app.extensions import db
from app.models import Course, GradeEntry, GradePush, School, User
from app.services.access import acting_school_id, require_school_admin
from app.services.gradebook_values import display


def push_url(school_id: int | None = None) -> str:
    """The school system's endpoint (SIS_PUSH_URL); empty means push sync is off."""
    del school_id  # one endpoint per installation for now; a per-school override fits here
    return (current_app.config.get("SIS_PUSH_URL") or "").strip()


def entry_key(course_id: int, student_id: int, semester: int, column: str) -> str:
    return f"{course_id}:{student_id}:{semester}:{column}"


def enqueue(entry: GradeEntry, course: Course, reason: str = "") -> GradePush | None:
    """Queue the current value of `entry` for delivery (flush only); None when push is off."""
    if not push_url(course.school_id):
        return None
    student = db.session.get(User, entry.student_id)
    school = db.session.get(School, course.school_id)
    key = str(uuid.uuid4())
    changed_at = now_utc()
    payload = {
        "idempotency_key": key,
        "school_code": school.code,
        "student_code": student.student_code,
        "year": course.school_class.school_year.name,
        "semester": entry.semester,
        "subject": course.subject.name,
        "class": course.school_class.name,
        "column": entry.column,
        "score": display(entry.score),
        "rating": entry.rating,
        "source": entry.source,
        "reason": reason,
        "changed_at": changed_at.isoformat(),
    }
    push = GradePush(
        school_id=course.school_id,
        entry_id=entry.id,
        entry_key=entry_key(course.id, entry.student_id, entry.semester, entry.column),
        idempotency_key=key,
        payload=payload,
        state="pending",
        attempts=0,
        next_attempt_at=changed_at,
        created_at=changed_at,
    )
    db.session.add(push)
    db.session.flush()
    return push


@dataclass(frozen=True)
class PushSummary:
    pending: int
    delivered: int
    failed: int
    failures: list[GradePush]
    recent: list[GradePush]


def push_summary(actor: User, limit: int = 100) -> PushSummary:
    """Counts by state, the failed rows (with why) and the latest deliveries of the school."""
    require_school_admin(actor)
    school_id = acting_school_id(actor)
    counts = dict(
        db.session.execute(
            select(GradePush.state, func.count())
            .where(GradePush.school_id == school_id)
            .group_by(GradePush.state)
        ).all()
    )

    def latest(state: str, order) -> list[GradePush]:
        stmt = select(GradePush).where(GradePush.school_id == school_id, GradePush.state == state)
        return list(db.session.scalars(stmt.order_by(order).limit(limit)))

    return PushSummary(
        pending=counts.get("pending", 0),
        delivered=counts.get("delivered", 0),
        failed=counts.get("failed", 0),
        failures=latest("failed", GradePush.id.desc()),
        recent=latest("delivered", GradePush.delivered_at.desc()),
    )


def replay(actor: User, push_id: int | None = None) -> int:
    """Put failed pushes of the school (one, or all with None) back to pending; commits.

    Returns how many were put back. Their idempotency keys stay the same, so a receiver that
    already applied one ignores it.
    """
    require_school_admin(actor)
    stmt = (
        update(GradePush)
        .where(GradePush.school_id == acting_school_id(actor), GradePush.state == "failed")
        .values(
            state="pending",
            attempts=0,
            next_attempt_at=now_utc(),
            claim_token=None,
            claimed_until=None,
        )
    )
    if push_id is not None:
        stmt = stmt.where(GradePush.id == push_id)
    count = db.session.execute(stmt).rowcount
    db.session.commit()
    return count
