"""A teacher's Word file of 50 questions (2025 layout, keys marked every common way) imports
as 50 questions with their keys and levels."""

from __future__ import annotations

import io
import random

from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import RGBColor
from sqlalchemy import select

from app.extensions import db
from app.models import Question
from app.services import question_bank_access, question_files, questions

LEVELS = {"NB": "nhan_biet", "TH": "thong_hieu", "VD": "van_dung", "VDC": "van_dung_cao"}
MARKS = ("underline", "red", "bold", "star", "highlight")


def _option(paragraph, letter: str, text: str, mark: str | None) -> None:
    if mark == "star":
        paragraph.add_run(f"*{letter}. {text}")
        return
    run = paragraph.add_run(f"{letter}. {text}")
    if mark == "underline":
        run.underline = True
    elif mark == "red":
        run.font.color.rgb = RGBColor(0xFF, 0x00, 0x00)
    elif mark == "bold":
        run.bold = True
    elif mark == "highlight":
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _word_file() -> tuple[bytes, dict[int, tuple[str, str]]]:
    rng = random.Random(50)
    document = Document()
    document.add_paragraph("SỞ GD&ĐT HÀ NỘI – ĐỀ KIỂM TRA GIỮA KỲ I – MÔN TOÁN 10")
    document.add_paragraph("PHẦN I. Câu trắc nghiệm nhiều phương án lựa chọn.")
    expected: dict[int, tuple[str, str]] = {}
    for n in range(1, 41):
        code = list(LEVELS)[n % 4]
        a, b = rng.randint(2, 40), rng.randint(2, 40)
        document.add_paragraph(f"Câu {n} ({code}). Tính giá trị của {a} + {b}.")
        key = "ABCD"[rng.randrange(4)]
        values = {letter: a + b + int("ABCD".index(letter)) + 1 for letter in "ABCD"}
        values[key] = a + b
        mark = MARKS[n % len(MARKS)]
        for letter in "ABCD":
            _option(
                document.add_paragraph(),
                letter,
                str(values[letter]),
                mark if letter == key else None,
            )
        expected[n] = (key, LEVELS[code])
    document.add_paragraph("PHẦN II. Câu trắc nghiệm đúng sai.")
    for n in range(41, 45):
        document.add_paragraph(f"Câu {n - 40} (TH). Cho hàm số y = x + {n}. Xét tính đúng sai.")
        for letter in "abcd":
            document.add_paragraph(f"{letter}) Mệnh đề {letter} của câu {n - 40}.")
    document.add_paragraph("PHẦN III. Câu trắc nghiệm trả lời ngắn.")
    for n in range(45, 51):
        document.add_paragraph(f"Câu {n - 44} (VD). Tính {n} chia 4.")
    document.add_paragraph("ĐÁP ÁN")
    document.add_paragraph("PHẦN II")
    table = document.add_table(rows=2, cols=5)
    for col, title in enumerate(["Câu", "a", "b", "c", "d"]):
        table.cell(0, col).text = title
    for n in range(1, 5):
        row = table.add_row() if n > 1 else table.rows[1]
        row.cells[0].text = str(n)
        for col, value in enumerate(("Đ", "S", "Đ", "Đ"), start=1):
            row.cells[col].text = value
    document.add_paragraph("PHẦN III")
    for n in range(1, 7):
        document.add_paragraph(f"Câu {n}: {str((n + 44) / 4).replace('.', ',')}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue(), expected


def test_fifty_question_word_file_imports_with_keys_and_levels(school):
    data, expected = _word_file()
    bank = question_bank_access.ensure_bank(None, school.id, "Toán 10 – giữa kỳ I")
    summary = question_files.import_file(None, bank, data, "de_kiem_tra.docx")
    assert summary.format == "docx"
    assert summary.errors == []
    assert summary.imported == 50
    rows = db.session.scalars(select(Question).order_by(Question.id)).all()
    types = [q.type for q in rows]
    assert types.count("single_choice") == 40
    assert types.count("true_false_cluster") == 4
    assert types.count("numeric") == 6
    for number, question in enumerate(rows[:40], start=1):
        content = questions.question_content(question)
        key, level = expected[number]
        assert [o.key for o in content.options if o.is_correct] == [key], number
        assert question.level == level, number
    cluster = questions.question_content(rows[40])
    assert [o.is_correct for o in cluster.options] == [True, False, True, True]
    numeric = questions.question_content(rows[44])
    assert str(numeric.numeric_answers[0].value) in ("11.25", "11.250")
