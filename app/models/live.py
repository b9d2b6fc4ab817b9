"""Live classroom: sessions, presence intervals, session log, chat, polls, board, attendance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
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
from app.models.timetable import TimetableSlot


class LiveSession(db.Model, SchoolOwned):
    """One online lesson of a course: started by its teacher, ended by them (or never).

    `state` holds what late joiners must see and every process must share: board page, raised
    hands queue, mutes. It is small and rewritten whole (one row update per change)."""

    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # The timetabled lesson this session is (its confirmed sheet feeds that lesson's register).
    timetable_slot_id: Mapped[int | None] = mapped_column(
        ForeignKey("timetable_slots.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[dict] = mapped_column(JSON, default=dict)
    # One more on every join and leave, in its transaction (services.live_presence): the
    # presence lists broadcast by several processes can arrive out of order, and a client keeps
    # the one with the highest version.
    presence_version: Mapped[int] = mapped_column(default=0, server_default="0")

    teacher: Mapped[User] = relationship()
    timetable_slot: Mapped[TimetableSlot | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class LivePresence(db.Model, SchoolOwned):
    """A continuous stretch of one user's presence in a session. Several devices and a drop
    shorter than the presence gap (services.live.PRESENCE_GAP) extend the same row;
    `connections` counts the user's open sockets across every process."""

    __tablename__ = "live_presences"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    connections: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship()

    __table_args__ = (
        Index("ix_live_presences_session_user", "session_id", "user_id"),
        CheckConstraint("connections >= 0", name="connections"),
    )


class LiveEvent(db.Model, SchoolOwned):
    """The session log kept as the teaching record: joins, leaves, polls, chat, board, end."""

    __tablename__ = "live_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    user: Mapped[User | None] = relationship()


class LiveChatMessage(db.Model, SchoolOwned):
    """A chat line (plain text, cleaned and length-limited when written)."""

    __tablename__ = "live_chat_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LivePoll(db.Model, SchoolOwned):
    """A quick question pushed by the teacher: an ad-hoc poll or one objective bank question.
    `options` is [{"id", "html"}]; `correct` the option ids that score (empty for a poll)."""

    __tablename__ = "live_polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="poll")
    prompt_html: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON, default=list)
    correct: Mapped[list] = mapped_column(JSON, default=list)
    is_multiple: Mapped[bool] = mapped_column(default=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("kind IN ('poll', 'question')", name="kind"),)


class LivePollAnswer(db.Model, SchoolOwned):
    """One student's answer to a poll (answering again replaces it while the poll is open)."""

    __tablename__ = "live_poll_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("live_polls.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    choice: Mapped[list] = mapped_column(JSON, default=list)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    __table_args__ = (UniqueConstraint("poll_id", "student_id"),)


class LiveSlide(db.Model, SchoolOwned):
    """A board page: an image uploaded by the teacher (stored by digest in core.storage)."""

    __tablename__ = "live_slides"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))


class LiveAttendance(db.Model, SchoolOwned):
    """The attendance sheet the teacher confirmed at the end of a session (statuses edited by
    the teacher win over the computed ones)."""

    __tablename__ = "live_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(8))
    minutes_present: Mapped[int] = mapped_column(Integer, default=0)
    confirmed_by_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    __table_args__ = (
        UniqueConstraint("session_id", "student_id"),
        CheckConstraint("status IN ('present', 'late', 'absent')", name="status"),
    )


class LiveSchoolSetting(db.Model, SchoolOwned):
    """A school's live-room settings: the video conference embedded in every room, and
    whether chat is kept in the session log."""

    __tablename__ = "live_school_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    video_provider: Mapped[str] = mapped_column(String(8), default="none")
    video_base_url: Mapped[str] = mapped_column(String(300), default="")
    keeps_chat_log: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        UniqueConstraint("school_id"),
        CheckConstraint("video_provider IN ('none', 'jitsi', 'bbb')", name="video_provider"),
    )
