"""School library of approved lesson materials, subject-group leads, per-school upload limits,
the stored bytes of uploads (random names, de-duplicated by digest) and the files a teacher
attaches to a homework."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db_types import UTCDateTime
from app.extensions import db
from app.models.columns import SchoolOwned, Timestamped
from app.models.identity import User
from app.models.school import Subject


class UploadPolicy(Timestamped, db.Model, SchoolOwned):
    """A school's upload limit per file and, optionally, the kinds of file it accepts."""

    __tablename__ = "upload_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    max_file_mb: Mapped[int] = mapped_column(Integer, default=20)
    allowed_kinds: Mapped[str] = mapped_column(String(120), default="")  # "" = every kind

    __table_args__ = (
        UniqueConstraint("school_id"),
        CheckConstraint("max_file_mb > 0", name="max_file_mb"),
    )


class StoredBlob(Timestamped, db.Model, SchoolOwned):
    """The bytes of an upload, stored once per school under a random name (never the user's
    file name nor the content digest); upload rows find it by (school, sha256)."""

    __tablename__ = "stored_blobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("school_id", "sha256"),)


class AssignmentFile(Timestamped, db.Model, SchoolOwned):
    """A file the teacher attaches to a homework; bytes in app.core.storage by digest."""

    __tablename__ = "assignment_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


class SubjectLead(Timestamped, db.Model, SchoolOwned):
    """The subject-group lead (tổ trưởng chuyên môn) who reviews a subject's library materials."""

    __tablename__ = "subject_leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(
        ForeignKey("subjects.id", ondelete="CASCADE"), index=True
    )
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    subject: Mapped[Subject] = relationship()
    teacher: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("school_id", "subject_id"),)


class LibraryItem(Timestamped, db.Model, SchoolOwned):
    """A lesson offered to the school library: a snapshot of its text, files and links taken
    when the teacher offers it, reviewed by the subject's lead, searchable once approved."""

    __tablename__ = "library_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int | None] = mapped_column(
        ForeignKey("lessons.id", ondelete="SET NULL"), index=True
    )
    subject_id: Mapped[int] = mapped_column(
        ForeignKey("subjects.id", ondelete="RESTRICT"), index=True
    )
    grade: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(200), default="")
    topic_folded: Mapped[str] = mapped_column(String(200), default="", index=True)
    title: Mapped[str] = mapped_column(String(200))
    body_html: Mapped[str] = mapped_column(Text, default="")
    files: Mapped[list] = mapped_column(JSON, default=list)
    links: Mapped[list] = mapped_column(JSON, default=list)
    search_text: Mapped[str] = mapped_column(String(700), default="")
    status: Mapped[str] = mapped_column(String(8), default="pending")
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    review_comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subject: Mapped[Subject] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
    )
