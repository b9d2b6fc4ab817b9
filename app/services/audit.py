"""Writing the audit log: one row per change, in the same transaction as the change."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from app.core.request_context import client_ip
from app.extensions import db
from app.models import AuditLog, User


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def diff(record: object, fields: dict[str, object]) -> dict[str, list]:
    """Set `fields` on `record`; return {field: [old, new]} for those that really changed."""
    changes: dict[str, list] = {}
    for name, new in fields.items():
        old = getattr(record, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(record, name, new)
    return changes


def record(
    actor: User | None,
    action: str,
    entity: object,
    changes: dict | None = None,
    *,
    school_id: int | None = None,
    reason: str = "",
) -> AuditLog:
    """Add an audit row for `entity` (flushed with the caller's transaction, not committed)."""
    entity = getattr(entity, "_get_current_object", lambda: entity)()  # unwrap current_user
    if getattr(entity, "id", 0) is None:
        db.session.flush()  # the row needs its id before the log can point at it
    entry = AuditLog(
        school_id=school_id if school_id is not None else getattr(entity, "school_id", None),
        actor_id=actor.id if actor is not None else None,
        action=action,
        entity_type=type(entity).__tablename__,
        entity_id=getattr(entity, "id", None),
        changes={k: [_plain(v) for v in pair] for k, pair in (changes or {}).items()},
        reason=reason,
        ip=client_ip.get(),
    )
    db.session.add(entry)
    return entry
