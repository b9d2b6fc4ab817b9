"""Reordering a course's content: lessons up/down within a section or into another section,
sections up/down; one transaction each, positions renumbered 1..n, audited."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import CourseSection, Lesson, User
from app.services import audit
from app.services.access import get_scoped
from app.services.courses import editable_course, sections

DIRECTIONS = {"up": -1, "down": 1}


def _step(direction: str) -> int:
    if direction not in DIRECTIONS:
        raise ValidationFailed(
            _("Hướng di chuyển “%(v)s” không hợp lệ (up hoặc down).", v=direction)
        )
    return DIRECTIONS[direction]


def _lessons_of(section_id: int) -> list[Lesson]:
    return list(
        db.session.scalars(
            select(Lesson)
            .where(Lesson.section_id == section_id)
            .order_by(Lesson.position, Lesson.id)
        )
    )


def _renumber(rows: list) -> None:
    for position, row in enumerate(rows, start=1):
        row.position = position


def _editable_lesson(actor: User, lesson_id: object) -> Lesson:
    lesson = get_scoped(Lesson, lesson_id, actor)
    editable_course(actor, lesson.course_id)
    return lesson


def move_lesson(actor: User, lesson_id: object, direction: str) -> Lesson:
    """Move a lesson one place up or down; past the first or last lesson of its section it goes
    to the end of the previous / the start of the next section. At the very top or bottom of the
    course nothing changes. Raises ValidationFailed, Forbidden, NotFound."""
    step = _step(direction)
    lesson = _editable_lesson(actor, lesson_id)
    siblings = _lessons_of(lesson.section_id)
    index = siblings.index(lesson)
    target = index + step
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        _renumber(siblings)
    else:
        course_sections = sections(_course_of(lesson))
        at = [s.id for s in course_sections].index(lesson.section_id) + step
        if not 0 <= at < len(course_sections):
            return lesson  # already first or last of the course
        _into(lesson, course_sections[at], at_start=step > 0)
    audit.record(actor, "course.lesson_move", lesson, {"direction": [None, direction]})
    db.session.commit()
    return lesson


def _course_of(lesson: Lesson):
    from app.models import Course

    return db.session.get(Course, lesson.course_id)


def _into(lesson: Lesson, section: CourseSection, *, at_start: bool) -> None:
    old = [row for row in _lessons_of(lesson.section_id) if row.id != lesson.id]
    _renumber(old)
    target = [row for row in _lessons_of(section.id) if row.id != lesson.id]
    lesson.section = section
    target = [lesson, *target] if at_start else [*target, lesson]
    _renumber(target)


def move_lesson_to_section(actor: User, lesson_id: object, section_id: object) -> Lesson:
    """Move a lesson to the end of another section of the same course.

    Raises ValidationFailed (a section of another course), Forbidden, NotFound."""
    lesson = _editable_lesson(actor, lesson_id)
    try:
        section = get_scoped(CourseSection, section_id, actor)
    except NotFound:
        raise ValidationFailed(_("Hãy chọn một chủ đề của khoá học này.")) from None
    if section.course_id != lesson.course_id:
        raise ValidationFailed(_("Hãy chọn một chủ đề của khoá học này."))
    if section.id != lesson.section_id:
        before = lesson.section_id
        _into(lesson, section, at_start=False)
        audit.record(actor, "course.lesson_move", lesson, {"section_id": [before, section.id]})
    db.session.commit()
    return lesson


def move_section(actor: User, section_id: object, direction: str) -> CourseSection:
    """Move a section one place up or down in its course. Raises ValidationFailed, Forbidden,
    NotFound."""
    step = _step(direction)
    section = get_scoped(CourseSection, section_id, actor)
    course = editable_course(actor, section.course_id)
    ordered = sections(course)
    index = [s.id for s in ordered].index(section.id)
    target = index + step
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
        _renumber(ordered)
        audit.record(actor, "course.section_move", section, {"direction": [None, direction]})
    db.session.commit()
    return section
