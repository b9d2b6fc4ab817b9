"""Answers a device kept while it was offline, accepted after the deadline only because a
proctor vouched for them (exam_proctor "accept_offline"): each must have been given before
the deadline (+ grace) by the device's server-corrected clock, and the usual seq rule holds.
One upload per acceptance; a submitted attempt is rescored; all of it is logged."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from flask_babel import gettext as _

from app.core.clock import now_utc
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db
from app.models import Attempt, IntegrityEvent, Response, User
from app.services import exam_content, exam_live, exam_scoring, question_types
from app.services.access import get_scoped
from app.services.exam_answers import GRACE, MAX_ANSWER_BYTES, _question_of

MAX_ITEMS = 500
CLOCK_SKEW = timedelta(minutes=2)


def upload(actor: User, attempt_id: int, items, *, ip: str = "") -> dict:
    """Store the device's offline answers. Returns {"accepted": n, "refused": [{"question_id",
    "reason"}]}. Raises Forbidden (another student's), Conflict (no proctor acceptance open),
    ValidationFailed (not a list of answers)."""
    attempt = get_scoped(Attempt, attempt_id, actor)
    if attempt.student_id != actor.id:
        raise Forbidden(_("Đây không phải bài làm của bạn."))
    now = now_utc()
    if attempt.offline_until is None or attempt.offline_until < now:
        raise Conflict(
            _("Giám thị chưa cho phép nộp các câu trả lời lưu khi mất mạng."),
            code="offline_not_accepted",
        )
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise ValidationFailed(
            _("Cần một danh sách câu trả lời (tối đa %(n)s).", n=MAX_ITEMS), code="invalid_offline"
        )
    stored = {
        r.question_id: r
        for r in db.session.query(Response).filter(Response.attempt_id == attempt.id)
    }
    accepted, refused = 0, []
    for item in items:
        why, question_id = _store(attempt, item, stored, now, ip)
        if why:
            refused.append({"question_id": question_id, "reason": why})
        else:
            accepted += 1
    attempt.offline_until = None
    if attempt.status == "submitted":
        db.session.flush()
        exam_scoring.score_attempt(attempt)
    db.session.add(
        IntegrityEvent(
            school_id=attempt.school_id,
            attempt_id=attempt.id,
            kind="offline_answers",
            detail={"accepted": accepted, "refused": len(refused)},
            ip=ip[:45],
        )
    )
    db.session.commit()
    exam_live.proctors(attempt.exam_id, attempt.id, "offline_answers", {"accepted": accepted})
    return {"accepted": accepted, "refused": refused}


def _store(attempt: Attempt, item, stored: dict, now: datetime, ip: str):
    """(None, id) when stored or already newer; (reason, id) when refused."""
    if not isinstance(item, dict):
        return _("không phải một câu trả lời"), None
    question_id, seq = item.get("question_id"), item.get("seq")
    if isinstance(question_id, bool) or not isinstance(question_id, int):
        return _("thiếu mã câu hỏi"), None
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < 2**62:
        return _("seq không hợp lệ"), question_id
    found = _question_of(attempt.exam_id, question_id)
    if found is None:
        return _("câu hỏi không có trong bài làm"), question_id
    answered_at = _when(item.get("answered_at"))
    if answered_at is None or answered_at > now + CLOCK_SKEW:
        return _("thời điểm trả lời không hợp lệ"), question_id
    if answered_at > attempt.deadline_at + GRACE:
        return _("trả lời sau khi hết giờ"), question_id
    raw = item.get("answer")
    if len(json.dumps(raw, ensure_ascii=False)) > MAX_ANSWER_BYTES:
        return _("câu trả lời quá dài"), question_id
    try:
        answer = question_types.normalise_answer(exam_content.version_content(*found), raw)
    except ValueError as error:
        return str(getattr(error, "message", error)), question_id
    response = stored.get(question_id)
    if response is None:
        response = Response(
            school_id=attempt.school_id, attempt_id=attempt.id, question_id=question_id, seq=-1
        )
        db.session.add(response)
        stored[question_id] = response
    if response.seq < seq:
        response.answer, response.seq, response.saved_at, response.ip = answer, seq, now, ip[:45]
    return None, question_id


def _when(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
