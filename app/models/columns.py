"""Column helpers every model uses: ids, school ownership, creation timestamps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.core.clock import now_utc
from app.core.db_types import UTCDateTime


class SchoolOwned:
    """A row that belongs to one school; services filter every query by `school_id`."""

    @declared_attr
    def school_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)


class Timestamped:
    """Creation and last-change times, aware UTC."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)
