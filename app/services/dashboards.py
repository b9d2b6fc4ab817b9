"""What each role's home page shows (empty-ish dashboards until later areas land)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Role, SchoolClass, User
from app.services.people import children_of
from app.services.school import courses_for


def template_role(user: User) -> str:
    return "admin" if user.is_admin else str(user.role)


def home_data(user: User) -> dict:
    """Counts and lists for the signed-in user's home page."""
    if user.role == Role.SYSTEM_ADMIN:
        from app.models import School

        return {"schools": list(db.session.scalars(select(School).order_by(School.code)))}
    if user.is_admin:
        counts = dict(
            db.session.execute(
                select(User.role, func.count())
                .where(User.school_id == user.school_id, User.is_active.is_(True))
                .group_by(User.role)
            ).all()
        )
        classes = db.session.scalar(
            select(func.count())
            .select_from(SchoolClass)
            .where(SchoolClass.school_id == user.school_id, SchoolClass.is_active.is_(True))
        )
        return {"counts": counts, "classes": classes}
    if user.role == Role.PARENT:
        from app.services.announcements import listing
        from app.services.progress import family_cards

        return {
            "children": children_of(user),
            "cards": family_cards(user),
            "notices": listing(user, per_page=3).items,
        }
    if user.role == Role.STUDENT:
        from app.services.homework import todo
        from app.services.progress import own_card

        return {"courses": courses_for(user), "card": own_card(user), "todo": todo(user)}
    return {"courses": courses_for(user)}
