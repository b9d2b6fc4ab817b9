"""School-wide search that matches with or without Vietnamese accents."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.core.text import fold, like_pattern
from app.extensions import db
from app.models import Role, SchoolClass, User
from app.services.access import acting_school_id, require_role

MIN_QUERY = 2


@dataclass(frozen=True)
class SearchResults:
    query: str
    people: list[User]
    classes: list[SchoolClass]


def search(actor: User, query: str, limit: int = 30) -> SearchResults:
    """People and classes of the actor's school ("nguyen van dung" finds "Nguyễn Văn Dũng").

    Staff only (teachers and admins); raises Forbidden for students and parents."""
    require_role(actor, Role.TEACHER, Role.ADMIN, Role.SYSTEM_ADMIN)
    if len(fold(query)) < MIN_QUERY:
        return SearchResults(query, [], [])
    pattern, school_id = like_pattern(query), acting_school_id(actor)
    people_stmt = select(User).where(
        User.school_id == school_id, User.search_text.like(pattern, escape="\\")
    )
    if not actor.is_admin:
        people_stmt = people_stmt.where(
            User.role.in_([Role.STUDENT, Role.TEACHER]), User.is_active.is_(True)
        )
    classes_stmt = select(SchoolClass).where(
        SchoolClass.school_id == school_id, SchoolClass.search_text.like(pattern, escape="\\")
    )
    return SearchResults(
        query,
        list(db.session.scalars(people_stmt.order_by(User.full_name).limit(limit))),
        list(db.session.scalars(classes_stmt.order_by(SchoolClass.name).limit(limit))),
    )
