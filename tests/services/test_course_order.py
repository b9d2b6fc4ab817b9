"""Reordering course content: lessons up/down and across sections, sections up/down."""

from __future__ import annotations

import pytest

from app.core.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.models import CourseSection, Lesson
from app.services import course_order, courses


@pytest.fixture
def course_with_content(make, school):
    course, teacher, pupils = make.gradebook_course(school, students=1)
    one = courses.add_section(teacher, course.id, "Chủ đề 1")
    two = courses.add_section(teacher, course.id, "Chủ đề 2")
    lessons = [courses.add_lesson(teacher, one.id, f"Bài {i}") for i in (1, 2, 3)]
    lessons.append(courses.add_lesson(teacher, two.id, "Bài 4"))
    return course, teacher, pupils[0], (one, two), lessons


def _order(course) -> list[tuple[str, list[str]]]:
    db.session.expire_all()
    return [
        (s.title, [lesson.title for lesson in sorted(s.lessons, key=lambda x: x.position)])
        for s in courses.sections(course)
    ]


def test_lesson_moves_down_and_up_within_its_section(course_with_content):
    course, teacher, _student, _sections, lessons = course_with_content
    course_order.move_lesson(teacher, lessons[0].id, "down")
    assert _order(course)[0] == ("Chủ đề 1", ["Bài 2", "Bài 1", "Bài 3"])
    course_order.move_lesson(teacher, lessons[0].id, "up")
    assert _order(course)[0] == ("Chủ đề 1", ["Bài 1", "Bài 2", "Bài 3"])


def test_lesson_past_the_end_of_a_section_goes_to_the_next_one(course_with_content):
    course, teacher, _student, _sections, lessons = course_with_content
    course_order.move_lesson(teacher, lessons[2].id, "down")
    assert _order(course) == [("Chủ đề 1", ["Bài 1", "Bài 2"]), ("Chủ đề 2", ["Bài 3", "Bài 4"])]
    course_order.move_lesson(teacher, lessons[2].id, "up")
    assert _order(course)[0] == ("Chủ đề 1", ["Bài 1", "Bài 2", "Bài 3"])


def test_first_lesson_of_the_course_does_not_move_up(course_with_content):
    course, teacher, _student, _sections, lessons = course_with_content
    course_order.move_lesson(teacher, lessons[0].id, "up")
    assert _order(course)[0][1] == ["Bài 1", "Bài 2", "Bài 3"]


def test_lesson_moves_to_the_end_of_another_section(course_with_content, make, school):
    course, teacher, _student, (one, two), lessons = course_with_content
    course_order.move_lesson_to_section(teacher, lessons[0].id, two.id)
    assert _order(course) == [("Chủ đề 1", ["Bài 2", "Bài 3"]), ("Chủ đề 2", ["Bài 4", "Bài 1"])]
    positions = [lesson.position for lesson in db.session.get(CourseSection, one.id).lessons]
    assert positions == [1, 2]
    other = make.course(school, course.school_class, teacher, "Vật lí")
    foreign = courses.add_section(teacher, other.id, "Chương 1")
    with pytest.raises(ValidationFailed, match="chủ đề của khoá học này"):
        course_order.move_lesson_to_section(teacher, lessons[1].id, foreign.id)
    with pytest.raises(ValidationFailed):
        course_order.move_lesson_to_section(teacher, lessons[1].id, 999999)


def test_sections_move_up_and_down(course_with_content):
    course, teacher, _student, (_one, two), _lessons = course_with_content
    course_order.move_section(teacher, two.id, "up")
    assert [t for t, _ in _order(course)] == ["Chủ đề 2", "Chủ đề 1"]
    course_order.move_section(teacher, two.id, "up")
    assert [t for t, _ in _order(course)] == ["Chủ đề 2", "Chủ đề 1"]
    course_order.move_section(teacher, two.id, "down")
    assert [t for t, _ in _order(course)] == ["Chủ đề 1", "Chủ đề 2"]


def test_students_and_bad_directions_are_refused(course_with_content):
    _course, teacher, student, (one, _two), lessons = course_with_content
    with pytest.raises(Forbidden):
        course_order.move_lesson(student, lessons[0].id, "down")
    with pytest.raises(Forbidden):
        course_order.move_section(student, one.id, "down")
    with pytest.raises(ValidationFailed, match="up hoặc down"):
        course_order.move_lesson(teacher, lessons[0].id, "sideways")
    assert db.session.get(Lesson, lessons[0].id).position == 1
