"""Identity: schools, people and their roles, parent links and API tokens."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import now_utc
from app.core.db_types import UTCDateTime
from app.extensions import db
from app.models.columns import SchoolOwned, Timestamped


class Role(StrEnum):
    """What a person is in a school; `system_admin` manages every school of the installation."""

    SYSTEM_ADMIN = "system_admin"
    ADMIN = "admin"
    TEACHER = "teacher"
    STUDENT = "student"
    PARENT = "parent"


class School(Timestamped, db.Model):
    """A school: every other record of a school hangs off this row through `school_id`."""

    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16), default="thpt")  # tieu_hoc, thcs, thpt
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Teachers and admins of the school must sign in with a second factor (TOTP).
    requires_two_factor: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        CheckConstraint("level IN ('tieu_hoc', 'thcs', 'thpt', 'lien_cap')", name="level"),
    )


class User(Timestamped, db.Model):
    """A person who can sign in (or will, once given a password) with one role in one school."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("schools.id", ondelete="RESTRICT"), index=True
    )
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    search_text: Mapped[str] = mapped_column(String(400), default="")
    role: Mapped[str] = mapped_column(String(16))
    student_code: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(5), default="vi")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Brute-force lockout per account (on top of the per-IP limiter).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # TOTP second factor: the base32 secret once confirmed (teachers and admins).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # no code is accepted twice

    school: Mapped[School | None] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("school_id", "student_code"),
        Index("ix_users_school_id_role", "school_id", "role"),
        CheckConstraint(
            "role IN ('system_admin', 'admin', 'teacher', 'student', 'parent')", name="role"
        ),
        CheckConstraint("role = 'system_admin' OR school_id IS NOT NULL", name="school_required"),
        CheckConstraint("gender IS NULL OR gender IN ('nam', 'nu', 'khac')", name="gender"),
    )

    # Flask-Login: the id carries a version so that a password change or a deactivation
    # ends every other session of that user.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {str(r) for r in roles}

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.ADMIN, Role.SYSTEM_ADMIN)


class ParentLink(db.Model, SchoolOwned):
    """A parent (or guardian) linked to one of their children in the same school."""

    __tablename__ = "parent_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    relationship_label: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    parent: Mapped[User] = relationship(foreign_keys=[parent_id])
    student: Mapped[User] = relationship(foreign_keys=[student_id])

    __table_args__ = (UniqueConstraint("parent_id", "student_id"),)


class ApiToken(db.Model):
    """A bearer token: short-lived from sign-in, or a long-lived scoped integration token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="session")  # session | integration
    name: Mapped[str] = mapped_column(String(120), default="")
    scopes: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint("kind IN ('session', 'integration')", name="kind"),)

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class RecoveryCode(db.Model):
    """A one-time code to sign in without the authenticator app; only its digest is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
