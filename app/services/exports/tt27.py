"""Primary qualities and competences (Thông tư 27) as a workbook: a sheet per primary class,
one row per student, a column per quality and competence (Tốt / Đạt / Cần cố gắng)."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.core.text import fold
from app.extensions import db
from app.models import SchoolClass, SchoolYear
from app.services.exports.cells import SEMESTER_NAMES, sheet_title
from app.services.exports.registry import layout
from app.services.exports.tabular import XLSX
from app.services.exports.xlsx_writer import Workbook
from app.services.gradebook_export import GradeExport
from app.services.gradebook_qualities import ITEMS, LEVELS, ratings_of
from app.services.school import class_students

HEADER_ROW = 4  # rows 1-3 are titles, data from row 5


@layout("tt27", "xlsx", XLSX)
def render_tt27(export: GradeExport) -> bytes:
    """The semester's sheet (the year: semester II, the end-of-year assessment)."""
    query = export.query
    semester = 2 if query.period == "year" else int(query.period or 1)
    stmt = (
        select(SchoolClass)
        .join(SchoolYear, SchoolYear.id == SchoolClass.school_year_id)
        .where(
            SchoolClass.school_id == export.school.id,
            SchoolYear.name == query.year,
            SchoolClass.grade.between(1, 5),
        )
        .order_by(SchoolClass.grade, SchoolClass.name)
    )
    if query.class_name:
        stmt = stmt.where(SchoolClass.search_text == fold(query.class_name))
    book = Workbook()
    taken: set[str] = set()
    header = ["STT", "Mã học sinh", "Họ và tên", *(label for _c, label, _g in ITEMS)]
    for school_class in db.session.scalars(stmt):
        students = class_students(school_class)
        values = ratings_of([s.id for s in students], school_class.school_year_id, semester)
        sheet = book.create_sheet(sheet_title(taken, school_class.name, "Phẩm chất năng lực"))
        sheet.append([export.school.name.upper()])
        sheet.append(
            [f"PHẨM CHẤT, NĂNG LỰC - {SEMESTER_NAMES[str(semester)]} - NĂM HỌC {query.year}"]
        )
        sheet.append([f"Lớp {school_class.name}"])
        sheet.append(header)
        for n, student in enumerate(students, start=1):
            cells = [LEVELS.get(values.get((student.id, code), ""), None) for code, *_r in ITEMS]
            sheet.append([n, student.student_code or "", student.full_name, *cells])
    if not taken:
        book.create_sheet("Trống").append(header)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
