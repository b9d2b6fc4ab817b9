"""Building the grade rows of an export: plain course info, cells read in bulk, one row per
student and course with the average computed once (the API's and the files' hot path)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import Course, GradeEntry, SchoolYear, User
from app.services.gradebook_primary import is_primary, primary_cells
from app.services.gradebook_values import MAX_REGULAR, display
from app.services.gradebook_views import DEFAULT_PERIODS, required_tx, student_row, year_rows
from app.services.grading_tt22 import checked_average


@dataclass(slots=True)
class GradeRow:
    """One student x subject of a semester (or the year), ready to serialise."""

    student_code: str
    full_name: str
    class_name: str
    grade: int
    subject: str
    assessment: str
    period: str
    course_id: int
    student_id: int
    tx: list[str | None] = field(default_factory=list)
    gk: str | None = None
    ck: str | None = None
    average: str | None = None
    result: str | None = None
    status: str = "incomplete"
    semester_1: str | None = None
    semester_2: str | None = None
    updated_at: datetime | None = None

    def as_dict(self) -> dict:
        data = {
            "student_code": self.student_code,
            "full_name": self.full_name,
            "class": self.class_name,
            "subject": self.subject,
            "period": self.period,
            "tx": self.tx,
            "gk": self.gk,
            "ck": self.ck,
            "average": self.average,
            "result": self.result,
            "status": self.status,
        }
        if self.period == "year":
            data.update(semester_1=self.semester_1, semester_2=self.semester_2)
        return data

    def api_dict(self) -> dict:
        """The API item (GradeItem in app/api/grades.py), built without a schema pass: a page
        is 500 rows and this is the hot path of a nightly sync."""
        data = self.as_dict()
        data.setdefault("semester_1", None)
        data.setdefault("semester_2", None)
        data["updated_at"] = None if self.updated_at is None else self.updated_at.isoformat()
        return data


@dataclass(frozen=True)
class SubjectInfo:
    name: str
    assessment: str
    periods_per_year: int | None


@dataclass(frozen=True)
class ClassInfo:
    name: str
    grade: int


@dataclass(frozen=True)
class CourseInfo:
    """What building rows needs of a course, read as plain columns (no ORM loads: a school
    has hundreds of courses and each API page reads them all to find its window)."""

    id: int
    class_id: int
    school_year_id: int
    school_class: ClassInfo
    subject: SubjectInfo


ENTRY_COLUMNS = (
    GradeEntry.course_id,
    GradeEntry.student_id,
    GradeEntry.semester,
    GradeEntry.column,
    GradeEntry.score,
    GradeEntry.rating,
    GradeEntry.updated_at,
)


def entries_by_course(
    year: SchoolYear, semesters: tuple[int, ...], course_ids: list[int], window
) -> dict[int, list]:
    """Entries as light rows (no ORM objects: a school has 100,000s): of the chosen courses
    for a page, of the whole year for a file."""
    stmt = (
        select(*ENTRY_COLUMNS)
        .join(Course, Course.id == GradeEntry.course_id)
        .where(Course.school_year_id == year.id, GradeEntry.semester.in_(semesters))
    )
    if window is not None:
        stmt = stmt.where(GradeEntry.course_id.in_(course_ids))
    grouped: dict[int, list] = defaultdict(list)
    for entry in db.session.connection().execute(stmt):
        grouped[entry.course_id].append(entry)
    return grouped


PIVOT_COLUMNS = (*(f"tx{n}" for n in range(1, MAX_REGULAR + 1)), "gk", "ck", "xl")


def _scope(stmt, year: SchoolYear, semester: int, course_ids: list[int], window):
    stmt = stmt.where(GradeEntry.semester == semester)
    if window is not None:
        return stmt.where(GradeEntry.course_id.in_(course_ids))
    return stmt.join(Course, Course.id == GradeEntry.course_id).where(
        Course.school_year_id == year.id
    )


def pivot_cells(
    year: SchoolYear, semester: int, course_ids: list[int], window
) -> dict[int, dict[int, tuple[dict, datetime]]]:
    """{course id: {student id: ({column: (score, rating)}, last change)}} of one semester,
    pivoted by the database (one row per student and course instead of one per cell), over
    the columns in use only (usually TX1-TX4, GK, CK rather than all twelve, and a rating only
    where some cell holds one). Read through the
    connection: the ORM's result layer cost more than the query for 24,000 rows."""
    kinds = select(
        GradeEntry.column, GradeEntry.score.is_not(None), GradeEntry.rating.is_not(None)
    ).distinct()
    has_score, has_rating = set(), set()
    for column, is_score, is_rating in db.session.execute(
        _scope(kinds, year, semester, course_ids, window)
    ):
        if is_score:
            has_score.add(column)
        if is_rating:
            has_rating.add(column)
    # Only the aggregates in use: a scored school has no ratings, so half as many.
    slots, values = [], []
    for column in PIVOT_COLUMNS:
        if column in has_score:
            slots.append((column, 0))
            values.append(func.max(case((GradeEntry.column == column, GradeEntry.score))))
        if column in has_rating:
            slots.append((column, 1))
            values.append(func.max(case((GradeEntry.column == column, GradeEntry.rating))))
    stmt = select(
        GradeEntry.course_id, GradeEntry.student_id, func.max(GradeEntry.updated_at), *values
    ).group_by(GradeEntry.course_id, GradeEntry.student_id)
    stmt = _scope(stmt, year, semester, course_ids, window)
    grouped: dict[int, dict[int, tuple[dict, datetime]]] = defaultdict(dict)
    for course_id, student_id, changed_at, *cells in db.session.connection().execute(stmt):
        found: dict[str, tuple] = {}
        for (column, kind), value in zip(slots, cells, strict=True):
            if value is not None:
                score, rating = found.get(column, (None, None))
                found[column] = (value, rating) if kind == 0 else (score, value)
        grouped[course_id][student_id] = (found, changed_at)
    return grouped


def semester_rows(course: CourseInfo, period: str, keep, cells: dict) -> list[GradeRow]:
    """The rows of one course semester from pivoted cells (same rules as grades_of)."""
    is_comment = course.subject.assessment == "comment"
    primary = is_primary(course)
    needed = 0 if primary else required_tx(course)
    periods = course.subject.periods_per_year or DEFAULT_PERIODS
    values: dict[int, dict] = {}
    widest = needed
    for student_id, (found, _changed) in cells.items():
        own = {}
        for column, (score, rating) in found.items():
            value = rating if (column == "xl" if primary else is_comment) else score
            if value is not None:
                own[column] = value
                widest = max(widest, TX_INDEX.get(column, 0))
        values[student_id] = own
    if not (primary or is_comment):
        return _scored_rows(course, period, keep, cells, values, widest, needed)
    rows = []
    for student in keep:
        own = values.get(student.id, {})
        if primary:
            grades = primary_cells(student, own, course)
        else:
            grades = student_row(student, own, widest, needed, is_comment, periods)
        row = _semester_row(course, period, grades, widest)
        found = cells.get(student.id)
        row.updated_at = found[1] if found else None
        rows.append(row)
    return rows


TX_INDEX = {f"tx{n}": n for n in range(1, MAX_REGULAR + 1)}
_TEXTS: dict[Decimal, str] = {}


def _text(value: Decimal | None) -> str | None:
    """display(value), remembered: a school's cells hold a few hundred distinct scores."""
    if value is None:
        return None
    text = _TEXTS.get(value)
    if text is None:
        text = display(value)
        if len(_TEXTS) < 10_000:
            _TEXTS[value] = text
    return text


def _scored_rows(
    course: CourseInfo, period: str, keep, cells: dict, values: dict, widest: int, needed: int
) -> list[GradeRow]:
    """Rows of a subject with scores (Thông tư 22): the hot path of a whole-school export,
    the same result as student_row + _semester_row without a StudentGrades per row."""
    keys = [f"tx{i}" for i in range(1, widest + 1)]
    school_class, subject = course.school_class, course.subject
    empty: dict = {}
    rows = []
    for student in keep:
        own = values.get(student.id, empty)
        tx = [own.get(key) for key in keys]
        gk, ck = own.get("gk"), own.get("ck")
        entered = [v for v in tx if v is not None]
        average = None
        if gk is not None and ck is not None and len(entered) >= needed:
            average = str(checked_average(entered, gk, ck))
        found = cells.get(student.id)
        rows.append(
            GradeRow(
                student.student_code or "",
                student.full_name,
                school_class.name,
                school_class.grade,
                subject.name,
                subject.assessment,
                period,
                course.id,
                student.id,
                tx=[_text(v) for v in tx],
                gk=_text(gk),
                ck=_text(ck),
                average=average,
                status="incomplete" if average is None else "complete",
                updated_at=found[1] if found else None,
            )
        )
    return rows


def year_rows_of(course: CourseInfo, keep, entries) -> list[GradeRow]:
    changed: dict[int, datetime] = {}
    for entry in entries:
        last = changed.get(entry.student_id)
        if last is None or entry.updated_at > last:
            changed[entry.student_id] = entry.updated_at
    rows = [_year_row(course, y) for y in year_rows(course, keep, entries)]
    for row in rows:
        row.updated_at = changed.get(row.student_id)
    return rows


def _base(course: CourseInfo, student: User, period: str) -> GradeRow:
    return GradeRow(
        student_code=student.student_code or "",
        full_name=student.full_name,
        class_name=course.school_class.name,
        grade=course.school_class.grade,
        subject=course.subject.name,
        assessment=course.subject.assessment,
        period=period,
        course_id=course.id,
        student_id=student.id,
    )


def _cell(value: Decimal | str | None) -> str | None:
    return value if isinstance(value, str) or value is None else display(value)


def _semester_row(course: CourseInfo, period: str, grades, width: int) -> GradeRow:
    row = _base(course, grades.student, period)
    row.tx = [_cell(v) for v in grades.tx] + [None] * (width - len(grades.tx))
    row.gk, row.ck = _cell(grades.gk), _cell(grades.ck)
    row.average = None if grades.average is None else str(grades.average)
    row.result, row.status = grades.result, grades.status
    return row


def _year_row(course: CourseInfo, grades) -> GradeRow:
    row = _base(course, grades.student, "year")
    row.semester_1 = None if grades.first.average is None else str(grades.first.average)
    row.semester_2 = None if grades.second.average is None else str(grades.second.average)
    row.average = None if grades.average is None else str(grades.average)
    row.result, row.status = grades.result, grades.status
    return row
