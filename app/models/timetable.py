"""Timetable of online lessons per class, and attendance taken per timetabled lesson."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db_types import UTCDateTime
from app.extensions import db
from app.models.columns import SchoolOwned, Timestamped
from app.models.courses import Lesson
from app.models.identity import User
from app.models.school import Course

ATTENDANCE_STATUSES = ("present", "late", "excused", "unexcused")


class TimetableSlot(Timestamped, db.Model, SchoolOwned):
    """One timetabled online lesson of a course (UTC times); a live session points at its id.

    Weekly repeats share a `series_key`; a cancelled slot stays in the record, flagged."""

    __tablename__ = "timetable_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int | None] = mapped_column(
        ForeignKey("lessons.id", ondelete="SET NULL"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    topic: Mapped[str] = mapped_column(String(300), default="")
    meeting_url: Mapped[str | None] = mapped_column(String(1000))
    series_key: Mapped[str | None] = mapped_column(String(32), index=True)
    is_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    attendance_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    course: Mapped[Course] = relationship(lazy="joined")
    lesson: Mapped[Lesson | None] = relationship()

    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="times"),
        Index("ix_timetable_slots_class_id_starts_at", "class_id", "starts_at"),
    )


class AttendanceRecord(Timestamped, db.Model, SchoolOwned):
    """A student's attendance at one timetabled lesson (Thông tư 09/2021 record)."""

    __tablename__ = "attendance_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("timetable_slots.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(8), default="manual")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    student: Mapped[User] = relationship(foreign_keys=[student_id])

    __table_args__ = (
        UniqueConstraint("slot_id", "student_id"),
        CheckConstraint("status IN ('present', 'late', 'excused', 'unexcused')", name="status"),
        CheckConstraint("source IN ('live', 'manual')", name="source"),
    )
