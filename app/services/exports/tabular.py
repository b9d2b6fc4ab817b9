"""The flat csv and xlsx layouts: one row per student and subject, keyed by student code."""

from __future__ import annotations

import csv
import io

from app.services.exports.cells import flat_headers, flat_values, number, text, tx_width
from app.services.exports.registry import layout
from app.services.exports.xlsx_writer import Workbook
from app.services.gradebook_export import GradeExport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@layout("csv", "csv", "text/csv; charset=utf-8")
def render_csv(export: GradeExport) -> bytes:
    """UTF-8 with BOM (so Excel reads the accents), "." as the decimal point."""
    width = tx_width(export.rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(flat_headers(export, width))
    for row in export.rows:
        writer.writerow(flat_values(row, width, text))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@layout("xlsx", "xlsx", XLSX)
def render_xlsx(export: GradeExport) -> bytes:
    """One sheet, real numbers (exact decimals) so Excel shows them in the user's locale."""
    width = tx_width(export.rows)
    book = Workbook()
    sheet = book.create_sheet("Bảng điểm")
    sheet.append(flat_headers(export, width))
    for row in export.rows:
        sheet.append(flat_values(row, width, number))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
