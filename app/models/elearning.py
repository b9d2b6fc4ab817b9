"""E-learning: SCORM packages, their versions and items, learners' attempts and interactions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.core.clock import now_utc
from app.core.db_types import UTCDateTime
from app.extensions import db
from app.models.columns import SchoolOwned, Timestamped
from app.models.courses import Lesson

GRADEBOOK_COLUMNS = ("none", "tx", "gk", "ck")


class ScormPackage(Timestamped, db.Model, SchoolOwned):
    """A SCORM package published as a lesson item of a course; its content is in versions."""

    __tablename__ = "scorm_packages"
    __table_args__ = (
        CheckConstraint("gradebook_column IN ('none', 'tx', 'gk', 'ck')", name="gradebook_column"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int | None] = mapped_column(
        ForeignKey("lessons.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    gradebook_column: Mapped[str] = mapped_column(String(8), default="none")

    lesson: Mapped[Lesson | None] = relationship(
        backref=backref("scorm_packages", lazy="selectin", order_by="ScormPackage.id")
    )
    versions: Mapped[list[ScormPackageVersion]] = relationship(
        back_populates="package", order_by="ScormPackageVersion.number"
    )

    @property
    def current(self) -> ScormPackageVersion:
        return self.versions[-1]


class ScormPackageVersion(Timestamped, db.Model, SchoolOwned):
    """One uploaded zip of a package; extracted under storage/scorm/<storage_key>/."""

    __tablename__ = "scorm_package_versions"
    __table_args__ = (UniqueConstraint("package_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(
        ForeignKey("scorm_packages.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    scorm_version: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    manifest_identifier: Mapped[str] = mapped_column(String(255), default="")
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    file_count: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    unsupported: Mapped[list] = mapped_column(JSON, default=list)
    # Organisation-level sequencing the player applies: {"choice", "flow", "forward_only"}.
    navigation: Mapped[dict] = mapped_column(JSON, default=dict)

    package: Mapped[ScormPackage] = relationship(back_populates="versions")
    items: Mapped[list[ScormItem]] = relationship(
        back_populates="version", order_by="ScormItem.position", cascade="all, delete-orphan"
    )


class ScormItem(db.Model, SchoolOwned):
    """An item of the default organisation in tree order; launchable when `launch_url` is set."""

    __tablename__ = "scorm_items"
    __table_args__ = (UniqueConstraint("version_id", "identifier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("scorm_package_versions.id", ondelete="CASCADE"), index=True
    )
    identifier: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    launch_url: Mapped[str | None] = mapped_column(String(2000))
    is_sco: Mapped[bool] = mapped_column(Boolean, default=False)
    mastery_score: Mapped[Decimal | None] = mapped_column(Numeric(10, 7))
    completion_threshold: Mapped[Decimal | None] = mapped_column(Numeric(10, 7))
    max_time_seconds: Mapped[int | None] = mapped_column(Integer)
    time_limit_action: Mapped[str | None] = mapped_column(String(40))
    data_from_lms: Mapped[str | None] = mapped_column(Text)
    attempt_limit: Mapped[int | None] = mapped_column(Integer)
    weight: Mapped[Decimal | None] = mapped_column(Numeric(10, 7))

    version: Mapped[ScormPackageVersion] = relationship(back_populates="items")


class ScormAttempt(db.Model, SchoolOwned):
    """A student's attempt at one SCO of one package version, with the stored CMI data."""

    __tablename__ = "scorm_attempts"
    __table_args__ = (UniqueConstraint("student_id", "item_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(
        ForeignKey("scorm_packages.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("scorm_package_versions.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("scorm_items.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    cmi: Mapped[dict] = mapped_column(JSON, default=dict)
    completion: Mapped[str] = mapped_column(String(16), default="not attempted")
    success: Mapped[str] = mapped_column(String(16), default="unknown")
    score_scaled: Mapped[Decimal | None] = mapped_column(Numeric(10, 7))
    score_raw: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    total_seconds: Mapped[int] = mapped_column(Integer, default=0)
    prior_seconds: Mapped[int] = mapped_column(Integer, default=0)
    session_key: Mapped[str] = mapped_column(String(32), default="")
    commit_count: Mapped[int] = mapped_column(Integer, default=0)
    is_finished: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the server had to be lenient about (values over limits, statuses mixed up).
    notes: Mapped[list] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_access_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    item: Mapped[ScormItem] = relationship()
    version: Mapped[ScormPackageVersion] = relationship()
    interactions: Mapped[list[ScormInteraction]] = relationship(
        order_by="ScormInteraction.index", cascade="all, delete-orphan"
    )


class ScormInteraction(db.Model, SchoolOwned):
    """One cmi.interactions.n record of an attempt (the student's answer to one question)."""

    __tablename__ = "scorm_interactions"
    __table_args__ = (UniqueConstraint("attempt_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("scorm_attempts.id", ondelete="CASCADE"), index=True
    )
    index: Mapped[int] = mapped_column(Integer)
    identifier: Mapped[str] = mapped_column(String(4000), default="")
    kind: Mapped[str] = mapped_column(String(32), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    learner_response: Mapped[str] = mapped_column(Text, default="")
    correct_response: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(String(32), default="")
    weighting: Mapped[str] = mapped_column(String(32), default="")
    latency: Mapped[str] = mapped_column(String(64), default="")
    recorded_at: Mapped[str] = mapped_column(String(64), default="")
