"""The homeroom teacher's class overview: who is falling behind (missing homework, low
averages, absences), with the thresholds used, so the teacher can message their parents."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.errors import Forbidden
from app.extensions import db
from app.models import AttendanceRecord, SchoolClass, Semester, TimetableSlot, User
from app.services.access import get_scoped
from app.services.gradebook import current_semester
from app.services.gradebook_release import released_reports
from app.services.gradebook_values import parse_semester
from app.services.progress import homework_of, local_bounds
from app.services.progress_pages import checked_id
from app.services.school import class_students

MISSING_HOMEWORK = 2  # at least this many homework past due and not handed in
LOW_AVERAGE = Decimal("5.0")  # a subject's semester average below this (TT 22 "Đạt" floor)
ABSENCES = 3  # at least this many lessons missed (excused or not) in the semester


@dataclass
class StudentStanding:
    student: User
    missing_homework: int
    low_subjects: list[tuple[str, Decimal]]
    absences: int
    unexcused: int
    reasons: list[str] = field(default_factory=list)

    @property
    def is_behind(self) -> bool:
        return bool(self.reasons)


@dataclass
class ClassOverview:
    school_class: SchoolClass
    semester: int
    students: list[StudentStanding]
    thresholds: dict

    @property
    def behind(self) -> list[StudentStanding]:
        return [s for s in self.students if s.is_behind]


def _homeroom_class(actor: User, class_id: object) -> SchoolClass:
    school_class = get_scoped(SchoolClass, checked_id(class_id), actor)
    if not (actor.is_admin or school_class.homeroom_teacher_id == actor.id):
        raise Forbidden(_("Chỉ giáo viên chủ nhiệm của lớp hoặc quản trị trường xem được."))
    return school_class


def _absences(school_class: SchoolClass, semester: int) -> dict[int, dict[str, int]]:
    row = db.session.scalar(
        select(Semester).where(
            Semester.school_year_id == school_class.school_year_id, Semester.number == semester
        )
    )
    stmt = (
        select(AttendanceRecord.student_id, AttendanceRecord.status, func.count())
        .join(TimetableSlot, TimetableSlot.id == AttendanceRecord.slot_id)
        .where(
            TimetableSlot.class_id == school_class.id,
            TimetableSlot.is_cancelled.is_(False),
            AttendanceRecord.status.in_(("excused", "unexcused")),
        )
        .group_by(AttendanceRecord.student_id, AttendanceRecord.status)
    )
    if row is not None:
        first, _e = local_bounds(row.starts_on, 1)
        _s, end = local_bounds(row.ends_on, 1)
        stmt = stmt.where(TimetableSlot.starts_at >= first, TimetableSlot.starts_at < end)
    out: dict[int, dict[str, int]] = {}
    for student_id, status, count in db.session.execute(stmt):
        out.setdefault(student_id, {})[status] = count
    return out


def class_overview(actor: User, class_id: object, semester: object = None) -> ClassOverview:
    """Every student of the class, those falling behind first, with what puts them behind in
    the semester (default: the current one). Staff view: unreleased scores count too.
    Raises NotFound, Forbidden, ValidationFailed (semester)."""
    school_class = _homeroom_class(actor, class_id)
    number = (
        parse_semester(semester)
        if semester not in (None, "")
        else current_semester(school_class.school_year_id)
    )
    students = class_students(school_class)
    reports = released_reports(students, include_unreleased=True)
    homework = homework_of({s.id: school_class.id for s in students})
    absences = _absences(school_class, number)
    rows = []
    for student in students:
        missing = sum(1 for h in homework.get(student.id, []) if h.state == "missing")
        low = []
        for subject in reports[student.id].subjects:
            average = subject.semesters[number - 1].average
            if average is not None and Decimal(average) < LOW_AVERAGE:
                low.append((subject.course.subject.name, Decimal(average)))
        counts = absences.get(student.id, {})
        total = counts.get("excused", 0) + counts.get("unexcused", 0)
        standing = StudentStanding(student, missing, low, total, counts.get("unexcused", 0))
        if missing >= MISSING_HOMEWORK:
            standing.reasons.append("homework")
        if low:
            standing.reasons.append("average")
        if total >= ABSENCES:
            standing.reasons.append("absences")
        rows.append(standing)
    rows.sort(key=lambda s: not s.is_behind)  # stable: class order within each group
    thresholds = {
        "missing_homework": MISSING_HOMEWORK,
        "low_average": LOW_AVERAGE,
        "absences": ABSENCES,
    }
    return ClassOverview(school_class, number, rows, thresholds)
