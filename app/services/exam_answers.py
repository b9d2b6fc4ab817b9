"""Saving answers, the hot path of an exam: one statement that checks the attempt's state,
its deadline (+ grace) and the seq, committed before the 200; the per-process caches it uses."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import BigInteger, Integer, String, and_, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from app.core.clock import now_utc
from app.core.db_types import UTCDateTime
from app.core.errors import Conflict, Forbidden, NotFound, TooLarge, ValidationFailed
from app.extensions import db
from app.models import Attempt, ExamQuestion, QuestionVersion, Response, User
from app.models.exams import JSON
from app.services import exam_content, question_types
from app.services.identity import TokenCaller

# An answer that left the device before the deadline may arrive a little after it.
GRACE = timedelta(seconds=15)
MAX_ANSWER_BYTES = 64 * 1024


def _attempt_head(attempt_id: int):
    return db.session.execute(
        select(
            Attempt.id,
            Attempt.exam_id,
            Attempt.student_id,
            Attempt.school_id,
            Attempt.status,
            Attempt.deadline_at,
            Attempt.paused_at,
            Attempt.offline_until,
        ).where(Attempt.id == attempt_id)
    ).first()


_exam_questions: dict[int, dict[int, tuple[int, dict]]] = {}
_exam_questions_lock = threading.Lock()


def _question_of(exam_id: int, question_id: int) -> tuple[int, dict] | None:
    """(version id, content) of a question in the exam. Cached per process: the question
    set of an exam that has attempts does not change (drop and fix-key do not alter the
    option ids an answer is checked against)."""
    known = _exam_questions.get(exam_id)
    if known is None or question_id not in known:
        rows = db.session.execute(
            select(
                ExamQuestion.question_id, ExamQuestion.version_id, ExamQuestion.is_dropped
            ).where(ExamQuestion.exam_id == exam_id)
        ).all()
        versions = dict(
            db.session.execute(
                select(QuestionVersion.id, QuestionVersion.content).where(
                    QuestionVersion.id.in_([r.version_id for r in rows])
                )
            ).all()
        )
        known = {r.question_id: (r.version_id, versions[r.version_id]) for r in rows}
        with _exam_questions_lock:
            _exam_questions[exam_id] = known
            while len(_exam_questions) > 256:
                _exam_questions.pop(next(iter(_exam_questions)))
    return known.get(question_id)


def forget_exam(exam_id: int) -> None:
    """Drop the cached question set of an exam (after its questions changed)."""
    with _exam_questions_lock:
        _exam_questions.pop(exam_id, None)
    exam_content.forget_items(exam_id)


def reset_caches() -> None:
    """Forget every cached exam and question version (tests reuse ids between databases)."""
    with _exam_questions_lock:
        _exam_questions.clear()
        _attempt_heads.clear()
    exam_content.reset_cache()


_statements: dict[str, object] = {}
_attempt_heads: OrderedDict[int, tuple[int, int, int]] = OrderedDict()


def save_source():
    """The rows a save inserts: the attempt's, only while it is open, not paused and before
    deadline + grace (bound parameters only). The direct path (exam_answers_direct) joins the
    caller's credential to it."""
    return select(
        Attempt.school_id,
        Attempt.id,
        bindparam("question_id", type_=Integer),
        bindparam("answer", type_=JSON),
        bindparam("seq", type_=BigInteger),
        bindparam("saved_at", type_=UTCDateTime),
        bindparam("ip", type_=String),
    ).where(
        Attempt.id == bindparam("attempt_id", type_=Integer),
        Attempt.status == "in_progress",
        Attempt.paused_at.is_(None),
        Attempt.deadline_at > bindparam("cutoff", type_=UTCDateTime),
    )


def upsert_from(dialect: str, source):
    """INSERT ... SELECT `source` with ON CONFLICT updating only a lower seq; RETURNING says
    whether it wrote."""
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(Response)
    insert = insert.from_select(
        ["school_id", "attempt_id", "question_id", "answer", "seq", "saved_at", "ip"], source
    )
    excluded = insert.excluded
    return insert.on_conflict_do_update(
        index_elements=["attempt_id", "question_id"],
        set_={
            "answer": excluded.answer,
            "seq": excluded.seq,
            "saved_at": excluded.saved_at,
            "ip": excluded.ip,
        },
        where=Response.seq < excluded.seq,
    ).returning(Response.seq)


def _save_statement(dialect: str):
    """The save's one statement, built once per dialect."""
    statement = _statements.get(dialect)
    if statement is None:
        statement = _statements[dialect] = upsert_from(dialect, save_source())
    return statement


def _owner_of(attempt_id: int) -> tuple[int, int, int] | None:
    """(exam id, student id, school id) of an attempt: they never change, so cached."""
    found = _attempt_heads.get(attempt_id)
    if found is None:
        row = _attempt_head(attempt_id)
        if row is None:
            return None
        found = (row.exam_id, row.student_id, row.school_id)
        with _exam_questions_lock:
            _attempt_heads[attempt_id] = found
            while len(_attempt_heads) > 100_000:
                _attempt_heads.popitem(last=False)
    return found


def save_answer(
    actor: User | TokenCaller, attempt_id: int, question_id: int, raw, seq, *, ip: str = ""
) -> dict:
    """Store an answer if the attempt is open and `seq` is newer than the stored one.

    One statement does it (see _save_statement); committed before returning, so a 200 means
    durable. Raises Forbidden (another student's), NotFound, AnswerError (422), TooLarge,
    Conflict (deadline passed / attempt closed)."""
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < 2**62:
        raise ValidationFailed(_("seq phải là số nguyên không âm."), code="invalid_seq")
    owner = _owner_of(attempt_id)
    if owner is None or owner[2] != actor.school_id:
        raise NotFound(_("Không tìm thấy bài làm."))
    exam_id, student_id, _school = owner
    if student_id != actor.id:
        raise Forbidden(_("Đây không phải bài làm của bạn."))
    found = _question_of(exam_id, question_id)
    if found is None:
        raise NotFound(_("Câu hỏi này không có trong bài làm."), code="question_not_in_attempt")
    if len(json.dumps(raw, ensure_ascii=False)) > MAX_ANSWER_BYTES:
        raise TooLarge(_("Câu trả lời quá dài."), code="answer_too_large")
    answer = question_types.normalise_answer(exam_content.version_content(*found), raw)
    now = now_utc()
    # Core execution: given a dict, the ORM would take this for a bulk insert of objects.
    written = (
        db.session.connection()
        .execute(
            _save_statement(db.engine.dialect.name),
            {
                "attempt_id": attempt_id,
                "question_id": question_id,
                "answer": answer,
                "seq": seq,
                "saved_at": now,
                "ip": ip[:45],
                "cutoff": now - GRACE,
            },
        )
        .first()
    )
    db.session.commit()
    if written is not None:
        return {"saved": True, "seq": seq}
    return _why_not_saved(attempt_id, question_id, now)


def _why_not_saved(attempt_id: int, question_id: int, now: datetime) -> dict:
    head = _attempt_head(attempt_id)
    if head.status != "in_progress":
        raise Conflict(_("Bài làm đã nộp; câu trả lời không được lưu."), code="attempt_closed")
    if head.paused_at is not None:
        raise Conflict(
            _("Giám thị đang tạm dừng bài làm; câu trả lời sẽ được gửi khi tiếp tục."),
            code="attempt_paused",
        )
    if head.deadline_at + GRACE <= now:
        raise Conflict(_("Đã hết giờ; câu trả lời không được lưu."), code="deadline_passed")
    stored = db.session.scalar(
        select(Response.seq).where(
            and_(Response.attempt_id == attempt_id, Response.question_id == question_id)
        )
    )
    # An older or repeated seq: the stored answer is newer, nothing to do (idempotent retry).
    return {"saved": True, "seq": stored}
