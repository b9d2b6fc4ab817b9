"""Course pages: who may see and edit a course, its sections, lessons, files and links."""

from __future__ import annotations

from urllib.parse import urlparse

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.core.sanitize import clean_html
from app.core.text import clean_line
from app.extensions import db
from app.models import (
    ClassMembership,
    Course,
    CourseSection,
    Lesson,
    LessonFile,
    LessonLink,
    Role,
    User,
)
from app.services import audit
from app.services.access import acting_school_id, get_scoped, is_course_staff
from app.services.uploads import read_blob, stored_file


def is_student_of(actor: User, course: Course) -> bool:
    return actor.role == Role.STUDENT and bool(
        db.session.scalar(
            select(ClassMembership.id).where(
                ClassMembership.class_id == course.class_id,
                ClassMembership.student_id == actor.id,
            )
        )
    )


def can_edit(actor: User, course: Course) -> bool:
    """The course's teacher and the school's admins edit it."""
    return is_course_staff(actor, course)


def get_course(actor: User, course_id: object) -> Course:
    """A course the actor teaches, administers or studies in; raises NotFound otherwise."""
    course = get_scoped(Course, course_id, actor)
    if not (can_edit(actor, course) or is_student_of(actor, course)):
        raise NotFound(_("Không tìm thấy khoá học."))
    return course


def editable_course(actor: User, course_id: object) -> Course:
    """A course the actor may change; raises NotFound or Forbidden."""
    course = get_course(actor, course_id)
    if not can_edit(actor, course):
        raise Forbidden(_("Chỉ giáo viên của khoá học mới sửa được."))
    return course


def my_courses(actor: User) -> list[Course]:
    """The courses a teacher teaches (admins: all of the school) or a student studies in."""
    stmt = select(Course).where(
        Course.school_id == acting_school_id(actor), Course.is_active.is_(True)
    )
    if actor.role == Role.STUDENT:
        stmt = stmt.join(ClassMembership, ClassMembership.class_id == Course.class_id).where(
            ClassMembership.student_id == actor.id
        )
    elif not actor.is_admin:
        stmt = stmt.where(Course.teacher_id == actor.id)
    return list(db.session.scalars(stmt.order_by(Course.id)))


def sections(course: Course) -> list[CourseSection]:
    return list(
        db.session.scalars(
            select(CourseSection)
            .where(CourseSection.course_id == course.id)
            .order_by(CourseSection.position, CourseSection.id)
        )
    )


def _title(value: str, what: str) -> str:
    title = clean_line(value or "")
    if not title:
        raise ValidationFailed(_("Thiếu tiêu đề %(w)s.", w=what))
    if len(title) > 200:
        raise ValidationFailed(_("Tiêu đề quá dài (tối đa 200 ký tự)."))
    return title


def _week(value: object) -> int | None:
    if value in (None, ""):
        return None
    try:
        week = int(str(value).strip())
    except ValueError:
        raise ValidationFailed(_("Tuần “%(w)s” phải là số từ 1 đến 52.", w=value)) from None
    if not 1 <= week <= 52:
        raise ValidationFailed(_("Tuần “%(w)s” phải là số từ 1 đến 52.", w=value))
    return week


def add_section(actor: User, course_id: object, title: str, week: object = None) -> CourseSection:
    """Append a section (topic) to a course. Raises ValidationFailed, Forbidden, NotFound."""
    course = editable_course(actor, course_id)
    last = db.session.scalar(
        select(func.max(CourseSection.position)).where(CourseSection.course_id == course.id)
    )
    section = CourseSection(
        school_id=course.school_id,
        course_id=course.id,
        position=(last or 0) + 1,
        title=_title(title, _("chủ đề")),
        week=_week(week),
    )
    db.session.add(section)
    db.session.flush()
    audit.record(actor, "course.section_add", section, {"title": [None, section.title]})
    db.session.commit()
    return section


def _editable_section(actor: User, section_id: object) -> CourseSection:
    section = get_scoped(CourseSection, section_id, actor)
    editable_course(actor, section.course_id)
    return section


def add_lesson(actor: User, section_id: object, title: str, body_html: str = "") -> Lesson:
    """Append a lesson with cleaned rich text to a section."""
    section = _editable_section(actor, section_id)
    lesson = Lesson(
        school_id=section.school_id,
        section_id=section.id,
        course_id=section.course_id,
        position=len(section.lessons) + 1,
        title=_title(title, _("bài học")),
        body_html=clean_html(body_html),
    )
    db.session.add(lesson)
    db.session.flush()
    audit.record(actor, "course.lesson_add", lesson, {"title": [None, lesson.title]})
    db.session.commit()
    return lesson


def get_lesson(actor: User, lesson_id: object) -> Lesson:
    lesson = get_scoped(Lesson, lesson_id, actor)
    get_course(actor, lesson.course_id)
    return lesson


def _editable_lesson(actor: User, lesson_id: object) -> Lesson:
    lesson = get_scoped(Lesson, lesson_id, actor)
    editable_course(actor, lesson.course_id)
    return lesson


def update_lesson(actor: User, lesson_id: object, title: str, body_html: str) -> Lesson:
    """Change a lesson's title and text (cleaned)."""
    lesson = _editable_lesson(actor, lesson_id)
    lesson.title = _title(title, _("bài học"))
    lesson.body_html = clean_html(body_html)
    audit.record(actor, "course.lesson_edit", lesson, {})
    db.session.commit()
    return lesson


def attach_file(actor: User, lesson_id: object, filename: str, data: bytes) -> LessonFile:
    """Store an uploaded material for a lesson after checking size and real type.

    Raises ValidationFailed (empty), TooLarge, BadInput (not an accepted kind)."""
    lesson = _editable_lesson(actor, lesson_id)
    row = stored_file(LessonFile, lesson.school_id, filename, data, lesson_id=lesson.id)
    audit.record(actor, "course.file_add", row, {"filename": [None, row.filename]})
    db.session.commit()
    return row


def add_link(actor: User, lesson_id: object, url: str, label: str = "") -> LessonLink:
    """Add an http(s) link to a lesson. Raises ValidationFailed for any other URL."""
    lesson = _editable_lesson(actor, lesson_id)
    url = clean_line(url or "")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 1000:
        raise ValidationFailed(_("Liên kết phải bắt đầu bằng http:// hoặc https://."))
    row = LessonLink(
        school_id=lesson.school_id,
        lesson_id=lesson.id,
        url=url,
        label=clean_line(label or "")[:200] or parsed.netloc,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "course.link_add", row, {"url": [None, url]})
    db.session.commit()
    return row


def get_file(actor: User, file_id: object) -> tuple[LessonFile, bytes]:
    """A lesson file and its bytes, for someone who may see the course; raises NotFound."""
    row = get_scoped(LessonFile, file_id, actor)
    get_lesson(actor, row.lesson_id)
    return row, read_blob(row.school_id, row.sha256)
