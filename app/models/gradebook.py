"""Gradebook: one row per entered assessment (course x student x semester x column), and locks."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import now_utc
from app.core.db_types import UTCDateTime
from app.extensions import db
from app.models.columns import SchoolOwned, Timestamped
from app.models.identity import School, User
from app.models.school import Course


class GradeEntry(Timestamped, db.Model, SchoolOwned):
    """A score (ĐĐGtx n, ĐĐGgk, ĐĐGck) or a comment rating (Đạt / Chưa đạt) of one student.

    `source` says where it came from (manual, homework, exam, scorm, live) and `source_id`
    which record of that area produced it.
    """

    __tablename__ = "grade_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    semester: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(8))
    score: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    rating: Mapped[str | None] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(16), default="manual")
    source_id: Mapped[int | None] = mapped_column(Integer)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    course: Mapped[Course] = relationship()
    student: Mapped[User] = relationship(foreign_keys=[student_id])

    __table_args__ = (
        UniqueConstraint("course_id", "student_id", "semester", "column"),
        CheckConstraint("semester IN (1, 2)", name="semester"),
        CheckConstraint("source IN ('manual', 'homework', 'exam', 'scorm', 'live')", name="source"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 10)", name="score_range"),
        CheckConstraint(
            "rating IS NULL OR rating IN ('dat', 'chua_dat', 'T', 'H', 'C')", name="rating"
        ),
    )


class GradeLock(db.Model, SchoolOwned):
    """A semester of a school year closed by the admin: changes then need a recorded reason."""

    __tablename__ = "grade_locks"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_year_id: Mapped[int] = mapped_column(
        ForeignKey("school_years.id", ondelete="CASCADE"), index=True
    )
    semester: Mapped[int] = mapped_column(Integer)
    locked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    __table_args__ = (
        UniqueConstraint("school_year_id", "semester"),
        CheckConstraint("semester IN (1, 2)", name="semester"),
    )


class GradeRelease(db.Model, SchoolOwned):
    """A course semester whose scores the teacher has released to students and parents."""

    __tablename__ = "grade_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    semester: Mapped[int] = mapped_column(Integer)
    released_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    __table_args__ = (
        UniqueConstraint("course_id", "semester"),
        CheckConstraint("semester IN (1, 2)", name="semester"),
    )


class GradeExportSetting(Timestamped, db.Model, SchoolOwned):
    """A school's column mapping for an export layout (SMAS): [[header, field], ...]."""

    __tablename__ = "grade_export_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    layout: Mapped[str] = mapped_column(String(16))
    columns: Mapped[list] = mapped_column(JSON, default=list)

    __table_args__ = (UniqueConstraint("school_id", "layout"),)


class StudentCodeChange(db.Model, SchoolOwned):
    """A student's code as the school system knew it before: grades stay with the student
    (they are kept by id) and files or pushes naming the old code still find them."""

    __tablename__ = "student_code_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    old_code: Mapped[str] = mapped_column(String(32), index=True)
    new_code: Mapped[str] = mapped_column(String(32))
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


EXPORT_JOB_STATES = ("queued", "running", "done", "failed")


class GradeExportJob(db.Model, SchoolOwned):
    """A gradebook export run outside the request (admin page or API), by `lophoc worker`.

    `progress_done` / `progress_total` count the rows built; the finished file is kept in the
    content-addressed store (`sha256`). `claim_token` / `claimed_until` are the running
    worker's lease: a job whose lease ran out (the worker died) is taken up again.
    """

    __tablename__ = "grade_export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    year: Mapped[str] = mapped_column(String(9))
    period: Mapped[str] = mapped_column(String(4))
    class_name: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(120))
    format: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(10), default="queued")
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(36))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    filename: Mapped[str | None] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    rows: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    school: Mapped[School] = relationship()

    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),
        Index("ix_grade_export_jobs_state_id", "state", "id"),
    )


class PrimaryQualityRating(Timestamped, db.Model, SchoolOwned):
    """Thông tư 27/2020: one quality (phẩm chất) or competence (năng lực) of a primary
    student for a semester, rated T (Tốt), D (Đạt) or C (Cần cố gắng) by the homeroom teacher.
    `item` is a code of gradebook_qualities.ITEMS (e.g. "cham_chi", "tinh_toan")."""

    __tablename__ = "primary_qualities"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    school_year_id: Mapped[int] = mapped_column(
        ForeignKey("school_years.id", ondelete="CASCADE"), index=True
    )
    semester: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(24))
    rating: Mapped[str] = mapped_column(String(1))
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (
        UniqueConstraint("student_id", "school_year_id", "semester", "item"),
        CheckConstraint("semester IN (1, 2)", name="semester"),
        CheckConstraint("rating IN ('T', 'D', 'C')", name="rating"),
    )
