"""School structure use cases: schools, years, subjects, classes, class lists and courses."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.clock import local_today, school_year_of
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.pagination import Page, paginate
from app.core.text import clean_line, fold, like_pattern
from app.extensions import db
from app.models import (
    ClassMembership,
    Course,
    Role,
    School,
    SchoolClass,
    SchoolYear,
    Semester,
    Subject,
    User,
)
from app.services import audit
from app.services.access import acting_school_id, get_scoped, require_school_admin
from app.services.grading import is_comment_subject

SCHOOL_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{2,32}$")
YEAR_RE = re.compile(r"^(\d{4})-(\d{4})$")


def create_school(code: str, name: str, level: str = "thpt") -> School:
    """Create a school with its current school year. Raises ValidationFailed, Conflict."""
    code = clean_line(code).upper()
    if not SCHOOL_CODE_RE.match(code):
        raise ValidationFailed(
            _("Mã trường “%(c)s” không hợp lệ (2-32 chữ, số, - hoặc _).", c=code)
        )
    if not clean_line(name):
        raise ValidationFailed(_("Thiếu tên trường."))
    if db.session.scalar(select(School.id).where(School.code == code)):
        raise Conflict(_("Mã trường “%(c)s” đã tồn tại.", c=code))
    school = School(code=code, name=clean_line(name), level=level)
    db.session.add(school)
    db.session.flush()
    ensure_year(school, school_year_of(local_today()))
    audit.record(None, "school.create", school, {"code": [None, code]}, school_id=school.id)
    db.session.commit()
    return school


def school_by_code(code: str) -> School:
    """Raise NotFound for an unknown school code."""
    school = db.session.scalar(select(School).where(School.code == clean_line(code).upper()))
    if school is None:
        raise NotFound(_("Không có trường mã “%(c)s”.", c=code))
    return school


def ensure_year(school: School, name: str) -> SchoolYear:
    """The school year `name` (e.g. 2026-2027) with its two semesters, created if missing."""
    match = YEAR_RE.match(clean_line(name))
    if not match or int(match[2]) != int(match[1]) + 1:
        raise ValidationFailed(_("Năm học “%(y)s” không hợp lệ; viết dạng 2026-2027.", y=name))
    year = db.session.scalar(
        select(SchoolYear).where(SchoolYear.school_id == school.id, SchoolYear.name == match[0])
    )
    if year is not None:
        return year
    start, end = int(match[1]), int(match[2])
    year = SchoolYear(
        school_id=school.id, name=match[0], starts_on=date(start, 9, 1), ends_on=date(end, 5, 31)
    )
    year.semesters = [
        Semester(
            school_id=school.id, number=1, starts_on=date(start, 9, 1), ends_on=date(end, 1, 15)
        ),
        Semester(
            school_id=school.id, number=2, starts_on=date(end, 1, 16), ends_on=date(end, 5, 31)
        ),
    ]
    db.session.add(year)
    db.session.flush()
    return year


def current_year(school: School) -> SchoolYear:
    """The school year today falls in (created with its semesters when missing)."""
    return ensure_year(school, school_year_of(local_today()))


def grade_from_class_name(name: str) -> int | None:
    """10A1 -> 10, 6/3 -> 6, Lớp 12C -> 12; None when there is no grade to read."""
    match = re.match(r"^(?:lop\s*)?(\d{1,2})", fold(name))
    if match and 1 <= int(match[1]) <= 12:
        return int(match[1])
    return None


def find_class(school_id: int, year_id: int, name: str) -> SchoolClass:
    """The class of that name in that year; raises NotFound."""
    school_class = db.session.scalar(
        select(SchoolClass).where(
            SchoolClass.school_id == school_id,
            SchoolClass.school_year_id == year_id,
            func.upper(SchoolClass.name) == clean_line(name).upper(),
        )
    )
    if school_class is None:
        raise NotFound(_("Không có lớp “%(n)s” trong năm học này.", n=name))
    return school_class


def add_class(
    actor: User | None, school: School, year: SchoolYear, name: str, grade: int | None = None
) -> SchoolClass:
    """Create a class (flush only). Raises ValidationFailed or Conflict."""
    name = clean_line(name).upper()
    if not name or len(name) > 40:
        raise ValidationFailed(_("Tên lớp không hợp lệ."))
    grade = grade or grade_from_class_name(name)
    if grade is None or not 1 <= grade <= 12:
        raise ValidationFailed(_("Không xác định được khối của lớp “%(n)s” (1-12).", n=name))
    exists = db.session.scalar(
        select(SchoolClass.id).where(
            SchoolClass.school_year_id == year.id, func.upper(SchoolClass.name) == name
        )
    )
    if exists:
        raise Conflict(_("Lớp “%(n)s” đã có trong năm học %(y)s.", n=name, y=year.name))
    school_class = SchoolClass(
        school_id=school.id, school_year_id=year.id, name=name, grade=grade, search_text=fold(name)
    )
    db.session.add(school_class)
    db.session.flush()
    audit.record(actor, "class.create", school_class, {"name": [None, name]})
    return school_class


def create_class(actor: User, name: str, grade: int | None = None) -> SchoolClass:
    """An admin creates a class in the current year of their school."""
    require_school_admin(actor)
    school = db.session.get(School, acting_school_id(actor))
    school_class = add_class(actor, school, current_year(school), name, grade)
    db.session.commit()
    return school_class


def set_class_active(actor: User, class_id: int, is_active: bool) -> SchoolClass:
    """Deactivate (hide) or reactivate a class; its history stays."""
    require_school_admin(actor)
    school_class = get_scoped(SchoolClass, class_id, actor)
    changes = audit.diff(school_class, {"is_active": is_active})
    if changes:
        audit.record(
            actor, "class.activate" if is_active else "class.deactivate", school_class, changes
        )
    db.session.commit()
    return school_class


def list_classes(
    actor: User,
    *,
    query: str = "",
    page: int = 1,
    per_page: int = 100,
    include_inactive: bool = False,
) -> Page:
    """Classes of the actor's school (all years, newest first), searchable without accents."""
    stmt = (
        select(SchoolClass).join(SchoolYear).where(SchoolClass.school_id == acting_school_id(actor))
    )
    if query:
        stmt = stmt.where(SchoolClass.search_text.like(like_pattern(query), escape="\\"))
    if not include_inactive:
        stmt = stmt.where(SchoolClass.is_active.is_(True))
    stmt = stmt.order_by(SchoolYear.name.desc(), SchoolClass.grade, SchoolClass.name)
    return paginate(db.session, stmt, page, per_page)


def put_in_class(actor: User | None, student: User, school_class: SchoolClass) -> bool:
    """Place a student in a class, moving them out of another class of the same year.

    Returns True when something changed (flush only)."""
    if student.role != Role.STUDENT:
        raise ValidationFailed(_("Chỉ học sinh mới được xếp lớp."))
    current = db.session.scalar(
        select(ClassMembership)
        .join(SchoolClass)
        .where(
            ClassMembership.student_id == student.id,
            SchoolClass.school_year_id == school_class.school_year_id,
        )
    )
    if current is not None and current.class_id == school_class.id:
        return False
    old = current.class_id if current else None
    if current is not None:
        db.session.delete(current)
        db.session.flush()
    db.session.add(
        ClassMembership(
            school_id=student.school_id, class_id=school_class.id, student_id=student.id
        )
    )
    audit.record(actor, "class.enrol", student, {"class_id": [old, school_class.id]})
    return True


def class_students(school_class: SchoolClass) -> list[User]:
    """The students of a class, by name."""
    stmt = (
        select(User)
        .join(ClassMembership, ClassMembership.student_id == User.id)
        .where(ClassMembership.class_id == school_class.id)
        .order_by(User.full_name, User.student_code)
    )
    return list(db.session.scalars(stmt))


def ensure_subject(school: School, name: str) -> Subject:
    """The subject of that name (accent- and case-insensitive), created when missing."""
    name = clean_line(name)
    if not name:
        raise ValidationFailed(_("Thiếu tên môn học."))
    subject = db.session.scalar(
        select(Subject).where(Subject.school_id == school.id, Subject.search_text == fold(name))
    )
    if subject is None:
        subject = Subject(
            school_id=school.id,
            name=name,
            search_text=fold(name),
            assessment="comment" if is_comment_subject(name) else "score",
        )
        db.session.add(subject)
        db.session.flush()
    return subject


def create_course(
    actor: User | None,
    school: School,
    class_name: str,
    subject_name: str,
    teacher_username: str,
    year_name: str | None = None,
) -> Course:
    """A course = class x subject x teacher x year (one transaction). Raises NotFound, Conflict."""
    year = ensure_year(school, year_name) if year_name else current_year(school)
    school_class = find_class(school.id, year.id, class_name)
    teacher = db.session.scalar(
        select(User).where(
            User.school_id == school.id,
            User.username == fold(teacher_username),
            User.role.in_([Role.TEACHER, Role.ADMIN]),
        )
    )
    if teacher is None:
        raise NotFound(_("Không có giáo viên “%(u)s” trong trường.", u=teacher_username))
    subject = ensure_subject(school, subject_name)
    if db.session.scalar(
        select(Course.id).where(Course.class_id == school_class.id, Course.subject_id == subject.id)
    ):
        raise Conflict(_("Lớp %(c)s đã có môn %(s)s.", c=school_class.name, s=subject.name))
    course = Course(
        school_id=school.id,
        school_year_id=year.id,
        class_id=school_class.id,
        subject_id=subject.id,
        teacher_id=teacher.id,
    )
    db.session.add(course)
    db.session.flush()
    audit.record(actor, "course.create", course, {"teacher_id": [None, teacher.id]})
    db.session.commit()
    return course


def courses_for(user: User) -> list[Course]:
    """The courses a user sees: taught (teacher), attended (student), a child's (parent)."""
    from app.models import ParentLink

    stmt = select(Course).where(Course.school_id == user.school_id, Course.is_active.is_(True))
    if user.role == Role.TEACHER:
        stmt = stmt.where(Course.teacher_id == user.id)
    elif user.role == Role.STUDENT:
        stmt = stmt.join(ClassMembership, ClassMembership.class_id == Course.class_id).where(
            ClassMembership.student_id == user.id
        )
    elif user.role == Role.PARENT:
        stmt = (
            stmt.join(ClassMembership, ClassMembership.class_id == Course.class_id)
            .join(ParentLink, ParentLink.student_id == ClassMembership.student_id)
            .where(ParentLink.parent_id == user.id)
            .distinct()
        )
    return list(db.session.scalars(stmt.order_by(Course.id)))
