"""Writing the LopHoc XLSX template (with its "Hướng dẫn" sheet) and question banks as XLSX."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ._vn_text import LEVEL_NAMES, format_decimal, html_to_text
from .model import Gap, NumericAnswer, Question, QuestionType
from .xlsx_columns import OPTION_LETTERS, TEMPLATE_OPTIONS, TYPE_NAMES, columns
from .xlsx_examples import EXAMPLES, INSTRUCTIONS

DATA_SHEET = "Câu hỏi"
HELP_SHEET = "Hướng dẫn"
HEADER_ROW = 3
LAST_VALIDATED_ROW = 2000
MAX_CELL = 32767
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _put(sheet: Worksheet, row: int, col: int, value: object) -> None:
    cell = sheet.cell(row=row, column=col)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL]
        cell.value = value
        cell.data_type = "s"  # text starting with "=" must stay text, never a formula
    else:
        cell.value = value


def _header(sheet: Worksheet, row: int, n_options: int) -> dict[str, int]:
    positions = {}
    for col, (key, header, width) in enumerate(columns(n_options), 1):
        _put(sheet, row, col, header)
        cell = sheet.cell(row=row, column=col)
        cell.font, cell.fill, cell.alignment = Font(bold=True), _HEADER_FILL, _WRAP
        sheet.column_dimensions[get_column_letter(col)].width = width
        positions[key] = col
    return positions


def _validations(sheet: Worksheet, positions: dict[str, int]) -> None:
    lists = {
        "type": (",".join(TYPE_NAMES.values()), "Loại câu hỏi"),
        "level": (",".join(LEVEL_NAMES.values()), "Mức độ"),
    }
    for key, (values, title) in lists.items():
        letter = get_column_letter(positions[key])
        rule = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True)
        rule.error = f"Hãy chọn {title.lower()} trong danh sách."
        rule.errorTitle = title
        rule.prompt = f"Chọn {title.lower()} trong danh sách"
        rule.promptTitle = title
        rule.add(f"{letter}{HEADER_ROW + 1}:{letter}{LAST_VALIDATED_ROW}")
        sheet.add_data_validation(rule)


def _question_sheet(book: Workbook, n_options: int) -> tuple[Worksheet, dict[str, int]]:
    sheet = book.active
    sheet.title = DATA_SHEET
    _put(sheet, 1, 1, "NGÂN HÀNG CÂU HỎI — LopHoc")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    _put(sheet, 2, 1, "Mỗi dòng là một câu hỏi, bắt đầu từ dòng 4. Xem trang 'Hướng dẫn'.")
    sheet.cell(row=2, column=1).font = Font(italic=True)
    positions = _header(sheet, HEADER_ROW, n_options)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    _validations(sheet, positions)
    return sheet, positions


def _help_sheet(book: Workbook) -> None:
    sheet = book.create_sheet(HELP_SHEET)
    sheet.column_dimensions["A"].width = 110
    for row, line in enumerate(INSTRUCTIONS, 1):
        _put(sheet, row, 1, line)
        sheet.cell(row=row, column=1).font = Font(bold=row == 1, size=14 if row == 1 else 11)
    first = len(INSTRUCTIONS) + 2
    positions = _header(sheet, first, TEMPLATE_OPTIONS)
    for offset, example in enumerate(EXAMPLES, 1):
        for key, value in example.items():
            _put(sheet, first + offset, positions[key], value)
            sheet.cell(row=first + offset, column=positions[key]).alignment = _WRAP


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template() -> bytes:
    """The empty LopHoc template: a "Câu hỏi" sheet with headers and lists, plus instructions."""
    book = Workbook()
    _question_sheet(book, TEMPLATE_OPTIONS)
    _help_sheet(book)
    return _save(book)


def _texts(options_html: Iterable[str]) -> list[str]:
    return [html_to_text(h) for h in options_html]


def placement(q: Question) -> list[str]:
    """The option column letter of each option: its own key when keys are distinct letters
    (so "B" stays "B"), else its position."""
    keys = [o.key.upper() for o in q.options]
    if len(set(keys)) == len(keys) and all(len(k) == 1 and k in OPTION_LETTERS for k in keys):
        return keys
    return list(OPTION_LETTERS[: len(q.options)])


def _answer(q: Question) -> str:
    letters = placement(q)
    if q.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        return ",".join(sorted(k for k, o in zip(letters, q.options, strict=False) if o.is_correct))
    if q.type == QuestionType.ORDERING:
        return ",".join(letters)
    if q.type == QuestionType.TRUE_FALSE:
        return {True: "Đúng", False: "Sai", None: ""}[q.answer_bool]
    if q.type == QuestionType.TRUE_FALSE_CLUSTER:
        return ",".join("Đ" if o.is_correct else "S" for o in q.options)
    if q.type == QuestionType.SHORT_ANSWER:
        return " | ".join(a.text for a in q.text_answers)
    if q.type == QuestionType.NUMERIC:
        return _numbers(q.numeric_answers)
    if q.type == QuestionType.ESSAY:
        return html_to_text(q.grader_info_html)
    if q.type == QuestionType.CLOZE:
        return "; ".join(_gap_answer(g) for g in sorted(q.gaps, key=lambda g: g.number))
    return ""


def _numbers(answers: list[NumericAnswer]) -> str:
    return " | ".join(
        format_decimal(a.value) + (f" ± {format_decimal(a.tolerance)}" if a.tolerance else "")
        for a in answers
    )


def _gap_answer(gap: Gap) -> str:
    if gap.type == QuestionType.NUMERIC:
        return _numbers(gap.numeric_answers)
    if gap.type == QuestionType.SINGLE_CHOICE:
        # The template has no choice gaps: the right choice becomes an accepted text.
        return " | ".join(html_to_text(o.html) for o in gap.options if o.is_correct)
    return " | ".join(a.text for a in gap.text_answers)


def _options(q: Question) -> list[str]:
    if q.type == QuestionType.MATCHING:
        return [f"{html_to_text(o.html)} | {html_to_text(o.match_html)}".strip() for o in q.options]
    if q.type == QuestionType.TRUE_FALSE_CLUSTER:
        return [
            f"{OPTION_LETTERS[n].lower()}) {html_to_text(o.html)}" for n, o in enumerate(q.options)
        ]
    return _texts(o.html for o in q.options)


def _row(q: Question, n: int) -> dict[str, object]:
    points = int(q.points) if q.points == q.points.to_integral() else float(q.points)
    row: dict[str, object] = {
        "stt": n,
        "type": TYPE_NAMES.get(q.type, q.type.value),
        "stem": html_to_text(q.stem_html),
        "answer": _answer(q),
        "points": points,
        "level": LEVEL_NAMES.get(q.level, "") if q.level else "",
        "subject": q.subject,
        "grade": q.grade if q.grade is not None else "",
        "topic": q.topic,
        "explanation": html_to_text(q.explanation_html),
        "tags": ", ".join(q.tags),
    }
    for letter, text in zip(placement(q), _options(q), strict=False):
        row[f"opt_{letter}"] = text
    return row


def dump(questions: Iterable[Question]) -> bytes:
    """The questions in the template's layout (one row each, from row 4)."""
    questions = list(questions)
    widest = max((OPTION_LETTERS.index(k) + 1 for q in questions for k in placement(q)), default=0)
    n_options = min(max(widest, TEMPLATE_OPTIONS), len(OPTION_LETTERS))
    book = Workbook()
    sheet, positions = _question_sheet(book, n_options)
    for n, question in enumerate(questions, 1):
        for key, value in _row(question, n).items():
            if key in positions and value != "":
                _put(sheet, HEADER_ROW + n, positions[key], value)
                sheet.cell(row=HEADER_ROW + n, column=positions[key]).alignment = _WRAP
    _help_sheet(book)
    return _save(book)
