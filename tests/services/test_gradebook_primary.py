"""Primary gradebook (Thông tư 27/2020): T / H / C per subject and semester, periodic test
scores as whole numbers 1-10 for the tested subjects, in the grid service, exports and API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.errors import ValidationFailed
from app.services import exports
from app.services.gradebook import EntryInput, record_score, save_entries
from app.services.gradebook_export import GradeQuery, school_grades
from app.services.gradebook_import import import_scores
from app.services.gradebook_primary import parse_primary_cell, primary_columns
from app.services.gradebook_views import course_gradebook
from app.services.school import current_year


@pytest.fixture
def primary(make, school):
    """Class 4A, Toán (tested at mid-term and end of term in grade 4)."""
    course, teacher, pupils = make.gradebook_course(school, class_name="4A")
    return course, teacher, pupils


def test_columns_follow_the_grade_and_subject(make, school, primary):
    course, teacher, _ = primary
    assert primary_columns(course) == ("xl", "gk", "ck")
    third = make.course(school, make.school_class(school, "3B"), teacher, "Toán")
    assert primary_columns(third) == ("xl", "ck")
    ethics = make.course(school, course.school_class, teacher, "Đạo đức")
    assert primary_columns(ethics) == ("xl",)


def test_a_complete_primary_row_has_the_rating_and_the_test_but_no_average(primary):
    course, teacher, (_pupil, *_) = primary
    save_entries(
        teacher,
        course.id,
        1,
        [EntryInput("HS001", "xl", "Hoàn thành tốt"), EntryInput("HS001", "ck", "9")],
    )
    book = course_gradebook(teacher, course.id, 1)
    row = book.rows[0]
    assert book.is_primary and book.required_tx == 0
    assert (row.result, row.ck, row.gk, row.average) == ("T", Decimal(9), None, None)
    assert row.status == "complete" and row.tx == []
    other = book.rows[1]
    assert other.status == "incomplete" and other.missing == ["xl", "ck"]


@pytest.mark.parametrize(
    ("typed", "code"), [("T", "T"), ("h", "H"), ("CHT", "C"), ("Chưa hoàn thành", "C")]
)
def test_ratings_are_read_as_teachers_type_them(primary, typed, code):
    course, _teacher, _ = primary
    assert parse_primary_cell(course, "xl", typed).rating == code


@pytest.mark.parametrize("bad", ["8,5", "0", "11", "-1", "tám", "9.5"])
def test_bad_test_scores_are_refused_and_nothing_is_saved(primary, bad):
    course, teacher, _ = primary
    with pytest.raises(ValidationFailed) as error:
        save_entries(
            teacher,
            course.id,
            1,
            [EntryInput("HS001", "xl", "T"), EntryInput("HS002", "ck", bad)],
        )
    assert error.value.details["errors"][0]["student_code"] == "HS002"
    assert course_gradebook(teacher, course.id, 1).rows[0].result is None


def test_a_bad_rating_and_columns_of_the_other_circular_are_refused(make, school, primary):
    course, teacher, (pupil, *_) = primary
    for column, value in (("xl", "A"), ("tx1", "8"), ("xl", "Đạt")):
        with pytest.raises(ValidationFailed):
            record_score(teacher, course.id, pupil.id, column, value, semester=1)
    secondary, _t, (student, *_) = make.gradebook_course(
        school, class_name="10A1", teacher="gv.10", prefix="SS"
    )
    with pytest.raises(ValidationFailed):
        record_score(None, secondary.id, student.id, "xl", "T", semester=1)
    third = make.course(school, make.school_class(school, "3B"), teacher, "Toán")
    with pytest.raises(ValidationFailed):
        parse_primary_cell(third, "gk", "8")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(score=st.integers(min_value=1, max_value=10))
def test_every_whole_number_from_1_to_10_is_a_test_score(primary, score):
    course, _teacher, _ = primary
    assert parse_primary_cell(course, "ck", str(score)).score == score
    assert parse_primary_cell(course, "ck", score).score == score


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(tenths=st.integers(min_value=1, max_value=99).filter(lambda n: n % 10))
def test_no_typed_decimal_is_a_test_score(primary, tenths):
    course, _teacher, _ = primary
    with pytest.raises(ValidationFailed):
        parse_primary_cell(course, "ck", f"{tenths // 10},{tenths % 10}")


def test_a_fed_exam_score_is_rounded_half_up_to_a_whole_number(primary):
    course, _teacher, _ = primary
    assert parse_primary_cell(course, "ck", Decimal("7.5"), is_fed=True).score == 8
    assert parse_primary_cell(course, "ck", Decimal("7.49"), is_fed=True).score == 7


def test_exports_and_api_carry_the_rating_and_the_test(client, web, make, school, primary):
    course, teacher, _pupils = primary
    save_entries(
        teacher,
        course.id,
        1,
        [
            EntryInput("HS001", "xl", "H"),
            EntryInput("HS001", "gk", "7"),
            EntryInput("HS001", "ck", "8"),
        ],
    )
    year = current_year(school).name
    export = school_grades(None, school.code, GradeQuery(year, "1"))
    row = export.rows[0]
    assert (row.result, row.gk, row.ck, row.average, row.status) == (
        "H",
        "7",
        "8",
        None,
        "complete",
    )
    _layout, data = exports.render(export, "csv")
    assert "Hoàn thành" in data.decode("utf-8-sig")
    make.user(school, "admin", username="ad")
    headers = web.bearer("ad")
    body = client.get(
        f"/api/v1/schools/{school.code}/grades?year={year}&semester=1", headers=headers
    ).get_json()
    assert body["items"][0]["result"] == "H" and body["items"][0]["ck"] == "8"
    book = client.get(
        f"/api/v1/courses/{course.id}/gradebook?semester=1", headers=headers
    ).get_json()
    assert book["assessment"] == "primary"
    assert book["items"][0]["result"] == "H"


def test_csv_export_then_import_gives_the_same_primary_gradebook(make, school, primary):
    course, teacher, (_one, _two, _) = primary
    save_entries(
        teacher,
        course.id,
        1,
        [
            EntryInput("HS001", "xl", "T"),
            EntryInput("HS001", "ck", "10"),
            EntryInput("HS002", "xl", "C"),
        ],
    )
    year = current_year(school).name
    before = school_grades(None, school.code, GradeQuery(year, "1"))
    _layout, data = exports.render(before, "csv")
    save_entries(
        teacher,
        course.id,
        1,
        [
            EntryInput("HS001", "xl", None),
            EntryInput("HS001", "ck", None),
            EntryInput("HS002", "xl", None),
        ],
    )
    import_scores(school.code, year, "1", data, "primary.csv")
    after = school_grades(None, school.code, GradeQuery(year, "1"))
    assert [r.as_dict() for r in after.rows] == [r.as_dict() for r in before.rows]


def test_the_year_takes_semester_two_rating(primary):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import GradeEntry
    from app.services.gradebook_views import year_rows

    course, teacher, (pupil, *_) = primary
    save_entries(teacher, course.id, 1, [EntryInput("HS001", "xl", "C")])
    save_entries(teacher, course.id, 2, [EntryInput("HS001", "xl", "T")])
    entries = db.session.scalars(select(GradeEntry)).all()
    (row, *_) = year_rows(course, [pupil], entries)
    assert row.result == "T" and row.average is None
