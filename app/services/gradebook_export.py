"""School-wide grade rows keyed by student code: what the API, the CLI and every layout read."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.errors import NotFound, ValidationFailed
from app.core.text import fold
from app.extensions import db
from app.models import (
    ClassMembership,
    Course,
    GradeEntry,
    School,
    SchoolClass,
    SchoolYear,
    Subject,
    User,
)
from app.services.access import can_see_school, require_school_admin
from app.services.gradebook import current_semester
from app.services.gradebook_export_rows import (
    ClassInfo,
    CourseInfo,
    GradeRow,
    SubjectInfo,
    entries_by_course,
    pivot_cells,
    semester_rows,
    year_rows_of,
)
from app.services.gradebook_values import parse_semester
from app.services.school import YEAR_RE, current_year, school_by_code

PERIODS = ("1", "2", "year")


@dataclass(frozen=True)
class GradeQuery:
    """Filters of an export: year "2026-2027", period "1"/"2"/"year" (None: the current
    ones), optional class, subject and a time the rows must have changed since."""

    year: str | None
    period: str | None
    class_name: str | None = None
    subject: str | None = None
    changed_since: datetime | None = None


@dataclass
class GradeExport:
    school: School
    query: GradeQuery
    rows: list[GradeRow]
    total: int = 0


def parse_period(raw: object) -> str:
    text = str(raw or "").strip().lower()
    if text in ("year", "cn", "ca_nam", "nam"):
        return "year"
    return str(parse_semester(text))


def school_for_export(actor: User | None, code: str) -> School:
    """The school by code; an admin of another school gets NotFound. Raises Forbidden."""
    school = school_by_code(code)
    if actor is not None:
        require_school_admin(actor)
        if not can_see_school(actor, school.id):
            raise NotFound(_("Không có trường mã “%(c)s”.", c=code))
    return school


def school_grades(
    actor: User | None,
    school_code: str,
    query: GradeQuery,
    window: tuple[int, int] | None = None,
) -> GradeExport:
    """Every (student, course) row of a school year, sorted by class, subject, student.

    `actor` None is the command line (full access); the returned export carries the query
    with the year and period resolved and the total number of rows. With `window`
    (start, stop) only those rows are built (an API page). Raises NotFound, Forbidden,
    ValidationFailed for a malformed year or period, or an unknown year, class or subject.
    """
    school, year, query = _resolve(actor, school_code, query)
    period = query.period
    courses = _courses(school, year, query)
    semesters = (1, 2) if period == "year" else (int(period),)
    recent = _changed_since(year, semesters, query.changed_since)
    sizes = _class_sizes(year) if recent is None and window is not None else None
    members = _students_by_class(year) if sizes is None else {}
    chosen, total, built_from = [], 0, None
    for course in courses:
        if sizes is not None:
            count = sizes.get(course.class_id, 0)
        else:
            keep = members.get(course.class_id, [])
            if recent is not None:
                keep = [s for s in keep if (course.id, s.id) in recent]
            count = len(keep)
        start, total = total, total + count
        if window is None or (start < window[1] and total > window[0]):
            built_from = start if built_from is None else built_from
            chosen.append(course)
    if sizes is not None:  # a page: load only the students of the courses it shows
        members = _students_by_class(year, {c.class_id for c in chosen})
    chosen = [(c, _keep(members.get(c.class_id, []), c, recent)) for c in chosen]
    ids = [c.id for c, _keep in chosen]
    rows: list[GradeRow] = []
    if period == "year":
        entries = entries_by_course(year, semesters, ids, window)
        for course, keep in chosen:
            rows.extend(year_rows_of(course, keep, entries.get(course.id, [])))
    else:
        cells = pivot_cells(year, int(period), ids, window)
        for course, keep in chosen:
            rows.extend(semester_rows(course, period, keep, cells.get(course.id, {})))
    if window is not None:
        offset = window[0] - (built_from or 0)
        rows = rows[offset : offset + window[1] - window[0]]
    return GradeExport(school=school, query=query, rows=rows, total=total)


def check_query(
    actor: User | None, school_code: str, query: GradeQuery
) -> tuple[School, GradeQuery]:
    """The school and the query with year and period resolved, checked as `school_grades`
    checks them (a background export refuses bad input before it is queued). Raises
    NotFound, Forbidden, ValidationFailed."""
    school, year, query = _resolve(actor, school_code, query)
    _courses(school, year, query)
    return school, query


def _resolve(actor: User | None, school_code: str, query: GradeQuery):
    school = school_for_export(actor, school_code)
    year_name = query.year or current_year(school).name
    if not YEAR_RE.match(year_name):
        raise ValidationFailed(_("Năm học “%(y)s” không hợp lệ; viết dạng 2026-2027.", y=year_name))
    year = db.session.scalar(
        select(SchoolYear).where(SchoolYear.school_id == school.id, SchoolYear.name == year_name)
    )
    if year is None:
        raise NotFound(_("Trường chưa có năm học %(y)s.", y=year_name))
    period = parse_period(query.period or current_semester(year.id))
    return school, year, replace(query, year=year_name, period=period)


def _courses(school: School, year: SchoolYear, query: GradeQuery) -> list[CourseInfo]:
    stmt = (
        select(
            Course.id,
            Course.class_id,
            Course.school_year_id,
            SchoolClass.name,
            SchoolClass.grade,
            Subject.name,
            Subject.assessment,
            Subject.periods_per_year,
        )
        .join(SchoolClass, SchoolClass.id == Course.class_id)
        .join(Subject, Subject.id == Course.subject_id)
        .where(Course.school_id == school.id, Course.school_year_id == year.id)
        .order_by(SchoolClass.grade, SchoolClass.name, Subject.name)
    )
    if query.class_name:
        stmt = stmt.where(SchoolClass.search_text == fold(query.class_name))
    if query.subject:
        stmt = stmt.where(Subject.search_text == fold(query.subject))
    courses = [
        CourseInfo(
            course_id,
            class_id,
            year_id,
            ClassInfo(class_name, grade),
            SubjectInfo(subject, assessment, periods),
        )
        for course_id, class_id, year_id, class_name, grade, subject, assessment, periods in (
            db.session.execute(stmt)
        )
    ]
    if not courses and (query.class_name or query.subject):
        raise NotFound(
            _(
                "Không có môn học nào khớp lớp “%(c)s”, môn “%(s)s” trong năm %(y)s.",
                c=query.class_name or "*",
                s=query.subject or "*",
                y=year.name,
            )
        )
    return courses


def _keep(students: list[User], course: CourseInfo, recent) -> list[User]:
    return students if recent is None else [s for s in students if (course.id, s.id) in recent]


def _class_sizes(year: SchoolYear) -> dict[int, int]:
    stmt = (
        select(ClassMembership.class_id, func.count())
        .join(SchoolClass, SchoolClass.id == ClassMembership.class_id)
        .where(SchoolClass.school_year_id == year.id)
        .group_by(ClassMembership.class_id)
    )
    return dict(db.session.execute(stmt).all())


def _students_by_class(year: SchoolYear, class_ids: set[int] | None = None):
    """{class id: students by name} of the year (or of `class_ids` only), as light rows
    (id, student_code, full_name)."""
    stmt = (
        select(ClassMembership.class_id, User.id, User.student_code, User.full_name)
        .join(User, User.id == ClassMembership.student_id)
        .join(SchoolClass, SchoolClass.id == ClassMembership.class_id)
        .where(SchoolClass.school_year_id == year.id)
        .order_by(User.full_name, User.student_code)
    )
    if class_ids is not None:
        stmt = stmt.where(ClassMembership.class_id.in_(class_ids))
    grouped: dict[int, list] = defaultdict(list)
    for row in db.session.connection().execute(stmt):
        grouped[row.class_id].append(row)
    return grouped


def _changed_since(year: SchoolYear, semesters, since: datetime | None):
    """(course id, student id) pairs with an entry changed at or after `since`; None: all."""
    if since is None:
        return None
    stmt = (
        select(GradeEntry.course_id, GradeEntry.student_id)
        .join(Course, Course.id == GradeEntry.course_id)
        .where(
            Course.school_year_id == year.id,
            GradeEntry.semester.in_(semesters),
            GradeEntry.updated_at >= since,
        )
        .distinct()
    )
    return {(course_id, student_id) for course_id, student_id in db.session.execute(stmt)}
