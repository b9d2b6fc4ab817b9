"""LopHoc XLSX template: the template itself, teachers' workbooks, row errors and round trip."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_banks import xlsx
from question_banks.model import (
    BankFormatError,
    Level,
    NumericAnswer,
    Option,
    ParseResult,
    Question,
    QuestionType,
    TextAnswer,
)

HEADER = ["STT", "Loại câu hỏi", "Nội dung câu hỏi", "Phương án A", "Phương án B"]
HEADER += ["Phương án C", "Phương án D", "Đáp án", "Điểm", "Mức độ", "Môn", "Khối"]
HEADER += ["Chủ đề/Chương", "Lời giải", "Thẻ"]


def _book(rows: list[list[object]], title: str = "Câu hỏi", above: int = 0) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for n in range(above):
        sheet.append([f"SỞ GIÁO DỤC VÀ ĐÀO TẠO — dòng tiêu đề {n + 1}"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _row(**cells: object) -> list[object]:
    keys = ["stt", "type", "stem", "A", "B", "C", "D", "answer", "points", "level"]
    keys += ["subject", "grade", "topic", "explanation", "tags"]
    return [cells.get(k) for k in keys]


def _one(**cells: object) -> ParseResult:
    return xlsx.parse(_book([HEADER, _row(**cells)]))


# --- the template ---------------------------------------------------------------------------


def test_template_has_vietnamese_headers_on_row_3_and_an_instructions_sheet():
    book = openpyxl.load_workbook(io.BytesIO(xlsx.template()))
    assert book.sheetnames == ["Câu hỏi", "Hướng dẫn"]
    headers = [c.value for c in book["Câu hỏi"][3]]
    assert headers == [
        "STT",
        "Loại câu hỏi",
        "Nội dung câu hỏi",
        *[f"Phương án {c}" for c in "ABCDEF"],
        "Đáp án",
        "Điểm",
        "Mức độ",
        "Môn",
        "Khối",
        "Chủ đề/Chương",
        "Lời giải",
        "Thẻ",
    ]


def test_template_offers_type_and_level_lists():
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.template()))["Câu hỏi"]
    rules = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert rules["B4:B2000"].startswith('"Một lựa chọn,Nhiều lựa chọn,Đúng/Sai,Đúng/Sai 4 ý,')
    assert rules["L4:L2000"] == '"Nhận biết,Thông hiểu,Vận dụng,Vận dụng cao"'


def test_empty_template_imports_nothing_and_reports_nothing():
    assert xlsx.parse(xlsx.template()) == ParseResult()


def test_every_example_of_the_instructions_sheet_imports_cleanly():
    book = openpyxl.load_workbook(io.BytesIO(xlsx.template()))
    del book["Câu hỏi"]
    book["Hướng dẫn"].title = "Nhập thử"
    buffer = io.BytesIO()
    book.save(buffer)
    result = xlsx.parse(buffer.getvalue())
    assert result.skipped == [] and result.warnings == []
    assert [q.type for q in result.questions] == [
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTIPLE_RESPONSE,
        QuestionType.TRUE_FALSE,
        QuestionType.TRUE_FALSE_CLUSTER,
        QuestionType.SHORT_ANSWER,
        QuestionType.NUMERIC,
        QuestionType.MATCHING,
        QuestionType.ORDERING,
        QuestionType.ESSAY,
        QuestionType.CLOZE,
        QuestionType.DESCRIPTION,
    ]
    cluster = result.questions[3]
    assert [(o.key, o.is_correct) for o in cluster.options] == [
        ("a", True),
        ("b", False),
        ("c", True),
        ("d", True),
    ]
    assert cluster.options[0].html == "Đồ thị hàm số là một parabol."
    ordering = result.questions[7]
    assert [o.html for o in ordering.options] == ["Nhà Lý", "Nhà Trần", "Nhà Lê sơ", "Nhà Nguyễn"]


def test_committed_template_sample_matches_the_generated_template():
    sample = Path(xlsx.__file__).parent / "samples" / "mau_nhap_cau_hoi.xlsx"
    book = openpyxl.load_workbook(sample)
    fresh = openpyxl.load_workbook(io.BytesIO(xlsx.template()))
    assert book.sheetnames == fresh.sheetnames
    for name in book.sheetnames:
        assert [[c.value for c in r] for r in book[name].iter_rows()] == [
            [c.value for c in r] for r in fresh[name].iter_rows()
        ]
    assert xlsx.parse(sample.read_bytes()) == ParseResult()


# --- teachers' workbooks --------------------------------------------------------------------


def test_full_single_choice_row_fills_every_field():
    result = _one(
        stt=1,
        type="Một lựa chọn",
        stem="Giá trị của 2 + 3 là",
        A="4",
        B="5",
        C="6",
        D="7",
        answer="B",
        points="0,25",
        level="Nhận biết",
        subject="Toán",
        grade="Khối 6",
        topic="Chương 1",
        explanation="2 + 3 = 5",
        tags="số học, cộng; dễ",
    )
    [q] = result.questions
    assert q.type == QuestionType.SINGLE_CHOICE
    assert q.stem_html == "Giá trị của 2 + 3 là"
    assert [(o.key, o.html, o.is_correct, o.fraction) for o in q.options] == [
        ("A", "4", False, 0),
        ("B", "5", True, 1),
        ("C", "6", False, 0),
        ("D", "7", False, 0),
    ]
    assert (q.points, q.level, q.subject, q.grade, q.topic) == (
        Decimal("0.25"),
        Level.NHAN_BIET,
        "Toán",
        6,
        "Chương 1",
    )
    assert q.explanation_html == "2 + 3 = 5"
    assert q.tags == ["số học", "cộng", "dễ"]


def test_header_found_below_title_rows_with_unaccented_english_and_odd_case_headers():
    header = ["so thu tu", "LOAI", "noi dung cau hoi", "Option A", "phuong an b", "DAP AN"]
    header += ["diem:", "Muc do (NB/TH/VD/VDC)"]
    row = [1, "single_choice", "1 + 1 = ?", "2", "3", "a", 2, "TH"]
    result = xlsx.parse(_book([header, row], above=2))
    [q] = result.questions
    assert [o.key for o in q.options if o.is_correct] == ["A"]
    assert (q.points, q.level) == (Decimal(2), Level.THONG_HIEU)


def test_multiple_response_answer_spellings_all_work():
    for answer in ("A,C", "A;C", "AC", "a c", "A, C."):
        [q] = _one(
            type="Nhiều lựa chọn", stem="Số chẵn?", A="2", B="3", C="4", answer=answer
        ).questions
        assert [(o.key, o.fraction) for o in q.options if o.is_correct] == [
            ("A", Decimal("0.5")),
            ("C", Decimal("0.5")),
        ], answer


def test_true_false_and_cluster_answers():
    [tf] = _one(type="Đúng/Sai", stem="Nước sôi ở 100 °C.", answer="Sai").questions
    assert tf.answer_bool is False
    statements = {"A": "a) Ý một", "B": "b) Ý hai", "C": "c) Ý ba", "D": "d) Ý bốn"}
    for answer in ("Đ,S,Đ,Đ", "ĐSĐĐ", "đ s đ đ", "a) Đ b) S c) Đ d) Đ", "Đúng, Sai, Đúng, Đúng"):
        [q] = _one(type="Đúng/Sai 4 ý", stem="Cho hàm số.", answer=answer, **statements).questions
        assert [(o.key, o.html, o.is_correct) for o in q.options] == [
            ("a", "Ý một", True),
            ("b", "Ý hai", False),
            ("c", "Ý ba", True),
            ("d", "Ý bốn", True),
        ], answer


def test_short_answer_variants_and_numeric_with_tolerance():
    [short] = _one(type="Trả lời ngắn", stem="Thủ đô?", answer="Hà Nội | Ha Noi").questions
    assert [a.text for a in short.text_answers] == ["Hà Nội", "Ha Noi"]
    [num] = _one(type="Số", stem="x = ?", answer="3,5 ± 0,1 | 3.6").questions
    assert [(a.value, a.tolerance) for a in num.numeric_answers] == [
        (Decimal("3.5"), Decimal("0.1")),
        (Decimal("3.6"), Decimal(0)),
    ]
    [cell] = _one(type="Số", stem="x = ?", answer=3.5, points=0.25).questions
    assert (cell.numeric_answers[0].value, cell.points) == (Decimal("3.5"), Decimal("0.25"))


def test_matching_ordering_and_essay_rows():
    [match] = _one(
        type="Ghép đôi",
        stem="Ghép",
        A="Huế | Thừa Thiên Huế",
        B="Hạ Long | Quảng Ninh",
        C="| Hà Giang",
    ).questions
    assert [(o.html, o.match_html, o.is_correct) for o in match.options] == [
        ("Huế", "Thừa Thiên Huế", True),
        ("Hạ Long", "Quảng Ninh", True),
        ("", "Hà Giang", False),
    ]
    [order] = _one(type="Sắp xếp", stem="Tăng dần", A="3", B="1", C="2", answer="B,C,A").questions
    assert [o.key for o in order.options] == ["B", "C", "A"]
    [essay] = _one(type="Tự luận", stem="Viết", answer="Ý 1; ý 2", points=2).questions
    assert (essay.grader_info_html, essay.points) == ("Ý 1; ý 2", Decimal(2))


def test_blank_rows_and_rows_with_only_a_number_are_ignored():
    rows = [HEADER, [], _row(stt=1), _row(type="Đúng/Sai", stem="Đúng không?", answer="Đ"), []]
    result = xlsx.parse(_book(rows))
    assert len(result.questions) == 1
    assert result.skipped == []


def test_bad_rows_are_skipped_with_their_row_number_and_how_to_fix_them():
    rows = [HEADER] + [_row(type="Một lựa chọn", stem="Đúng", A="1", B="2", answer="A")] * 9
    rows += [
        _row(type="Trắc nghiệm lạ", stem="Câu?", A="1", B="2", answer="A"),  # row 11
        _row(type="Một lựa chọn", stem="Câu?", A="1", B="2", answer="E"),  # row 12
        _row(type="Một lựa chọn", stem="Câu?", A="1", B="2", answer="A,B"),  # row 13
        _row(type="Một lựa chọn", A="1", B="2", answer="A"),  # row 14
        _row(type="Số", stem="x?", answer="ba phẩy năm"),  # row 15
        _row(type="Một lựa chọn", stem="Câu?", A="1", B="2", answer="A", points="0,2x"),  # 16
        _row(type="Đúng/Sai 4 ý", stem="Cho", A="a", B="b", C="c", D="d", answer="ĐSĐ"),  # 17
        _row(type="Ghép đôi", stem="Ghép", A="Huế", B="Hà Nội | Thủ đô"),  # row 18
    ]
    result = xlsx.parse(_book(rows))
    assert len(result.questions) == 9
    issues = {s.where: s.message for s in result.skipped}
    assert list(issues) == [f"dòng {n}" for n in range(11, 19)]
    assert issues["dòng 11"].startswith("loại câu hỏi 'Trắc nghiệm lạ' không hợp lệ; hãy chọn")
    assert issues["dòng 12"] == (
        "đáp án E không khớp phương án nào có nội dung; hãy kiểm tra cột Đáp án và các cột "
        "Phương án"
    )
    assert "hãy chọn loại 'Nhiều lựa chọn'" in issues["dòng 13"]
    assert issues["dòng 14"] == "thiếu nội dung câu hỏi (cột 'Nội dung câu hỏi' đang trống)"
    assert issues["dòng 15"].startswith("đáp án số 'ba phẩy năm' không hợp lệ")
    assert issues["dòng 16"] == "điểm '0,2x' không hợp lệ; hãy nhập số dương như 1 hoặc 0,25"
    assert "phải gồm 4 giá trị Đ/S" in issues["dòng 17"]
    assert issues["dòng 18"].startswith("Phương án A của câu ghép đôi phải có dạng")


def test_blank_type_with_options_and_a_letter_is_read_as_single_choice():
    [q] = _one(stem="Chọn số lớn nhất", A="1", B="9", answer="B").questions
    assert q.type == QuestionType.SINGLE_CHOICE


def test_unknown_level_and_grade_are_warnings_not_errors():
    result = _one(type="Đúng/Sai", stem="Đúng?", answer="Đúng", level="khó", grade="lớp chồi")
    [q] = result.questions
    assert (q.level, q.grade) == (None, None)
    assert [w.where for w in result.warnings] == ["dòng 2", "dòng 2"]
    assert result.warnings[0].message.startswith("mức độ 'khó' không rõ")


def test_decomposed_vietnamese_cells_are_normalised_to_nfc():
    nfd = unicodedata.normalize("NFD", "Thủ đô của Việt Nam là gì?")
    [q] = _one(
        type=unicodedata.normalize("NFD", "Trả lời ngắn"), stem=nfd, answer="Hà Nội"
    ).questions
    assert q.stem_html == "Thủ đô của Việt Nam là gì?"
    assert q.type == QuestionType.SHORT_ANSWER


def test_answer_that_excel_turned_into_a_date_is_read_back_with_a_warning():
    result = _one(type="Trả lời ngắn", stem="Một nửa viết là?", answer=datetime(2024, 2, 1))
    assert result.questions[0].text_answers[0].text == "1/2"
    assert "Excel đã đổi '1/2' thành ngày tháng" in result.warnings[0].message


def test_special_characters_are_html_escaped_and_newlines_become_br():
    [q] = _one(type="Tự luận", stem="So sánh a < b & c\nrồi giải thích").questions
    assert q.stem_html == "So sánh a &lt; b &amp; c<br>rồi giải thích"


def test_sheets_named_like_instructions_are_ignored():
    with pytest.raises(BankFormatError, match="Không tìm thấy dòng tiêu đề"):
        xlsx.parse(_book([HEADER, _row(type="Đúng/Sai", stem="?", answer="Đ")], "Hướng dẫn"))


# --- export ---------------------------------------------------------------------------------


def _bank() -> list[Question]:
    return [
        Question(
            QuestionType.SINGLE_CHOICE,
            "= 2 + 3 bằng?",
            points=Decimal("0.25"),
            options=[Option("A", "4"), Option("B", "5", True, Decimal(1)), Option("C", "6")],
            level=Level.VAN_DUNG_CAO,
            subject="Toán",
            grade=6,
            topic="Số tự nhiên",
            explanation_html="2 + 3 = 5",
            tags=["cộng", "dễ"],
        ),
        Question(QuestionType.TRUE_FALSE, "Hà Nội ở miền Bắc.", answer_bool=True),
        Question(
            QuestionType.NUMERIC,
            "Số π làm tròn?",
            numeric_answers=[NumericAnswer(Decimal("3.14"), Decimal("0.01"))],
        ),
        Question(
            QuestionType.SHORT_ANSWER,
            "Thủ đô?",
            text_answers=[TextAnswer("Hà Nội"), TextAnswer("Ha Noi")],
        ),
        Question(
            QuestionType.ORDERING,
            "Sắp xếp",
            options=[Option("C", "một"), Option("A", "hai"), Option("B", "ba")],
        ),
    ]


def test_dump_then_parse_gives_back_the_same_questions():
    original = _bank()
    result = xlsx.parse(xlsx.dump(original))
    assert result.skipped == [] and result.warnings == []
    assert result.questions == original


def test_dump_uses_the_template_layout_and_keeps_formula_like_text_as_text():
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.dump(_bank())))["Câu hỏi"]
    assert [c.value for c in sheet[3]][:4] == [
        "STT",
        "Loại câu hỏi",
        "Nội dung câu hỏi",
        "Phương án A",
    ]
    assert [c.value for c in sheet[4]][:5] == [1, "Một lựa chọn", "= 2 + 3 bằng?", "4", "5"]
    assert sheet.cell(row=4, column=3).data_type == "s"


def test_dump_turns_html_into_text_and_names_images():
    question = Question(
        QuestionType.ESSAY, '<p>Quan sát <b>hình</b>:</p><p><img src="@@ASSET@@/h1.png"></p>'
    )
    [back] = xlsx.parse(xlsx.dump([question])).questions
    assert back.stem_html == "Quan sát hình:<br>[Hình: h1.png]"


# --- bad files ------------------------------------------------------------------------------


def test_old_xls_file_is_refused_with_advice():
    with pytest.raises(BankFormatError, match=r"\.xls"):
        xlsx.parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)


def test_workbook_part_with_a_dtd_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx.template())) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY e "e">]>' + data
            dst.writestr(item, data)
    with pytest.raises(BankFormatError, match="DTD"):
        xlsx.parse(buffer.getvalue())


def test_sniff_accepts_workbooks_only():
    assert xlsx.sniff(xlsx.template())
    assert not xlsx.sniff(b"STT;Loai;Noi dung\n1;a;b\n")
    assert not xlsx.sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def _result_or_format_error(data: bytes, name: str = "") -> None:
    """Any input gives a ParseResult or a BankFormatError, never another exception."""
    try:
        result = xlsx.parse(data, name)
    except BankFormatError:
        return
    assert isinstance(result, ParseResult)


FUZZ = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
_SEED = _book([HEADER, _row(type="Một lựa chọn", stem="1+1?", A="2", B="3", answer="A")])


@FUZZ
@given(st.binary(max_size=1024))
def test_random_bytes_give_a_result_or_a_format_error(data):
    _result_or_format_error(data)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6))
def test_mutated_workbooks_give_a_result_or_a_format_error(flips):
    data = bytearray(_SEED)
    for position, value in flips:
        data[position % len(data)] = value
    _result_or_format_error(bytes(data))


_CELL_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)


@FUZZ
@given(st.lists(st.one_of(st.none(), _CELL_TEXT, st.floats(), st.integers()), max_size=15))
def test_any_cell_values_give_a_result_or_a_format_error(cells):
    assert isinstance(xlsx.parse(_book([HEADER, cells])), ParseResult)
