"""School structure: years and semesters, subjects, classes with their students, courses."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import now_utc
from app.core.db_types import UTCDateTime
from app.extensions import db
from app.models.columns import SchoolOwned, Timestamped
from app.models.identity import User


class SchoolYear(db.Model, SchoolOwned):
    """A school year such as 2026-2027; an archived year is read-only."""

    __tablename__ = "school_years"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(9))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)

    semesters: Mapped[list[Semester]] = relationship(
        back_populates="school_year", order_by="Semester.number", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("school_id", "name"),
        CheckConstraint("starts_on < ends_on", name="dates"),
    )


class Semester(db.Model, SchoolOwned):
    """Học kỳ I or II of a school year."""

    __tablename__ = "semesters"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_year_id: Mapped[int] = mapped_column(
        ForeignKey("school_years.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    school_year: Mapped[SchoolYear] = relationship(back_populates="semesters")

    __table_args__ = (
        UniqueConstraint("school_year_id", "number"),
        CheckConstraint("number IN (1, 2)", name="number"),
    )


class Subject(db.Model, SchoolOwned):
    """A subject (Toán, Ngữ văn, ...), assessed by score or by comment (Thông tư 22, Điều 5)."""

    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    search_text: Mapped[str] = mapped_column(String(240), default="")
    assessment: Mapped[str] = mapped_column(String(8), default="score")
    periods_per_year: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        UniqueConstraint("school_id", "name"),
        CheckConstraint("assessment IN ('score', 'comment')", name="assessment"),
    )


class SchoolClass(Timestamped, db.Model, SchoolOwned):
    """A class of one school year (10A1), with its grade level and homeroom teacher."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_year_id: Mapped[int] = mapped_column(
        ForeignKey("school_years.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(40))
    grade: Mapped[int] = mapped_column(Integer)
    homeroom_teacher_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    search_text: Mapped[str] = mapped_column(String(80), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    school_year: Mapped[SchoolYear] = relationship(lazy="joined")
    homeroom_teacher: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("school_year_id", "name"),
        CheckConstraint("grade BETWEEN 1 AND 12", name="grade"),
    )


class ClassMembership(db.Model, SchoolOwned):
    """A student in a class; a student is in at most one class per school year (service rule)."""

    __tablename__ = "class_students"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    school_class: Mapped[SchoolClass] = relationship()
    student: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("class_id", "student_id"),)


class Course(Timestamped, db.Model, SchoolOwned):
    """A course = class x subject x teacher x year; its students are the class's."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_year_id: Mapped[int] = mapped_column(
        ForeignKey("school_years.id", ondelete="RESTRICT"), index=True
    )
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="RESTRICT"), index=True)
    subject_id: Mapped[int] = mapped_column(
        ForeignKey("subjects.id", ondelete="RESTRICT"), index=True
    )
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    school_class: Mapped[SchoolClass] = relationship(lazy="joined")
    subject: Mapped[Subject] = relationship(lazy="joined")
    teacher: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("class_id", "subject_id"),)

    @property
    def title(self) -> str:
        return f"{self.subject.name} – {self.school_class.name}"
