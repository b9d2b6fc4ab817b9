"""Notices that reach families: announcements with read receipts, parent-teacher message
threads (kept for the school's record, never deleted) and the weekly digest ledger."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import now_utc
from app.core.db_types import UTCDateTime
from app.extensions import db
from app.models.columns import SchoolOwned
from app.models.identity import User
from app.models.school import Course, SchoolClass


class Announcement(db.Model, SchoolOwned):
    """A teacher's or the school's announcement to a course, a class or the whole school
    (both target ids empty); `body_html` is cleaned by bleach when written."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    class_id: Mapped[int | None] = mapped_column(
        ForeignKey("classes.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    body_html: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(8), default="both")
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    author: Mapped[User | None] = relationship()
    course: Mapped[Course | None] = relationship()
    school_class: Mapped[SchoolClass | None] = relationship()

    __table_args__ = (
        CheckConstraint("audience IN ('students', 'parents', 'both')", name="audience"),
        Index("ix_announcements_school_id_created_at", "school_id", "created_at"),
    )


class AnnouncementRecipient(db.Model, SchoolOwned):
    """One person an announcement was sent to, with the child it concerns (a parent's first
    child in the audience; a student's own id), that child's class, and when it was read."""

    __tablename__ = "announcement_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    class_id: Mapped[int | None] = mapped_column(
        ForeignKey("classes.id", ondelete="SET NULL"), index=True
    )
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    student: Mapped[User | None] = relationship(foreign_keys=[student_id])
    announcement: Mapped[Announcement] = relationship()

    __table_args__ = (UniqueConstraint("announcement_id", "user_id"),)


class MessageThread(db.Model, SchoolOwned):
    """A conversation between one parent and one teacher about one child. Never deleted:
    the teacher closes it (no more replies) and may reopen it."""

    __tablename__ = "message_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    teacher_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    parent_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    teacher: Mapped[User] = relationship(foreign_keys=[teacher_id])
    parent: Mapped[User] = relationship(foreign_keys=[parent_id])
    student: Mapped[User] = relationship(foreign_keys=[student_id])


class Message(db.Model, SchoolOwned):
    """One message of a thread (plain text)."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("message_threads.id", ondelete="RESTRICT"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    author: Mapped[User | None] = relationship()


class WeeklyDigest(db.Model, SchoolOwned):
    """The digest queued for one parent for one week (Monday): makes the send idempotent."""

    __tablename__ = "weekly_digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date] = mapped_column(Date)
    outbox_mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_mails.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    __table_args__ = (UniqueConstraint("parent_id", "week_start"),)
