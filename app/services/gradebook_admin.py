"""What the admin's gradebook page reads: semester locks and the history of grade changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Course, GradeEntry, GradeLock, SchoolYear, User
from app.services.access import acting_school_id, require_school_admin


@dataclass(frozen=True)
class LockState:
    year: SchoolYear
    semester: int
    lock: GradeLock | None

    @property
    def is_locked(self) -> bool:
        return self.lock is not None


@dataclass(frozen=True)
class GradeChange:
    at: datetime
    actor: User | None
    student: User
    course: Course
    semester: int
    column: str
    old: str | None
    new: str | None
    source: str | None
    reason: str


def lock_states(actor: User) -> list[LockState]:
    """Both semesters of every school year of the actor's school, newest year first."""
    require_school_admin(actor)
    school_id = acting_school_id(actor)
    years = db.session.scalars(
        select(SchoolYear).where(SchoolYear.school_id == school_id).order_by(SchoolYear.name.desc())
    ).all()
    locks = {
        (lock.school_year_id, lock.semester): lock
        for lock in db.session.scalars(select(GradeLock).where(GradeLock.school_id == school_id))
    }
    return [LockState(y, n, locks.get((y.id, n))) for y in years for n in (1, 2)]


def grade_changes(actor: User, limit: int = 200) -> list[GradeChange]:
    """The latest grade changes of the actor's school: who, when, old, new, why."""
    require_school_admin(actor)
    stmt = (
        select(AuditLog, GradeEntry)
        .join(GradeEntry, GradeEntry.id == AuditLog.entity_id)
        .where(
            AuditLog.school_id == acting_school_id(actor),
            AuditLog.entity_type == GradeEntry.__tablename__,
        )
        .order_by(AuditLog.id.desc())
        .limit(limit)
    )
    changes = []
    for log, entry in db.session.execute(stmt):
        old, new = log.changes.get("value", [None, None])
        source = (log.changes.get("source") or [None, None])[1]
        changes.append(
            GradeChange(
                log.created_at,
                log.actor,
                entry.student,
                entry.course,
                entry.semester,
                entry.column,
                old,
                new,
                source,
                log.reason,
            )
        )
    return changes
