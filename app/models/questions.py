"""Question banks: banks, categories, questions with their versions, and stored assets."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
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

QUESTION_TYPES = (
    "single_choice",
    "multiple_response",
    "true_false",
    "true_false_cluster",
    "short_answer",
    "numeric",
    "matching",
    "ordering",
    "essay",
    "cloze",
    "description",
)
LEVELS = ("nhan_biet", "thong_hieu", "van_dung", "van_dung_cao")


class QuestionBank(Timestamped, db.Model, SchoolOwned):
    """A named collection of questions of one school (often per subject and grade)."""

    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(120), default="")
    subject_key: Mapped[str] = mapped_column(String(120), default="")  # folded, for matching
    grade: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(String(400), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Who else may use it: nobody, teachers of its subject (the subject group), the school.
    shared_with: Mapped[str] = mapped_column(String(8), default="subject")
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)

    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("school_id", "name"),
        CheckConstraint("shared_with IN ('none', 'subject', 'school')", name="shared_with"),
    )


class QuestionCategory(db.Model, SchoolOwned):
    """A topic or chapter inside a bank; `path` is the full "/"-separated name."""

    __tablename__ = "question_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(
        ForeignKey("question_banks.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(String(500))
    search_text: Mapped[str] = mapped_column(String(500), default="")

    __table_args__ = (UniqueConstraint("bank_id", "path"),)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


class Question(Timestamped, db.Model, SchoolOwned):
    """A question's identity and the fields blueprints filter on; content lives in versions."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(
        ForeignKey("question_banks.id", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_categories.id", ondelete="SET NULL"), index=True
    )
    type: Mapped[str] = mapped_column(String(24))
    level: Mapped[str | None] = mapped_column(String(16))
    points: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(1))
    title: Mapped[str] = mapped_column(String(255), default="")
    subject: Mapped[str] = mapped_column(String(120), default="")
    grade: Mapped[int | None] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(255), default="")
    tags: Mapped[str] = mapped_column(String(500), default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    source_format: Mapped[str] = mapped_column(String(16), default="")
    source_id: Mapped[str] = mapped_column(String(255), default="")
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    # Same stem and options after accent/case/space folding: flags near-duplicates.
    duplicate_key: Mapped[str] = mapped_column(String(64), index=True, default="")
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)

    bank: Mapped[QuestionBank] = relationship()
    category: Mapped[QuestionCategory | None] = relationship(lazy="joined")
    author: Mapped[User | None] = relationship()
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question",
        order_by="QuestionVersion.number",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        Index("ix_questions_bank_id_level_type", "bank_id", "level", "type"),
        CheckConstraint(
            "type IN (" + ", ".join(f"'{t}'" for t in QUESTION_TYPES) + ")", name="type"
        ),
        CheckConstraint(
            "level IS NULL OR level IN (" + ", ".join(f"'{t}'" for t in LEVELS) + ")",
            name="level",
        ),
    )


class QuestionVersion(db.Model, SchoolOwned):
    """One immutable-once-used version of a question's content (question_banks JSON form).

    An exam attempt points at the version it showed, so editing a used question creates a
    new version instead of changing what students already answered."""

    __tablename__ = "question_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)
    is_used: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    question: Mapped[Question] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("question_id", "number"),)


class QuestionAsset(db.Model, SchoolOwned):
    """An image or sound a question shows; the bytes live in the content store by hash."""

    __tablename__ = "question_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(
        ForeignKey("question_banks.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    __table_args__ = (UniqueConstraint("bank_id", "sha256"),)
