"""Who may do what: role checks and school scoping shared by pages, API and Socket.IO."""

from __future__ import annotations

from typing import TypeVar

from flask_babel import lazy_gettext as _l

from app.core.db_types import MAX_ID
from app.core.errors import Forbidden, NotFound
from app.extensions import db
from app.models import Role, User

T = TypeVar("T")

SCHOOL_ADMINS = (Role.ADMIN, Role.SYSTEM_ADMIN)


def require_role(actor: User, *roles: Role) -> None:
    """Raise Forbidden unless `actor` has one of `roles` and is active."""
    if not actor.is_active or actor.role not in {str(r) for r in roles}:
        raise Forbidden(str(_l("Bạn không có quyền thực hiện thao tác này.")))


def require_school_admin(actor: User) -> None:
    """Raise Forbidden unless `actor` administers a school."""
    require_role(actor, *SCHOOL_ADMINS)


def can_see_school(actor: User, school_id: int | None) -> bool:
    """System admins see every school; everybody else only their own."""
    return actor.role == Role.SYSTEM_ADMIN or (
        school_id is not None and actor.school_id == school_id
    )


def checked_id(record_id: object) -> int:
    """`record_id` as a row id; NotFound when it cannot be one (as for a missing row)."""
    try:
        key = int(record_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotFound(str(_l("Không tìm thấy."))) from None
    if not 0 < key <= MAX_ID:
        raise NotFound(str(_l("Không tìm thấy.")))
    return key


def get_scoped(model: type[T], record_id: object, actor: User) -> T:
    """Load `model` by id within the actor's school; another school's row is simply not found.

    Raises NotFound (never Forbidden, so ids of other schools do not leak).
    """
    record = db.session.get(model, checked_id(record_id))
    if record is None or not can_see_school(actor, getattr(record, "school_id", None)):
        raise NotFound(str(_l("Không tìm thấy.")))
    return record


def acting_school_id(actor: User, school_id: int | None = None) -> int:
    """The school an action applies to: the actor's own, or the one a system admin names."""
    if actor.role == Role.SYSTEM_ADMIN and school_id is not None:
        return school_id
    if actor.school_id is None:
        raise Forbidden(str(_l("Hãy chọn một trường trước.")))
    return actor.school_id


def is_course_staff(actor: User, course) -> bool:
    """The course's own teacher, or an admin of its school: who may change a course, its
    homework, exams and grades (one rule for every area)."""
    return actor.is_active and (
        actor.is_admin or (actor.role == Role.TEACHER and course.teacher_id == actor.id)
    )
