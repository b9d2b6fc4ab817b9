"""What a parent may see of their children (the family area grows with later issues)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import NotFound
from app.extensions import db
from app.models import ClassMembership, Course, ParentLink, Role, SchoolClass, SchoolYear, User
from app.services.access import require_role


@dataclass(frozen=True)
class ChildOverview:
    student: User
    school_class: SchoolClass | None
    courses: list[Course]


def child_of(parent: User, student_code: str) -> User:
    """The parent's own child with that code; any other code is simply not found (no leaks)."""
    require_role(parent, Role.PARENT)
    child = db.session.scalar(
        select(User)
        .join(ParentLink, ParentLink.student_id == User.id)
        .where(ParentLink.parent_id == parent.id, User.student_code == student_code)
    )
    if child is None:
        raise NotFound(_("Không tìm thấy học sinh này trong danh sách con của bạn."))
    return child


def child_overview(parent: User, student_code: str) -> ChildOverview:
    """A child's current class and courses, for their parent."""
    child = child_of(parent, student_code)
    membership = db.session.scalar(
        select(ClassMembership)
        .join(SchoolClass)
        .join(SchoolYear)
        .where(ClassMembership.student_id == child.id)
        .order_by(SchoolYear.name.desc())
    )
    courses: list[Course] = []
    if membership is not None:
        courses = list(
            db.session.scalars(
                select(Course)
                .where(Course.class_id == membership.class_id, Course.is_active.is_(True))
                .order_by(Course.id)
            )
        )
    return ChildOverview(child, membership.school_class if membership else None, courses)
