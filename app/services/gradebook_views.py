"""Reading the gradebook: a course's grid with averages, year results, class learning ratings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import Forbidden
from app.extensions import db
from app.models import Course, GradeEntry, Role, SchoolClass, User
from app.services.access import get_scoped
from app.services.gradebook import is_locked
from app.services.gradebook_primary import is_primary, primary_cells, primary_columns
from app.services.gradebook_values import parse_semester, tx_index
from app.services.grading import (
    comment_semester_result,
    comment_year_result,
    rate_learning,
    required_comment_count,
    required_regular_count,
    semester_average,
    year_average,
)
from app.services.grading_policy import DEFAULT_POLICY
from app.services.school import class_students

# A subject without its periods per year recorded gets the smallest requirement (2 ĐĐGtx).
DEFAULT_PERIODS = 35


@dataclass
class StudentGrades:
    """One student's row of a course semester: cells, the average or what is missing."""

    student: User
    tx: list[Decimal | str | None]
    gk: Decimal | str | None = None
    ck: Decimal | str | None = None
    average: Decimal | None = None
    result: str | None = None  # comment subjects: "dat" / "chua_dat"
    missing: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "incomplete" if self.missing or self.result_pending else "complete"

    @property
    def result_pending(self) -> bool:
        return self.average is None and self.result is None


@dataclass
class CourseGradebook:
    course: Course
    semester: int
    is_locked: bool
    is_comment: bool
    required_tx: int
    tx_count: int
    rows: list[StudentGrades]

    @property
    def is_primary(self) -> bool:
        return is_primary(self.course)

    @property
    def primary_columns(self) -> tuple[str, ...]:
        return primary_columns(self.course) if self.is_primary else ()


def course_for_read(actor: User, course_id: object) -> Course:
    """The course if `actor` may read its gradebook: its teacher, the homeroom teacher, admins."""
    course = get_scoped(Course, course_id, actor)
    if actor.is_admin or course.teacher_id == actor.id:
        return course
    if actor.role == Role.TEACHER and course.school_class.homeroom_teacher_id == actor.id:
        return course
    raise Forbidden(_("Bạn không xem được sổ điểm của môn này."))


def required_tx(course: Course) -> int:
    if course.subject.assessment == "comment":
        return DEFAULT_POLICY.comment_regular_count
    return required_regular_count(course.subject.periods_per_year or DEFAULT_PERIODS)


def _entries(course_ids: list[int], semesters: tuple[int, ...]) -> list[GradeEntry]:
    if not course_ids:
        return []
    stmt = select(GradeEntry).where(
        GradeEntry.course_id.in_(course_ids), GradeEntry.semester.in_(semesters)
    )
    return list(db.session.scalars(stmt))


def grades_of(
    course: Course, semester: int, students: list[User], entries, locked: bool | None = None
) -> CourseGradebook:
    """Build the grid of one course semester from already loaded entries (ORM or rows)."""
    is_comment = course.subject.assessment == "comment"
    primary = is_primary(course)
    needed = 0 if primary else required_tx(course)
    cells: dict[int, dict[str, Decimal | str]] = defaultdict(dict)
    widest = needed
    for entry in entries:
        uses_rating = entry.column == "xl" if primary else is_comment
        value = entry.rating if uses_rating else entry.score
        if value is None:
            continue
        cells[entry.student_id][entry.column] = value
        widest = max(widest, tx_index(entry.column) or 0)
    periods = course.subject.periods_per_year or DEFAULT_PERIODS
    if primary:
        rows = [primary_cells(student, cells[student.id], course) for student in students]
    else:
        rows = [
            student_row(student, cells[student.id], widest, needed, is_comment, periods)
            for student in students
        ]
    return CourseGradebook(
        course=course,
        semester=semester,
        is_locked=is_locked(course.school_year_id, semester) if locked is None else locked,
        is_comment=is_comment,
        required_tx=needed,
        tx_count=widest,
        rows=rows,
    )


def student_row(
    student: User, cells: dict, width: int, needed: int, is_comment: bool, periods: int
) -> StudentGrades:
    """One student's row from their cells {column: score or rating} of a course semester."""
    tx = [cells.get(f"tx{i}") for i in range(1, width + 1)]
    row = StudentGrades(student=student, tx=tx, gk=cells.get("gk"), ck=cells.get("ck"))
    if is_comment:
        ratings = [None if v is None else v == "dat" for v in [*tx, row.gk, row.ck]]
        outcome = comment_semester_result(ratings, required_comment_count())
        row.result = None if outcome is None else outcome.value
        entered = sum(1 for v in tx if v is not None)
        row.missing = [f"tx{i}" for i in range(entered + 1, needed + 1)]
        row.missing += [c for c in ("gk", "ck") if cells.get(c) is None]
        return row
    result = semester_average([v for v in tx if v is not None], row.gk, row.ck, periods)
    row.average, row.missing = result.average, result.missing
    return row


def course_gradebook(actor: User, course_id: object, semester: object) -> CourseGradebook:
    """The grid of a course semester: every student of the class, averages by TT 22."""
    course = course_for_read(actor, course_id)
    number = parse_semester(semester)
    students = class_students(course.school_class)
    return grades_of(course, number, students, _entries([course.id], (number,)))


@dataclass
class YearGrades:
    """A student's year in one course: both semesters and the year result."""

    student: User
    first: StudentGrades
    second: StudentGrades
    average: Decimal | None
    result: str | None

    @property
    def status(self) -> str:
        return "complete" if (self.average is not None or self.result) else "incomplete"


def year_rows(course: Course, students: list[User], entries) -> list[YearGrades]:
    """ĐTBmcn = (ĐTBmhkI + 2 × ĐTBmhkII) / 3 per student, or the comment year result."""
    by_semester = {1: [], 2: []}
    for entry in entries:
        by_semester[entry.semester].append(entry)
    first = grades_of(course, 1, students, by_semester[1], False).rows
    second = grades_of(course, 2, students, by_semester[2], False).rows
    rows = []
    for student, one, two in zip(students, first, second, strict=True):
        average = result = None
        if one.average is not None and two.average is not None:
            average = year_average(one.average, two.average)
        if is_primary(course):
            result = two.result  # TT 27: the end-of-year rating is semester II's
        else:
            outcome = comment_year_result(one.result, two.result)
            result = None if outcome is None else outcome.value
        rows.append(YearGrades(student, one, two, average, result))
    return rows


@dataclass
class ClassRating:
    student: User
    level: str | None  # None while some subject has no result yet
    computed: str | None
    subjects: dict[str, Decimal | str | None]


def class_ratings(actor: User, class_id: object, period: str) -> list[ClassRating]:
    """Learning rating (Tốt, Khá, Đạt, Chưa đạt) of each student of a class for a semester
    ("1", "2") or the year ("year"), from every course of the class. Homeroom teacher, admins."""
    school_class = get_scoped(SchoolClass, class_id, actor)
    if not (actor.is_admin or school_class.homeroom_teacher_id == actor.id):
        raise Forbidden(_("Chỉ giáo viên chủ nhiệm hoặc quản trị trường xem được xếp loại."))
    is_primary_class = 1 <= school_class.grade <= 5
    courses = list(
        db.session.scalars(
            select(Course).where(Course.class_id == school_class.id).order_by(Course.id)
        )
    )
    students = class_students(school_class)
    per_student: dict[int, dict[str, Decimal | str | None]] = defaultdict(dict)
    for course in courses:
        for student, value in _subject_results(course, students, period):
            per_student[student.id][course.subject.name] = value
    if is_primary_class:  # TT 27 has no overall learning rating from subject averages
        return [ClassRating(s, None, None, per_student[s.id]) for s in students]
    return [_rate(student, per_student[student.id], courses) for student in students]


def _subject_results(course: Course, students: list[User], period: str):
    if period == "year":
        for row in year_rows(course, students, _entries([course.id], (1, 2))):
            yield row.student, row.result if row.result is not None else row.average
        return
    number = parse_semester(period)
    grid = grades_of(course, number, students, _entries([course.id], (number,)))
    for row in grid.rows:
        yield row.student, row.result if row.result is not None else row.average


def _rate(student: User, results: dict, courses: list[Course]) -> ClassRating:
    comment = {c.subject.name for c in courses if c.subject.assessment == "comment"}
    if any(value is None for value in results.values()):
        return ClassRating(student, None, None, results)
    scored = [v for name, v in results.items() if name not in comment]
    comments = [v for name, v in results.items() if name in comment]
    rating = rate_learning(scored, comments)
    return ClassRating(student, rating.level.value, rating.computed.value, results)


def homeroom_classes(actor: User) -> list[SchoolClass]:
    """Classes whose ratings the actor sees: their homeroom classes, or all (admins)."""
    stmt = select(SchoolClass).where(
        SchoolClass.school_id == actor.school_id, SchoolClass.is_active.is_(True)
    )
    if not actor.is_admin:
        stmt = stmt.where(SchoolClass.homeroom_teacher_id == actor.id)
    return list(db.session.scalars(stmt.order_by(SchoolClass.grade, SchoolClass.name)))


def class_overview(actor: User, class_id: object, period: str) -> tuple[SchoolClass, list, list]:
    """(class, subject names, ratings) for the homeroom teacher's page."""
    ratings = class_ratings(actor, class_id, period)
    school_class = get_scoped(SchoolClass, class_id, actor)
    names = [
        c.subject.name
        for c in db.session.scalars(
            select(Course).where(Course.class_id == school_class.id).order_by(Course.id)
        )
    ]
    return school_class, names, ratings
