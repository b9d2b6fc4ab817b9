"""Family view settings: what a school lets parents and students see on the progress pages."""

from __future__ import annotations

from sqlalchemy import Boolean, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.columns import SchoolOwned, Timestamped


class FamilyViewSetting(Timestamped, db.Model, SchoolOwned):
    """A school's choice for the progress pages; no row means the defaults (class average on)."""

    __tablename__ = "family_view_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    shows_class_average: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (UniqueConstraint("school_id"),)
