"""Quick questions in a live room: an ad-hoc poll, or one objective question from a bank;
live counts; the answers of a bank question saved as a regular assessment score."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.clock import now_utc
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.sanitize import clean_html
from app.core.text import clean_line
from app.extensions import db
from app.models import LivePoll, LivePollAnswer, LiveSession, Question, QuestionVersion, User
from app.services import gradebook, question_types
from app.services.live import Member, log
from question_banks.json_codec import from_json

BANK_TYPES = ("single_choice", "multiple_response")
MAX_OPTIONS = 10
SCORE_SCALE = Decimal(10)


def _teacher(member: Member) -> None:
    if not member.is_teacher:
        raise Forbidden(_("Chỉ giáo viên mới làm được việc này."), code="teacher_only")


def _open(session_id: int) -> LivePoll | None:
    return db.session.scalar(
        select(LivePoll)
        .where(LivePoll.session_id == session_id, LivePoll.closed_at.is_(None))
        .order_by(LivePoll.id.desc())
        .limit(1)
    )


def open_poll(session: LiveSession, actor: User, member: Member, payload: object) -> LivePoll:
    """The teacher pushes a question: {"prompt", "options": [text, ...], "multiple"} for a
    poll, or {"question_id"} for a single/multiple-choice bank question. Closes the poll that
    was open. Raises Forbidden, ValidationFailed, NotFound. Commits."""
    _teacher(member)
    if not isinstance(payload, dict):
        raise ValidationFailed(_("Câu hỏi nhanh không hợp lệ."), code="malformed")
    poll = _from_bank(actor, payload["question_id"]) if payload.get("question_id") else None
    poll = poll or _ad_hoc(payload)
    poll.school_id, poll.session_id, poll.opened_at = session.school_id, session.id, now_utc()
    previous = _open(session.id)
    if previous is not None:
        previous.closed_at = now_utc()
    db.session.add(poll)
    db.session.flush()
    log(session, member.user_id, "poll_open", {"poll_id": poll.id, "kind": poll.kind})
    db.session.commit()
    return poll


def _ad_hoc(payload: dict) -> LivePoll:
    prompt = clean_line(payload.get("prompt") if isinstance(payload.get("prompt"), str) else "")
    options = payload.get("options")
    if not prompt:
        raise ValidationFailed(_("Hãy nhập câu hỏi."), code="empty_prompt")
    if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS:
        raise ValidationFailed(
            _("Câu hỏi nhanh cần từ 2 đến %(n)s lựa chọn.", n=MAX_OPTIONS), code="options"
        )
    texts = [clean_line(o)[:200] if isinstance(o, str) else "" for o in options]
    if not all(texts):
        raise ValidationFailed(_("Có lựa chọn để trống."), code="options")
    return LivePoll(
        kind="poll",
        prompt_html=clean_html(f"<p>{_escape(prompt[:500])}</p>"),
        options=[{"id": chr(ord("A") + i), "html": _escape(t)} for i, t in enumerate(texts)],
        correct=[],
        is_multiple=bool(payload.get("multiple")),
    )


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def _from_bank(actor: User, question_id: object) -> LivePoll:
    from app.services.questions import get_question

    question = get_question(actor, question_id)
    if question.type not in BANK_TYPES:
        raise ValidationFailed(
            _("Chỉ dùng được câu hỏi một lựa chọn hoặc nhiều lựa chọn."), code="question_type"
        )
    data = from_json(_current_version(question).content)
    view = question_types.public_view(data)
    return LivePoll(
        kind="question",
        question_id=question.id,
        prompt_html=view["stem_html"],
        options=view["options"],
        correct=[o.key for o in data.options if o.is_correct],
        is_multiple=question.type == "multiple_response",
    )


def _current_version(question) -> QuestionVersion:
    return db.session.scalar(
        select(QuestionVersion).where(
            QuestionVersion.question_id == question.id,
            QuestionVersion.number == question.current_version,
        )
    )


def answer(session_id: int, member: Member, payload: object) -> dict:
    """A student answers the open poll ({"poll_id", "choice": [option ids]}); answering again
    replaces the answer. Raises Forbidden (teachers do not answer), Conflict (no such poll
    open), ValidationFailed. Commits; returns the live counts."""
    if member.is_teacher:
        raise Forbidden(_("Giáo viên không trả lời câu hỏi nhanh."), code="student_only")
    if not isinstance(payload, dict):
        raise ValidationFailed(_("Câu trả lời không hợp lệ."), code="malformed")
    poll = _open(session_id)
    if poll is None or payload.get("poll_id") != poll.id:
        raise Conflict(_("Câu hỏi này đã đóng."), code="poll_closed")
    choice = payload.get("choice")
    choice = [choice] if isinstance(choice, str) else choice
    ids = {o["id"] for o in poll.options}
    if not isinstance(choice, list) or not choice or not all(c in ids for c in choice):
        raise ValidationFailed(_("Hãy chọn một đáp án có trong câu hỏi."), code="invalid_choice")
    if not poll.is_multiple and len(choice) != 1:
        raise ValidationFailed(_("Chỉ được chọn một đáp án."), code="invalid_choice")
    row = db.session.scalar(
        select(LivePollAnswer).where(
            LivePollAnswer.poll_id == poll.id, LivePollAnswer.student_id == member.user_id
        )
    )
    if row is None:
        row = LivePollAnswer(school_id=poll.school_id, poll_id=poll.id, student_id=member.user_id)
        db.session.add(row)
    row.choice, row.answered_at = sorted(set(choice)), now_utc()
    db.session.commit()
    return counts(poll)


def counts(poll: LivePoll) -> dict:
    """{"poll_id", "answered", "counts": {option id: n}} (no names: shown to the whole room)."""
    tally = {o["id"]: 0 for o in poll.options}
    answered = 0
    for (choice,) in db.session.execute(
        select(LivePollAnswer.choice).where(LivePollAnswer.poll_id == poll.id)
    ):
        answered += 1
        for option in choice:
            if option in tally:
                tally[option] += 1
    return {"poll_id": poll.id, "answered": answered, "counts": tally}


def close(session: LiveSession, member: Member) -> dict | None:
    """The teacher closes the open poll; results (with the key of a bank question) go to the
    room. Raises Forbidden. Commits; returns the final view, or None if none was open."""
    _teacher(member)
    poll = _open(session.id)
    if poll is None:
        return None
    poll.closed_at = now_utc()
    result = counts(poll)
    log(session, member.user_id, "poll_close", result)
    db.session.commit()
    return {**_view(poll), **result, "correct": poll.correct, "is_open": False}


def _view(poll: LivePoll) -> dict:
    return {
        "poll_id": poll.id,
        "kind": poll.kind,
        "prompt_html": poll.prompt_html,
        "options": poll.options,
        "multiple": poll.is_multiple,
        "is_open": poll.closed_at is None,
    }


def poll_view(poll: LivePoll) -> dict:
    """What the room receives when a poll opens (never the key)."""
    return {**_view(poll), **counts(poll)}


def open_poll_view(session_id: int, member: Member) -> dict | None:
    """The open poll for a (re)joining client, with their own answer."""
    poll = _open(session_id)
    if poll is None:
        return None
    mine = db.session.scalar(
        select(LivePollAnswer.choice).where(
            LivePollAnswer.poll_id == poll.id, LivePollAnswer.student_id == member.user_id
        )
    )
    return {**poll_view(poll), "my_choice": mine or []}


def save_scores(actor: User, session: LiveSession, poll_id: object, reason: str = "") -> int:
    """Save a closed bank question's answers as a regular assessment (ĐĐGtx) score on the
    10-point scale; students who did not answer get nothing. Raises NotFound, Conflict (still
    open, not a bank question, already saved), the gradebook's errors. Commits; returns the
    cells written."""
    poll = db.session.get(LivePoll, poll_id) if isinstance(poll_id, int) else None
    if poll is None or poll.session_id != session.id:
        raise NotFound(_("Không tìm thấy câu hỏi nhanh."))
    if poll.kind != "question" or poll.closed_at is None or poll.saved_at is not None:
        raise Conflict(
            _("Chỉ lưu điểm được cho câu hỏi từ ngân hàng, đã đóng và chưa lưu."),
            code="not_savable",
        )
    question = db.session.get(Question, poll.question_id) if poll.question_id else None
    if question is None:
        raise Conflict(_("Câu hỏi đã bị xoá khỏi ngân hàng."), code="not_savable")
    data = from_json(_current_version(question).content)
    scores = []
    for row in db.session.scalars(select(LivePollAnswer).where(LivePollAnswer.poll_id == poll.id)):
        answer_value = row.choice if poll.is_multiple else row.choice[0]
        scored = question_types.score(data, answer_value, SCORE_SCALE)
        scores.append((row.student_id, scored.points))
    written = gradebook.feed_scores(actor, session.course_id, scores, "tx", "live", poll.id, reason)
    poll.saved_at = now_utc()
    log(session, actor.id, "poll_saved", {"poll_id": poll.id, "cells": written})
    db.session.commit()
    return written
