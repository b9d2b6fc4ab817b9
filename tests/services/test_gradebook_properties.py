"""Properties of the stored gradebook: averages stay in 0-10, half-up rounding at every .x5,
and export -> import gives back the same gradebook."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from app.extensions import db
from app.models import GradeEntry
from app.services import exports
from app.services.gradebook import record_score
from app.services.gradebook_export import GradeQuery, school_grades
from app.services.gradebook_import import import_scores
from app.services.gradebook_views import course_gradebook
from app.services.school import current_year

SCORES = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n) / 10)
HALVES = st.integers(min_value=0, max_value=99).map(lambda n: Decimal(n) / 10 + Decimal("0.05"))
PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _wipe():
    db.session.execute(delete(GradeEntry))
    db.session.commit()


@PROPERTY
@given(tx=st.lists(SCORES, min_size=2, max_size=5), gk=SCORES, ck=SCORES)
def test_stored_average_is_in_range_and_follows_the_formula(make, school, tx, gk, ck):
    if not hasattr(make, "_course"):
        make._course = make.gradebook_course(school, students=1)
    course, teacher, (pupil,) = make._course
    _wipe()
    make.scores(course, pupil, 1, tx, gk, ck)
    average = course_gradebook(teacher, course.id, 1).rows[0].average
    exact = (sum(tx) + 2 * gk + 3 * ck) / (len(tx) + 5)
    assert average == exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert Decimal(0) <= average <= Decimal(10)


@PROPERTY
@given(score=HALVES)
def test_fed_scores_round_half_up_at_every_x5(make, school, score):
    if not hasattr(make, "_course"):
        make._course = make.gradebook_course(school, students=1)
    course, _teacher, (pupil,) = make._course
    _wipe()
    entry = record_score(None, course.id, pupil.id, "tx1", score, "exam", 1, semester=1)
    assert entry.score == score + Decimal("0.05")  # e.g. 8.25 -> 8.3, never 8.2


@PROPERTY
@given(cells=st.lists(st.one_of(st.none(), SCORES), min_size=15, max_size=15))
def test_export_then_import_gives_the_same_gradebook(make, school, cells):
    if not hasattr(make, "_course"):
        make._course = make.gradebook_course(school, students=3)
    course, _teacher, pupils = make._course
    _wipe()
    columns = ["tx1", "tx2", "tx3", "gk", "ck"]
    for i, value in enumerate(cells):
        pupil, column = pupils[i // 5], columns[i % 5]
        record_score(None, course.id, pupil.id, column, value, semester=1)
    query = GradeQuery(current_year(school).name, "1")
    _layout, before = exports.render(school_grades(None, school.code, query), "csv")
    _wipe()
    import_scores(school.code, query.year, 1, before, "diem.csv")
    _layout, after = exports.render(school_grades(None, school.code, query), "csv")
    assert after == before


TWO_DECIMALS = st.integers(min_value=0, max_value=1000).map(lambda n: Decimal(n) / 100)


@PROPERTY
@given(
    rows=st.lists(
        st.tuples(
            st.lists(st.one_of(st.none(), TWO_DECIMALS), min_size=0, max_size=5),
            st.one_of(st.none(), TWO_DECIMALS),
            st.one_of(st.none(), TWO_DECIMALS),
        ),
        min_size=3,
        max_size=3,
    )
)
def test_export_rows_equal_the_grid_of_the_course(make, school, rows):
    """The export's fast row path gives what the teacher's grid shows, cell for cell."""
    if not hasattr(make, "_course3"):
        make._course3 = make.gradebook_course(school, students=3)
    course, teacher, pupils = make._course3
    _wipe()
    for pupil, (tx, gk, ck) in zip(pupils, rows, strict=True):
        for n, score in enumerate(tx, start=1):
            if score is not None:
                record_score(None, course.id, pupil.id, f"tx{n}", score, "exam", 1, semester=1)
        for column, score in (("gk", gk), ("ck", ck)):
            if score is not None:
                record_score(None, course.id, pupil.id, column, score, "exam", 1, semester=1)
    db.session.commit()
    grid = {r.student.id: r for r in course_gradebook(teacher, course.id, 1).rows}
    query = GradeQuery(current_year(school).name, "1")
    for row in school_grades(None, school.code, query).rows:
        want = grid[row.student_id]
        shown = [None if v is None else f"{v.normalize():f}" for v in want.tx]  # 10, not 1E+1
        assert row.tx == shown + [None] * (len(row.tx) - len(shown))
        assert row.average == (None if want.average is None else str(want.average))
        assert row.status == want.status
