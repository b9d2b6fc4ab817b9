"""Scores released to students and parents.

Released means: the teacher of a course (or an admin) has switched on "Công bố điểm" for that
course and semester. A released semester shows every score entered in it, including ones
entered later, except those fed by an exam whose results the exam itself does not release yet
(release after close / by hand). Until released, students and parents see nothing of that
course semester. The average (or Đạt / Chưa đạt) is shown once the visible scores are
complete; a hidden exam score leaves the row incomplete, so no average gives it away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import (
    ClassMembership,
    Course,
    Exam,
    GradeEntry,
    GradeRelease,
    Role,
    SchoolClass,
    SchoolYear,
    User,
)
from app.services import audit
from app.services.access import require_role
from app.services.exam_scoring import is_released as exam_is_released
from app.services.family import child_of
from app.services.gradebook import course_for_edit
from app.services.gradebook_values import display, parse_semester
from app.services.gradebook_views import grades_of

SEMESTERS = (1, 2)


def set_release(actor: User, course_id: object, semester: object, is_released: bool) -> bool:
    """Release (or withdraw) a course semester's scores; True when it changed. Commits.

    Raises NotFound, Forbidden (not the course's teacher or an admin), ValidationFailed.
    """
    course = course_for_edit(actor, course_id)
    number = parse_semester(semester)
    release = db.session.scalar(
        select(GradeRelease).where(
            GradeRelease.course_id == course.id, GradeRelease.semester == number
        )
    )
    if (release is not None) == is_released:
        return False
    if is_released:
        release = GradeRelease(
            school_id=course.school_id,
            course_id=course.id,
            semester=number,
            released_by_id=actor.id,
        )
        db.session.add(release)
        db.session.flush()
        audit.record(actor, "grades.release", release, {"semester": [None, number]})
    else:
        audit.record(actor, "grades.withdraw", release, {"semester": [number, None]})
        db.session.delete(release)
    db.session.commit()
    return True


def released_semesters(course_ids: list[int]) -> set[tuple[int, int]]:
    """(course id, semester) pairs that are released."""
    if not course_ids:
        return set()
    stmt = select(GradeRelease.course_id, GradeRelease.semester).where(
        GradeRelease.course_id.in_(course_ids)
    )
    return {(c, s) for c, s in db.session.execute(stmt)}


@dataclass
class SemesterScores:
    semester: int
    is_released: bool
    tx: list[str | None] = field(default_factory=list)
    gk: str | None = None
    ck: str | None = None
    average: str | None = None
    result: str | None = None
    status: str | None = None

    def as_dict(self) -> dict:
        return {
            "semester": self.semester,
            "released": self.is_released,
            "tx": self.tx,
            "gk": self.gk,
            "ck": self.ck,
            "average": self.average,
            "result": self.result,
            "status": self.status,
        }


@dataclass
class SubjectScores:
    course: Course
    semesters: list[SemesterScores]

    def as_dict(self) -> dict:
        return {
            "course_id": self.course.id,
            "subject": self.course.subject.name,
            "assessment": self.course.subject.assessment,
            "teacher": self.course.teacher.full_name,
            "semesters": [s.as_dict() for s in self.semesters],
        }


@dataclass
class StudentReport:
    student: User
    school_class: SchoolClass | None
    subjects: list[SubjectScores]
    # the visible entries themselves (for the family progress charts), not in as_dict()
    entries: list[GradeEntry] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "student_code": self.student.student_code,
            "full_name": self.student.full_name,
            "class": self.school_class.name if self.school_class else None,
            "school_year": self.school_class.school_year.name if self.school_class else None,
            "subjects": [s.as_dict() for s in self.subjects],
        }


def my_scores(actor: User) -> StudentReport:
    """The calling student's released scores ("Điểm của em"). Raises Forbidden."""
    require_role(actor, Role.STUDENT)
    return released_report(actor)


def child_scores(parent: User, student_code: str) -> StudentReport:
    """A parent's child's released scores. Raises Forbidden, NotFound (not their child)."""
    return released_report(child_of(parent, student_code))


def released_report(student: User) -> StudentReport:
    """Per course of the student's current class, both semesters as released to them."""
    return released_reports([student])[student.id]


def released_reports(
    students: list[User], *, include_unreleased: bool = False
) -> dict[int, StudentReport]:
    """`released_report` for several students in a constant number of queries (the parent
    home, a class overview). `include_unreleased` is for staff only (homeroom teacher, admin):
    every semester and every exam score counts as visible."""
    ids = [s.id for s in students]
    classes: dict[int, SchoolClass] = {}
    if ids:
        rows = db.session.execute(
            select(ClassMembership.student_id, SchoolClass)
            .join(SchoolClass, ClassMembership.class_id == SchoolClass.id)
            .join(SchoolYear, SchoolYear.id == SchoolClass.school_year_id)
            .where(ClassMembership.student_id.in_(ids))
            .order_by(SchoolYear.name.desc())
        )
        for student_id, school_class in rows:
            classes.setdefault(student_id, school_class)
    class_ids = {c.id for c in classes.values()}
    courses: list[Course] = []
    if class_ids:
        courses = list(
            db.session.scalars(
                select(Course)
                .where(Course.class_id.in_(class_ids), Course.is_active.is_(True))
                .order_by(Course.id)
            )
        )
    course_ids = [c.id for c in courses]
    if include_unreleased:
        released = {(c, n) for c in course_ids for n in SEMESTERS}
    else:
        released = released_semesters(course_ids)
    entries = _visible_entries(ids, course_ids, released, include_unreleased)
    by_student: dict[int, list[GradeEntry]] = {}
    for entry in entries:
        by_student.setdefault(entry.student_id, []).append(entry)
    reports = {}
    for student in students:
        school_class = classes.get(student.id)
        if school_class is None:
            reports[student.id] = StudentReport(student, None, [])
            continue
        own = by_student.get(student.id, [])
        subjects = [
            SubjectScores(c, [_semester(c, n, student, own, released) for n in SEMESTERS])
            for c in courses
            if c.class_id == school_class.id
        ]
        reports[student.id] = StudentReport(student, school_class, subjects, own)
    return reports


def _visible_entries(
    student_ids: list[int], course_ids: list[int], released, everything: bool = False
) -> list[GradeEntry]:
    if not released or not student_ids:
        return []
    rows = db.session.scalars(
        select(GradeEntry)
        .where(GradeEntry.student_id.in_(student_ids), GradeEntry.course_id.in_(course_ids))
        .order_by(GradeEntry.updated_at, GradeEntry.id)
    ).all()
    rows = [e for e in rows if (e.course_id, e.semester) in released]
    if everything:
        return list(rows)
    exam_ids = {e.source_id for e in rows if e.source == "exam" and e.source_id}
    exams = {
        exam.id: exam for exam in db.session.scalars(select(Exam).where(Exam.id.in_(exam_ids)))
    }
    return [e for e in rows if e.source != "exam" or _exam_open(exams.get(e.source_id))]


def _exam_open(exam: Exam | None) -> bool:
    return exam is not None and exam_is_released(exam)


def _text(value: Decimal | str | None) -> str | None:
    return value if isinstance(value, str) or value is None else display(value)


def _semester(course: Course, number: int, student: User, entries, released) -> SemesterScores:
    if (course.id, number) not in released:
        return SemesterScores(number, False)
    own = [e for e in entries if e.course_id == course.id and e.semester == number]
    (row,) = grades_of(course, number, [student], own, False).rows
    return SemesterScores(
        semester=number,
        is_released=True,
        tx=[_text(v) for v in row.tx],
        gk=_text(row.gk),
        ck=_text(row.ck),
        average=None if row.average is None else str(row.average),
        result=row.result,
        status=row.status,
    )
