"""LopHoc's XLSX question template: the template itself, sniffing, import and export."""

from __future__ import annotations

import io
import math
import warnings
from datetime import date, datetime, time
from decimal import Decimal

from openpyxl import load_workbook

from ._safe_zip import SafeZip, is_ole, is_zip, reject_dtds
from ._vn_text import fold, format_decimal, nfc
from .model import BankFormatError, ImportIssue, ParseResult
from .xlsx_columns import HEADER_ALIASES, header_key
from .xlsx_rows import Row, RowError, build
from .xlsx_write import dump, template

__all__ = ["dump", "parse", "sniff", "template"]

MAX_COLUMNS = 40
MAX_ROWS = 10000
HEADER_SEARCH_ROWS = 30
HELP_SHEETS = ("huong dan", "instructions", "help", "vi du")
NO_HEADER = (
    "Không tìm thấy dòng tiêu đề trong các trang tính. Hãy dùng mẫu Excel của LopHoc hoặc đặt "
    "tiêu đề cột như 'Loại câu hỏi', 'Nội dung câu hỏi', 'Phương án A', 'Đáp án' ở một trong "
    f"{HEADER_SEARCH_ROWS} dòng đầu."
)
Cells = list[tuple[object, ...]]


def sniff(data: bytes, filename: str = "") -> bool:
    """True for an .xlsx workbook (a zip with xl/workbook.xml)."""
    if not is_zip(data):
        return False
    try:
        return SafeZip(data).find("xl/workbook.xml") is not None
    except BankFormatError:
        return False


def _check_container(data: bytes) -> None:
    if is_ole(data):
        raise BankFormatError(
            "Đây là tệp Excel 97-2003 (.xls); hãy mở bằng Excel và lưu lại dưới dạng .xlsx."
        )
    if not is_zip(data):
        raise BankFormatError("Tệp không phải là sổ tính Excel .xlsx.")
    archive = SafeZip(data)
    if archive.find("xl/workbook.xml") is None:
        raise BankFormatError("Tệp .zip này không phải là sổ tính Excel .xlsx.")
    reject_dtds(archive)


def _read_sheets(data: bytes) -> list[tuple[str, Cells]]:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (extensions, styles); irrelevant here.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheets = []
            for sheet in book.worksheets:
                rows = sheet.iter_rows(max_col=MAX_COLUMNS, max_row=MAX_ROWS, values_only=True)
                sheets.append((nfc(str(sheet.title)), [tuple(r) for r in rows]))
            book.close()
    except BankFormatError:
        raise
    except Exception as exc:  # openpyxl raises many undocumented exception types on bad input
        raise BankFormatError(
            f"Tệp Excel bị hỏng hoặc không đọc được ({type(exc).__name__})."
        ) from exc
    return sheets


def cell_text(value: object, notes: list[str]) -> str:
    """A cell as text; numbers keep the Vietnamese decimal comma, dates are flagged."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Đúng" if value else "Sai"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_decimal(Decimal(repr(value))) if math.isfinite(value) else ""
    if isinstance(value, Decimal):
        return format_decimal(value) if value.is_finite() else ""
    if isinstance(value, datetime | date):
        # Excel turns "1/2" into a date; give back what was typed and tell the teacher.
        notes.append(f"{value.day}/{value.month}")
        return f"{value.day}/{value.month}"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return nfc(str(value)).replace("\r\n", "\n").replace("\r", "\n").strip()


def find_header(rows: Cells) -> tuple[int, dict[int, str]] | None:
    """(row index, {column index: key}) of the first row that looks like the header."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[int, str] = {}
        for col, value in enumerate(row):
            key = HEADER_ALIASES.get(header_key(str(value))) if value is not None else None
            if key and key not in columns.values():
                columns[col] = key
        if "stem" in columns.values() and len(columns) >= 2:
            return index, columns
    return None


def _row(values: tuple[object, ...], columns: dict[int, str], where: str) -> Row:
    notes: list[str] = []
    cells = {
        key: cell_text(values[col], notes) for col, key in columns.items() if col < len(values)
    }
    row = Row(cells, where)
    for note in notes:
        message = (
            f"Excel đã đổi '{note}' thành ngày tháng; đã đọc lại là '{note}' — hãy kiểm tra và "
            "định dạng ô là Văn bản (Text) nếu muốn ghi phân số"
        )
        row.warnings.append(ImportIssue(where, message))
    return row


def _read_rows(
    title: str, rows: Cells, header: tuple[int, dict[int, str]], prefix: bool, result: ParseResult
) -> None:
    index, columns = header
    for number, values in enumerate(rows[index + 1 :], index + 2):
        where = f"{title}, dòng {number}" if prefix else f"dòng {number}"
        row = _row(values, columns, where)
        if row.is_blank():
            continue
        try:
            result.questions.append(build(row))
        except RowError as error:
            result.skipped.append(ImportIssue(where, str(error)))
        result.warnings.extend(row.warnings)


def parse(data: bytes, filename: str = "") -> ParseResult:
    """Questions of every data sheet (the instructions sheet is ignored), row by row."""
    _check_container(data)
    found = [
        (title, rows, header)
        for title, rows in _read_sheets(data)
        if not fold(title).startswith(HELP_SHEETS) and (header := find_header(rows))
    ]
    if not found:
        raise BankFormatError(NO_HEADER)
    result = ParseResult()
    for title, rows, header in found:
        _read_rows(title, rows, header, len(found) > 1, result)
    if any(len(rows) >= MAX_ROWS for _, rows, _ in found):
        message = f"chỉ đọc {MAX_ROWS} dòng đầu của mỗi trang; hãy chia tệp nếu có nhiều câu hơn"
        result.warnings.append(ImportIssue("tệp", message))
    return result
