"""Column types shared by every model: timestamps stored as UTC, read back aware."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

from app.core.clock import as_utc


class UTCDateTime(TypeDecorator):
    """A timestamp that is always stored in UTC and always returned timezone-aware.

    SQLite keeps no zone, PostgreSQL's timestamptz converts to the session zone; both come back
    as aware UTC here, and a naive value on the way in is refused so that local times can
    never slip into the database by accident.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = as_utc(value)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return as_utc(value)
