"""Exams: tests drawn from banks, their questions, students' attempts, answers and events."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import now_utc
from app.core.db_types import UTCDateTime
from app.extensions import db
from app.models.columns import SchoolOwned, Timestamped
from app.models.identity import User
from app.models.questions import Question, QuestionVersion
from app.models.school import Course

RELEASES = ("immediately", "after_close", "manual")
REVIEWS = ("score", "answers", "keys", "explanations")
POLICIES = ("best", "last", "average")
COLUMNS = ("tx", "gk", "ck", "none")
ATTEMPT_STATES = ("in_progress", "submitted")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Exam(Timestamped, db.Model, SchoolOwned):
    """A timed test of one course: window, duration, attempts, shuffling, release, review."""

    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    bank_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_banks.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    attempt_policy: Mapped[str] = mapped_column(String(8), default="best")
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=True)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=True)
    one_per_page: Mapped[bool] = mapped_column(Boolean, default=False)
    navigation: Mapped[str] = mapped_column(String(8), default="free")
    access_code: Mapped[str] = mapped_column(String(40), default="")
    allowed_ips: Mapped[str] = mapped_column(Text, default="")
    release: Mapped[str] = mapped_column(String(12), default="after_close")
    is_released: Mapped[bool] = mapped_column(Boolean, default=False)
    review: Mapped[str] = mapped_column(String(12), default="score")
    gradebook_column: Mapped[str] = mapped_column(String(4), default="none")
    score_decimals: Mapped[int] = mapped_column(Integer, default=2)
    max_points: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(0))
    is_published: Mapped[bool] = mapped_column(Boolean, default=False)
    # Fixed variants ("mã đề" 101, 102, ...): 0 means one shuffled variant per student.
    variant_count: Mapped[int] = mapped_column(Integer, default=0)
    # Ask the exam page to go full screen; leaving it is logged.
    fullscreen: Mapped[bool] = mapped_column(Boolean, default=False)

    course: Mapped[Course] = relationship(lazy="joined")
    questions: Mapped[list[ExamQuestion]] = relationship(
        back_populates="exam", order_by="ExamQuestion.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(_in("release", RELEASES), name="release"),
        CheckConstraint(_in("review", REVIEWS), name="review"),
        CheckConstraint(_in("attempt_policy", POLICIES), name="attempt_policy"),
        CheckConstraint(_in("gradebook_column", COLUMNS), name="gradebook_column"),
        CheckConstraint("navigation IN ('free', 'forward')", name="navigation"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("max_attempts > 0", name="max_attempts_positive"),
        CheckConstraint("variant_count >= 0 AND variant_count <= 99", name="variant_count"),
    )

    @property
    def access_code_required(self) -> bool:
        return bool(self.access_code)


class ExamQuestion(db.Model, SchoolOwned):
    """A question of an exam at the version students see, with its points in this exam."""

    __tablename__ = "exam_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="RESTRICT"), index=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("question_versions.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    points: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    # A dropped question counts for nobody (an incident, logged); its answers stay stored.
    is_dropped: Mapped[bool] = mapped_column(Boolean, default=False)
    # A key fixed during the exam (logged): replaces the version's content for scoring.
    key_override: Mapped[dict | None] = mapped_column(JSON)

    exam: Mapped[Exam] = relationship(back_populates="questions")
    question: Mapped[Question] = relationship()
    version: Mapped[QuestionVersion] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("exam_id", "question_id"),
        UniqueConstraint("exam_id", "position"),
    )


class ExamAccommodation(db.Model, SchoolOwned):
    """Extra minutes for one student in one exam (accommodation), kept for later attempts."""

    __tablename__ = "exam_accommodations"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    extra_minutes: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("exam_id", "student_id"),)


class Attempt(db.Model, SchoolOwned):
    """One student's sitting of an exam; the deadline is on the row and checked by every save.

    Unique per (exam, student, number), so a storm of starts cannot create two; the variant
    (question and option order) is derived from `seed`."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    seed: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12), default="in_progress")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "student", "deadline" (closed by the server), "proctor"
    submitted_by: Mapped[str] = mapped_column(String(12), default="")
    score: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    max_score: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    score10: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    needs_grading: Mapped[bool] = mapped_column(Boolean, default=False)
    # The device session holding the attempt; another device takes over with a logged warning.
    session_key: Mapped[str] = mapped_column(String(64), default="")
    start_ip: Mapped[str] = mapped_column(String(45), default="")
    # The fixed variant's code (101, 102, ...) when the exam has fixed variants.
    variant_code: Mapped[int | None] = mapped_column(Integer)
    # Paused by a proctor: saves wait and the clock stands still until resumed.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A proctor accepts answers the device kept offline, until this time.
    offline_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    exam: Mapped[Exam] = relationship()
    student: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("exam_id", "student_id", "number"),
        CheckConstraint(_in("status", ATTEMPT_STATES), name="status"),
    )


class Response(db.Model, SchoolOwned):
    """The latest answer to one question of an attempt; `seq` only ever grows (idempotent)."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    answer: Mapped[dict | list | str | bool | None] = mapped_column(JSON)
    seq: Mapped[int] = mapped_column(BigInteger)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip: Mapped[str] = mapped_column(String(45), default="")
    points: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    is_correct: Mapped[bool | None] = mapped_column(Boolean)
    # An essay's points given by a teacher (None until graded).
    manual_points: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    grader_comment: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)


class IntegrityEvent(db.Model, SchoolOwned):
    """Something the proctor should see: focus lost, copy/paste, a second device, a reopen."""

    __tablename__ = "integrity_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(45), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
