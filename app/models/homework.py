"""Homework: assignments of a course, students' submissions with their files, grades."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db_types import UTCDateTime
from app.extensions import db
from app.models.columns import SchoolOwned, Timestamped
from app.models.identity import User


class Assignment(Timestamped, db.Model, SchoolOwned):
    """A homework (bài tập về nhà) of a course, open from `opens_at` until `due_at` (UTC)."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    instructions_html: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    late_policy: Mapped[str] = mapped_column(String(8), default="flag")
    late_penalty_percent: Mapped[int] = mapped_column(Integer, default=0)
    submission_type: Mapped[str] = mapped_column(String(8), default="both")
    max_score: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(10))
    gradebook_column: Mapped[str] = mapped_column(String(8), default="tx")

    __table_args__ = (
        CheckConstraint("late_policy IN ('penalty', 'flag', 'refuse')", name="late_policy"),
        CheckConstraint("submission_type IN ('text', 'files', 'both')", name="submission_type"),
        CheckConstraint("gradebook_column IN ('tx', 'none')", name="gradebook_column"),
        CheckConstraint("opens_at < due_at", name="window"),
    )


class Submission(Timestamped, db.Model, SchoolOwned):
    """One student's work on an assignment (resubmitting replaces it); graded, then returned."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text_html: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_late: Mapped[bool] = mapped_column(default=False)
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    comment: Mapped[str] = mapped_column(Text, default="")
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extended_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    student: Mapped[User] = relationship()
    assignment: Mapped[Assignment] = relationship()
    files: Mapped[list[SubmissionFile]] = relationship(
        order_by="SubmissionFile.id", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("assignment_id", "student_id"),)


class SubmissionFile(Timestamped, db.Model, SchoolOwned):
    """A file handed in with a submission; bytes in app.core.storage."""

    __tablename__ = "submission_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
