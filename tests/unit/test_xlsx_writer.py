"""The export layouts' XLSX writer: a package openpyxl (and so Excel's format) reads back,
text escaped, numbers exact, sheets in order."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from lxml import etree
from openpyxl import load_workbook

from app.services.exports.xlsx_writer import COLUMNS, Workbook


def _saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_text_numbers_and_blanks_read_back_exactly():
    book = Workbook()
    sheet = book.create_sheet("10A1 - Toán")
    sheet.append(["Mã học sinh", "Họ và tên", "TX1", "GK", None, "Ghi chú"])
    sheet.append(["HS001", 'Nguyễn <Văn> & "An"', Decimal("8.5"), Decimal("10"), None, " x "])
    sheet.append([])
    sheet.append(["HS002", "Lê\x07 Bình", 7, Decimal("0.25")])
    book.create_sheet("Lớp 10A2")
    data = _saved(book)
    read = load_workbook(io.BytesIO(data))
    assert read.sheetnames == ["10A1 - Toán", "Lớp 10A2"]
    rows = list(read["10A1 - Toán"].iter_rows(values_only=True))
    assert rows[0] == ("Mã học sinh", "Họ và tên", "TX1", "GK", None, "Ghi chú")
    assert rows[1] == ("HS001", 'Nguyễn <Văn> & "An"', 8.5, 10, None, " x ")
    assert rows[2] == (None,) * 6
    assert rows[3][:4] == ("HS002", "Lê Bình", 7, 0.25)  # a control character is dropped


def test_every_part_is_well_formed_xml_and_numbers_keep_their_decimal_text():
    book = Workbook()
    book.create_sheet('a "quoted" & <odd> name').append([Decimal("7.75"), Decimal("1E+1")])
    with zipfile.ZipFile(io.BytesIO(_saved(book))) as package:
        names = package.namelist()
        assert "[Content_Types].xml" in names and "xl/worksheets/sheet1.xml" in names
        for name in names:
            etree.fromstring(package.read(name))  # raises on malformed XML
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<v>7.75</v>" in sheet and "<v>10</v>" in sheet  # never "1E+1"


def test_a_value_that_is_neither_text_nor_an_exact_number_is_refused():
    sheet = Workbook().create_sheet("x")
    with pytest.raises(TypeError):
        sheet.append([8.5])  # a float would not be exact
    with pytest.raises(ValueError):
        sheet.append([Decimal("NaN")])


def test_column_letters_go_past_z():
    assert COLUMNS[:3] == ["A", "B", "C"] and COLUMNS[25:28] == ["Z", "AA", "AB"]
