"""Course content: ordered sections (topic, week), lessons with rich text, files and links."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.columns import SchoolOwned, Timestamped


class CourseSection(Timestamped, db.Model, SchoolOwned):
    """A topic (chủ đề) of a course, optionally tied to a teaching week; ordered by position."""

    __tablename__ = "course_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    week: Mapped[int | None] = mapped_column(Integer)

    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="section", order_by="Lesson.position", cascade="all, delete-orphan"
    )


class Lesson(Timestamped, db.Model, SchoolOwned):
    """A lesson: cleaned rich text (may hold LaTeX for KaTeX), files and links."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("course_sections.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    body_html: Mapped[str] = mapped_column(Text, default="")

    section: Mapped[CourseSection] = relationship(back_populates="lessons")
    files: Mapped[list[LessonFile]] = relationship(
        order_by="LessonFile.id", cascade="all, delete-orphan"
    )
    links: Mapped[list[LessonLink]] = relationship(
        order_by="LessonLink.id", cascade="all, delete-orphan"
    )


class LessonFile(Timestamped, db.Model, SchoolOwned):
    """An uploaded material; bytes live in app.core.storage, named by digest, never by the user."""

    __tablename__ = "lesson_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


class LessonLink(Timestamped, db.Model, SchoolOwned):
    """A link from a lesson (a video on the ministry's e-learning library, a web page)."""

    __tablename__ = "lesson_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    label: Mapped[str] = mapped_column(String(200))
