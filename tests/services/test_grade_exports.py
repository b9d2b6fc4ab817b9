"""Grade export rows and layouts: csv (BOM), xlsx, vnEdu, SMAS mapping, OneRoster bundle."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.core.errors import NotFound, ValidationFailed
from app.services import exports
from app.services.exports.smas import set_columns
from app.services.gradebook_export import GradeQuery, school_grades
from app.services.school import current_year


@pytest.fixture
def graded(make, school):
    course, _teacher, (one, two, _three) = make.gradebook_course(school)
    make.scores(course, one, 1, ["8", "7", "9"], "7,5", "8")  # 7.9
    make.scores(course, two, 1, ["9"], "8", "8")  # incomplete
    make.scores(course, one, 2, ["8", "8", "8"], "9", "8")  # 8.3
    return school, course


def _export(school, period="1", **kw):
    return school_grades(None, school.code, GradeQuery(current_year(school).name, period, **kw))


def test_rows_are_keyed_by_student_code_with_averages_and_status(graded):
    school, _course = graded
    rows = {row.student_code: row for row in _export(school).rows}
    assert rows["HS001"].average == "7.9" and rows["HS001"].status == "complete"
    assert rows["HS001"].tx == ["8", "7", "9"] and rows["HS001"].gk == "7.5"
    assert rows["HS002"].average is None and rows["HS002"].status == "incomplete"
    assert rows["HS003"].tx == [None, None, None]


def test_year_rows_carry_both_semesters_and_the_year_average(graded):
    school, _course = graded
    (row, *_) = _export(school, "year").rows
    assert (row.semester_1, row.semester_2, row.average) == ("7.9", "8.3", "8.2")


def test_unknown_class_filter_is_not_found(graded):
    school, _course = graded
    with pytest.raises(NotFound):
        _export(school, class_name="12Z9")


def test_malformed_year_is_refused(graded):
    school, _course = graded
    with pytest.raises(ValidationFailed):
        school_grades(None, school.code, GradeQuery("2026", "1"))


def test_csv_has_a_bom_and_exact_decimals(graded):
    school, _course = graded
    layout, data = exports.render(_export(school), "csv")
    assert layout.extension == "csv"
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Mã học sinh", "Họ và tên"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["Mã học sinh"], first["GK"], first["ĐTBmhk"]) == ("HS001", "7.5", "7.9")


def test_xlsx_keeps_numbers(graded):
    school, _course = graded
    _layout, data = exports.render(_export(school), "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert row[header.index("ĐTBmhk")] == pytest.approx(7.9)
    assert row[header.index("Mã học sinh")] == "HS001"


def test_vnedu_sheet_has_title_rows_then_the_table(graded):
    school, _course = graded
    _layout, data = exports.render(_export(school), "vnedu")
    book = load_workbook(io.BytesIO(data))
    sheet = book["10A1 - Toán"]
    year = current_year(school).name
    assert sheet["A3"].value == f"BẢNG ĐIỂM CHI TIẾT - MÔN TOÁN - HỌC KỲ I - NĂM HỌC {year}"
    header = [c.value for c in sheet[7]]
    assert header == [
        "STT",
        "Mã học sinh",
        "Họ và tên",
        "TX1",
        "TX2",
        "TX3",
        "GK",
        "CK",
        "ĐTBmhk",
        "Nhận xét",
    ]
    assert [c.value for c in sheet[8]][:3] == [1, "HS001", "Học sinh HS001"]


def test_smas_uses_the_default_then_the_school_mapping(graded):
    school, _course = graded
    _layout, data = exports.render(_export(school), "smas")
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]][:3] == ["STT", "Mã học sinh", "Họ và tên"]
    set_columns(school, [["Mã HS", "student_code"], ["Điểm TB", "average"]])
    _layout, data = exports.render(_export(school), "smas")
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["Mã HS", "Điểm TB"]
    assert Decimal(str(sheet["B2"].value)) == Decimal("7.9")


def test_smas_mapping_without_student_code_is_refused(graded):
    school, _course = graded
    with pytest.raises(ValidationFailed):
        set_columns(school, [["Điểm", "average"]])
    with pytest.raises(ValidationFailed):
        set_columns(school, [["Mã", "student_code"], ["X", "shoe_size"]])


def test_oneroster_bundle_has_manifest_line_items_and_results(graded):
    school, course = graded
    _layout, data = exports.render(_export(school), "oneroster")
    bundle = zipfile.ZipFile(io.BytesIO(data))
    assert {"manifest.csv", "lineItems.csv", "results.csv", "categories.csv"} <= set(
        bundle.namelist()
    )
    manifest = dict(csv.reader(io.StringIO(bundle.read("manifest.csv").decode())))
    assert manifest["oneroster.version"] == "1.2"
    results = list(csv.DictReader(io.StringIO(bundle.read("results.csv").decode())))
    average = next(r for r in results if r["lineItemSourcedId"] == f"course-{course.id}-1-tbm")
    assert (average["studentSourcedId"], average["score"]) == ("HS001", "7.9")


def test_unknown_format_names_the_known_ones(graded):
    with pytest.raises(ValidationFailed, match="vnedu"):
        exports.get_layout("pdf")
