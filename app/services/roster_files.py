"""Reading roster files (CSV in any common encoding, XLSX) into rows keyed by canonical field."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.errors import BadInput, TooLarge, ValidationFailed
from app.core.text import fold, nfc

MAX_ROSTER_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
HEADER_SCAN_ROWS = 15

# Canonical field -> header spellings, compared after accent folding (so "Mã học sinh",
# "MÃ HỌC SINH" and "ma hoc sinh" are the same header).
HEADERS: dict[str, tuple[str, ...]] = {
    "role": ("role", "vai tro", "loai tai khoan", "doi tuong"),
    "student_code": (
        "student_code",
        "student code",
        "ma hoc sinh",
        "ma hs",
        "ma dinh danh",
        "ma dinh danh hoc sinh",
        "ma so hoc sinh",
        "student id",
        "ma dinh danh ca nhan",
    ),
    "full_name": (
        "full_name",
        "full name",
        "name",
        "ho va ten",
        "ho ten",
        "ho ten hoc sinh",
        "ho va ten hoc sinh",
    ),
    "date_of_birth": (
        "date_of_birth",
        "date of birth",
        "birth date",
        "birthdate",
        "dob",
        "ngay sinh",
        "ngay thang nam sinh",
    ),
    "gender": ("gender", "sex", "gioi tinh"),
    "class": ("class", "class name", "lop", "ten lop", "lop hoc"),
    "grade": ("grade", "khoi", "khoi lop"),
    "username": ("username", "user name", "login", "ten dang nhap", "tai khoan"),
    "email": ("email", "e-mail", "thu dien tu"),
    "phone": ("phone", "so dien thoai", "dien thoai", "sdt"),
    "parent_name": (
        "parent_name",
        "parent name",
        "ho ten phu huynh",
        "ho va ten phu huynh",
        "phu huynh",
        "ten phu huynh",
        "ho ten cha me",
        "ho ten cha/me",
    ),
    "parent_phone": (
        "parent_phone",
        "parent phone",
        "sdt phu huynh",
        "so dien thoai phu huynh",
        "dien thoai phu huynh",
    ),
    "parent_email": ("parent_email", "parent email", "email phu huynh"),
    "parent_username": (
        "parent_username",
        "parent username",
        "ten dang nhap phu huynh",
        "tai khoan phu huynh",
    ),
    "relationship": ("relationship", "quan he", "quan he voi hoc sinh"),
    "children": (
        "children",
        "parent_of",
        "parent of",
        "phu huynh cua",
        "ma hoc sinh cua con",
        "con",
    ),
    "ignored": ("stt", "no", "#", "so thu tu", "ghi chu", "note", "notes"),
}
_LOOKUP = {spelling: name for name, spellings in HEADERS.items() for spelling in spellings}
LABELS = {  # how a column is named in messages, Vietnamese first
    "role": _l("Vai trò"),
    "student_code": _l("Mã học sinh"),
    "full_name": _l("Họ và tên"),
    "date_of_birth": _l("Ngày sinh"),
    "gender": _l("Giới tính"),
    "class": _l("Lớp"),
    "grade": _l("Khối"),
    "username": _l("Tên đăng nhập"),
    "email": _l("Email"),
    "phone": _l("Số điện thoại"),
    "parent_name": _l("Họ tên phụ huynh"),
    "parent_phone": _l("SĐT phụ huynh"),
    "parent_email": _l("Email phụ huynh"),
    "parent_username": _l("Tên đăng nhập phụ huynh"),
    "relationship": _l("Quan hệ"),
    "children": _l("Phụ huynh của"),
}


@dataclass
class RosterRow:
    """One data row: `number` is the line (CSV) or row (XLSX) number a person sees."""

    number: int
    values: dict[str, str]
    dates: dict[str, date] = field(default_factory=dict)  # cells Excel already typed as dates


@dataclass
class RosterTable:
    rows: list[RosterRow]
    columns: list[str]
    ignored_headers: list[str]
    blank_rows: int


def header_field(header: str) -> str | None:
    """Canonical field for a header cell, or None if it is not a roster column."""
    key = fold(re.sub(r"\(.*?\)|[:*]", " ", header or "")).replace("_", " ")
    key = re.sub(r"\s+", " ", key).strip()
    return _LOOKUP.get(key) or _LOOKUP.get(key.replace(" ", "_"))


def read_roster(data: bytes, filename: str) -> RosterTable:
    """Decode a CSV or XLSX roster. Raises BadInput, TooLarge or ValidationFailed."""
    if len(data) > MAX_ROSTER_BYTES:
        raise TooLarge(_("Tệp danh sách quá lớn (tối đa %(mb)s MB).", mb=MAX_ROSTER_BYTES >> 20))
    if not data.strip():
        raise BadInput(_("Tệp “%(f)s” rỗng.", f=filename))
    if data[:4] == b"PK\x03\x04":
        grid, merged = _xlsx_grid(data, filename)
    elif filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise BadInput(
            _(
                "Tệp “%(f)s” không phải là tệp Excel .xlsx hợp lệ (tệp .xls cũ hãy lưu lại "
                "thành .xlsx hoặc .csv).",
                f=filename,
            )
        )
    else:
        grid, merged = _csv_grid(data, filename), []
    return _table_from_grid(grid, merged)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1258; always NFC."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return nfc(data.decode("utf-16"))
    try:
        return nfc(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        # Windows-1258 writes Vietnamese tones as combining marks, so NFC matters here.
        return nfc(data.decode("cp1258", errors="replace"))


def _csv_grid(data: bytes, filename: str) -> list[list[object]]:
    text = decode_text(data)
    if "\x00" in text:
        raise BadInput(_("Tệp “%(f)s” không phải tệp CSV văn bản.", f=filename))
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if len(rows) > MAX_ROWS:
        raise TooLarge(_("Tệp có quá nhiều dòng (tối đa %(n)s).", n=MAX_ROWS))
    return rows


def _xlsx_grid(data: bytes, filename: str) -> tuple[list[list[object]], list]:
    from openpyxl import load_workbook

    from question_banks._safe_zip import SafeZip, reject_dtds
    from question_banks.model import BankFormatError

    try:
        # Zip slip, zip bombs and DTDs/entities (XXE, billion laughs) are refused before
        # openpyxl reads a byte; these checks are shared with the question-bank importers.
        reject_dtds(SafeZip(data))
    except BankFormatError as exc:
        message = _("Không đọc được tệp Excel “%(f)s”: %(e)s", f=filename, e=exc.message)
        raise BadInput(message) from exc
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many undocumented exception types on bad input
        raise BadInput(_("Không đọc được tệp Excel “%(f)s”: %(e)s", f=filename, e=exc)) from exc
    sheet = workbook.worksheets[0]
    if sheet.max_row > MAX_ROWS:
        raise TooLarge(_("Tệp có quá nhiều dòng (tối đa %(n)s).", n=MAX_ROWS))
    grid = [list(row) for row in sheet.iter_rows(values_only=True)]
    return grid, list(sheet.merged_cells.ranges)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return nfc(str(value))


def _find_header(grid: list[list[object]]) -> tuple[int, list[str | None]]:
    best, best_fields = -1, []
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        fields = [header_field(_cell_text(cell)) for cell in row]
        if sum(1 for f in fields if f and f != "ignored") > sum(
            1 for f in best_fields if f and f != "ignored"
        ):
            best, best_fields = index, fields
    if best < 0 or "full_name" not in best_fields:
        raise ValidationFailed(
            _(
                "Không tìm thấy hàng tiêu đề có cột “Họ và tên” trong %(n)s dòng "
                "đầu (cần các cột như Mã học sinh, Họ và tên, Ngày sinh, Lớp).",
                n=HEADER_SCAN_ROWS,
            ),
            code="no_header",
        )
    return best, best_fields


def _check_merged(merged: list, header_row: int) -> None:
    for cell_range in merged:
        if cell_range.min_row <= header_row + 1 <= cell_range.max_row and (
            cell_range.max_col > cell_range.min_col or cell_range.max_row > cell_range.min_row
        ):
            raise ValidationFailed(
                _(
                    "Dòng %(r)s: hàng tiêu đề có ô gộp %(c)s. Hãy bỏ gộp ô (Merge & Center) để mỗi "
                    "cột có một tiêu đề riêng trên cùng một hàng.",
                    r=header_row + 1,
                    c=cell_range.coord,
                ),
                code="merged_header",
            )


def _table_from_grid(grid: list[list[object]], merged: list) -> RosterTable:
    header_index, fields = _find_header(grid)
    _check_merged(merged, header_index)
    headers = [_cell_text(c) for c in grid[header_index]]
    seen: dict[str, str] = {}
    for name, header in zip(fields, headers, strict=False):
        if name and name != "ignored":
            if name in seen:
                raise ValidationFailed(
                    _(
                        "Cột “%(a)s” và “%(b)s” cùng là %(f)s; hãy xoá một cột.",
                        a=seen[name],
                        b=header,
                        f=str(LABELS.get(name, name)),
                    )
                )
            seen[name] = header
    ignored = [h for f, h in zip(fields, headers, strict=False) if h and not f]
    rows, blanks = [], 0
    for offset, raw in enumerate(grid[header_index + 1 :], start=header_index + 2):
        values = {
            f: _cell_text(v) for f, v in zip(fields, raw, strict=False) if f and f != "ignored"
        }
        if not any(values.values()):
            blanks += 1
            continue
        dates = {
            f: (v.date() if isinstance(v, datetime) else v)
            for f, v in zip(fields, raw, strict=False)
            if isinstance(v, date)
        }
        rows.append(RosterRow(number=offset, values=values, dates=dates))
    return RosterTable(rows=rows, columns=list(seen), ignored_headers=ignored, blank_rows=blanks)
