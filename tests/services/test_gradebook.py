"""Gradebook service: feeding scores, averages by TT 22 (GRADING.md examples), locks, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import AuditLog, GradeEntry, SchoolYear
from app.services.gradebook import EntryInput, record_score, save_entries, set_lock
from app.services.gradebook_views import class_ratings, course_gradebook, year_rows


def _row(teacher, course, semester=1, index=0):
    return course_gradebook(teacher, course.id, semester).rows[index]


@pytest.mark.parametrize(
    ("tx", "gk", "ck", "average"),
    [
        (["8", "7", "9"], "7,5", "8,0", "7.9"),
        (["6", "7"], "5,5", "6,5", "6.2"),
        (["8", "8", "8"], "9", "8", "8.3"),
        (["10", "10", "10", "10"], "10", "10", "10.0"),
    ],
)
def test_grading_md_semester_examples_through_the_service(make, school, tx, gk, ck, average):
    course, teacher, (pupil, *_) = make.gradebook_course(school)
    make.scores(course, pupil, 1, tx, gk, ck)
    row = _row(teacher, course)
    assert row.average == Decimal(average)
    assert row.status == "complete"


def test_one_regular_score_of_two_required_is_incomplete_without_average(make, school):
    course, teacher, (pupil, *_) = make.gradebook_course(school)
    make.scores(course, pupil, 1, ["9"], "8", "8")
    row = _row(teacher, course)
    assert row.average is None
    assert row.status == "incomplete"
    assert row.missing == ["tx2"]


def test_required_regular_count_follows_the_subject_periods(make, school):
    course, teacher, (pupil, *_) = make.gradebook_course(school)
    course.subject.periods_per_year = 105
    db.session.commit()
    make.scores(course, pupil, 1, ["8", "8", "8"], "8", "8")
    assert _row(teacher, course).missing == ["tx4"]


def test_year_average_from_the_two_recorded_semester_averages(make, school):
    course, _teacher, (pupil, *_) = make.gradebook_course(school)
    make.scores(course, pupil, 1, ["8", "7", "9"], "7,5", "8")  # 7.9
    make.scores(course, pupil, 2, ["8", "8", "8"], "9", "8")  # 8.3
    entries = db.session.scalars(select(GradeEntry)).all()
    (row, *_) = year_rows(course, [pupil], entries)
    assert row.average == Decimal("8.2")


def test_exam_score_is_rounded_half_up_and_keeps_its_source(make, school):
    course, _teacher, (pupil, *_) = make.gradebook_course(school)
    entry = record_score(None, course.id, pupil.id, "gk", Decimal("8.25"), "exam", 41, semester=1)
    assert entry.score == Decimal("8.3")
    assert (entry.source, entry.source_id) == ("exam", 41)


def test_typed_comma_decimal_is_accepted(make, school):
    course, teacher, (pupil, *_) = make.gradebook_course(school)
    entry = record_score(teacher, course.id, pupil.id, "tx1", "8,5", semester=1)
    assert entry.score == Decimal("8.5")


@pytest.mark.parametrize("bad", ["11", "-1", "tám", "8,55", True])
def test_bad_scores_are_refused_with_a_message(make, school, bad):
    course, teacher, (pupil, *_) = make.gradebook_course(school)
    with pytest.raises(ValidationFailed) as info:
        record_score(teacher, course.id, pupil.id, "tx1", bad, semester=1)
    assert info.value.message
    assert db.session.scalar(select(GradeEntry.id)) is None


def test_unknown_column_is_refused(make, school):
    course, teacher, (pupil, *_) = make.gradebook_course(school)
    with pytest.raises(ValidationFailed, match="tx11"):
        record_score(teacher, course.id, pupil.id, "tx11", "8", semester=1)


def test_every_change_is_audited_with_old_and_new_value(make, school):
    course, teacher, (pupil, *_) = make.gradebook_course(school)
    record_score(teacher, course.id, pupil.id, "tx1", "7", semester=1)
    record_score(teacher, course.id, pupil.id, "tx1", "8,5", semester=1, reason="chấm lại")
    logs = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "grade.set").order_by(AuditLog.id)
    ).all()
    assert [log.changes["value"] for log in logs] == [[None, "7"], ["7", "8.5"]]
    assert logs[1].actor_id == teacher.id and logs[1].reason == "chấm lại"


def test_unchanged_value_writes_no_audit_row(make, school):
    course, teacher, (pupil, *_) = make.gradebook_course(school)
    record_score(teacher, course.id, pupil.id, "tx1", "7", semester=1)
    assert record_score(teacher, course.id, pupil.id, "tx1", "7,0", semester=1) is None
    assert (
        len(db.session.scalars(select(AuditLog).where(AuditLog.action == "grade.set")).all()) == 1
    )


def test_locked_semester_needs_a_reason(make, school):
    course, teacher, (pupil, *_) = make.gradebook_course(school)
    admin = make.user(school, "admin")
    set_lock(admin, course.school_year_id, 1, True)
    with pytest.raises(Conflict) as info:
        record_score(teacher, course.id, pupil.id, "tx1", "7", semester=1)
    assert info.value.code == "semester_locked"
    entry = record_score(teacher, course.id, pupil.id, "tx1", "7", semester=1, reason="Phúc khảo")
    assert entry.score == 7
    record_score(teacher, course.id, pupil.id, "tx1", "8", semester=2)  # semester 2 stays open


def test_only_admins_lock_and_unlock(make, school):
    course, teacher, _ = make.gradebook_course(school)
    with pytest.raises(Forbidden):
        set_lock(teacher, course.school_year_id, 1, True)
    admin = make.user(school, "admin")
    assert set_lock(admin, course.school_year_id, 1, True) is True
    assert set_lock(admin, course.school_year_id, 1, True) is False
    assert set_lock(admin, course.school_year_id, 1, False) is True


def test_other_schools_year_cannot_be_locked(make, school):
    other = make.school("THPT2", "Trường khác")
    year = db.session.scalar(select(SchoolYear).where(SchoolYear.school_id == other.id))
    with pytest.raises(NotFound):
        set_lock(make.user(school, "admin"), year.id, 1, True)


def test_teacher_of_another_course_cannot_enter_scores(make, school):
    course, _teacher, (pupil, *_) = make.gradebook_course(school)
    stranger = make.user(school, "teacher", username="gv.khac")
    with pytest.raises(Forbidden):
        record_score(stranger, course.id, pupil.id, "tx1", "7", semester=1)


def test_other_schools_course_is_not_found(make, school):
    course, _teacher, (pupil, *_) = make.gradebook_course(school)
    other = make.school("THPT2", "Trường khác")
    with pytest.raises(NotFound):
        record_score(make.user(other, "admin"), course.id, pupil.id, "tx1", "7", semester=1)


def test_student_outside_the_class_is_refused(make, school):
    course, teacher, _ = make.gradebook_course(school)
    outsider = make.user(school, "student")
    with pytest.raises(ValidationFailed):
        record_score(teacher, course.id, outsider.id, "tx1", "7", semester=1)


def test_save_entries_is_all_or_nothing_and_names_each_bad_entry(make, school):
    course, teacher, (_one, _two, _) = make.gradebook_course(school)
    entries = [
        EntryInput("HS001", "tx1", "8,5"),
        EntryInput("HS002", "tx1", "12"),
        EntryInput("HS999", "gk", "7"),
    ]
    with pytest.raises(ValidationFailed) as info:
        save_entries(teacher, course.id, 1, entries)
    errors = info.value.details["errors"]
    assert [(e["student_code"], e["column"]) for e in errors] == [("HS002", "tx1"), ("HS999", "gk")]
    assert db.session.scalar(select(GradeEntry.id)) is None


def test_save_entries_saves_and_counts_changes(make, school):
    course, teacher, _pupils = make.gradebook_course(school)
    changed = save_entries(
        teacher, course.id, 1, [EntryInput("HS001", "tx1", "8,5"), EntryInput("hs002", "ck", 9)]
    )
    assert changed == 2
    assert _row(teacher, course, index=1).ck == Decimal("9")


def test_comment_subject_takes_dat_and_chua_dat(make, school):
    course, teacher, (pupil, second, _) = make.gradebook_course(school, "Giáo dục thể chất")
    for column in ("tx1", "tx2", "gk", "ck"):
        record_score(teacher, course.id, pupil.id, column, "Đạt", semester=1)
    record_score(teacher, course.id, second.id, "tx1", "Chưa đạt", semester=1)
    grid = course_gradebook(teacher, course.id, 1)
    assert grid.is_comment
    assert (grid.rows[0].result, grid.rows[0].status) == ("dat", "complete")
    assert grid.rows[1].result == "chua_dat"
    with pytest.raises(ValidationFailed):
        record_score(teacher, course.id, pupil.id, "tx1", "8", semester=1)


def _rating_class(make, school, averages, comment="Đạt"):
    """A class whose one student has these semester averages (one subject each)."""
    teacher = make.user(school, "teacher", username="gvcn")
    school_class = make.school_class(school, "11B1")
    school_class.homeroom_teacher_id = teacher.id
    pupil = make.user(school, "student", student_code="HS100")
    make.enrol(pupil, school_class)
    subjects = ["Toán", "Ngữ văn", "Tiếng Anh", "Vật lí", "Hoá học", "Sinh học", "Lịch sử", "Tin"]
    for name, average in zip(subjects, averages, strict=True):
        course = make.course(school, school_class, teacher, name)
        make.scores(course, pupil, 1, [average, average], average, average)
    course = make.course(school, school_class, teacher, "Giáo dục thể chất")
    for column in ("tx1", "tx2", "gk", "ck"):
        record_score(None, course.id, pupil.id, column, comment, semester=1)
    return teacher, school_class


@pytest.mark.parametrize(("last", "level"), [("7.0", "tot"), ("6.4", "kha"), ("3.4", "dat")])
def test_grading_md_rating_examples_through_the_service(make, school, last, level):
    averages = ["8.0", "8.5", "9.0", "8.1", "8.0", "8.2", "6.5", last]
    teacher, school_class = _rating_class(make, school, averages)
    (rating,) = class_ratings(teacher, school_class.id, "1")
    assert rating.level == level


def test_rating_waits_for_every_subject(make, school):
    teacher, school_class = _rating_class(make, school, ["8"] * 8)
    course = make.course(school, school_class, teacher, "Địa lí")
    assert course.id
    (rating,) = class_ratings(teacher, school_class.id, "1")
    assert rating.level is None


def test_too_many_entries_at_once_are_refused(make, school):
    course, teacher, _ = make.gradebook_course(school, students=1)
    entries = [EntryInput("HS001", "tx1", "8")] * 2001
    with pytest.raises(ValidationFailed) as info:
        save_entries(teacher, course.id, 1, entries)
    assert info.value.code == "too_many"


def test_grades_follow_the_student_when_the_code_changes(make, school):
    course, teacher, (pupil, *_) = make.gradebook_course(school)
    make.scores(course, pupil, 1, ["8", "7", "9"], "7,5", "8")
    pupil.student_code = "MOI001"
    db.session.commit()
    row = _row(teacher, course)
    assert (row.student.student_code, row.average) == ("MOI001", Decimal("7.9"))
    save_entries(teacher, course.id, 1, [EntryInput("MOI001", "tx1", "9")])
    assert _row(teacher, course).tx[0] == Decimal("9")
