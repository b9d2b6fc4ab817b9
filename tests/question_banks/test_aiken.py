"""Aiken import and export, checked against Moodle's Aiken fixture and hand-typed variants."""

from __future__ import annotations

import contextlib
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_banks import aiken
from question_banks.model import BankFormatError, ParseResult, QuestionType

AIKEN = "questions/aiken/moodle_questions.aiken.txt"
FUZZ = settings(
    max_examples=60,
    deadline=1000,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _parse(text: str) -> ParseResult:
    return aiken.parse(text.encode("utf-8"), "bank.txt")


def test_aiken_moodle_fixture_yields_two_single_choice_questions(fixtures_dir):
    result = aiken.parse((fixtures_dir / AIKEN).read_bytes())

    assert [q.type for q in result.questions] == [QuestionType.SINGLE_CHOICE] * 2
    first, second = result.questions
    assert first.stem_html == "The Moodle project was started by:"
    assert [(o.key, o.html, o.is_correct) for o in first.options] == [
        ("A", "Petr Skoda", False),
        ("B", "Martin Dougiamas", True),
        ("C", "Eloy Lafuente", False),
        ("D", "Tim Hunt", False),
    ]
    assert [o.key for o in second.options if o.is_correct] == ["A"]
    assert result.skipped == [] and result.warnings == []


def test_aiken_html_special_characters_in_text_are_escaped(fixtures_dir):
    second = aiken.parse((fixtures_dir / AIKEN).read_bytes()).questions[1]

    assert second.stem_html == (
        "Moodle's abilities include handling user input that includes "
        '&lt;html class="cool"&gt; &amp; images:'
    )


def test_aiken_lowercase_labels_and_vietnamese_answer_line_are_accepted():
    result = _parse("Thủ đô của Việt Nam là\na) Huế\nb) Hà Nội\nc) Sài Gòn\nĐáp án: b\n")

    question = result.questions[0]
    assert question.stem_html == "Thủ đô của Việt Nam là"
    assert [(o.key, o.html, o.fraction) for o in question.options] == [
        ("A", "Huế", Decimal(0)),
        ("B", "Hà Nội", Decimal(1)),
        ("C", "Sài Gòn", Decimal(0)),
    ]


def test_aiken_missing_answer_line_skips_that_question_with_its_line_and_continues():
    text = "Câu một?\nA. x\nB. y\n\nCâu hai?\nA. đúng\nB. sai\nANSWER: A\n\nCâu ba?\nA. p\nB. q\n"
    result = _parse(text)

    assert [q.stem_html for q in result.questions] == ["Câu hai?"]
    assert [(i.where, "ANSWER" in i.message) for i in result.skipped] == [
        ("dòng 1", True),
        ("dòng 10", True),
    ]


def test_aiken_answer_letter_without_option_is_skipped():
    result = _parse("Câu?\nA. một\nB. hai\nANSWER: E\n\nCâu khác?\nA. có\nB. không\nANSWER: B")

    assert [q.stem_html for q in result.questions] == ["Câu khác?"]
    assert result.skipped[0].where == "dòng 1"


def test_aiken_several_answer_letters_make_multiple_response():
    question = _parse("Số chẵn?\nA. 2\nB. 3\nC. 4\nANSWER: A, C").questions[0]

    assert question.type == QuestionType.MULTIPLE_RESPONSE
    assert [(o.key, o.fraction) for o in question.options if o.is_correct] == [
        ("A", Decimal("0.5")),
        ("C", Decimal("0.5")),
    ]


def test_aiken_multi_line_stem_keeps_line_breaks():
    question = _parse("Cho đoạn văn:\n«Trời xanh»\nÝ chính là gì?\nA. Trời\nB. Mây\nANSWER: A")

    assert question.questions[0].stem_html == "Cho đoạn văn:<br>«Trời xanh»<br>Ý chính là gì?"


def test_aiken_crlf_bom_and_decomposed_text_become_nfc():
    text = unicodedata.normalize("NFD", "Tiếng Việt?\r\nA. Đúng\r\nB. Sai\r\nANSWER: A\r\n")
    question = aiken.parse(b"\xef\xbb\xbf" + text.encode("utf-8")).questions[0]

    assert (question.stem_html, question.options[0].html) == ("Tiếng Việt?", "Đúng")
    assert unicodedata.is_normalized("NFC", question.stem_html)


def test_aiken_text_without_questions_raises_bank_format_error():
    with pytest.raises(BankFormatError, match="Aiken"):
        _parse("Chỉ là ghi chú.\nKhông có phương án.")


def test_aiken_sniff_accepts_aiken_and_rejects_gift(fixtures_dir):
    assert aiken.sniff((fixtures_dir / AIKEN).read_bytes())
    gift_file = fixtures_dir / "questions/gift/moodle_gift_examples.txt"
    assert not aiken.sniff(gift_file.read_bytes())
    assert not aiken.sniff(b"\x00\x01\x02binary")


def test_aiken_dump_then_parse_gives_the_same_questions(fixtures_dir):
    original = aiken.parse((fixtures_dir / AIKEN).read_bytes())

    text = aiken.dump(original.questions)

    assert text.decode("utf-8").startswith("The Moodle project was started by:\nA. Petr Skoda\n")
    assert aiken.parse(text).questions == original.questions


@FUZZ
@given(st.binary(max_size=2000))
def test_aiken_parse_never_fails_on_arbitrary_bytes(data):
    with contextlib.suppress(BankFormatError):
        assert isinstance(aiken.parse(data), ParseResult)


@FUZZ
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 300), st.integers(0, 20), st.text("AB).:\n ANSWER", max_size=8)),
        max_size=6,
    )
)
def test_aiken_parse_never_fails_on_mutated_fixture(fixtures_dir, edits):
    text = (fixtures_dir / AIKEN).read_text(encoding="utf-8")
    for position, length, insert in edits:
        position %= len(text) + 1
        text = text[:position] + insert + text[position + length :]
    with contextlib.suppress(BankFormatError):
        assert isinstance(aiken.parse(text.encode("utf-8")), ParseResult)
