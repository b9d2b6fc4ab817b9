"""The one clock of the application: aware UTC in, Asia/Ho_Chi_Minh only for display."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

_frozen_at: datetime | None = None


def now_utc() -> datetime:
    """Return the current time as an aware UTC datetime (tests may freeze it)."""
    if _frozen_at is not None:
        return _frozen_at
    return datetime.now(UTC)


def freeze(at: datetime | None) -> None:
    """Freeze `now_utc()` at `at` (aware), or unfreeze with None. For tests and benchmarks."""
    global _frozen_at
    if at is not None and at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen_at = at.astimezone(UTC) if at is not None else None


def as_utc(value: datetime) -> datetime:
    """Make a datetime aware UTC; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_local(value: datetime | None, tz_name: str = DEFAULT_TIMEZONE) -> datetime | None:
    """Convert a stored UTC datetime to the school's local time for display."""
    if value is None:
        return None
    return as_utc(value).astimezone(ZoneInfo(tz_name))


def local_today(tz_name: str = DEFAULT_TIMEZONE) -> date:
    """Today's date where the school is (a school day starts at local midnight)."""
    return now_utc().astimezone(ZoneInfo(tz_name)).date()


def school_year_of(day: date) -> str:
    """The school year a date falls in: Vietnamese school years start in August/September."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"
