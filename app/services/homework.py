"""Homework use cases: set an assignment, submit and resubmit, grade, return, the to-do list."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.clock import DEFAULT_TIMEZONE, now_utc
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.sanitize import clean_html
from app.core.text import clean_line
from app.extensions import db
from app.models import (
    Assignment,
    AssignmentFile,
    ClassMembership,
    Course,
    Role,
    Submission,
    SubmissionFile,
    User,
)
from app.services import audit, homework_notices
from app.services.access import get_scoped
from app.services.courses import can_edit, editable_course, get_course, is_student_of
from app.services.uploads import check_upload, read_blob, store_blob, stored_file

LATE_POLICIES = ("penalty", "flag", "refuse")
SUBMISSION_TYPES = ("text", "files", "both")
COLUMNS = ("tx", "none")
DUE_SOON = timedelta(days=3)


def parse_local(value: object, what: str) -> datetime:
    """A time typed in Vietnam (2026-11-25T17:00, or an ISO value with offset) as aware UTC."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ValidationFailed(
                _("%(w)s “%(v)s” không phải thời điểm hợp lệ (ngày giờ).", w=what, v=value or "")
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(DEFAULT_TIMEZONE))
    return moment.astimezone(ZoneInfo("UTC"))


def parse_score(value: object, max_score: Decimal) -> Decimal:
    """ "8,5" or "8.5" as Decimal 8.5, within 0..max_score. Raises ValidationFailed."""
    text = str(value if value is not None else "").strip().replace(",", ".")
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(_("Điểm “%(v)s” không phải số.", v=value)) from None
    if not score.is_finite() or not 0 <= score <= max_score:
        raise ValidationFailed(_("Điểm phải từ 0 đến %(m)s.", m=f"{max_score:g}"))
    return score.quantize(Decimal("0.01"))


def _choice(value: object, allowed: tuple[str, ...], default: str, what: str) -> str:
    value = str(value or default)
    if value not in allowed:
        raise ValidationFailed(_("%(w)s “%(v)s” không hợp lệ.", w=what, v=value))
    return value


def create_assignment(
    actor: User, course_id: object, data: dict, files: list[tuple[str, bytes]] | None = None
) -> Assignment:
    """The course's teacher sets homework, with its attachments (name, bytes) if any.
    Raises ValidationFailed (empty title, past due time, bad choices, a 0-byte file), TooLarge,
    BadInput (a file not of an accepted kind), Forbidden, NotFound. Changes, all or nothing:
    the assignment row, its attachment rows, one audit row per row, the notices."""
    course = editable_course(actor, course_id)
    files = [f for f in files or [] if f[0] or f[1]]
    for name, blob in files:  # refuse a bad file before anything is written
        check_upload(name, blob, course.school_id)
    title = clean_line(data.get("title") or "")
    if not title or len(title) > 200:
        raise ValidationFailed(_("Hãy nhập tên bài tập (tối đa 200 ký tự)."))
    now = now_utc()
    opens_at = parse_local(data["opens_at"], _("Giờ mở")) if data.get("opens_at") else now
    due_at = parse_local(data.get("due_at"), _("Hạn nộp"))
    if due_at <= now:
        raise ValidationFailed(_("Hạn nộp đã qua; hãy chọn một thời điểm trong tương lai."))
    if opens_at >= due_at:
        raise ValidationFailed(_("Giờ mở phải trước hạn nộp."))
    try:
        max_score = Decimal(str(data.get("max_score") or "10").replace(",", "."))
    except InvalidOperation:
        raise ValidationFailed(_("Điểm tối đa phải là số.")) from None
    if not max_score.is_finite() or not 0 < max_score <= 100:
        raise ValidationFailed(_("Điểm tối đa phải từ 0 đến 100."))
    try:
        penalty = int(data.get("late_penalty_percent") or 0)
    except ValueError:
        raise ValidationFailed(_("Mức trừ điểm nộp muộn phải là số từ 0 đến 100.")) from None
    if not 0 <= penalty <= 100:
        raise ValidationFailed(_("Mức trừ điểm nộp muộn phải là số từ 0 đến 100."))
    assignment = Assignment(
        school_id=course.school_id,
        course_id=course.id,
        title=title,
        instructions_html=clean_html(data.get("instructions") or ""),
        opens_at=opens_at,
        due_at=due_at,
        late_policy=_choice(data.get("late_policy"), LATE_POLICIES, "flag", _("Quy định nộp muộn")),
        late_penalty_percent=penalty,
        submission_type=_choice(
            data.get("submission_type"), SUBMISSION_TYPES, "both", _("Kiểu bài nộp")
        ),
        max_score=max_score,
        gradebook_column=_choice(data.get("gradebook_column"), COLUMNS, "tx", _("Cột điểm")),
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record(actor, "homework.create", assignment, {"title": [None, title]})
    for name, blob in files:
        row = stored_file(AssignmentFile, course.school_id, name, blob, assignment_id=assignment.id)
        audit.record(actor, "homework.file_add", row, {"filename": [None, row.filename]})
    homework_notices.homework_published(assignment)
    db.session.commit()
    return assignment


def get_assignment(actor: User, assignment_id: object) -> Assignment:
    """An assignment of a course the actor may see; students only once it is open."""
    assignment = get_scoped(Assignment, assignment_id, actor)
    course = get_course(actor, assignment.course_id)
    if actor.role == Role.STUDENT and assignment.opens_at > now_utc():
        raise NotFound(_("Không tìm thấy bài tập."))
    assignment.course = course
    return assignment


def course_assignments(actor: User, course: Course) -> list[Assignment]:
    stmt = select(Assignment).where(Assignment.course_id == course.id)
    if actor.role == Role.STUDENT:
        stmt = stmt.where(Assignment.opens_at <= now_utc())
    return list(db.session.scalars(stmt.order_by(Assignment.due_at)))


def own_submission(actor: User, assignment: Assignment) -> Submission | None:
    return db.session.scalar(
        select(Submission).where(
            Submission.assignment_id == assignment.id, Submission.student_id == actor.id
        )
    )


def submit(
    actor: User, assignment_id: object, text: str, files: list[tuple[str, bytes]]
) -> Submission:
    """A student hands in (or replaces) their work. Raises ValidationFailed (nothing handed in,
    wrong kind), Conflict (after the deadline when late work is refused, or already returned),
    NotFound. Changes: the submission row and its files, all or nothing."""
    assignment = get_assignment(actor, assignment_id)
    if not is_student_of(actor, assignment.course):
        raise NotFound(_("Không tìm thấy bài tập."))
    text_html = clean_html(text or "").strip()
    files = [f for f in files if f[0] or f[1]]
    if assignment.submission_type == "text" and files:
        raise ValidationFailed(_("Bài tập này chỉ nhận bài viết, không nhận tệp."))
    if assignment.submission_type == "files" and text_html:
        raise ValidationFailed(_("Bài tập này chỉ nhận tệp."))
    if not text_html and not files:
        raise ValidationFailed(_("Bài nộp trống; hãy viết bài hoặc chọn tệp."))
    checked = [(*check_upload(name, data, assignment.school_id), data) for name, data in files]
    now = now_utc()
    submission = own_submission(actor, assignment)
    if submission is not None and submission.returned_at is not None:
        raise Conflict(_("Bài đã được trả; hãy nhờ giáo viên mở lại nếu cần nộp lại."))
    due_at = submission.extended_due_at if submission and submission.extended_due_at else None
    is_late = now > (due_at or assignment.due_at)
    if is_late and assignment.late_policy == "refuse":
        raise Conflict(_("Đã quá hạn nộp; bài tập này không nhận bài muộn."))
    if submission is None:
        submission = Submission(
            school_id=assignment.school_id, assignment_id=assignment.id, student_id=actor.id
        )
        db.session.add(submission)
    submission.text_html = text_html
    submission.submitted_at = now
    submission.is_late = is_late
    submission.files = [
        SubmissionFile(
            school_id=assignment.school_id,
            filename=name,
            mime_type=mime,
            size_bytes=len(data),
            sha256=store_blob(assignment.school_id, data),
        )
        for name, mime, data in checked
    ]
    db.session.flush()
    audit.record(actor, "homework.submit", submission, {"late": [None, is_late]})
    db.session.commit()
    return submission


def roster(actor: User, assignment_id: object) -> tuple[Assignment, list[dict], dict]:
    """The teacher's table: every student of the class with status submitted/late/missing."""
    assignment = get_assignment(actor, assignment_id)
    editable_course(actor, assignment.course_id)
    students = db.session.scalars(
        select(User)
        .join(ClassMembership, ClassMembership.student_id == User.id)
        .where(ClassMembership.class_id == assignment.course.class_id)
        .order_by(User.full_name, User.student_code)
    )
    by_student = {
        s.student_id: s
        for s in db.session.scalars(
            select(Submission).where(Submission.assignment_id == assignment.id)
        )
    }
    rows, counts = [], {"submitted": 0, "late": 0, "missing": 0}
    for student in students:
        submission = by_student.get(student.id)
        status = submission_status(submission)
        counts[status] += 1
        rows.append({"student": student, "submission": submission, "status": status})
    return assignment, rows, counts


def submission_status(submission: Submission | None) -> str:
    """missing (nothing handed in), late, or submitted: the statuses of the teacher's table."""
    if submission is None or submission.submitted_at is None:
        return "missing"
    return "late" if submission.is_late else "submitted"


def _teacher_submission(actor: User, submission_id: object) -> Submission:
    submission = get_scoped(Submission, submission_id, actor)
    editable_course(actor, submission.assignment.course_id)
    return submission


def grade(actor: User, submission_id: object, score: object, comment: str = "") -> Submission:
    """Record a score ("8,5" is 8.5) and comment; a returned submission is updated in place.

    Raises ValidationFailed, Forbidden, NotFound."""
    submission = _teacher_submission(actor, submission_id)
    new_score = parse_score(score, submission.assignment.max_score)
    changes = audit.diff(submission, {"score": new_score, "comment": clean_line(comment or "")})
    if changes:
        audit.record(actor, "homework.grade", submission, changes)
    db.session.commit()
    return submission


def return_all(actor: User, assignment_id: object) -> int:
    """Return every graded, not yet returned submission to its student; returns how many."""
    assignment, rows, _counts = roster(actor, assignment_id)
    now, returned = now_utc(), []
    for row in rows:
        submission = row["submission"]
        if submission and submission.score is not None and submission.returned_at is None:
            submission.returned_at = now
            returned.append(submission)
    count = len(returned)
    audit.record(actor, "homework.return_all", assignment, {"returned": [None, count]})
    homework_notices.feedback_returned(returned)
    db.session.commit()
    return count


def _due_for(assignment: Assignment, submission: Submission | None) -> datetime:
    if submission is not None and submission.extended_due_at is not None:
        return submission.extended_due_at
    return assignment.due_at


def get_submission_file(actor: User, file_id: object) -> tuple[SubmissionFile, bytes]:
    """A handed-in file for its own student or the course's teacher; NotFound for anyone else."""
    row = get_scoped(SubmissionFile, file_id, actor)
    submission = db.session.get(Submission, row.submission_id)
    course = db.session.get(Course, submission.assignment.course_id)
    if submission.student_id != actor.id and not can_edit(actor, course):
        raise NotFound(_("Không tìm thấy."))
    return row, read_blob(row.school_id, row.sha256)


def todo(actor: User) -> list[dict]:
    """A student's open homework across courses: due soon, overdue, submitted, returned."""
    now = now_utc()
    stmt = (
        select(Assignment, Submission)
        .join(Course, Course.id == Assignment.course_id)
        .join(ClassMembership, ClassMembership.class_id == Course.class_id)
        .outerjoin(
            Submission,
            (Submission.assignment_id == Assignment.id) & (Submission.student_id == actor.id),
        )
        .where(
            ClassMembership.student_id == actor.id,
            Assignment.school_id == actor.school_id,
            Assignment.opens_at <= now,
            Course.is_active.is_(True),
        )
        .order_by(Assignment.due_at)
    )
    items = []
    for assignment, submission in db.session.execute(stmt):
        if submission is not None and submission.returned_at is not None:
            state = "returned"
        elif submission is not None and submission.submitted_at is not None:
            state = "submitted"
        elif _due_for(assignment, submission) < now:
            state = "overdue"
        elif _due_for(assignment, submission) - now <= DUE_SOON:
            state = "due_soon"
        else:
            state = "open"
        items.append({"assignment": assignment, "submission": submission, "state": state})
    return items


def effective_score(submission: Submission, assignment: Assignment) -> Decimal | None:
    """The score after the late penalty (policy "penalty" only)."""
    if submission.score is None:
        return None
    if submission.is_late and assignment.late_policy == "penalty":
        factor = Decimal(100 - assignment.late_penalty_percent) / 100
        return (submission.score * factor).quantize(Decimal("0.01"))
    return submission.score


def reopen(actor: User, submission_id: object) -> Submission:
    """Let one student hand in again: the submission is no longer returned."""
    submission = _teacher_submission(actor, submission_id)
    changes = audit.diff(submission, {"returned_at": None})
    audit.record(actor, "homework.reopen", submission, changes)
    db.session.commit()
    return submission


def extend(actor: User, assignment_id: object, student_id: object, until: object) -> Submission:
    """Give one student a later deadline. Raises ValidationFailed for a time not after now."""
    assignment, rows, _counts = roster(actor, assignment_id)
    row = next((r for r in rows if str(r["student"].id) == str(student_id)), None)
    if row is None:
        raise NotFound(_("Học sinh không thuộc lớp của bài tập này."))
    due_at = parse_local(until, _("Hạn mới"))
    if due_at <= now_utc():
        raise ValidationFailed(_("Hạn nộp đã qua; hãy chọn một thời điểm trong tương lai."))
    submission = row["submission"]
    if submission is None:
        submission = Submission(
            school_id=assignment.school_id,
            assignment_id=assignment.id,
            student_id=row["student"].id,
        )
        db.session.add(submission)
    submission.extended_due_at = due_at
    db.session.flush()
    audit.record(actor, "homework.extend", submission, {"extended_due_at": [None, str(due_at)]})
    db.session.commit()
    return submission
