"""The proctor's actions on one attempt while an exam runs: pause and resume (the clock stands
still), close now, move the student to another computer, accept the answers a device kept
offline; and the live view's snapshot of who is in, progress, time left and events.

Every action is one transaction, audited with its reason, and then pushed to the open pages
(exam_live)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.core.clock import now_utc
from app.core.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import Attempt, ClassMembership, IntegrityEvent, Response, User
from app.services import audit, exam_live, exam_scoring, exams
from app.services.access import get_scoped
from app.services.exam_answers import GRACE
from app.services.exam_changes import extend_time, required_reason

ACTIONS = ("pause", "resume", "close", "move", "accept_offline", "extend", "reopen")
OFFLINE_WINDOW = timedelta(minutes=15)


def seconds_left(attempt: Attempt, now: datetime) -> int:
    """Time left on the server's clock; a paused attempt's clock stands still."""
    if attempt.status != "in_progress":
        return 0
    until = attempt.paused_at or now
    return max(0, int((attempt.deadline_at - until).total_seconds()))


def is_expired(attempt: Attempt, now: datetime) -> bool:
    """In progress, not paused, and past deadline + grace: the server closes it."""
    return (
        attempt.status == "in_progress"
        and attempt.paused_at is None
        and attempt.deadline_at + GRACE < now
    )


def _staff_attempt(actor: User, attempt_id: int) -> Attempt:
    attempt = get_scoped(Attempt, attempt_id, actor)
    exams.get_exam_for_staff(actor, attempt.exam_id)
    return attempt


def _log(actor: User, attempt: Attempt, kind: str, reason: str, detail: dict | None = None):
    """An integrity event the proctor view lists, and the audit row (attempt.<action>)."""
    db.session.add(
        IntegrityEvent(
            school_id=attempt.school_id,
            attempt_id=attempt.id,
            kind=kind,
            detail={"reason": reason, "by": actor.username} | (detail or {}),
        )
    )
    action = AUDIT_ACTIONS.get(kind, kind)
    changes = {"event": [None, kind]} | {k: [None, v] for k, v in (detail or {}).items()}
    audit.record(actor, f"attempt.{action}", attempt, changes, reason=reason)


AUDIT_ACTIONS = {
    "paused": "pause",
    "resumed": "resume",
    "closed_by_proctor": "close",
    "moved": "move",
    "offline_accepted": "accept_offline",
}


def act(actor: User, attempt_id: int, action: str, *, reason: str = "", minutes=None) -> Attempt:
    """Run one proctor action on an attempt. Raises NotFound/Forbidden (not the actor's
    exam), ValidationFailed (unknown action, no reason, bad minutes), Conflict (the attempt
    is not in a state the action applies to)."""
    if action not in ACTIONS:
        raise ValidationFailed(_("Thao tác không hợp lệ."), code="invalid_action")
    attempt = _staff_attempt(actor, attempt_id)
    if action == "extend":
        extend_time(actor, attempt.exam_id, minutes, reason, student_id=attempt.student_id)
        db.session.refresh(attempt)
        return attempt
    if action == "reopen":
        from app.services.exam_attempts import reopen

        reopen(actor, attempt.id, minutes or 10, reason)
        db.session.refresh(attempt)
        exam_live.attempt_changed(attempt.exam_id, attempt.id, "reopen")
        return attempt
    reason = required_reason(reason)
    now = now_utc()
    handler = {
        "pause": _pause,
        "resume": _resume,
        "close": _close,
        "move": _move,
        "accept_offline": _accept_offline,
    }[action]
    handler(actor, attempt, reason, now)
    db.session.commit()
    db.session.refresh(attempt)
    exam_live.attempt_changed(attempt.exam_id, attempt.id, action)
    return attempt


def _conditional(attempt: Attempt, *where, **values) -> bool:
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, *where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def _pause(actor: User, attempt: Attempt, reason: str, now: datetime) -> None:
    if is_expired(attempt, now) or not _conditional(
        attempt, Attempt.status == "in_progress", Attempt.paused_at.is_(None), paused_at=now
    ):
        raise Conflict(_("Chỉ tạm dừng được bài đang làm."), code="attempt_not_running")
    _log(actor, attempt, "paused", reason)


def _resume(actor: User, attempt: Attempt, reason: str, now: datetime) -> None:
    db.session.refresh(attempt)
    if attempt.status != "in_progress" or attempt.paused_at is None:
        raise Conflict(_("Bài làm không bị tạm dừng."), code="attempt_not_paused")
    stood = now - attempt.paused_at
    if not _conditional(
        attempt,
        Attempt.paused_at == attempt.paused_at,
        paused_at=None,
        deadline_at=attempt.deadline_at + stood,
    ):
        raise Conflict(_("Bài làm không bị tạm dừng."), code="attempt_not_paused")
    _log(actor, attempt, "resumed", reason, {"paused_seconds": int(stood.total_seconds())})


def _close(actor: User, attempt: Attempt, reason: str, now: datetime) -> None:
    if not exam_scoring.close(attempt, "proctor"):
        raise Conflict(_("Bài làm đã nộp."), code="attempt_closed")
    _log(actor, attempt, "closed_by_proctor", reason)


def _move(actor: User, attempt: Attempt, reason: str, now: datetime) -> None:
    """The next device that opens the attempt takes it over without a second-device warning."""
    if attempt.status != "in_progress":
        raise Conflict(_("Bài làm đã nộp."), code="attempt_closed")
    attempt.session_key = ""
    _log(actor, attempt, "moved", reason)


def _accept_offline(actor: User, attempt: Attempt, reason: str, now: datetime) -> None:
    """For a while, the student's device may upload the answers it kept while offline."""
    attempt.offline_until = now + OFFLINE_WINDOW
    _log(actor, attempt, "offline_accepted", reason)


# ---------------------------------------------------------------- the live view


def snapshot(actor: User, exam_id: int) -> dict:
    """Every student of the class with their latest attempt: state, answered, time left,
    last save, IP, integrity events. Five set-based queries whatever the class size."""
    exam = exams.get_exam_for_staff(actor, exam_id)
    now = now_utc()
    students = db.session.execute(
        select(User.id, User.full_name, User.student_code)
        .join(ClassMembership, ClassMembership.student_id == User.id)
        .where(ClassMembership.class_id == exam.course.class_id, User.role == "student")
        .order_by(User.student_code, User.full_name)
    ).all()
    attempts = {}
    for attempt in db.session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id).order_by(Attempt.number)
    ):
        attempts[attempt.student_id] = attempt  # the latest attempt wins
    ids = [a.id for a in attempts.values()]
    saves = {
        row.attempt_id: row
        for row in db.session.execute(
            select(
                Response.attempt_id,
                func.count(Response.id).label("answered"),
                func.max(Response.saved_at).label("last_save"),
            )
            .where(Response.attempt_id.in_(ids))
            .group_by(Response.attempt_id)
        )
    }
    events: dict[int, list] = {}
    for event in db.session.scalars(
        select(IntegrityEvent)
        .where(IntegrityEvent.attempt_id.in_(ids))
        .order_by(IntegrityEvent.at.desc(), IntegrityEvent.id.desc())
    ):
        events.setdefault(event.attempt_id, []).append(event)
    total = len([q for q in exam.questions if not q.is_dropped])
    rows = [
        _row(s, attempts.get(s.id), saves, events, now, total) for s in students
    ]
    counts = {"not_started": 0, "in_progress": 0, "paused": 0, "submitted": 0}
    for row in rows:
        counts[row["state"]] += 1
    return {
        "exam_id": exam.id,
        "title": exam.title,
        "server_now": now.isoformat(),
        "question_count": total,
        "counts": counts,
        "rows": rows,
    }


def _row(student, attempt, saves, events, now, total) -> dict:
    row = {
        "student_id": student.id,
        "student_code": student.student_code or "",
        "full_name": student.full_name,
        "state": "not_started",
        "attempt_id": None,
    }
    if attempt is None:
        return row
    save = saves.get(attempt.id)
    own = events.get(attempt.id, [])
    state = attempt.status
    if state == "in_progress" and attempt.paused_at is not None:
        state = "paused"
    return row | {
        "state": state,
        "attempt_id": attempt.id,
        "number": attempt.number,
        "variant_code": attempt.variant_code,
        "answered": save.answered if save else 0,
        "question_count": total,
        "seconds_left": seconds_left(attempt, now),
        "deadline": attempt.deadline_at.isoformat(),
        "last_save": save.last_save.isoformat() if save and save.last_save else None,
        "ip": attempt.start_ip,
        "score10": str(attempt.score10) if attempt.score10 is not None else None,
        "submitted_by": attempt.submitted_by,
        "offline_accepted": bool(attempt.offline_until and attempt.offline_until > now),
        "event_count": len(own),
        "warnings": sum(1 for e in own if e.kind in WARNING_KINDS),
        "events": [
            {"kind": e.kind, "at": e.at.isoformat(), "detail": e.detail or {}} for e in own[:5]
        ],
    }


WARNING_KINDS = {"blur", "visibility_hidden", "copy", "paste", "fullscreen_exit", "second_device"}
