"""Reading the audit log back, scoped to the reader's school."""

from __future__ import annotations

from sqlalchemy import select

from app.core.pagination import Page, paginate
from app.extensions import db
from app.models import AuditLog
from app.services.access import acting_school_id, require_school_admin


def recent(actor, page: int, per_page: int) -> Page:
    """The school's audit log, newest first (admins only)."""
    require_school_admin(actor)
    stmt = (
        select(AuditLog)
        .where(AuditLog.school_id == acting_school_id(actor))
        .order_by(AuditLog.id.desc())
    )
    return paginate(db.session, stmt, page, per_page)


def for_entity(actor, entity, limit: int = 50) -> list[AuditLog]:
    """The history of one record (admins only)."""
    require_school_admin(actor)
    stmt = (
        select(AuditLog)
        .where(
            AuditLog.school_id == acting_school_id(actor),
            AuditLog.entity_type == type(entity).__tablename__,
            AuditLog.entity_id == entity.id,
        )
        .order_by(AuditLog.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
