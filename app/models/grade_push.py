"""Grade push outbox: one row per grade change, delivered to the school system by a worker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import now_utc
from app.core.db_types import UTCDateTime
from app.extensions import db
from app.models.columns import SchoolOwned

PUSH_STATES = ("pending", "delivered", "failed")


class GradePush(db.Model, SchoolOwned):
    """A grade change waiting for (or done with) delivery to SIS_PUSH_URL.

    Written in the transaction of the change. `entry_key` names the gradebook cell (course,
    student, semester, column) so that changes of one cell are delivered in order;
    `claim_token` / `claimed_until` are a worker's lease on the row.
    """

    __tablename__ = "grade_pushes"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("grade_entries.id", ondelete="SET NULL"), index=True
    )
    entry_key: Mapped[str] = mapped_column(String(64), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True)
    payload: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    claim_token: Mapped[str | None] = mapped_column(String(36))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("state IN ('pending', 'delivered', 'failed')", name="state"),
        Index("ix_grade_pushes_state_next_attempt_at", "state", "next_attempt_at"),
    )
