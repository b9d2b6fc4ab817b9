"""vnEdu's detailed score sheet: a sheet per class and subject, title rows, then the table."""

from __future__ import annotations

import io

from app.services.exports.cells import (
    RESULT_LABELS,
    SEMESTER_NAMES,
    groups,
    number,
    sheet_title,
    tx_width,
)
from app.services.exports.registry import layout
from app.services.exports.tabular import XLSX
from app.services.exports.xlsx_writer import Workbook
from app.services.gradebook_export import GradeExport, GradeRow

DEPARTMENT = "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
# Rows 1-6 are titles, row 7 the header, data from row 8 (docs/grade-export.md).
HEADER_ROW = 7


def _header(period: str, width: int) -> list[str]:
    if period == "year":
        return ["STT", "Mã học sinh", "Họ và tên", "ĐTBmhkI", "ĐTBmhkII", "ĐTBmcn", "Nhận xét"]
    tx = [f"TX{i}" for i in range(1, width + 1)]
    return ["STT", "Mã học sinh", "Họ và tên", *tx, "GK", "CK", "ĐTBmhk", "Nhận xét"]


def _values(n: int, row: GradeRow, width: int) -> list:
    comment = RESULT_LABELS.get(row.result or "", "")
    head = [n, row.student_code, row.full_name]
    if row.period == "year":
        return [*head, number(row.semester_1), number(row.semester_2), number(row.average), comment]
    tx = [number(v) for v in row.tx] + [None] * (width - len(row.tx))
    return [*head, *tx, number(row.gk), number(row.ck), number(row.average), comment]


@layout("vnedu", "xlsx", XLSX)
def render_vnedu(export: GradeExport) -> bytes:
    book = Workbook()
    taken: set[str] = set()
    period, year = export.query.period, export.query.year
    for (class_name, subject), rows in groups(export.rows).items():
        sheet = book.create_sheet(sheet_title(taken, class_name, subject))
        width = max(tx_width(rows), 1)
        sheet.append([DEPARTMENT])
        sheet.append([export.school.name.upper()])
        sheet.append(
            [
                f"BẢNG ĐIỂM CHI TIẾT - MÔN {subject.upper()} - {SEMESTER_NAMES[period]} "
                f"- NĂM HỌC {year}"
            ]
        )
        sheet.append([f"Khối {rows[0].grade}"])
        sheet.append([f"Lớp {class_name}"])
        sheet.append([])
        sheet.append(_header(period, width))
        for n, row in enumerate(rows, start=1):
            sheet.append(_values(n, row, width))
    if not taken:
        book.create_sheet("Trống").append(["Không có dữ liệu"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
