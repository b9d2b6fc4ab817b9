"""SMAS layout: SMAS publishes no import format, so the columns are a per-school mapping.

A mapping is a list of [header, field]; fields are the keys of FIELDS. The default below is
documented in docs/grade-export.md; a school changes it with `set_columns` (CLI:
`lophoc export smas-columns`).
"""

from __future__ import annotations

import io

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import ValidationFailed
from app.extensions import db
from app.models import GradeExportSetting, School
from app.services.exports.cells import RESULT_LABELS, groups, number, sheet_title
from app.services.exports.registry import layout
from app.services.exports.tabular import XLSX
from app.services.exports.xlsx_writer import Workbook
from app.services.gradebook_export import GradeExport, GradeRow
from app.services.gradebook_values import MAX_REGULAR

DEFAULT_COLUMNS: list[list[str]] = [
    ["STT", "stt"],
    ["Mã học sinh", "student_code"],
    ["Họ và tên", "full_name"],
    ["TX1", "tx1"],
    ["TX2", "tx2"],
    ["TX3", "tx3"],
    ["TX4", "tx4"],
    ["GK", "gk"],
    ["CK", "ck"],
    ["TBM", "average"],
    ["Nhận xét", "result"],
]
YEAR_COLUMNS: list[list[str]] = [
    ["STT", "stt"],
    ["Mã học sinh", "student_code"],
    ["Họ và tên", "full_name"],
    ["TBM HK1", "semester_1"],
    ["TBM HK2", "semester_2"],
    ["TBM CN", "average"],
    ["Nhận xét", "result"],
]


def _tx(index: int):
    return lambda row: number(row.tx[index]) if index < len(row.tx) else None


FIELDS = {
    "student_code": lambda row: row.student_code,
    "full_name": lambda row: row.full_name,
    "class": lambda row: row.class_name,
    "subject": lambda row: row.subject,
    "gk": lambda row: number(row.gk),
    "ck": lambda row: number(row.ck),
    "average": lambda row: number(row.average),
    "semester_1": lambda row: number(row.semester_1),
    "semester_2": lambda row: number(row.semester_2),
    "result": lambda row: RESULT_LABELS.get(row.result or "", ""),
    **{f"tx{i}": _tx(i - 1) for i in range(1, MAX_REGULAR + 1)},
}


def columns_for(school: School, period: str) -> list[list[str]]:
    """The school's mapping, or the default (semester or year columns)."""
    stored = db.session.scalar(
        select(GradeExportSetting.columns).where(
            GradeExportSetting.school_id == school.id, GradeExportSetting.layout == "smas"
        )
    )
    if stored:
        return stored
    return YEAR_COLUMNS if period == "year" else DEFAULT_COLUMNS


def validate_columns(columns: object) -> list[list[str]]:
    """[[header, field], ...] with known fields and a student_code column."""
    if not isinstance(columns, list) or not columns:
        raise ValidationFailed(_("Bảng cột phải là danh sách [[tiêu đề, trường], ...]."))
    cleaned = []
    for n, pair in enumerate(columns, start=1):
        if not (
            isinstance(pair, list | tuple)
            and len(pair) == 2
            and all(isinstance(p, str) for p in pair)
        ):
            raise ValidationFailed(_("Cột %(n)s: cần [tiêu đề, trường].", n=n))
        header, name = pair[0].strip(), pair[1].strip()
        if name != "stt" and name not in FIELDS:
            raise ValidationFailed(
                _(
                    "Cột %(n)s: trường “%(f)s” không có; dùng: %(all)s.",
                    n=n,
                    f=name,
                    all=", ".join(["stt", *FIELDS]),
                )
            )
        cleaned.append([header or name, name])
    if "student_code" not in {name for _h, name in cleaned}:
        raise ValidationFailed(_("Bảng cột phải có cột mã học sinh (student_code)."))
    return cleaned


def set_columns(school: School, columns: object) -> list[list[str]]:
    """Store the school's SMAS mapping (one transaction). Raises ValidationFailed."""
    cleaned = validate_columns(columns)
    setting = db.session.scalar(
        select(GradeExportSetting).where(
            GradeExportSetting.school_id == school.id, GradeExportSetting.layout == "smas"
        )
    )
    if setting is None:
        setting = GradeExportSetting(school_id=school.id, layout="smas")
        db.session.add(setting)
    setting.columns = cleaned
    db.session.commit()
    return cleaned


def _value(name: str, n: int, row: GradeRow):
    return n if name == "stt" else FIELDS[name](row)


@layout("smas", "xlsx", XLSX)
def render_smas(export: GradeExport) -> bytes:
    """A sheet per class and subject; header row 1, data from row 2, columns as mapped."""
    columns = columns_for(export.school, export.query.period)
    book = Workbook()
    taken: set[str] = set()
    for (class_name, subject), rows in groups(export.rows).items():
        sheet = book.create_sheet(sheet_title(taken, class_name, subject))
        sheet.append([header for header, _name in columns])
        for n, row in enumerate(rows, start=1):
            sheet.append([_value(name, n, row) for _header, name in columns])
    if not taken:
        book.create_sheet("Trống").append([header for header, _name in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
