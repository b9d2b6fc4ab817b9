"""`lophoc export gradebook`: every layout, --json summary, one-line errors, nothing written."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from app.cli import main
from app.services.school import current_year


def run(app, *args):
    return app.test_cli_runner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def year(make, school):
    course, _teacher, (one, two, _) = make.gradebook_course(school)
    make.scores(course, one, 1, ["8", "7", "9"], "7,5", "8")
    make.scores(course, two, 1, ["6", "7"], "5,5", "6,5")
    return current_year(school).name


def _export(app, tmp_path, year, fmt, semester="1", name="out"):
    out = tmp_path / name
    result = run(
        app,
        "export",
        "gradebook",
        "--school",
        "THPT1",
        "--year",
        year,
        "--semester",
        semester,
        "--format",
        fmt,
        "-o",
        str(out),
        "--json",
    )
    return result, out


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "smas", "vnedu", "oneroster"])
def test_every_layout_writes_a_file_and_a_json_summary(app, tmp_path, year, fmt):
    result, out = _export(app, tmp_path, year, fmt)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["rows"] == 3 and summary["format"] == fmt
    assert out.stat().st_size > 0


def test_csv_export_has_the_average_keyed_by_code(app, tmp_path, year):
    _result, out = _export(app, tmp_path, year, "csv")
    text = out.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[1].startswith("HS001,Học sinh HS001,10A1,Toán,1,8,7,9,7.5,8,7.9")


def test_year_export_in_vnedu(app, tmp_path, year):
    result, out = _export(app, tmp_path, year, "vnedu", semester="year")
    assert result.exit_code == 0, result.output
    sheet = load_workbook(io.BytesIO(out.read_bytes())).active
    assert "CẢ NĂM" in sheet["A3"].value
    assert [c.value for c in sheet[7]][3:6] == ["ĐTBmhkI", "ĐTBmhkII", "ĐTBmcn"]


def test_oneroster_export_is_a_zip(app, tmp_path, year):
    _result, out = _export(app, tmp_path, year, "oneroster")
    assert "results.csv" in zipfile.ZipFile(io.BytesIO(out.read_bytes())).namelist()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "pdf"), "pdf"),
        (("--semester", "3"), "Học kỳ"),
        (("--year", "2026"), "Năm học"),
        (("--school", "NOPE"), "NOPE"),
    ],
)
def test_bad_input_is_a_one_line_error_and_no_file(app, tmp_path, year, args, message):
    out = tmp_path / "out.csv"
    base = {"--school": "THPT1", "--year": year, "--semester": "1", "--format": "csv"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [item for pair in base.items() for item in pair]
    result = run(app, "export", "gradebook", *flat, "-o", str(out))
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_missing_output_folder_is_a_clean_error(app, tmp_path, year):
    result, _out = _export(app, tmp_path, year, "csv", name="nowhere/out.csv")
    assert result.exit_code == 1
    assert "không tồn tại" in result.output


def test_smas_columns_from_a_json_file(app, tmp_path, year):
    mapping = tmp_path / "smas.json"
    mapping.write_text(json.dumps([["Mã HS", "student_code"], ["Điểm TBM", "average"]]), "utf-8")
    result = run(app, "export", "smas-columns", str(mapping), "--school", "THPT1")
    assert result.exit_code == 0, result.output
    _result, out = _export(app, tmp_path, year, "smas")
    assert [c.value for c in load_workbook(io.BytesIO(out.read_bytes())).active[1]] == [
        "Mã HS",
        "Điểm TBM",
    ]
    mapping.write_text("[[1]]", "utf-8")
    result = run(app, "export", "smas-columns", str(mapping), "--school", "THPT1")
    assert result.exit_code == 1


def _import(app, path, year, *extra):
    return run(
        app,
        "import",
        "gradebook",
        str(path),
        "--school",
        "THPT1",
        "--year",
        year,
        "--semester",
        "1",
        "--json",
        *extra,
    )


def _wipe_scores():
    from sqlalchemy import delete

    from app.extensions import db
    from app.models import GradeEntry

    db.session.execute(delete(GradeEntry))
    db.session.commit()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_the_same_gradebook(app, tmp_path, year, fmt):
    _result, first = _export(app, tmp_path, year, fmt, name=f"first.{fmt}")
    _wipe_scores()
    result = _import(app, first, year)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["imported"] == 9
    _result, second = _export(app, tmp_path, year, "csv", name="second.csv")
    _result, again = _export(app, tmp_path, year, "csv", name="first-as-csv.csv")
    assert second.read_bytes() == again.read_bytes()
    assert "7.9" in second.read_bytes().decode("utf-8-sig")


def test_import_with_unknown_code_or_bad_score_changes_nothing(app, tmp_path, year):
    path = tmp_path / "bad.csv"
    path.write_text(
        "Mã học sinh,Lớp,Môn,TX1,GK\r\nHS001,10A1,Toán,10,9\r\nHS404,10A1,Toán,8,\r\n"
        "HS002,10A1,Toán,12,\r\nHS003,10A9,Toán,5,\r\n",
        encoding="utf-8-sig",
    )
    result = _import(app, path, year)
    assert result.exit_code == 1
    assert result.output.startswith("Lỗi: bad.csv: ")
    assert "HS404" in result.output and "10A9" in result.output
    assert "HS002 – tx1: Điểm phải từ 0 đến 10" in result.output
    _result, out = _export(app, tmp_path, year, "csv")
    assert out.read_bytes().decode("utf-8-sig").splitlines()[1].split(",")[5] == "8"


def test_import_needs_the_key_columns(app, tmp_path, year):
    path = tmp_path / "cols.csv"
    path.write_text("Họ và tên,TX1\r\nAn,8\r\n", encoding="utf-8")
    result = _import(app, path, year)
    assert result.exit_code == 1 and "Mã học sinh" in result.output
