"""Cell values and headers shared by the export layouts (Vietnamese headers, exact decimals)."""

from __future__ import annotations

import re
from decimal import Decimal

from app.services.gradebook_export import GradeExport, GradeRow

RESULT_LABELS = {
    "dat": "Đạt",
    "chua_dat": "Chưa đạt",
    "T": "Hoàn thành tốt",
    "H": "Hoàn thành",
    "C": "Chưa hoàn thành",
}
CELL_LABELS = {"dat": "Đ", "chua_dat": "CĐ"}
SEMESTER_NAMES = {"1": "HỌC KỲ I", "2": "HỌC KỲ II", "year": "CẢ NĂM"}
STATUS_LABELS = {"complete": "Đủ điểm", "incomplete": "Thiếu điểm"}
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def number(value: str | None) -> Decimal | str | None:
    """A score cell for a spreadsheet: an exact Decimal, a Đ/CĐ label, or empty."""
    if value is None:
        return None
    if value in CELL_LABELS:
        return CELL_LABELS[value]
    return Decimal(value)


def text(value: str | None) -> str:
    """A score cell for CSV: "8.5", "Đ", or empty."""
    if value is None:
        return ""
    return CELL_LABELS.get(value, value)


def tx_width(rows: list[GradeRow]) -> int:
    return max((len(row.tx) for row in rows), default=0)


def flat_headers(export: GradeExport, width: int) -> list[str]:
    base = ["Mã học sinh", "Họ và tên", "Lớp", "Môn", "Kỳ"]
    if export.query.period == "year":
        return [*base, "ĐTBmhkI", "ĐTBmhkII", "ĐTBmcn", "Kết quả", "Trạng thái"]
    tx = [f"TX{i}" for i in range(1, width + 1)]
    return [*base, *tx, "GK", "CK", "ĐTBmhk", "Kết quả", "Trạng thái"]


def flat_values(row: GradeRow, width: int, cell) -> list:
    """One row of the flat csv/xlsx layout; `cell` is `text` or `number`."""
    base = [row.student_code, row.full_name, row.class_name, row.subject, row.period]
    tail = [RESULT_LABELS.get(row.result or "", ""), STATUS_LABELS[row.status]]
    if row.period == "year":
        return [*base, cell(row.semester_1), cell(row.semester_2), cell(row.average), *tail]
    tx = [cell(v) for v in row.tx] + [cell(None)] * (width - len(row.tx))
    return [*base, *tx, cell(row.gk), cell(row.ck), cell(row.average), *tail]


def groups(rows: list[GradeRow]) -> dict[tuple[str, str], list[GradeRow]]:
    """Rows by (class, subject), in the export's order."""
    grouped: dict[tuple[str, str], list[GradeRow]] = {}
    for row in rows:
        grouped.setdefault((row.class_name, row.subject), []).append(row)
    return grouped


def sheet_title(taken: set[str], *parts: str) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = _SHEET_BAD.sub("-", " - ".join(parts))[:31] or "Sheet"
    title, n = base, 1
    while title in taken:
        n += 1
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title)
    return title
