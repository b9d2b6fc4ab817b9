"""A student whose code changed keeps their grades, and files naming the old code still work."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.services.gradebook_export import GradeQuery, school_grades
from app.services.gradebook_import import import_scores
from app.services.school import current_year
from app.services.student_codes import change_student_code, code_history


def test_grades_follow_the_student_to_the_new_code(make, school):
    course, _teacher, (one, *_) = make.gradebook_course(school)
    make.scores(course, one, 1, ["8", "7", "9"], "7,5", "8")
    change_student_code(None, school.code, "HS001", "HS901", "Sở đổi mã")
    rows = school_grades(None, school.code, GradeQuery(current_year(school).name, "1")).rows
    moved = [r for r in rows if r.student_code == "HS901"]
    assert len(moved) == 1 and moved[0].average == "7.9"
    assert not [r for r in rows if r.student_code == "HS001"]
    (change,) = code_history(one)
    assert (change.old_code, change.new_code) == ("HS001", "HS901")


def test_an_import_naming_the_old_code_reaches_the_same_student(make, school):
    _course, _teacher, (_one, *_) = make.gradebook_course(school)
    change_student_code(None, school.code, "hs001", "HS901")
    year = current_year(school).name
    data = "Mã học sinh,Lớp,Môn,TX1\nHS001,10A1,Toán,9\nHS901,10A1,Toán,\n".encode()
    import_scores(school.code, year, "1", data, "cu.csv")
    rows = school_grades(None, school.code, GradeQuery(year, "1")).rows
    assert [r.tx[0] for r in rows if r.student_code == "HS901"] == ["9"]


def test_a_code_given_to_another_student_later_wins_over_history(make, school):
    _course, _teacher, (_one, two, _) = make.gradebook_course(school)
    change_student_code(None, school.code, "HS001", "HS901")
    change_student_code(None, school.code, "HS002", "HS001")
    year = current_year(school).name
    data = "Mã học sinh,Lớp,Môn,TX1\nHS001,10A1,Toán,6\n".encode()
    import_scores(school.code, year, "1", data, "moi.csv")
    rows = {r.student_code: r for r in school_grades(None, school.code, GradeQuery(year, "1")).rows}
    assert rows["HS001"].student_id == two.id and rows["HS001"].tx[0] == "6"
    assert rows["HS901"].tx[0] is None


def test_bad_code_changes_are_refused(make, school):
    make.gradebook_course(school)
    with pytest.raises(NotFound):
        change_student_code(None, school.code, "HS999", "HS998")
    with pytest.raises(Conflict):
        change_student_code(None, school.code, "HS001", "hs002")
    with pytest.raises(ValidationFailed):
        change_student_code(None, school.code, "HS001", "HS 001")


def test_cli_change_code(app, make, school):
    make.gradebook_course(school)
    runner = app.test_cli_runner()
    result = runner.invoke(
        main, ["students", "change-code", "HS001", "HS777", "--school", school.code, "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"student_code": "HS777", "previous": "HS001"}
    bad = runner.invoke(main, ["students", "change-code", "HS001", "X", "--school", school.code])
    assert bad.exit_code == 1 and "Lỗi:" in bad.output
