"""Data lifecycle: archiving a finished school year (read-only) and purging a student's
personal data on request while the anonymised statistics stay.

Read-only years: every ORM write (insert, update, delete) of a row that belongs to an archived
year - through its school_year_id, course, class, exam, attempt, assignment or submission - is
refused with a Conflict (409) before anything reaches the database. The set of archived years
is cached per process for ARCHIVED_TTL seconds (one small query at most that often); archiving
in this process takes effect at once, in other processes within that time.

The exam's answer save is one Core statement (exam_answers, and the direct path of
app/api/answer_lane.py), which this ORM guard does not see; it writes only into an attempt in
progress, and a year is archived only when none of its attempts is (archive_year), while
resumes and reopenings go through the ORM and are refused. So it never writes into an archived
year either. A new attempt is one Core INSERT too (exam_start), which asks
refuse_archived_year() itself before it writes.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from itertools import chain

from flask_babel import gettext as _
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from app.core import storage
from app.core.clock import local_today
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.models import (
    ApiToken,
    Assignment,
    Attempt,
    Course,
    Exam,
    Notification,
    OutboxMail,
    ParentLink,
    School,
    SchoolClass,
    SchoolYear,
    Submission,
    SubmissionFile,
    User,
)
from app.services import audit

ARCHIVED_TTL = 10.0
ALLOW_ARCHIVED = "lophoc_allow_archived_writes"
# attribute -> (model it points at, that model's attribute one step closer to the year)
_TOWARDS_YEAR = {
    "course_id": (Course, "school_year_id"),
    "class_id": (SchoolClass, "school_year_id"),
    "exam_id": (Exam, "course_id"),
    "assignment_id": (Assignment, "course_id"),
    "attempt_id": (Attempt, "exam_id"),
    "submission_id": (Submission, "assignment_id"),
}
_cache: dict[str, tuple[float, frozenset[int]]] = {}


def forget_archived_cache() -> None:
    _cache.clear()


def _archived_years(session: Session) -> frozenset[int]:
    key = str(session.get_bind().url)
    cached = _cache.get(key)
    now = time.monotonic()
    if cached and cached[0] > now:
        return cached[1]
    with session.no_autoflush:
        ids = frozenset(
            session.scalars(select(SchoolYear.id).where(SchoolYear.is_archived.is_(True))).all()
        )
    _cache[key] = (now + ARCHIVED_TTL, ids)
    return ids


def _year_of(session: Session, obj: object, depth: int = 0) -> int | None:
    year_id = getattr(obj, "school_year_id", None)
    if year_id is not None or depth > 6:
        return year_id
    for attribute, (model, _next) in _TOWARDS_YEAR.items():
        ref = getattr(obj, attribute, None)
        if isinstance(ref, int):
            parent = session.get(model, ref)
            return _year_of(session, parent, depth + 1) if parent is not None else None
    return None


@event.listens_for(Session, "before_flush")
def _refuse_archived_writes(session: Session, _context, _instances) -> None:
    if session.info.get(ALLOW_ARCHIVED):
        return
    changed = list(chain(session.new, session.dirty, session.deleted))
    if not changed:
        return
    if any(isinstance(o, SchoolYear) for o in changed):
        forget_archived_cache()
    archived = _archived_years(session)
    if not archived:
        return
    with session.no_autoflush:
        for obj in changed:
            if isinstance(obj, SchoolYear | User | School):
                continue
            if obj in session.dirty and not session.is_modified(obj):
                continue
            _refuse_if_archived(session, _year_of(session, obj), archived)


def refuse_archived_year(session: Session, year_id: int) -> None:
    """The guard for a Core write the flush does not see (a new attempt): raises Conflict
    when `year_id` is archived, as a flush of the same row would."""
    if session.info.get(ALLOW_ARCHIVED):
        return
    archived = _archived_years(session)
    with session.no_autoflush:
        _refuse_if_archived(session, year_id, archived)


def _refuse_if_archived(session: Session, year_id: int | None, archived: frozenset[int]) -> None:
    if year_id in archived:
        year = session.get(SchoolYear, year_id)
        raise Conflict(
            _(
                "Năm học %(y)s đã được lưu trữ và chỉ đọc; không thể thay đổi dữ liệu của năm này.",
                y=year.name if year else year_id,
            ),
            code="year_archived",
        )


def _find_year(school_code: str, year_name: str) -> SchoolYear:
    school = db.session.scalar(select(School).where(School.code == school_code))
    if school is None:
        raise NotFound(_("Không có trường mã %(c)s.", c=school_code))
    year = db.session.scalar(
        select(SchoolYear).where(SchoolYear.school_id == school.id, SchoolYear.name == year_name)
    )
    if year is None:
        raise NotFound(_("Trường %(c)s không có năm học %(y)s.", c=school_code, y=year_name))
    return year


def archive_year(actor: User | None, school_code: str, year_name: str) -> SchoolYear:
    """Make a finished school year read-only. Raises Conflict for a year not over yet."""
    year = _find_year(school_code, year_name)
    if year.is_archived:
        raise Conflict(_("Năm học %(y)s đã được lưu trữ.", y=year.name), code="already_archived")
    if year.ends_on >= local_today():
        raise Conflict(
            _(
                "Năm học %(y)s chưa kết thúc (đến %(d)s); chỉ lưu trữ được năm học đã xong.",
                y=year.name,
                d=year.ends_on.strftime("%d/%m/%Y"),
            ),
            code="year_not_finished",
        )
    in_progress = db.session.scalar(
        select(func.count())
        .select_from(Attempt)
        .join(Exam, Exam.id == Attempt.exam_id)
        .join(Course, Course.id == Exam.course_id)
        .where(Course.school_year_id == year.id, Attempt.status == "in_progress")
    )
    if in_progress:
        raise Conflict(
            _(
                "Năm học %(y)s còn %(n)s bài thi đang làm; hãy để các bài được nộp (hoặc đóng "
                "chúng ở màn hình giám thị) rồi mới lưu trữ.",
                y=year.name,
                n=in_progress,
            ),
            code="attempts_in_progress",
        )
    audit.record(actor, "school_year.archive", year, {"is_archived": [False, True]})
    year.is_archived = True
    db.session.commit()
    forget_archived_cache()
    return year


def unarchive_year(actor: User | None, school_code: str, year_name: str, reason: str) -> SchoolYear:
    """Open an archived year again (a correction); the reason goes in the audit log."""
    if not reason.strip():
        raise ValidationFailed(_("Hãy ghi lý do mở lại năm học đã lưu trữ."))
    year = _find_year(school_code, year_name)
    if not year.is_archived:
        raise Conflict(_("Năm học %(y)s chưa được lưu trữ.", y=year.name), code="not_archived")
    audit.record(
        actor, "school_year.unarchive", year, {"is_archived": [True, False]}, reason=reason
    )
    year.is_archived = False
    db.session.commit()
    forget_archived_cache()
    return year


def _file_columns():
    """Every mapped column that names a stored file by its digest."""
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        for name in ("sha256", "digest"):
            if name in mapper.columns and model is not ApiToken:
                yield getattr(model, name)


def _still_used(digest: str) -> bool:
    return any(
        db.session.scalar(select(func.count()).where(column == digest))
        for column in _file_columns()
    )


PERSONAL_FIELDS = frozenset(
    {"full_name", "username", "email", "phone", "date_of_birth", "gender", "student_code"}
)
ERASED = "[đã xoá]"


def _scrub_audit(user_id: int) -> None:
    """Earlier audit entries about this person keep what happened, not the personal values."""
    from app.models import AuditLog

    rows = db.session.scalars(
        select(AuditLog).where(AuditLog.entity_type == "users", AuditLog.entity_id == user_id)
    )
    for row in rows:
        changes = dict(row.changes or {})
        touched = {k: [ERASED, ERASED] for k in changes if k in PERSONAL_FIELDS}
        if touched:
            row.changes = changes | touched


def purge_student(
    actor: User | None, school_code: str, student_code: str, reason: str = ""
) -> User:
    """Erase a student's personal data (name, birth date, e-mail, phone, login, parent links,
    uploaded files and texts, old student codes, tokens, notifications) in one transaction.
    Scores, attempts, attendance and class membership stay, attached to the same row under an
    anonymous code, so class statistics do not change. Allowed in archived years too: erasure
    on request overrides the read-only archive. The audit log keeps who purged and when."""
    from app.models import StudentCodeChange

    school = db.session.scalar(select(School).where(School.code == school_code))
    if school is None:
        raise NotFound(_("Không có trường mã %(c)s.", c=school_code))
    student = db.session.scalar(
        select(User).where(
            User.school_id == school.id, User.student_code == student_code, User.role == "student"
        )
    )
    if student is None:
        raise NotFound(_("Trường %(s)s không có học sinh mã %(c)s.", s=school_code, c=student_code))
    anonymous = f"AN-{secrets.token_hex(5).upper()}"
    db.session.info[ALLOW_ARCHIVED] = True
    try:
        files = db.session.scalars(
            select(SubmissionFile)
            .join(Submission, Submission.id == SubmissionFile.submission_id)
            .where(Submission.student_id == student.id)
        ).all()
        digests = {f.sha256 for f in files}
        for row in files:
            db.session.delete(row)
        for submission in db.session.scalars(
            select(Submission).where(Submission.student_id == student.id)
        ):
            submission.text_html = ""
        for model, column in (
            (ParentLink, ParentLink.student_id),
            (ApiToken, ApiToken.user_id),
            (Notification, Notification.user_id),
            (OutboxMail, OutboxMail.user_id),
            (StudentCodeChange, StudentCodeChange.student_id),
        ):
            db.session.execute(
                delete(model)
                .where(column == student.id)
                .execution_options(synchronize_session=False)
            )
        student.full_name = _("Học sinh đã xoá dữ liệu")
        student.username = f"purged-{student.id}"
        student.student_code = anonymous
        student.email = student.phone = student.gender = None
        student.date_of_birth = None
        student.password_hash = None
        student.last_login_at = None
        student.search_text = ""
        student.is_active = False
        student.session_version += 1
        _scrub_audit(student.id)
        audit.record(
            actor, "student.purge", student, {"personal_data": ["present", "erased"]}, reason=reason
        )
        db.session.flush()
        orphans = [d for d in digests if not _still_used(d)]
        db.session.commit()
    finally:
        db.session.info.pop(ALLOW_ARCHIVED, None)
    for digest in orphans:  # after the commit: a failed purge keeps every file
        with contextlib.suppress(OSError, ValueError):
            storage.path_for(digest).unlink(missing_ok=True)
    return student
