"""An exam attempt once started: its page view, submit, events, closing, reopening.

Starting is in exam_start; saving answers, the hot path, is in exam_answers."""

from __future__ import annotations

import json
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.core.clock import now_utc
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db
from app.models import Attempt, IntegrityEvent, Response, User
from app.services import exam_content, exam_live, exam_proctor, exam_scoring
from app.services.access import get_scoped
from app.services.exam_answers import GRACE

EVENT_KINDS = {
    "blur",
    "focus",
    "copy",
    "paste",
    "visibility_hidden",
    "fullscreen_exit",
    "offline",
    "online",
    "second_device",
    "reopened",
    "moved",
}


# ---------------------------------------------------------------- view


def get_attempt(actor: User, attempt_id: int) -> Attempt:
    """The actor's own attempt (403 for another student's); closes it if time is up."""
    attempt = get_scoped(Attempt, attempt_id, actor)
    if attempt.student_id != actor.id:
        raise Forbidden(_("Đây không phải bài làm của bạn."))
    if exam_proctor.is_expired(attempt, now_utc()):
        exam_scoring.close(attempt, "deadline")
        db.session.commit()
        exam_live.proctors(attempt.exam_id, attempt.id, "submitted")
    return attempt


def attempt_view(attempt: Attempt, *, new: bool = False) -> dict:
    """The exam page's data: variant-ordered questions without keys, saved answers, time.
    `new`: the attempt was just created, so it has no answers to read back."""
    exam = attempt.exam
    now = now_utc()
    questions = exam_content.public_questions(
        exam.id, attempt.seed, exam.shuffle_questions, exam.shuffle_options
    )
    rows = []
    if not new:
        rows = db.session.execute(
            select(Response.question_id, Response.answer, Response.seq).where(
                Response.attempt_id == attempt.id
            )
        ).all()
    view = {
        "id": attempt.id,
        "exam_id": exam.id,
        "title": exam.title,
        "status": attempt.status,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline_at,
        "server_now": now,
        "seconds_left": exam_proctor.seconds_left(attempt, now),
        "paused": attempt.status == "in_progress" and attempt.paused_at is not None,
        "offline_accepted": bool(attempt.offline_until and attempt.offline_until > now),
        "variant_code": attempt.variant_code,
        "fullscreen": exam.fullscreen,
        "navigation": exam.navigation,
        "one_per_page": exam.one_per_page,
        "questions": questions,
        "answers": {str(r.question_id): r.answer for r in rows},
        "seqs": {str(r.question_id): r.seq for r in rows},
    }
    if attempt.status == "submitted":
        view["result"] = exam_scoring.result_for_student(attempt)
    return view


# ---------------------------------------------------------------- submit and events


def submit(actor: User, attempt_id: int) -> dict:
    """Close the attempt once (a conditional UPDATE decides who closes it) and score it;
    repeating the call returns the same result."""
    attempt = get_attempt(actor, attempt_id)
    if attempt.status == "in_progress" and exam_scoring.close(attempt, "student"):
        db.session.commit()
        exam_live.proctors(attempt.exam_id, attempt.id, "submitted")
    return exam_scoring.result_for_student(attempt)


def record_event(actor: User, attempt_id: int, kind: str, detail, ip: str = "") -> None:
    """Log an integrity event of the actor's own attempt."""
    attempt = get_scoped(Attempt, attempt_id, actor)
    if attempt.student_id != actor.id:
        raise Forbidden(_("Đây không phải bài làm của bạn."))
    if kind not in EVENT_KINDS:
        raise ValidationFailed(_("Loại sự kiện không hợp lệ."), code="invalid_event")
    detail = detail if isinstance(detail, dict) else {}
    if len(json.dumps(detail)) > 2000:
        detail = {"truncated": True}
    db.session.add(
        IntegrityEvent(
            school_id=attempt.school_id, attempt_id=attempt.id, kind=kind, detail=detail, ip=ip[:45]
        )
    )
    db.session.commit()
    exam_live.proctors(attempt.exam_id, attempt.id, "event", {"event": kind})


def close_expired(exam_id: int | None = None) -> int:
    """Submit, as the server, every attempt whose deadline (+ grace) has passed. Returns how
    many were closed. Run by result pages, the worker and `lophoc exams close-expired`."""
    cutoff = now_utc() - GRACE
    query = select(Attempt).where(
        Attempt.status == "in_progress", Attempt.paused_at.is_(None), Attempt.deadline_at < cutoff
    )
    if exam_id is not None:
        query = query.where(Attempt.exam_id == exam_id)
    closed = []
    for attempt in db.session.scalars(query).all():
        if exam_scoring.close(attempt, "deadline"):
            closed.append(attempt)
    db.session.commit()
    for attempt in closed:
        exam_live.attempt_changed(attempt.exam_id, attempt.id, "close")
    return len(closed)


def reopen(actor: User, attempt_id: int, minutes: int, reason: str) -> Attempt:
    """A proctor reopens a submitted attempt for `minutes` more, with a logged reason."""
    from app.services import audit, exam_changes, exams

    attempt = get_scoped(Attempt, attempt_id, actor)
    exams.get_exam_for_staff(actor, attempt.exam_id)
    reason = exam_changes.required_reason(reason)
    minutes = exams.int_setting({"m": minutes}, "m", 10, 1, 600, _("Số phút"))
    now = now_utc()
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == "submitted")
        .values(
            status="in_progress",
            submitted_at=None,
            submitted_by="",
            deadline_at=now + timedelta(minutes=minutes),
            paused_at=None,
        )
    )
    if not result.rowcount:
        raise Conflict(_("Bài làm đang mở, không cần mở lại."), code="attempt_open")
    db.session.add(
        IntegrityEvent(
            school_id=attempt.school_id,
            attempt_id=attempt.id,
            kind="reopened",
            detail={"reason": reason},
        )
    )
    audit.record(
        actor, "attempt.reopen", attempt, {"status": ["submitted", "in_progress"]}, reason=reason
    )
    db.session.commit()
    db.session.refresh(attempt)
    return attempt
