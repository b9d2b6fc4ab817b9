"""Gradebook use cases that change scores: feeding a score, saving a grid, locking a semester.

Other areas (exams, homework, SCORM, live quick questions) call `record_score`; the teacher's
grid and the API call `save_entries`. Every change is one audit row (who, when, old, new, why).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.clock import local_today
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import (
    ClassMembership,
    Course,
    GradeEntry,
    GradeLock,
    SchoolYear,
    Semester,
    User,
)
from app.services import audit, grade_push
from app.services.access import get_scoped, is_course_staff, require_school_admin
from app.services.gradebook_primary import is_primary, parse_primary_cell
from app.services.gradebook_values import (
    MAX_REGULAR,
    CellValue,
    display,
    parse_cell,
    parse_column,
    parse_semester,
    parse_source,
)
from app.services.student_codes import former_codes

# A class of 60 students x 12 columns fits with room to spare; more is a mistake or abuse.
MAX_ENTRIES = 2000


@dataclass(frozen=True)
class EntryInput:
    """One cell of a grid or API save: which student (by code), which column, what value."""

    student_code: str
    column: str
    score: object
    reason: str = ""


def course_for_edit(actor: User | None, course_id: object) -> Course:
    """The course if `actor` may change its grades: its teacher or a school admin.

    `actor` None is the system itself (an exam graded by the server). Raises NotFound for an
    unknown or other school's course, Forbidden for a teacher of another course.
    """
    if actor is None:
        course = db.session.get(Course, int(course_id)) if str(course_id).isdigit() else None
        if course is None:
            raise NotFound(_("Không tìm thấy."))
        return course
    course = get_scoped(Course, course_id, actor)
    if is_course_staff(actor, course):
        return course
    raise Forbidden(_("Chỉ giáo viên dạy môn này hoặc quản trị trường được sửa điểm."))


def current_semester(school_year_id: int) -> int:
    """The semester today falls in (before the year: 1, after it: 2)."""
    today = local_today()
    semesters = db.session.scalars(
        select(Semester).where(Semester.school_year_id == school_year_id).order_by(Semester.number)
    ).all()
    for semester in semesters:
        if today <= semester.ends_on:
            return semester.number
    return 2


def is_locked(school_year_id: int, semester: int) -> bool:
    return (
        db.session.scalar(
            select(GradeLock.id).where(
                GradeLock.school_year_id == school_year_id, GradeLock.semester == semester
            )
        )
        is not None
    )


def _is_comment(course: Course) -> bool:
    return course.subject.assessment == "comment"


def parse_course_cell(course: Course, column: str, raw: object, *, is_fed: bool = False):
    """A cell value by the course's rules: primary (TT 27), comment or scored (TT 22)."""
    if is_primary(course):
        return parse_primary_cell(course, column, raw, is_fed=is_fed)
    if column == "xl":
        raise ValidationFailed(_("Cột XL (xếp loại T/H/C) chỉ dùng cho lớp tiểu học."))
    return parse_cell(raw, is_comment=_is_comment(course))


def _in_class(course: Course, student_id: int) -> bool:
    return (
        db.session.scalar(
            select(ClassMembership.id).where(
                ClassMembership.class_id == course.class_id,
                ClassMembership.student_id == student_id,
            )
        )
        is not None
    )


def _apply(
    actor: User | None,
    course: Course,
    student_id: int,
    semester: int,
    column: str,
    value: CellValue,
    source: str,
    source_id: int | None,
    reason: str,
) -> GradeEntry | None:
    """Write one cell and its audit row (flush only); None when nothing changed."""
    entry = db.session.scalar(
        select(GradeEntry).where(
            GradeEntry.course_id == course.id,
            GradeEntry.student_id == student_id,
            GradeEntry.semester == semester,
            GradeEntry.column == column,
        )
    )
    if entry is None:
        if value.is_empty:
            return None
        entry = GradeEntry(
            school_id=course.school_id,
            course_id=course.id,
            student_id=student_id,
            semester=semester,
            column=column,
        )
        db.session.add(entry)
    old = entry.rating if entry.rating is not None else display(entry.score)
    changes = audit.diff(entry, {"score": value.score, "rating": value.rating})
    if not changes and entry.id is not None:
        return None
    entry.source, entry.source_id = source, source_id
    entry.updated_by_id = actor.id if actor is not None else None
    new = value.rating if value.rating is not None else display(value.score)
    db.session.flush()
    audit.record(
        actor,
        "grade.set",
        entry,
        {"value": [old, new], "source": [None, source]},
        reason=reason,
    )
    grade_push.enqueue(entry, course, reason)
    return entry


def _check_lock(course: Course, semester: int, reason: str) -> None:
    if is_locked(course.school_year_id, semester) and not reason.strip():
        raise Conflict(
            _("Học kỳ %(s)s đã khoá sổ điểm; hãy ghi lý do sửa điểm.", s=semester),
            code="semester_locked",
        )


def record_score(
    actor: User | None,
    course_id: int,
    student_id: int,
    column: str,
    score: object,
    source: str = "manual",
    source_id: int | None = None,
    semester: int | None = None,
    reason: str = "",
) -> GradeEntry | None:
    """Put one score (or Đạt / Chưa đạt) into a course's gradebook and commit.

    `column` is tx1..tx10, gk or ck; `score` a number (rounded half up to one decimal), typed
    text ("8,5"), a rating for comment subjects, or None to clear. `semester` defaults to the
    one today falls in. Returns the entry, or None when the value did not change.
    Raises NotFound, Forbidden, ValidationFailed (bad value, student not in the class) and
    Conflict `semester_locked` when the semester is locked and no reason is given.
    """
    course = course_for_edit(actor, course_id)
    number = current_semester(course.school_year_id) if semester is None else semester
    number = parse_semester(number)
    column = parse_column(column)
    parse_source(source)
    value = parse_course_cell(course, column, score)
    if not _in_class(course, student_id):
        raise ValidationFailed(_("Học sinh không thuộc lớp của môn học này."))
    _check_lock(course, number, reason)
    entry = _apply(actor, course, student_id, number, column, value, source, source_id, reason)
    db.session.commit()
    return entry


def save_entries(
    actor: User, course_id: object, semester: object, entries: list[EntryInput]
) -> int:
    """Save typed scores of a course, all or nothing; returns how many cells changed.

    Raises ValidationFailed with details {"errors": [{"student_code", "column", "message"}]}
    naming every refused entry (then nothing is saved), NotFound, Forbidden.
    """
    course = course_for_edit(actor, course_id)
    number = parse_semester(semester)
    if len(entries) > MAX_ENTRIES:
        raise ValidationFailed(
            _("Tối đa %(n)s ô điểm mỗi lần lưu; hãy chia nhỏ.", n=MAX_ENTRIES), code="too_many"
        )
    parsed, errors = check_entries(course, number, entries)
    if errors:
        raise ValidationFailed(errors[0]["message"], details={"errors": errors})
    changed = apply_entries(actor, course, number, parsed)
    db.session.commit()
    return changed


ParsedEntry = tuple[int, str, CellValue, str]


def check_entries(
    course: Course, number: int, entries: list[EntryInput]
) -> tuple[list[ParsedEntry], list[dict]]:
    """Parse entries of one course semester without writing: (accepted, errors)."""
    students = _students_by_code(course)
    locked = is_locked(course.school_year_id, number)
    errors: list[dict] = []
    parsed: list[ParsedEntry] = []
    for entry in entries:
        code = str(entry.student_code or "").strip()
        try:
            column = parse_column(entry.column)
            value = parse_course_cell(course, column, entry.score)
            student = students.get(code.upper())
            if student is None:
                raise ValidationFailed(
                    _(
                        "Mã học sinh “%(c)s” không có trong lớp %(k)s.",
                        c=code,
                        k=course.school_class.name,
                    )
                )
            if locked and not (entry.reason or "").strip():
                raise ValidationFailed(
                    _("Học kỳ %(s)s đã khoá sổ điểm; hãy ghi lý do sửa điểm.", s=number)
                )
        except ValidationFailed as exc:
            errors.append(
                {
                    "student_code": code,
                    "column": str(entry.column),
                    "message": f"{code} – {entry.column}: {exc.message}",
                }
            )
            continue
        parsed.append((student.id, column, value, (entry.reason or "").strip()))
    return parsed, errors


def apply_entries(
    actor: User | None,
    course: Course,
    number: int,
    parsed: list[ParsedEntry],
    source: str = "manual",
    source_id: int | None = None,
) -> int:
    """Write checked entries (flush only); returns how many cells changed."""
    changed = 0
    for student_id, column, value, reason in parsed:
        if _apply(actor, course, student_id, number, column, value, source, source_id, reason):
            changed += 1
    return changed


def _students_by_code(course: Course) -> dict[str, User]:
    stmt = (
        select(User)
        .join(ClassMembership, ClassMembership.student_id == User.id)
        .where(ClassMembership.class_id == course.class_id, User.student_code.is_not(None))
    )
    students = {user.student_code.upper(): user for user in db.session.scalars(stmt)}
    by_id = {user.id: user for user in students.values()}
    for code, student_id in former_codes(list(by_id)).items():
        students.setdefault(code, by_id[student_id])  # a code in use now wins over history
    return students


def set_lock(actor: User, school_year_id: object, semester: object, is_locked_now: bool) -> bool:
    """An admin locks (or unlocks) a semester of a school year; True when it changed.

    Raises Forbidden (not an admin), NotFound (another school's year), ValidationFailed.
    """
    require_school_admin(actor)
    year = get_scoped(SchoolYear, school_year_id, actor)
    number = parse_semester(semester)
    lock = db.session.scalar(
        select(GradeLock).where(GradeLock.school_year_id == year.id, GradeLock.semester == number)
    )
    if (lock is not None) == is_locked_now:
        return False
    if is_locked_now:
        lock = GradeLock(
            school_id=year.school_id,
            school_year_id=year.id,
            semester=number,
            locked_by_id=actor.id,
        )
        db.session.add(lock)
        db.session.flush()
        audit.record(actor, "grades.lock", lock, {"semester": [None, number]})
    else:
        audit.record(actor, "grades.unlock", lock, {"semester": [number, None]})
        db.session.delete(lock)
    db.session.commit()
    return True


def feed_scores(
    actor: User,
    course_id: int,
    scores: list[tuple[int, object]],
    column: str,
    source: str,
    source_id: int,
    reason: str = "",
) -> int:
    """Write scores fed by an exam or a homework (10-point scale, rounded half up to one
    decimal) into `column` ("tx", "gk" or "ck") of the current semester; flush only, the
    caller commits its one transaction. For "tx" a source keeps the regular column it took the
    first time, else each student gets their first empty one. Returns cells changed.
    Raises ValidationFailed (no free regular column), Conflict (locked without a reason)."""
    course = course_for_edit(actor, course_id)
    number = current_semester(course.school_year_id)
    _check_lock(course, number, reason)
    entries = db.session.scalars(
        select(GradeEntry).where(GradeEntry.course_id == course.id, GradeEntry.semester == number)
    ).all()
    parsed: list[ParsedEntry] = []
    for student_id, score in scores:
        target = column
        if column == "tx" and is_primary(course):
            raise ValidationFailed(
                _("Lớp tiểu học không có cột ĐĐGtx; hãy chọn GK hoặc CK."), code="no_free_column"
            )
        if column == "tx":
            own = [e for e in entries if e.student_id == student_id]
            target = _regular_column(own, source, source_id)
            if target is None:
                raise ValidationFailed(
                    _("Học sinh đã đủ %(m)s cột ĐĐGtx.", m=MAX_REGULAR), code="no_free_column"
                )
        value = parse_course_cell(course, target, score, is_fed=True)
        parsed.append((student_id, target, value, reason.strip()))
    return apply_entries(actor, course, number, parsed, source, source_id)


def _regular_column(entries: list[GradeEntry], source: str, source_id: int) -> str | None:
    for entry in entries:
        if (
            entry.source == source
            and entry.source_id == source_id
            and entry.column.startswith("tx")
        ):
            return entry.column
    taken = {e.column for e in entries if e.score is not None or e.rating is not None}
    return next((f"tx{n}" for n in range(1, MAX_REGULAR + 1) if f"tx{n}" not in taken), None)
