"""Taking an exam: start (once per student, admitted through a queue), save answers (one
UPSERT that checks the deadline and the seq in the same statement), submit exactly once,
integrity events, and closing attempts whose time is up even when the browser is gone."""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from collections import OrderedDict
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import BigInteger, Integer, String, and_, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from app.core.clock import now_utc
from app.core.db_types import UTCDateTime
from app.core.errors import Conflict, DomainError, Forbidden, NotFound, TooLarge, ValidationFailed
from app.extensions import db
from app.models import (
    Attempt,
    ClassMembership,
    Exam,
    ExamAccommodation,
    ExamQuestion,
    IntegrityEvent,
    Response,
    User,
)
from app.models.exams import JSON
from app.services import exam_content, exam_scoring, question_types
from app.services.access import get_scoped

# An answer that left the device before the deadline may arrive a little after it.
GRACE = timedelta(seconds=15)
MAX_ANSWER_BYTES = 64 * 1024
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


class Busy(DomainError):
    """Too many starts at this instant: the client waits in the queue and retries."""

    status = 503
    code = "start_queue_full"
    retry_after = 1


class _Admission:
    """A per-process gate on attempt starts, so a synchronised start is served in order
    instead of all at once; the wait happens before the attempt exists, so it never counts
    against the student's time."""

    def __init__(self, slots: int = 8, wait_seconds: float = 5.0):
        self.slots = threading.BoundedSemaphore(slots)
        self.wait_seconds = wait_seconds

    @contextmanager
    def admit(self):
        if not self.slots.acquire(timeout=self.wait_seconds):
            raise Busy(_("Đang có nhiều bạn vào phòng thi cùng lúc; đang xếp hàng…"))
        try:
            yield
        finally:
            self.slots.release()


admission = _Admission()


# ---------------------------------------------------------------- start


def student_exam(actor: User, exam_id: int) -> Exam:
    """A published exam of a course the student is in; NotFound for anyone else."""
    exam = get_scoped(Exam, exam_id, actor)
    enrolled = db.session.scalar(
        select(ClassMembership.id).where(
            ClassMembership.class_id == exam.course.class_id,
            ClassMembership.student_id == actor.id,
        )
    )
    if actor.role != "student" or not enrolled or not exam.is_published:
        raise NotFound(_("Không tìm thấy bài kiểm tra."))
    return exam


def _check_entry(exam: Exam, now: datetime, access_code: str | None, ip: str) -> None:
    if now < exam.opens_at:
        raise Conflict(
            _("Bài kiểm tra chưa mở; phòng chờ sẽ tự vào khi đến giờ."),
            code="exam_not_open",
            details={"opens_at": exam.opens_at.isoformat()},
        )
    if exam.closes_at is not None and now >= exam.closes_at:
        raise Conflict(_("Bài kiểm tra đã đóng."), code="exam_closed")
    if not exam_content.ip_allowed(exam.allowed_ips, ip):
        raise Forbidden(
            _("Máy này (%(ip)s) không nằm trong phòng thi được phép.", ip=ip), code="ip_not_allowed"
        )
    if exam.access_code:
        if not access_code:
            raise Forbidden(_("Cần mã vào phòng thi."), code="access_code_required")
        if not hmac.compare_digest(access_code.strip().encode(), exam.access_code.encode()):
            raise Forbidden(_("Mã vào phòng thi không đúng."), code="access_code_wrong")


def _deadline(exam: Exam, student_id: int, started: datetime) -> datetime:
    extra = db.session.scalar(
        select(ExamAccommodation.extra_minutes).where(
            ExamAccommodation.exam_id == exam.id, ExamAccommodation.student_id == student_id
        )
    )
    deadline = started + timedelta(minutes=exam.duration_minutes + (extra or 0))
    if exam.closes_at is not None and not extra:
        deadline = min(deadline, exam.closes_at)
    return deadline


def _open_attempt(exam_id: int, student_id: int) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).where(
            Attempt.exam_id == exam_id,
            Attempt.student_id == student_id,
            Attempt.status == "in_progress",
        )
    )


def start_attempt(
    actor: User,
    exam_id: int,
    *,
    access_code: str | None = None,
    ip: str = "",
    session_key: str = "",
) -> tuple[Attempt, bool]:
    """The student's attempt in progress, or a new one; returns (attempt, created).

    Raises NotFound (not the student's exam), Conflict (not open yet, closed, no attempts
    left), Forbidden (IP range, access code), Busy (start queue full: retry)."""
    with admission.admit():
        exam = student_exam(actor, exam_id)
        now = now_utc()
        attempt = _open_attempt(exam.id, actor.id)
        if attempt is not None and attempt.deadline_at + GRACE < now:
            exam_scoring.close(attempt, "deadline")
            db.session.commit()
            attempt = None
        if attempt is not None:
            _take_over(attempt, session_key, ip)
            db.session.commit()
            return attempt, False
        _check_entry(exam, now, access_code, ip)
        done = db.session.scalar(
            select(db.func.count())
            .select_from(Attempt)
            .where(Attempt.exam_id == exam.id, Attempt.student_id == actor.id)
        )
        if done >= exam.max_attempts:
            raise Conflict(_("Bạn đã dùng hết số lần làm bài."), code="no_attempts_left")
        attempt = Attempt(
            school_id=exam.school_id,
            exam_id=exam.id,
            student_id=actor.id,
            number=done + 1,
            seed=secrets.randbits(31),
            status="in_progress",
            started_at=now,
            deadline_at=_deadline(exam, actor.id, now),
            session_key=session_key[:64],
            start_ip=ip[:45],
        )
        db.session.add(attempt)
        try:
            db.session.commit()
        except IntegrityError:
            # Two starts of the same student at the same instant: the other one won.
            db.session.rollback()
            attempt = _open_attempt(exam.id, actor.id)
            if attempt is None:
                raise Conflict(
                    _("Bạn đã dùng hết số lần làm bài."), code="no_attempts_left"
                ) from None
            return attempt, False
        return attempt, True


def _take_over(attempt: Attempt, session_key: str, ip: str) -> None:
    """A second device continues the attempt; the teacher sees a warning event."""
    if session_key and attempt.session_key and session_key != attempt.session_key:
        db.session.add(
            IntegrityEvent(
                school_id=attempt.school_id,
                attempt_id=attempt.id,
                kind="second_device",
                ip=ip[:45],
                detail={},
            )
        )
    if session_key:
        attempt.session_key = session_key[:64]


# ---------------------------------------------------------------- view


def get_attempt(actor: User, attempt_id: int) -> Attempt:
    """The actor's own attempt (403 for another student's); closes it if time is up."""
    attempt = get_scoped(Attempt, attempt_id, actor)
    if attempt.student_id != actor.id:
        raise Forbidden(_("Đây không phải bài làm của bạn."))
    if attempt.status == "in_progress" and attempt.deadline_at + GRACE < now_utc():
        exam_scoring.close(attempt, "deadline")
        db.session.commit()
    return attempt


def attempt_view(attempt: Attempt) -> dict:
    """The exam page's data: variant-ordered questions without keys, saved answers, time."""
    exam = attempt.exam
    now = now_utc()
    items = exam_content.question_order(
        exam_content.exam_items(exam.id), attempt.seed, exam.shuffle_questions
    )
    questions = [
        exam_content.public_question(item, n, attempt.seed, exam.shuffle_options)
        for n, item in enumerate(items, start=1)
    ]
    rows = db.session.execute(
        select(Response.question_id, Response.answer, Response.seq).where(
            Response.attempt_id == attempt.id
        )
    ).all()
    left = max(0, int((attempt.deadline_at - now).total_seconds()))
    view = {
        "id": attempt.id,
        "exam_id": exam.id,
        "title": exam.title,
        "status": attempt.status,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline_at,
        "server_now": now,
        "seconds_left": left if attempt.status == "in_progress" else 0,
        "navigation": exam.navigation,
        "one_per_page": exam.one_per_page,
        "questions": questions,
        "answers": {str(r.question_id): r.answer for r in rows},
        "seqs": {str(r.question_id): r.seq for r in rows},
    }
    if attempt.status == "submitted":
        view["result"] = exam_scoring.result_for_student(attempt)
    return view


# ---------------------------------------------------------------- save


def _attempt_head(attempt_id: int):
    return db.session.execute(
        select(
            Attempt.id,
            Attempt.exam_id,
            Attempt.student_id,
            Attempt.school_id,
            Attempt.status,
            Attempt.deadline_at,
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
        from app.models import QuestionVersion

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


def _save_statement(dialect: str):
    """The save's one statement, built once per dialect (bound parameters only): an INSERT ...
    SELECT from the attempt row that matches only while it is open and before deadline +
    grace, with ON CONFLICT updating only a lower seq; RETURNING says whether it wrote."""
    statement = _statements.get(dialect)
    if statement is None:
        source = select(
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
            Attempt.deadline_at > bindparam("cutoff", type_=UTCDateTime),
        )
        insert = (postgresql if dialect == "postgresql" else sqlite).insert(Response)
        insert = insert.from_select(
            ["school_id", "attempt_id", "question_id", "answer", "seq", "saved_at", "ip"], source
        )
        excluded = insert.excluded
        statement = insert.on_conflict_do_update(
            index_elements=["attempt_id", "question_id"],
            set_={
                "answer": excluded.answer,
                "seq": excluded.seq,
                "saved_at": excluded.saved_at,
                "ip": excluded.ip,
            },
            where=Response.seq < excluded.seq,
        ).returning(Response.seq)
        _statements[dialect] = statement
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


def save_answer(actor: User, attempt_id: int, question_id: int, raw, seq, *, ip: str = "") -> dict:
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
    if head.deadline_at + GRACE <= now:
        raise Conflict(_("Đã hết giờ; câu trả lời không được lưu."), code="deadline_passed")
    stored = db.session.scalar(
        select(Response.seq).where(
            and_(Response.attempt_id == attempt_id, Response.question_id == question_id)
        )
    )
    # An older or repeated seq: the stored answer is newer, nothing to do (idempotent retry).
    return {"saved": True, "seq": stored}


# ---------------------------------------------------------------- submit and events


def submit(actor: User, attempt_id: int) -> dict:
    """Close the attempt once (a conditional UPDATE decides who closes it) and score it;
    repeating the call returns the same result."""
    attempt = get_attempt(actor, attempt_id)
    if attempt.status == "in_progress":
        exam_scoring.close(attempt, "student")
        db.session.commit()
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


def close_expired(exam_id: int | None = None) -> int:
    """Submit, as the server, every attempt whose deadline (+ grace) has passed. Returns how
    many were closed. Run by result pages, the worker and `lophoc exams close-expired`."""
    cutoff = now_utc() - GRACE
    query = select(Attempt).where(Attempt.status == "in_progress", Attempt.deadline_at < cutoff)
    if exam_id is not None:
        query = query.where(Attempt.exam_id == exam_id)
    closed = 0
    for attempt in db.session.scalars(query).all():
        closed += exam_scoring.close(attempt, "deadline")
    db.session.commit()
    return closed


def reopen(actor: User, attempt_id: int, minutes: int, reason: str) -> Attempt:
    """A proctor reopens a submitted attempt for `minutes` more, with a logged reason."""
    from app.services import audit, exams

    attempt = get_scoped(Attempt, attempt_id, actor)
    exams.get_exam_for_staff(actor, attempt.exam_id)
    reason = exams._reason(reason)
    now = now_utc()
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == "submitted")
        .values(
            status="in_progress",
            submitted_at=None,
            submitted_by="",
            deadline_at=now + timedelta(minutes=max(1, min(int(minutes), 600))),
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
