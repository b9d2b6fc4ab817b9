"""Homework rules: deadlines in Vietnam time, late policies, scores with a comma, returns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.core import clock
from app.core.errors import Conflict, ValidationFailed
from app.services import homework, homework_records


@pytest.fixture
def course_setup(make, school, frozen_now):
    teacher = make.user(school, "teacher", username="gv")
    klass = make.school_class(school, "10A1")
    students = []
    for n in range(3):
        student = make.user(school, "student", username=f"hs{n}", full_name=f"Học sinh {n}")
        make.enrol(student, klass)
        students.append(student)
    return make.course(school, klass, teacher), teacher, students


def test_due_time_is_read_as_vietnam_time_and_stored_utc(course_setup):
    course, teacher, _ = course_setup
    assignment = homework.create_assignment(
        teacher, course.id, {"title": "Bài 1", "due_at": "2026-11-25T17:00"}
    )
    assert assignment.due_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_due_time_in_the_past_and_empty_title_are_refused(course_setup):
    course, teacher, _ = course_setup
    with pytest.raises(ValidationFailed, match="Hạn nộp đã qua"):
        homework.create_assignment(teacher, course.id, {"title": "A", "due_at": "2026-11-21T08:00"})
    with pytest.raises(ValidationFailed, match="tên bài tập"):
        homework.create_assignment(teacher, course.id, {"title": " ", "due_at": "2026-12-21T08:00"})
    with pytest.raises(ValidationFailed, match="không phải thời điểm"):
        homework.create_assignment(teacher, course.id, {"title": "A", "due_at": "mai"})


def test_score_with_comma_is_eight_and_a_half(course_setup, make):
    course, teacher, students = course_setup
    assignment = make.assignment(course)
    submission = homework.submit(students[0], assignment.id, "<p>Lời giải</p>", [])
    assert homework.grade(teacher, submission.id, "8,5", "Tốt").score == Decimal("8.5")
    with pytest.raises(ValidationFailed, match="từ 0 đến 10"):
        homework.grade(teacher, submission.id, "11")
    with pytest.raises(ValidationFailed, match="không phải số"):
        homework.grade(teacher, submission.id, "tám")


def test_late_work_is_refused_when_the_policy_says_so(course_setup, make, frozen_now):
    course, _, students = course_setup
    assignment = make.assignment(course, late_policy="refuse")
    clock.freeze(frozen_now + timedelta(days=3))
    with pytest.raises(Conflict, match="không nhận bài muộn"):
        homework.submit(students[0], assignment.id, "muộn", [])


def test_late_penalty_lowers_the_score_the_gradebook_reads(course_setup, make, frozen_now):
    course, teacher, students = course_setup
    assignment = make.assignment(course, late_policy="penalty", late_penalty_percent=20)
    clock.freeze(frozen_now + timedelta(days=3))
    submission = homework.submit(students[0], assignment.id, "muộn", [])
    assert submission.is_late
    homework.grade(teacher, submission.id, "10")
    assert homework_records.returned_scores(course.id) == []  # not returned yet
    assert homework.return_all(teacher, assignment.id) == 1
    scores = homework_records.returned_scores(course.id)
    assert scores == [
        {"student_id": students[0].id, "assignment_id": assignment.id, "score": Decimal("8.00")}
    ]


def test_extension_lets_one_student_submit_on_time(course_setup, make, frozen_now):
    course, teacher, students = course_setup
    assignment = make.assignment(course, late_policy="refuse")
    homework.extend(teacher, assignment.id, students[1].id, "2026-11-30T20:00")
    clock.freeze(frozen_now + timedelta(days=3))
    assert homework.submit(students[1], assignment.id, "đúng hạn mới", []).is_late is False
    with pytest.raises(Conflict):
        homework.submit(students[0], assignment.id, "muộn", [])


def test_roster_counts_submitted_late_and_missing(course_setup, make, frozen_now):
    course, teacher, students = course_setup
    assignment = make.assignment(course)
    homework.submit(students[0], assignment.id, "sớm", [])
    clock.freeze(frozen_now + timedelta(days=3))
    homework.submit(students[1], assignment.id, "muộn", [])
    _, rows, counts = homework.roster(teacher, assignment.id)
    assert counts == {"submitted": 1, "late": 1, "missing": 1}
    assert len(rows) == 3


def test_returned_work_cannot_be_resubmitted_until_reopened(course_setup, make):
    course, teacher, students = course_setup
    assignment = make.assignment(course)
    submission = homework.submit(students[0], assignment.id, "lần 1", [])
    homework.submit(students[0], assignment.id, "lần 2", [])
    homework.grade(teacher, submission.id, "7")
    homework.return_all(teacher, assignment.id)
    with pytest.raises(Conflict, match="đã được trả"):
        homework.submit(students[0], assignment.id, "lần 3", [])
    homework.reopen(teacher, submission.id)
    assert homework.submit(students[0], assignment.id, "lần 3", []).text_html == "lần 3"


def test_todo_shows_due_soon_then_returned_with_score(course_setup, make):
    course, teacher, students = course_setup
    assignment = make.assignment(course)
    assert [i["state"] for i in homework.todo(students[0])] == ["due_soon"]
    submission = homework.submit(students[0], assignment.id, "bài", [])
    homework.grade(teacher, submission.id, "9")
    homework.return_all(teacher, assignment.id)
    assert [i["state"] for i in homework.todo(students[0])] == ["returned"]
    assert [i["state"] for i in homework.todo(students[1])] == ["due_soon"]


def test_text_only_homework_refuses_files(course_setup, make):
    course, _, students = course_setup
    assignment = make.assignment(course, submission_type="text")
    with pytest.raises(ValidationFailed, match="chỉ nhận bài viết"):
        homework.submit(students[0], assignment.id, "", [("a.pdf", b"%PDF-1.4")])
    with pytest.raises(ValidationFailed, match="Bài nộp trống"):
        homework.submit(students[0], assignment.id, "  ", [])


def test_returned_homework_feeds_one_regular_column_of_the_gradebook(course_setup, make):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import GradeEntry

    course, teacher, students = course_setup
    assignment = make.assignment(course, gradebook_column="tx", max_score=Decimal(20))
    from app.services import gradebook

    gradebook.record_score(teacher, course.id, students[0].id, "tx1", "6", source="manual")
    submission = homework.submit(students[0], assignment.id, "bài làm", [])
    homework.grade(teacher, submission.id, "17")
    with pytest.raises(ValidationFailed, match="không ghi"):
        homework_records.feed_gradebook(
            teacher, make.assignment(course, title="Không ghi", gradebook_column="none").id
        )
    assert homework_records.feed_gradebook(teacher, assignment.id) == 0  # nothing returned yet
    homework.return_all(teacher, assignment.id)
    assert homework_records.feed_gradebook(teacher, assignment.id) == 1
    assert homework_records.feed_gradebook(teacher, assignment.id) == 0  # the same cell, unchanged
    entries = db.session.scalars(select(GradeEntry).where(GradeEntry.source == "homework")).all()
    assert [(e.column, e.score, e.source_id) for e in entries] == [
        ("tx2", Decimal("8.5"), assignment.id)  # 17/20, next to the teacher's tx1
    ]
