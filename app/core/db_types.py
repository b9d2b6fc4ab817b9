"""Column types shared by every model: timestamps stored as UTC, read back aware."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator
from werkzeug.routing import IntegerConverter

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


# The largest id an INTEGER primary key holds on PostgreSQL: a larger number in a URL or a body
# names no row, and must be "not found", not a driver error (a 500).
MAX_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """Flask's `<int:...>` for row ids: 0 .. MAX_ID, so `/x/99999999999` is a plain 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)
