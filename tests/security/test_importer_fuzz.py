"""Hypothesis fuzzing of every importer (issue 11): GIFT, Moodle XML, Aiken, QTI 2.1 (item
and package), the XLSX and Word question templates, and roster CSV/XLSX. Random and mutated
inputs give a result or the importer's own clean error (BankFormatError for question banks,
a DomainError for rosters) - never another exception - within DEADLINE per case.
The SCORM manifest and archive are fuzzed the same way in tests/scorm_import/test_scorm_fuzz.py.
"""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

import question_banks
from app.core.errors import DomainError
from app.services.roster_files import read_roster
from question_banks import BankFormatError

pytestmark = pytest.mark.security

SAMPLES = Path(question_banks.__file__).parent / "samples"
DEADLINE = timedelta(seconds=2)
FUZZ = settings(
    max_examples=100,
    deadline=DEADLINE,
    database=None,
    derandomize=True,  # CI never meets a draw it has not seen before
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
CASES = {"run": 0}
GIFT = """// đề mẫu
$CATEGORY: $course$/Toán 10
::c1:: Thủ đô của Việt Nam? {=Hà Nội ~Huế ~%50%Đà Nẵng#gần đúng}
::c2:: 2 + 2 = 4. {T}
::c3:: Số pi xấp xỉ {#3.14:0.01}
::c4:: Ghép {=Hà Nội -> Việt Nam =Tokyo -> Nhật Bản}
::c5:: Viết cảm nghĩ {}
"""
AIKEN = """Thủ đô của Việt Nam là?
A. Hà Nội
B. Huế
C) Đà Nẵng
ANSWER: A
"""
ROSTER = "Họ và tên,Mã học sinh,Lớp,Ngày sinh\nNguyễn Văn An,HS001,10A1,01/02/2010\n"
TOKENS = [
    "::", "{", "}", "=", "~", "#", "%", "->", "\\", "$CATEGORY:", "//", "[html]", "[id:x]",
    "{T}", "{F}", "{#", ":", "..", "\n", "\n\n", "A. ", "B) ", "ANSWER: ", "ANSWER:", "<", ">",
    "</", "/>", "<?xml version='1.0'?>", "<quiz>", "<question type=\"multichoice\">",
    "<assessmentItem>", "<![CDATA[", "]]>", "&amp;", "&#0;", "&#xD800;", ",", ";", "\t", '"',
    "\ufeff", "\x00", "ắ", "̀", "Câu 1.", "HS001", "10A1", "31/02/2010", "1e999", "-1", "∞",
]  # fmt: skip
FUZZ_TEXT = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)), max_size=60).map(
    "".join
)


def _check(call, *args, clean=BankFormatError):
    CASES["run"] += 1
    try:
        return call(*args)
    except clean as exc:
        assert str(exc)  # every refusal says something to the teacher
        return exc


def _bank(fmt: str):
    return lambda data: question_banks.parse(data, fmt, f"tep.{fmt}")


@lru_cache(maxsize=1)
def _samples() -> dict[str, bytes]:
    questions = question_banks.parse(GIFT.encode(), "gift").questions
    sheet = Workbook()
    sheet.active.append(["Họ và tên", "Mã học sinh", "Lớp"])
    sheet.active.append(["Nguyễn Văn An", "HS001", "10A1"])
    book = io.BytesIO()
    sheet.save(book)
    qti_package = question_banks.dump(questions, "qti")
    with zipfile.ZipFile(io.BytesIO(qti_package)) as zf:
        item = next(zf.read(n) for n in zf.namelist() if "manifest" not in n and n.endswith("xml"))
    return {
        "gift": GIFT.encode(),
        "aiken": AIKEN.encode(),
        "moodlexml": question_banks.dump(questions, "moodlexml"),
        "qti-item": item,
        "qti": qti_package,
        "xlsx": (SAMPLES / "mau_nhap_cau_hoi.xlsx").read_bytes(),
        "docx": (SAMPLES / "de_mau_toan10.docx").read_bytes(),
        "roster-csv": ROSTER.encode(),
        "roster-xlsx": book.getvalue(),
    }


def _mutate(data: bytes, mutations, cut) -> bytes:
    out = bytearray(data)
    for index, value in mutations:
        out[index % len(out)] = value
    if cut is not None:
        out = out[: cut % len(out)]
    return bytes(out)


def _members_replaced(data: bytes, pick: int, text: str) -> bytes:
    """The same zip with one XML member's text replaced (structure-aware fuzz of parts)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        names = [n for n in src.namelist() if n.endswith((".xml", ".rels"))]
        target = names[pick % len(names)]
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for name in src.namelist():
                body = src.read(name)
                if name == target:
                    cut = len(body) * (pick % 7) // 7
                    body = body[:cut] + text.encode("utf-8", "surrogatepass") + body[cut:]
                dst.writestr(name, body)
    return out.getvalue()


MUTATIONS = st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=10)
CUTS = st.one_of(st.none(), st.integers(min_value=1))
TEXT_FORMATS = ["gift", "aiken", "moodlexml", "qti"]


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@FUZZ
@given(text=FUZZ_TEXT)
def test_random_text_gives_questions_or_a_bank_format_error(fmt, text):
    _check(_bank(fmt), text.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize(
    ("sample", "fmt"),
    [("gift", "gift"), ("aiken", "aiken"), ("moodlexml", "moodlexml"), ("qti-item", "qti"),
     ("qti", "qti"), ("xlsx", "xlsx"), ("docx", "docx")],
)  # fmt: skip
@FUZZ
@given(mutations=MUTATIONS, cut=CUTS)
def test_mutated_bank_files_give_questions_or_a_bank_format_error(sample, fmt, mutations, cut):
    data = _mutate(_samples()[sample], mutations, cut)
    _check(_bank(fmt), data)
    _check(question_banks.parse, data, None, "")  # format guessing on the same bytes


@pytest.mark.parametrize(("sample", "fmt"), [("qti", "qti"), ("xlsx", "xlsx"), ("docx", "docx")])
@FUZZ
@given(pick=st.integers(min_value=0, max_value=10_000), text=FUZZ_TEXT)
def test_fuzzed_xml_parts_of_zip_bank_files_give_a_clean_result(sample, fmt, pick, text):
    _check(_bank(fmt), _members_replaced(_samples()[sample], pick, text))


@FUZZ
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_in_any_bank_format_give_a_clean_result(data):
    for fmt in question_banks.FORMATS:
        _check(_bank(fmt), data)


@FUZZ
@given(text=FUZZ_TEXT, encoding=st.sampled_from(["utf-8", "utf-16", "cp1258", "utf-8-sig"]))
def test_random_roster_csv_gives_a_table_or_a_clean_error(app, text, encoding):
    data = text.encode(encoding, "replace")
    if data.strip():
        _check(read_roster, data, "danh-sach.csv", clean=DomainError)


@pytest.mark.parametrize("sample", ["roster-csv", "roster-xlsx"])
@FUZZ
@given(mutations=MUTATIONS, cut=CUTS)
def test_mutated_roster_files_give_a_table_or_a_clean_error(app, sample, mutations, cut):
    data = _mutate(_samples()[sample], mutations, cut)
    if data.strip():
        _check(read_roster, data, f"danh-sach.{sample[7:]}", clean=DomainError)


@FUZZ
@given(pick=st.integers(min_value=0, max_value=10_000), text=FUZZ_TEXT)
def test_fuzzed_xml_parts_of_a_roster_xlsx_give_a_clean_error(app, pick, text):
    _check(read_roster, _members_replaced(_samples()["roster-xlsx"], pick, text),
           "danh-sach.xlsx", clean=DomainError)  # fmt: skip


def test_report_fuzz_cases_run():
    print(f"importer fuzz cases run: {CASES['run']}")
    assert CASES["run"] > 0 or pytest.skip("run with the fuzz tests above to count")
