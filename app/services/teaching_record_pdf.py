"""The teaching record of a course as a PDF for the school's archive (fpdf2, A4 landscape):
the same cover and tables as the XLSX, in a Unicode font so Vietnamese prints correctly."""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from app.core.errors import Conflict
from app.models import User
from app.services.teaching_record import Record, contents, course_for_record

PDF = "application/pdf"
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
MAX_COLUMNS = 10  # wider attendance tables keep the totals; the XLSX has every lesson


def _font_files() -> tuple[Path, Path]:
    for folder in FONT_DIRS:
        regular, bold = Path(folder) / "DejaVuSans.ttf", Path(folder) / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    raise Conflict(
        _(
            "Máy chủ chưa có phông chữ tiếng Việt để tạo PDF (gói fonts-dejavu-core); "
            "hãy tải bản XLSX hoặc nhờ quản trị cài phông."
        ),
        code="pdf_font_missing",
    )


def _narrow(headers: list[str], rows: list[list]) -> tuple[list[str], list[list], bool]:
    if len(headers) <= MAX_COLUMNS:
        return headers, rows, False
    keep = [0, 1, *range(len(headers) - 4, len(headers))]
    return [headers[i] for i in keep], [[row[i] for i in keep] for row in rows], True


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return "" if value is None else str(value)


def build_pdf(actor: User | None, course_id: object) -> Record:
    """The PDF for the course's teacher or an admin (`actor` None: the command line). Raises
    NotFound, Forbidden, Conflict (no Unicode font on the server). Reads only."""
    course = course_for_record(actor, course_id)
    regular, bold = _font_files()
    cover, tables = contents(course)
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(_("Hồ sơ dạy học"))
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(0, 10, _("Hồ sơ dạy học"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for label, value in cover:
        pdf.cell(0, 6, f"{label}: {_text(value)}", new_x="LMARGIN", new_y="NEXT")
    record = Record(course, b"", extension="pdf")
    for title, headers, rows in tables:
        headers, rows, narrowed = _narrow(headers, rows)
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        if narrowed:
            pdf.set_font("DejaVu", "", 8)
            pdf.cell(0, 5, _("Chi tiết từng tiết: xem bản XLSX."), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8)
        with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=5) as table:
            table.row([str(h) for h in headers])
            for row in rows or [[""] * len(headers)]:
                table.row([_text(v) for v in row])
        record.rows[title] = len(rows)
    record.data = bytes(pdf.output())
    return record
