"""Word .docx exams as Vietnamese teachers write them, built here with python-docx."""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import parse_xml
from docx.shared import RGBColor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_banks import docx as word
from question_banks.model import BankFormatError, Level, ParseResult, QuestionType

NO_KEY = "không tìm thấy đáp án đúng (gạch chân, tô đỏ, in đậm, dấu * hoặc bảng đáp án)"
M = 'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"'
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
HALF = (
    f"<m:oMath {M}><m:f><m:num><m:r><m:t>1</m:t></m:r></m:num>"
    "<m:den><m:r><m:t>2</m:t></m:r></m:den></m:f></m:oMath>"
)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _add(doc: docx.Document, *runs: object) -> docx.text.paragraph.Paragraph:
    """A paragraph from runs: plain strings, or (text, {"bold": True, "red": True, ...})."""
    paragraph = doc.add_paragraph()
    for run in runs:
        text, fmt = (run, {}) if isinstance(run, str) else run
        r = paragraph.add_run(text)
        for name in ("bold", "italic", "underline"):
            if fmt.get(name):
                setattr(r, name, True)
        if fmt.get("red"):
            r.font.color.rgb = RGBColor.from_string(
                fmt["red"] if fmt["red"] is not True else "FF0000"
            )
        if fmt.get("highlight"):
            r.font.highlight_color = WD_COLOR_INDEX.YELLOW
        if fmt.get("sup"):
            r.font.superscript = True
    return paragraph


def _bytes(doc: docx.Document) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _parse(doc: docx.Document) -> ParseResult:
    return word.parse(_bytes(doc), "de.docx")


def _choices(question) -> list[tuple[str, str, bool]]:
    return [(o.key, o.html, o.is_correct) for o in question.options]


def _four(doc: docx.Document, marked: str = "", **fmt: object) -> None:
    for letter, value in zip("ABCD", ["4", "5", "6", "7"], strict=True):
        if letter == marked:
            _add(doc, f"{letter}. ", (value, fmt))
        else:
            _add(doc, f"{letter}. {value}")


# --- how the key is marked ---------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt",
    [
        {"underline": True},
        {"red": True},
        {"red": "C00000"},
        {"red": "E60000"},
        {"highlight": True},
        {"bold": True},
    ],
    ids=["underline", "red", "dark-red-C00000", "red-E60000", "highlight", "bold"],
)
def test_key_marked_by_formatting_is_found(fmt):
    doc = docx.Document()
    _add(doc, "Câu 1. Giá trị của 2 + 3 là")
    _four(doc, "B", **fmt)
    [q] = _parse(doc).questions
    assert q.type == QuestionType.SINGLE_CHOICE
    assert _choices(q) == [
        ("A", "4", False),
        ("B", "5", True),
        ("C", "6", False),
        ("D", "7", False),
    ]


def test_key_option_keeps_no_trace_of_its_mark_in_the_html():
    doc = docx.Document()
    _add(doc, "Câu 1. Chọn từ đúng")
    _add(doc, "A. nhà")
    _add(doc, "B. ", ("cửa", {"underline": True, "bold": True}))
    [q] = _parse(doc).questions
    assert q.options[1].html == "cửa"


def test_star_before_the_label_marks_the_key():
    doc = docx.Document()
    _add(doc, "Câu 1: Số nguyên tố nhỏ nhất là")
    for line in ("A. 0", "B. 1", "*C. 2", "D. 3"):
        _add(doc, line)
    [q] = _parse(doc).questions
    assert [o.key for o in q.options if o.is_correct] == ["C"]
    assert q.options[2].html == "2"


def test_bold_labels_on_every_option_do_not_count_as_a_key():
    doc = docx.Document()
    _add(doc, "Câu 1. Câu hỏi")
    for letter in "ABCD":
        _add(doc, (f"{letter}. ", {"bold": True}), "x" + letter)
    result = _parse(doc)
    assert result.questions == []
    assert [(s.where, s.message) for s in result.skipped] == [("Câu 1", NO_KEY)]


def test_underlining_every_option_partly_is_content_not_a_key():
    doc = docx.Document()
    _add(doc, "Câu 1. Chọn từ có phần gạch chân phát âm khác")
    for letter, (head, tail) in zip(
        "ABCD", [("h", "ead"), ("br", "ead"), ("m", "eat"), ("dr", "eam")], strict=True
    ):
        mark = {"red": True} if letter == "C" else {}
        _add(doc, (f"{letter}. ", mark), head, (tail[:2], {"underline": True}), tail[2:])
    [q] = _parse(doc).questions
    assert [o.key for o in q.options if o.is_correct] == ["C"]
    assert q.options[0].html == "h<u>ea</u>d"


def test_several_marked_options_make_a_multiple_response_question():
    doc = docx.Document()
    _add(doc, "Câu 4. Những số nào là số chẵn?")
    _add(doc, "A. ", ("2", {"red": True}))
    _add(doc, "B. 3")
    _add(doc, "C. ", ("4", {"red": True}))
    _add(doc, "D. 5")
    [q] = _parse(doc).questions
    assert q.type == QuestionType.MULTIPLE_RESPONSE
    assert [(o.key, o.fraction) for o in q.options if o.is_correct] == [
        ("A", Decimal("0.5")),
        ("C", Decimal("0.5")),
    ]


def test_question_without_any_key_is_skipped_with_the_standard_message():
    doc = docx.Document()
    _add(doc, "Câu 6. Câu có đáp án")
    _four(doc, "A", underline=True)
    _add(doc, "Câu 7. Câu quên đánh dấu đáp án")
    _four(doc)
    result = _parse(doc)
    assert [q.source_id for q in result.questions] == ["Câu 6"]
    assert [(s.where, s.message) for s in result.skipped] == [("Câu 7", NO_KEY)]


# --- layouts of the options --------------------------------------------------------------


def test_four_options_on_one_line_separated_by_tabs_or_spaces():
    doc = docx.Document()
    _add(doc, "Câu 1. Tính 2 + 2")
    _add(doc, "A. 1\tB. 2\t", ("C. 4", {"underline": True}), "\tD. 8")
    _add(doc, "Câu 2. Tính 3 + 3")
    _add(doc, "A. 5    B. 6    C. 7    D. 8")
    _add(doc, "Câu 3. Tính 1 + 0")
    _add(doc, "a) 0 b) 1 c) 2 d) 3")
    _add(doc, "ĐÁP ÁN")
    _add(doc, "1-C 2-B 3.B")
    questions = _parse(doc).questions
    assert [[o.html for o in q.options] for q in questions] == [
        ["1", "2", "4", "8"],
        ["5", "6", "7", "8"],
        ["0", "1", "2", "3"],
    ]
    assert [[o.key for o in q.options if o.is_correct] for q in questions] == [["C"], ["B"], ["B"]]


def test_two_options_per_line_and_a_single_spaced_label_inside_text():
    doc = docx.Document()
    _add(doc, "Câu 1. Cho tam giác ABC. Chọn khẳng định đúng")
    _add(doc, "A. Điểm B. nằm trên cạnh AC")
    _add(doc, "B. AB + BC > AC")
    _add(doc, "C. AB = 0\tD. ", ("AC < 0", {"red": True}))
    [q] = _parse(doc).questions
    assert [o.html for o in q.options] == [
        "Điểm B. nằm trên cạnh AC",
        "AB + BC &gt; AC",
        "AB = 0",
        "AC &lt; 0",
    ]
    assert [o.key for o in q.options if o.is_correct] == ["D"]


def test_options_laid_out_in_a_two_column_table():
    doc = docx.Document()
    _add(doc, "Câu 1. Thủ đô của Pháp là")
    table = doc.add_table(rows=2, cols=2)
    cells = ["A. Lyon", "B. Paris", "C. Nice", "D. Lille"]
    for cell, text in zip((c for row in table.rows for c in row.cells), cells, strict=True):
        cell.text = text
    table.rows[0].cells[1].paragraphs[0].runs[0].underline = True
    [q] = _parse(doc).questions
    assert _choices(q) == [
        ("A", "Lyon", False),
        ("B", "Paris", True),
        ("C", "Nice", False),
        ("D", "Lille", False),
    ]


def test_option_text_continues_on_the_next_paragraph():
    doc = docx.Document()
    _add(doc, "Câu 1. Chọn câu đúng")
    _add(doc, "A. Dòng một")
    _add(doc, "của phương án A")
    _add(doc, "*B. Hai")
    [q] = _parse(doc).questions
    assert q.options[0].html == "Dòng một<br>của phương án A"


def test_soft_line_breaks_and_carriage_returns_split_lines():
    doc = docx.Document()
    paragraph = _add(doc, "Câu 1. Một cộng một bằng")
    paragraph.add_run().add_break()
    paragraph.add_run("A. 1")
    paragraph.add_run().add_break()
    paragraph.add_run()._r.add_t("B. 2\r\nC. 3\rD. 4")  # raw CR/LF inside the text
    _add(doc, "ĐÁP ÁN")
    _add(doc, "Câu 1: B")
    [question] = _parse(doc).questions
    assert [o.html for o in question.options] == ["1", "2", "3", "4"]
    assert question.stem_html == "<p>Một cộng một bằng</p>"


def test_numbered_with_word_automatic_list_labels():
    doc = docx.Document()
    numbering = doc.part.numbering_part.element
    numbering.append(
        parse_xml(
            f'<w:abstractNum {W} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            '<w:numFmt w:val="decimal"/><w:lvlText w:val="Câu %1."/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="upperLetter"/>'
            '<w:lvlText w:val="%2."/></w:lvl></w:abstractNum>'
        )
    )
    numbering.append(parse_xml(f'<w:num {W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for text, level in [
        ("Hai cộng hai", 0),
        ("3", 1),
        ("4", 1),
        ("Ba cộng ba", 0),
        ("6", 1),
        ("9", 1),
    ]:
        paragraph = _add(doc, text)
        paragraph._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {W}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>')
        )
    _add(doc, "ĐÁP ÁN")
    _add(doc, "1-B 2-A")
    result = _parse(doc)
    assert [q.source_id for q in result.questions] == ["Câu 1", "Câu 2"]
    assert [[o.html for o in q.options] for q in result.questions] == [["3", "4"], ["6", "9"]]
    assert [q.options[0].is_correct for q in result.questions] == [False, True]


# --- answer keys at the end, explanations ----------------------------------------------------


def test_answer_list_at_the_end_in_several_spellings():
    doc = docx.Document()
    for n in range(1, 6):
        _add(doc, f"Câu {n}. Câu hỏi số {n}")
        _four(doc)
    _add(doc, "BẢNG ĐÁP ÁN")
    _add(doc, "1-A 2-C 3.B")
    _add(doc, "Câu 4: D")
    _add(doc, "5. c")
    result = _parse(doc)
    assert [[o.key for o in q.options if o.is_correct] for q in result.questions] == [
        ["A"],
        ["C"],
        ["B"],
        ["D"],
        ["C"],
    ]


def test_answer_table_with_numbers_above_keys():
    doc = docx.Document()
    for n in range(1, 4):
        _add(doc, f"Câu {n}: Câu {n}?")
        _four(doc)
    _add(doc, "ĐÁP ÁN")
    table = doc.add_table(rows=2, cols=4)
    for col, (top, bottom) in enumerate([("Câu", "Đáp án"), ("1", "D"), ("2", "A"), ("3", "B")]):
        table.cell(0, col).text, table.cell(1, col).text = top, bottom
    result = _parse(doc)
    assert [[o.key for o in q.options if o.is_correct] for q in result.questions] == [
        ["D"],
        ["A"],
        ["B"],
    ]


def test_answer_table_with_one_question_per_row():
    doc = docx.Document()
    for n in (1, 2):
        _add(doc, f"Câu {n}. Câu hỏi {n}")
        _four(doc)
    _add(doc, "ĐÁP ÁN")
    table = doc.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "1", (0, 1): "D", (1, 0): "Câu 2", (1, 1): "A"}.items():
        table.cell(row, col).text = text
    result = _parse(doc)
    assert [[o.key for o in q.options if o.is_correct] for q in result.questions] == [["D"], ["A"]]


def test_worked_solutions_after_the_questions_give_key_and_explanation():
    doc = docx.Document()
    for n in (1, 2):
        _add(doc, f"Câu {n}. Câu hỏi {n}")
        _four(doc)
    _add(doc, "HƯỚNG DẪN GIẢI CHI TIẾT")
    _add(doc, "Câu 1. Chọn B.")
    _add(doc, "Ta có 2 + 3 = 5.")
    _add(doc, "Câu 2. Chọn D. Vì 3 + 4 = 7.")
    _add(doc, "1) Bước một.")
    first, second = _parse(doc).questions
    assert [o.key for o in first.options if o.is_correct] == ["B"]
    assert first.explanation_html == "<p>Ta có 2 + 3 = 5.</p>"
    assert [o.key for o in second.options if o.is_correct] == ["D"]
    assert second.explanation_html == "<p>Vì 3 + 4 = 7.</p><p>1) Bước một.</p>"


def test_answer_key_after_each_part_applies_to_that_part_only():
    doc = docx.Document()
    _add(doc, "PHẦN I. TRẮC NGHIỆM")
    _add(doc, "Câu 1. Hỏi một")
    _four(doc)
    _add(doc, "ĐÁP ÁN PHẦN I")
    _add(doc, "1-C")
    _add(doc, "PHẦN II. Câu trắc nghiệm đúng sai")
    _add(doc, "Câu 1. Cho hàm số y = 2x + 1 xác định trên ℝ.")
    for letter in "abcd":
        _add(doc, f"{letter}) Mệnh đề {letter}")
    _add(doc, "ĐÁP ÁN PHẦN II")
    _add(doc, "Câu 1: a) Đúng b) Sai c) Đúng d) Sai")
    choice, cluster = _parse(doc).questions
    assert [o.key for o in choice.options if o.is_correct] == ["C"]
    assert [o.is_correct for o in cluster.options] == [True, False, True, False]


def test_2025_answer_table_with_one_statement_per_row():
    doc = docx.Document()
    _add(doc, "PHẦN II. Câu trắc nghiệm đúng sai")
    _add(doc, "Câu 1. Cho hàm số.")
    for letter in "abcd":
        _add(doc, f"{letter}) Mệnh đề {letter}")
    _add(doc, "ĐÁP ÁN")
    _add(doc, "PHẦN II")
    rows = [("Câu", "Lệnh hỏi", "Đáp án"), ("1", "a)", "Đ"), ("", "b)", "S"), ("", "c)", "S")]
    rows.append(("", "d)", "Đ"))
    table = doc.add_table(rows=5, cols=3)
    for row, values in enumerate(rows):
        for col, text in enumerate(values):
            table.cell(row, col).text = text
    [q] = _parse(doc).questions
    assert [o.is_correct for o in q.options] == [True, False, False, True]


def test_explanation_sections_become_explanation_html():
    doc = docx.Document()
    _add(doc, "Câu 1. Giải phương trình 2x = 4")
    _four(doc)
    _add(doc, "Lời giải")
    _add(doc, "Ta có 2x = 4 ⇔ x = 2.")
    _add(doc, "Chọn A.")
    _add(doc, "Câu 2. Tính 3 + 4")
    _four(doc, "D", underline=True)
    _add(doc, "Hướng dẫn giải: 3 + 4 = 7")
    _add(doc, "Câu 3. Tính 5 − 1")
    _four(doc, "A", red=True)
    _add(doc, "Giải thích: ", ("5 − 1 = 4", {"bold": True}))
    questions = _parse(doc).questions
    assert [q.explanation_html for q in questions] == [
        "<p>Ta có 2x = 4 ⇔ x = 2.</p><p>Chọn A.</p>",
        "<p>3 + 4 = 7</p>",
        "<p><strong>5 − 1 = 4</strong></p>",
    ]
    assert questions[0].options[0].is_correct  # "Chọn A." at the end of the solution


def test_table_in_the_stem_is_kept_as_an_html_table():
    doc = docx.Document()
    _add(doc, "Câu 1. Cho bảng số liệu:")
    table = doc.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "x", (0, 1): "1", (1, 0): "y", (1, 1): "2"}.items():
        table.cell(row, col).text = text
    _add(doc, "Giá trị của y khi x = 1 là")
    _four(doc, "C", highlight=True)
    [q] = _parse(doc).questions
    assert q.stem_html == (
        "<p>Cho bảng số liệu:</p><table><tr><td>x</td><td>1</td></tr>"
        "<tr><td>y</td><td>2</td></tr></table><p>Giá trị của y khi x = 1 là</p>"
    )


def test_points_and_level_written_after_the_question_number():
    doc = docx.Document()
    _add(doc, "Câu 1 (0,25 điểm). Câu dễ")
    _four(doc, "A", underline=True)
    _add(doc, "Câu 2 (VDC): Câu khó")
    _four(doc, "B", underline=True)
    first, second = _parse(doc).questions
    assert (first.points, first.level) == (Decimal("0.25"), None)
    assert (second.points, second.level) == (Decimal(1), Level.VAN_DUNG_CAO)
    assert first.stem_html == "<p>Câu dễ</p>"


def test_inline_key_line_gives_a_short_answer_or_a_number():
    doc = docx.Document()
    _add(doc, "Câu 1. Thủ đô của Việt Nam?")
    _add(doc, "Đáp án: Hà Nội | Ha Noi")
    _add(doc, "Câu 2. Giá trị gần đúng của π?")
    _add(doc, "Đáp án: 3,14 ± 0,01")
    short, number = _parse(doc).questions
    assert (short.type, [a.text for a in short.text_answers]) == (
        QuestionType.SHORT_ANSWER,
        ["Hà Nội", "Ha Noi"],
    )
    assert (number.type, number.numeric_answers[0].value, number.numeric_answers[0].tolerance) == (
        QuestionType.NUMERIC,
        Decimal("3.14"),
        Decimal("0.01"),
    )


# --- the 2025 three-part exam ----------------------------------------------------------------


def _exam_2025() -> docx.Document:
    doc = docx.Document()
    _add(doc, "BỘ GIÁO DỤC VÀ ĐÀO TẠO")
    _add(doc, "KỲ THI TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG NĂM 2025 — Môn: TOÁN")
    _add(
        doc,
        "PHẦN I. Câu trắc nghiệm nhiều phương án lựa chọn. Thí sinh trả lời từ câu 1 đến câu 2.",
    )
    _add(doc, "Câu 1. Cho tập hợp A = {1; 2; 3}. Số phần tử của A là")
    _add(doc, "A. 1\tB. 2\tC. 3\tD. 4")
    paragraph = _add(doc, "Câu 2. Giá trị của ")
    paragraph._p.append(parse_xml(HALF))
    paragraph.add_run(" + 0 bằng")
    paragraph = _add(doc, "")
    paragraph.add_run().add_picture(io.BytesIO(_png()))
    _add(doc, "A. 0\tB. 0,5\tC. 1\tD. 2")
    _add(doc, "PHẦN II. Câu trắc nghiệm đúng sai. Thí sinh trả lời câu 1 và câu 2.")
    _add(doc, "Câu 1. Cho hàm số y = x² − 4x + 3.")
    _add(doc, "a) Đồ thị hàm số là một parabol.")
    _add(doc, "b) Hàm số đồng biến trên khoảng (−∞; 2).")
    _add(doc, "c) Đỉnh của parabol là I(2; −1).")
    _add(doc, "d) Phương trình y = 0 có hai nghiệm phân biệt.")
    _add(doc, "Câu 2. Cho dãy số un = 2n + 1.")
    _add(doc, "a) ", ("u1 = 3.", {"red": True}))
    _add(doc, "b) u2 = 4.")
    _add(doc, "c) ", ("Dãy số tăng.", {"red": True}))
    _add(doc, "d) u10 = 20.")
    _add(doc, "PHẦN III. Câu trắc nghiệm trả lời ngắn. Thí sinh trả lời từ câu 1 đến câu 2.")
    _add(doc, "Câu 1. Nghiệm của phương trình 2x − 7 = 0 là bao nhiêu?")
    _add(doc, "Câu 2. Tính tổng 1 + 2 + ... + 10.")
    _add(doc, "ĐÁP ÁN")
    _add(doc, "PHẦN I")
    table = doc.add_table(rows=2, cols=3)
    for col, (top, bottom) in enumerate([("Câu", "Chọn"), ("1", "C"), ("2", "C")]):
        table.cell(0, col).text, table.cell(1, col).text = top, bottom
    _add(doc, "PHẦN II")
    _add(doc, "Câu 1: a) Đ b) S c) Đ d) Đ")
    _add(doc, "PHẦN III")
    _add(doc, "Câu 1: 3,5")
    _add(doc, "Câu 2: 55")
    return doc


def test_2025_exam_reads_all_three_parts():
    result = _parse(_exam_2025())
    assert result.skipped == []
    assert [(q.source_id, q.type) for q in result.questions] == [
        ("Phần I, Câu 1", QuestionType.SINGLE_CHOICE),
        ("Phần I, Câu 2", QuestionType.SINGLE_CHOICE),
        ("Phần II, Câu 1", QuestionType.TRUE_FALSE_CLUSTER),
        ("Phần II, Câu 2", QuestionType.TRUE_FALSE_CLUSTER),
        ("Phần III, Câu 1", QuestionType.NUMERIC),
        ("Phần III, Câu 2", QuestionType.NUMERIC),
    ]


def test_2025_part_two_statements_take_keys_from_table_or_red_marks():
    questions = _parse(_exam_2025()).questions
    table_keyed, red_keyed = questions[2], questions[3]
    assert [(o.key, o.is_correct) for o in table_keyed.options] == [
        ("a", True),
        ("b", False),
        ("c", True),
        ("d", True),
    ]
    assert table_keyed.options[1].html == "Hàm số đồng biến trên khoảng (−∞; 2)."
    assert [o.is_correct for o in red_keyed.options] == [True, False, True, False]


def test_2025_part_three_numbers_come_from_the_answer_section():
    questions = _parse(_exam_2025()).questions
    assert [q.numeric_answers[0].value for q in questions[4:]] == [Decimal("3.5"), Decimal(55)]
    assert questions[4].stem_html == "<p>Nghiệm của phương trình 2x − 7 = 0 là bao nhiêu?</p>"


def test_equation_becomes_latex_and_image_becomes_an_asset():
    question = _parse(_exam_2025()).questions[1]
    [asset] = question.assets
    assert (asset.name, asset.mime_type, asset.data) == ("image1.png", "image/png", _png())
    assert question.stem_html == (
        r"<p>Giá trị của \(\frac{1}{2}\) + 0 bằng</p>"
        '<p><img src="@@ASSET@@/image1.png" alt=""></p>'
    )
    assert [o.key for o in question.options if o.is_correct] == ["C"]


def test_common_equation_constructs_convert_to_latex():
    omml = (
        f"<m:oMath {M}><m:sSup><m:e><m:r><m:t>x</m:t></m:r></m:e><m:sup><m:r><m:t>2</m:t></m:r>"
        '</m:sup></m:sSup><m:r><m:t>≤</m:t></m:r><m:rad><m:radPr><m:degHide m:val="1"/>'
        "</m:radPr><m:deg/><m:e><m:sSub><m:e><m:r><m:t>a</m:t></m:r></m:e><m:sub><m:r>"
        "<m:t>n</m:t></m:r></m:sub></m:sSub></m:e></m:rad><m:d><m:e><m:r><m:t>π</m:t></m:r>"
        "</m:e></m:d></m:oMath>"
    )
    doc = docx.Document()
    paragraph = _add(doc, "Câu 1. Biết ")
    paragraph._p.append(parse_xml(omml))
    _add(doc, "Đáp án: 1")
    [q] = _parse(doc).questions
    assert q.stem_html == r"<p>Biết \({x}^{2}\le \sqrt{{a}_{n}}\left(\pi \right)\)</p>"


def test_mathtype_object_keeps_its_preview_image_with_a_warning():
    doc = docx.Document()
    _add(doc, "Câu 1. Công thức ", "X")
    _four(doc, "A", underline=True)
    data = _bytes(doc)
    result = word.parse(_with_ole_preview(data))
    [q] = result.questions
    assert q.stem_html == '<p>Công thức <img src="@@ASSET@@/image9.wmf" alt=""></p>'
    assert [(a.name, a.mime_type, a.data) for a in q.assets] == [
        ("image9.wmf", "image/wmf", b"WMF")
    ]
    assert [w.where for w in result.warnings] == ["Câu 1"]
    assert "WMF/EMF" in result.warnings[0].message


def _with_ole_preview(data: bytes) -> bytes:
    """Swap the run "X" for a MathType-like OLE object whose preview is a WMF image."""
    ole = (
        '<w:r><w:object><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:imagedata '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'r:id="rIdOle1"/></v:shape></w:object></w:r>'
    )
    rel = (
        '<Relationship Id="rIdOle1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/image" Target="media/image9.wmf"/>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            content = src.read(item)
            if item.filename == "word/document.xml":
                content = re.sub(rb"<w:r><w:t>X</w:t></w:r>", ole.encode(), content)
            if item.filename == "word/_rels/document.xml.rels":
                content = content.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            dst.writestr(item, content)
        dst.writestr("word/media/image9.wmf", b"WMF")
    return buffer.getvalue()


def test_decomposed_vietnamese_text_is_normalised_to_nfc():
    doc = docx.Document()
    _add(doc, unicodedata.normalize("NFD", "Câu 1. Thủ đô của Việt Nam là"))
    _add(doc, unicodedata.normalize("NFD", "A. Hà Nội"), "")
    doc.paragraphs[-1].runs[0].underline = True
    _add(doc, "B. Huế")
    [q] = _parse(doc).questions
    assert q.stem_html == "<p>Thủ đô của Việt Nam là</p>"
    assert q.options[0].html == "Hà Nội"


def test_classic_exam_with_trac_nghiem_and_tu_luan_parts():
    doc = docx.Document()
    _add(doc, "I. TRẮC NGHIỆM (3 điểm)")
    _add(doc, "Câu 1. 1 + 1 = ?")
    _four(doc, "A", underline=True)
    _add(doc, "II. TỰ LUẬN (7 điểm)")
    _add(doc, "Bài 1 (2 điểm). Giải phương trình x² − 5x + 6 = 0.")
    _add(doc, "Hướng dẫn chấm: x = 2 hoặc x = 3.")
    choice, essay = _parse(doc).questions
    assert choice.type == QuestionType.SINGLE_CHOICE
    assert (essay.type, essay.source_id, essay.points) == (
        QuestionType.ESSAY,
        "Phần II, Bài 1",
        Decimal(2),
    )
    assert essay.explanation_html == "<p>x = 2 hoặc x = 3.</p>"


def test_table_and_inline_keys_disagreeing_keeps_the_table_and_warns():
    doc = docx.Document()
    _add(doc, "Câu 1. Chọn đúng")
    _four(doc, "A", underline=True)
    _add(doc, "ĐÁP ÁN")
    _add(doc, "1-B")
    result = _parse(doc)
    assert [o.key for o in result.questions[0].options if o.is_correct] == ["B"]
    assert result.warnings[0].message.startswith("đáp án ghi ở bảng/dòng 'Đáp án' (B) khác")


def test_committed_sample_exam_imports_completely():
    sample = Path(word.__file__).parent / "samples" / "de_mau_toan10.docx"
    result = word.parse(sample.read_bytes(), sample.name)
    assert result.skipped == [] and result.warnings == []
    assert [q.type for q in result.questions] == [QuestionType.SINGLE_CHOICE] * 4 + [
        QuestionType.TRUE_FALSE_CLUSTER,
        QuestionType.NUMERIC,
    ]
    assert [[o.key for o in q.options if o.is_correct] for q in result.questions[:4]] == [
        ["B"],
        ["C"],
        ["B"],
        ["C"],
    ]
    assert result.questions[2].stem_html == (
        r"<p>Giá trị của biểu thức \(\frac{1}{2}+\frac{1}{3}\) bằng</p>"
    )
    assert [o.is_correct for o in result.questions[4].options] == [True, True, False, False]
    assert result.questions[5].numeric_answers[0].value == 5


# --- bad files ------------------------------------------------------------------------------


def test_old_doc_file_is_refused_with_advice():
    with pytest.raises(BankFormatError, match=r"\.doc\)"):
        word.parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)


def test_zip_that_is_not_a_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(BankFormatError, match="không phải là tài liệu Word"):
        word.parse(buffer.getvalue())


def test_entity_declarations_in_the_document_are_refused():
    data = _bytes(docx.Document())
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            content = src.read(item)
            if item.filename == "word/document.xml":
                content = content.replace(b"?>", b'?><!DOCTYPE d [<!ENTITY e "e">]>', 1)
            dst.writestr(item, content)
    with pytest.raises(BankFormatError, match="XXE"):
        word.parse(buffer.getvalue())


def test_sniff_accepts_word_documents_only():
    assert word.sniff(_bytes(docx.Document()))
    assert not word.sniff(b"Cau 1. abc")


def test_document_without_questions_says_so():
    doc = docx.Document()
    _add(doc, "Biên bản họp tổ chuyên môn")
    result = _parse(doc)
    assert result.questions == [] and result.skipped == []
    assert result.warnings[0].message.startswith("không tìm thấy câu hỏi nào")


def _result_or_format_error(data: bytes, name: str = "") -> None:
    """Any input gives a ParseResult or a BankFormatError, never another exception."""
    try:
        result = word.parse(data, name)
    except BankFormatError:
        return
    assert isinstance(result, ParseResult)


FUZZ = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
_SEED = _bytes(_exam_2025())


@FUZZ
@given(st.binary(max_size=1024))
def test_random_bytes_give_a_result_or_a_format_error(data):
    _result_or_format_error(data)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6))
def test_mutated_documents_give_a_result_or_a_format_error(flips):
    data = bytearray(_SEED)
    for position, value in flips:
        data[position % len(data)] = value
    _result_or_format_error(bytes(data))


_LINE = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)


@settings(FUZZ, max_examples=15)
@given(st.lists(_LINE, max_size=12))
def test_any_paragraph_texts_give_a_result(lines):
    doc = docx.Document()
    for line in lines:
        doc.add_paragraph(line)
    assert isinstance(_parse(doc), ParseResult)
