"""Reading the timetable: who may see a class's or a course's lessons, per class, per course,
and the signed-in person's week (teacher: what they teach; student: their class; parent: kids)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Select, select

from app.core.clock import DEFAULT_TIMEZONE, local_today
from app.core.errors import Forbidden, ValidationFailed
from app.core.pagination import Page, paginate
from app.extensions import db
from app.models import ClassMembership, Course, ParentLink, Role, SchoolClass, TimetableSlot, User
from app.services.access import get_scoped, is_course_staff

DEFAULT_SPAN = timedelta(days=7)
MAX_SPAN = timedelta(days=400)


def _in_class(student_ids, class_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(ClassMembership.id).where(
                ClassMembership.class_id == class_id, ClassMembership.student_id.in_(student_ids)
            )
        )
    )


def _children(parent: User):
    return select(ParentLink.student_id).where(ParentLink.parent_id == parent.id)


def may_see_class(actor: User, class_id: int) -> bool:
    """Staff of the school, the class's students and their parents."""
    if not actor.is_active:
        return False
    if actor.is_admin or actor.role == Role.TEACHER:
        return True
    if actor.role == Role.STUDENT:
        return _in_class([actor.id], class_id)
    if actor.role == Role.PARENT:
        return _in_class(_children(actor), class_id)
    return False


def viewable_class(actor: User, class_id: object) -> SchoolClass:
    """A class of the actor's school (NotFound otherwise) that the actor may see (Forbidden)."""
    school_class = get_scoped(SchoolClass, class_id, actor)
    if not may_see_class(actor, school_class.id):
        raise Forbidden(_("Bạn không xem được thời khoá biểu của lớp này."))
    return school_class


def viewable_course(actor: User, course_id: object) -> Course:
    course = get_scoped(Course, course_id, actor)
    if not (is_course_staff(actor, course) or may_see_class(actor, course.class_id)):
        raise Forbidden(_("Bạn không xem được thời khoá biểu của môn học này."))
    return course


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(DEFAULT_TIMEZONE)).astimezone(
        ZoneInfo("UTC")
    )


def window(start: object = None, end: object = None) -> tuple[date, date]:
    """`from`/`to` local dates (inclusive), default 7 days from today. Raises ValidationFailed."""
    try:
        first = date.fromisoformat(str(start)) if start not in (None, "") else local_today()
        last = date.fromisoformat(str(end)) if end not in (None, "") else None
    except ValueError:
        raise ValidationFailed(_("from/to phải là ngày dạng YYYY-MM-DD.")) from None
    last = last or first + DEFAULT_SPAN - timedelta(days=1)
    if last < first:
        raise ValidationFailed(_("Ngày “đến” phải sau ngày “từ”."))
    if last - first > MAX_SPAN:
        raise ValidationFailed(_("Khoảng ngày quá dài (tối đa 400 ngày)."))
    return first, last


def _between(stmt: Select, first: date, last: date) -> Select:
    return stmt.where(
        TimetableSlot.starts_at >= _local_start(first),
        TimetableSlot.starts_at < _local_start(last + timedelta(days=1)),
    ).order_by(TimetableSlot.starts_at, TimetableSlot.id)


def class_timetable(
    actor: User, class_id: object, first: date, last: date, page: int = 1, per_page: int = 500
) -> Page:
    """A class's lessons between two local dates, cancelled ones included (flagged)."""
    school_class = viewable_class(actor, class_id)
    stmt = select(TimetableSlot).where(TimetableSlot.class_id == school_class.id)
    return paginate(db.session, _between(stmt, first, last), page, per_page)


def course_timetable(
    actor: User,
    course_id: object,
    first: date | None = None,
    last: date | None = None,
    page: int = 1,
    per_page: int = 500,
) -> Page:
    """A course's lessons (all of them, or between two local dates)."""
    course = viewable_course(actor, course_id)
    stmt = select(TimetableSlot).where(TimetableSlot.course_id == course.id)
    if first is not None and last is not None:
        stmt = _between(stmt, first, last)
    else:
        stmt = stmt.order_by(TimetableSlot.starts_at, TimetableSlot.id)
    return paginate(db.session, stmt, page, per_page)


def my_week(actor: User, monday: date | None = None) -> tuple[date, list[TimetableSlot]]:
    """The Monday of the week shown and the lessons of that week for the actor."""
    day = monday or local_today()
    monday = day - timedelta(days=day.weekday())
    stmt = select(TimetableSlot).where(TimetableSlot.school_id == actor.school_id)
    if actor.role == Role.TEACHER:
        stmt = stmt.join(Course, Course.id == TimetableSlot.course_id).where(
            Course.teacher_id == actor.id
        )
    elif actor.role == Role.STUDENT:
        stmt = stmt.where(
            TimetableSlot.class_id.in_(
                select(ClassMembership.class_id).where(ClassMembership.student_id == actor.id)
            )
        )
    elif actor.role == Role.PARENT:
        stmt = stmt.where(
            TimetableSlot.class_id.in_(
                select(ClassMembership.class_id).where(
                    ClassMembership.student_id.in_(_children(actor))
                )
            )
        )
    elif not actor.is_admin:
        return monday, []
    slots = db.session.scalars(_between(stmt, monday, monday + timedelta(days=6)))
    return monday, list(slots)


def editable_courses_of_class(actor: User, school_class: SchoolClass) -> list[Course]:
    """The active courses of a class that the actor may timetable."""
    rows = db.session.scalars(
        select(Course)
        .where(Course.class_id == school_class.id, Course.is_active.is_(True))
        .order_by(Course.id)
    )
    return [c for c in rows if is_course_staff(actor, c)]


def by_local_day(slots: list[TimetableSlot], monday: date, days: int = 7) -> list[tuple]:
    """[(local date, [slots of that day])] for each day from `monday`, for the week pages."""
    from app.core.clock import to_local

    grouped: dict[date, list[TimetableSlot]] = {monday + timedelta(days=i): [] for i in range(days)}
    for slot in slots:
        grouped.setdefault(to_local(slot.starts_at).date(), []).append(slot)
    return sorted(grouped.items())
