"""Starting an exam: entry checks, the start queue, one attempt per student, resuming."""

from __future__ import annotations

import functools
import hmac
import secrets
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from app.core.clock import now_utc
from app.core.errors import Conflict, DomainError, Forbidden, NotFound
from app.extensions import db
from app.models import (
    Attempt,
    ClassMembership,
    Course,
    Exam,
    ExamAccommodation,
    IntegrityEvent,
    User,
)
from app.services import access, exam_content, exam_live, exam_proctor, exam_scoring, lifecycle
from app.services.access import get_scoped
from app.services.identity import TokenCaller


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


def _deadline(exam: Exam, extra: int | None, started: datetime) -> datetime:
    """The attempt's deadline: the duration plus the student's extra minutes; the exam's
    close time caps it unless the student has extra time."""
    deadline = started + timedelta(minutes=exam.duration_minutes + (extra or 0))
    if exam.closes_at is not None and not extra:
        deadline = min(deadline, exam.closes_at)
    return deadline


@contextmanager
def _keep_loaded():
    """Commit without expiring what is loaded: the exam page's view is built from the rows
    just written, instead of reloading them on a fresh connection (four round trips)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = True


def _open_attempt(exam_id: int, student_id: int) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).where(
            Attempt.exam_id == exam_id,
            Attempt.student_id == student_id,
            Attempt.status == "in_progress",
        )
    )


@functools.cache
def _entry_query():
    """Built once per process: building this statement costs as much CPU as running it."""
    student_id = bindparam("student_id")
    open_one = aliased(Attempt)
    member = ClassMembership
    enrolled = (
        select(member.id)
        .where(member.class_id == Course.class_id, member.student_id == student_id)
        .exists()
    )
    extra = (
        select(ExamAccommodation.extra_minutes)
        .where(ExamAccommodation.exam_id == Exam.id, ExamAccommodation.student_id == student_id)
        .scalar_subquery()
    )
    done = (
        select(func.count(Attempt.id))
        .where(Attempt.exam_id == Exam.id, Attempt.student_id == student_id)
        .scalar_subquery()
    )
    return (
        select(Exam, open_one, enrolled, extra, done)
        .join(Course, Course.id == Exam.course_id)
        .outerjoin(
            open_one,
            and_(
                open_one.exam_id == Exam.id,
                open_one.student_id == student_id,
                open_one.status == "in_progress",
            ),
        )
        # the course for its class and year only: not its class, year, subject and teacher
        # rows, which its mapper joins by default (55 columns of five more tables)
        .options(contains_eager(Exam.course).options(lazyload("*")))
        .where(Exam.id == bindparam("exam_id"))
    )


def _entry(actor: User | TokenCaller, exam_id: int) -> tuple[Exam, Attempt | None, int, int | None]:
    """(exam, the attempt in progress, how many attempts there are, extra minutes) of the
    student's exam in one query; the same NotFound as student_exam for anyone else."""
    key = access.checked_id(exam_id)
    row = db.session.execute(_entry_query(), {"exam_id": key, "student_id": actor.id}).first()
    if row is None or not access.can_see_school(actor, row[0].school_id):
        raise NotFound(_("Không tìm thấy."))
    exam, attempt, is_enrolled, extra_minutes, count = row
    if actor.role != "student" or not is_enrolled or not exam.is_published:
        raise NotFound(_("Không tìm thấy bài kiểm tra."))
    if attempt is not None:
        set_committed_value(attempt, "exam", exam)  # the view reads it: no reload
    return exam, attempt, count, extra_minutes


def start_attempt(
    actor: User | TokenCaller,
    exam_id: int,
    *,
    access_code: str | None = None,
    ip: str = "",
    session_key: str = "",
) -> tuple[Attempt, bool]:
    """The student's attempt in progress, or a new one; returns (attempt, created).

    Raises NotFound (not the student's exam), Conflict (not open yet, closed, no attempts
    left), Forbidden (IP range, access code), Busy (start queue full: retry). Resuming
    writes only when the device changed (a new session key)."""
    with admission.admit():
        exam, attempt, done, extra = _entry(actor, exam_id)
        now = now_utc()
        if attempt is not None and exam_proctor.is_expired(attempt, now):
            exam_scoring.close(attempt, "deadline")
            db.session.commit()
            attempt = None
        if attempt is not None:
            if _take_over(attempt, session_key, ip):
                with _keep_loaded():
                    db.session.commit()
            return attempt, False
        _check_entry(exam, now, access_code, ip)
        if done >= exam.max_attempts:
            raise Conflict(_("Bạn đã dùng hết số lần làm bài."), code="no_attempts_left")
        row = _new_attempt_row(exam, actor, done + 1, extra, now, session_key, ip)
        return _insert(exam, actor, row)


def _new_attempt_row(
    exam: Exam,
    student: User | TokenCaller,
    number: int,
    extra: int | None,
    now: datetime,
    session_key: str,
    ip: str,
) -> dict:
    """The student's next attempt as column values, not yet written: variant, seed and
    deadline (the other columns take their model defaults)."""
    variant_code, seed = _variant(exam, student)
    return {
        "school_id": exam.school_id,
        "exam_id": exam.id,
        "student_id": student.id,
        "number": number,
        "seed": seed,
        "variant_code": variant_code,
        "status": "in_progress",
        "started_at": now,
        "deadline_at": _deadline(exam, extra, now),
        "session_key": session_key[:64],
        "start_ip": ip[:45],
    }


@functools.cache
def _insert_statement():
    table = Attempt.__table__
    return insert(table).returning(table.c.id)


def _insert(exam: Exam, student: User | TokenCaller, row: dict) -> tuple[Attempt, bool]:
    """Commit the new attempt and tell the proctors; returns (attempt, created). When another
    start of the student won the unique constraint, their attempt in progress instead.

    One Core INSERT ... RETURNING id, not an ORM flush of the same row (a tenth of a new
    start's CPU, bench/start_cost.py). So the read-only year guard, which sees only flushes,
    is asked here; the unique constraint decides a race as before. The attempt returned is
    built from the row and is not in the session: the view reads only its columns and exam."""
    lifecycle.refuse_archived_year(db.session(), exam.course.school_year_id)
    try:
        with _keep_loaded():
            attempt_id = db.session.execute(_insert_statement(), row).scalar_one()
            db.session.commit()
    except IntegrityError:
        # Two starts of the same student at the same instant: the other one won.
        db.session.rollback()
        attempt = _open_attempt(exam.id, student.id)
        if attempt is None:
            raise Conflict(_("Bạn đã dùng hết số lần làm bài."), code="no_attempts_left") from None
        return attempt, False
    exam_live.proctors(exam.id, attempt_id, "started")
    return Attempt(id=attempt_id, exam=exam, **row), True


def _variant(exam: Exam, student: User | TokenCaller) -> tuple[int | None, int]:
    """(variant code, seed): a fixed variant ("mã đề") when the exam has them, dealt by the
    student's place in the class list so that neighbours get different codes; otherwise a
    random seed of the student's own."""
    if not exam.variant_count:
        return None, secrets.randbits(31)
    codes = exam_content.variant_codes(exam.variant_count)
    codes_of = db.session.scalars(
        select(User.id)
        .join(ClassMembership, ClassMembership.student_id == User.id)
        .where(ClassMembership.class_id == exam.course.class_id)
        .order_by(User.student_code, User.id)
    ).all()
    place = codes_of.index(student.id) if student.id in codes_of else student.id
    code = codes[place % len(codes)]
    return code, exam_content.variant_seed(exam.id, code)


def _take_over(attempt: Attempt, session_key: str, ip: str) -> bool:
    """A second device continues the attempt; the teacher sees a warning event. Returns
    whether anything changed (the same device resuming changes nothing)."""
    if not session_key or session_key == attempt.session_key:
        return False
    if attempt.session_key:
        db.session.add(
            IntegrityEvent(
                school_id=attempt.school_id,
                attempt_id=attempt.id,
                kind="second_device",
                ip=ip[:45],
                detail={},
            )
        )
    attempt.session_key = session_key[:64]
    return True
