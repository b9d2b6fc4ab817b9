"""Released scores: students and parents see a course semester only once the teacher released
it, and exam-fed scores only once the exam releases its results."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.clock import now_utc
from app.core.errors import Forbidden, NotFound
from app.extensions import db
from app.models import Exam
from app.services.gradebook import record_score
from app.services.gradebook_release import child_scores, my_scores, set_release


def _exam(course, release="manual"):
    exam = Exam(
        school_id=course.school_id,
        course_id=course.id,
        title="Kiểm tra giữa kỳ",
        opens_at=now_utc() - timedelta(hours=2),
        closes_at=now_utc() + timedelta(hours=1),
        duration_minutes=45,
        release=release,
    )
    db.session.add(exam)
    db.session.commit()
    return exam


def _semester(report, subject="Toán", number=1):
    (match,) = [s for s in report.subjects if s.course.subject.name == subject]
    return match.semesters[number - 1]


def test_nothing_is_shown_until_the_teacher_releases_the_semester(make, school, frozen_now):
    course, teacher, (pupil, *_) = make.gradebook_course(school)
    make.scores(course, pupil, 1, ["8", "7", "9"], "7,5", "8")
    before = _semester(my_scores(pupil))
    assert not before.is_released and before.tx == [] and before.average is None
    assert set_release(teacher, course.id, 1, True) is True
    assert set_release(teacher, course.id, 1, True) is False
    after = _semester(my_scores(pupil))
    assert after.is_released
    assert after.tx == ["8", "7", "9"] and after.gk == "7.5" and after.ck == "8"
    assert after.average == "7.9" and after.status == "complete"
    assert not _semester(my_scores(pupil), number=2).is_released
    set_release(teacher, course.id, 1, False)
    assert not _semester(my_scores(pupil)).is_released


def test_an_incomplete_row_shows_its_scores_without_an_average(make, school, frozen_now):
    course, teacher, (pupil, *_) = make.gradebook_course(school)
    make.scores(course, pupil, 1, ["9"], "8", "8")
    set_release(teacher, course.id, 1, True)
    row = _semester(my_scores(pupil))
    assert row.tx[0] == "9" and row.average is None and row.status == "incomplete"


def test_an_exam_score_stays_hidden_until_the_exam_releases_results(make, school, frozen_now):
    course, teacher, (pupil, *_) = make.gradebook_course(school)
    make.scores(course, pupil, 1, ["8", "7", "9"], "7,5")
    exam = _exam(course)
    record_score(None, course.id, pupil.id, "ck", "8", source="exam", source_id=exam.id, semester=1)
    set_release(teacher, course.id, 1, True)
    hidden = _semester(my_scores(pupil))
    assert hidden.ck is None and hidden.average is None and hidden.status == "incomplete"
    exam.is_released = True
    db.session.commit()
    shown = _semester(my_scores(pupil))
    assert shown.ck == "8" and shown.average == "7.9"


def test_an_after_close_exam_score_appears_when_the_exam_closes(make, school, frozen_now):
    from app.core import clock

    course, teacher, (pupil, *_) = make.gradebook_course(school)
    exam = _exam(course, release="after_close")
    record_score(None, course.id, pupil.id, "gk", "6", source="exam", source_id=exam.id, semester=1)
    set_release(teacher, course.id, 1, True)
    assert _semester(my_scores(pupil)).gk is None
    clock.freeze(frozen_now + timedelta(hours=2))
    assert _semester(my_scores(pupil)).gk == "6"


def test_a_comment_subject_shows_dat_once_complete(make, school, frozen_now):
    course, teacher, (pupil, *_) = make.gradebook_course(school, subject="Giáo dục thể chất")
    make.scores(course, pupil, 1, ["Đạt", "Đạt"], "Đạt", "Đạt")
    set_release(teacher, course.id, 1, True)
    row = _semester(my_scores(pupil), subject="Giáo dục thể chất")
    assert row.result == "dat" and row.status == "complete"


def test_a_parent_sees_only_their_own_child(make, school, frozen_now):
    course, teacher, (one, two, _) = make.gradebook_course(school)
    make.scores(course, one, 1, ["8", "8", "8"], "9", "8")
    set_release(teacher, course.id, 1, True)
    parent = make.user(school, "parent")
    make.link(parent, one)
    assert _semester(child_scores(parent, one.student_code)).average == "8.3"
    with pytest.raises(NotFound):
        child_scores(parent, two.student_code)
    with pytest.raises(Forbidden):
        child_scores(teacher, one.student_code)


def test_only_the_courses_teacher_or_an_admin_releases(make, school, frozen_now):
    course, _teacher, (pupil, *_) = make.gradebook_course(school)
    other = make.user(school, "teacher")
    with pytest.raises(Forbidden):
        set_release(other, course.id, 1, True)
    with pytest.raises(Forbidden):
        set_release(pupil, course.id, 1, True)
    admin = make.user(school, "admin")
    assert set_release(admin, course.id, 2, True) is True
    outsider = make.user(make.school("THPT2", "Khác"), "admin")
    with pytest.raises(NotFound):
        set_release(outsider, course.id, 1, True)


def test_a_teacher_is_not_a_student_for_my_scores(make, school):
    _course, teacher, _ = make.gradebook_course(school)
    with pytest.raises(Forbidden):
        my_scores(teacher)
