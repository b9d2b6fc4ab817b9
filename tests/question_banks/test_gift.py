"""GIFT import and export, checked against Moodle's fixtures and GIFT-grammar-PEG.js parse trees."""

from __future__ import annotations

import contextlib
import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_banks import gift
from question_banks._plaintext import html_to_text
from question_banks.model import (
    BankFormatError,
    Option,
    ParseResult,
    Question,
    QuestionType,
)

GIFT = "questions/gift"
FUZZ = settings(
    max_examples=60,
    deadline=1000,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _parse_fixture(fixtures_dir: Path, name: str) -> ParseResult:
    return gift.parse((fixtures_dir / GIFT / name).read_bytes(), name)


def _parse(text: str) -> ParseResult:
    return gift.parse(text.encode("utf-8"), "bank.gift")


def _by_title(result: ParseResult, title: str) -> Question:
    return next(q for q in result.questions if q.title == title)


def _choices(options: list[Option]) -> list[tuple[str, str, bool, Decimal]]:
    return [(o.key, o.html, o.is_correct, o.fraction) for o in options]


# --- Moodle's own fixture -------------------------------------------------------------------


def test_gift_moodle_fixture_yields_nine_questions_with_moodle_types(fixtures_dir):
    result = _parse_fixture(fixtures_dir, "moodle_questions.gift.txt")

    assert [(q.title, q.type) for q in result.questions] == [
        ("Q8", QuestionType.ESSAY),
        ("Moodle activities", QuestionType.MATCHING),
        ("Q2", QuestionType.SINGLE_CHOICE),
        ("colours", QuestionType.MULTIPLE_RESPONSE),
        ("Q5", QuestionType.CLOZE),  # text after "}" makes it Moodle's missing-word form
        ("Shortanswer", QuestionType.SHORT_ANSWER),
        ("Q1", QuestionType.TRUE_FALSE),
        ("2-08 TSL", QuestionType.TRUE_FALSE),
        ("2-08 TSL", QuestionType.TRUE_FALSE),
    ]
    assert result.skipped == []


def test_gift_matching_keeps_each_side_format_and_the_distractor(fixtures_dir):
    question = _by_title(
        _parse_fixture(fixtures_dir, "moodle_questions.gift.txt"), "Moodle activities"
    )

    assert question.stem_html == "Match the <b>activity</b> to the description."
    assert [(o.key, o.html, o.match_html) for o in question.options] == [
        ("L1", "An activity supporting asynchronous discussions.", "Forum"),
        ("L2", "A teacher asks a question and specifies a choice of multiple responses.", "Choice"),
        ("L3", "A bank of record entries which participants can add to.", "Database"),
        ("L4", "A collection of web pages that anyone can add to or edit.", "Wiki"),
        ("L5", "", "Chat"),
    ]


def test_gift_single_choice_keeps_per_option_feedback(fixtures_dir):
    question = _by_title(_parse_fixture(fixtures_dir, "moodle_questions.gift.txt"), "Q2")

    assert _choices(question.options) == [
        ("A", "yellow", True, Decimal(1)),
        ("B", "red", False, Decimal(0)),
        ("C", "blue", False, Decimal(0)),
    ]
    assert [o.feedback_html for o in question.options] == [
        "right; good!",
        "wrong, it's yellow",
        "wrong, it's yellow",
    ]


def test_gift_percent_weights_without_equals_make_multiple_response(fixtures_dir):
    question = _by_title(_parse_fixture(fixtures_dir, "moodle_questions.gift.txt"), "colours")

    assert _choices(question.options) == [
        ("A", "yellow", True, Decimal("0.5")),
        ("B", "red", False, Decimal(-1)),
        ("C", "off-beige", True, Decimal("0.5")),
        ("D", "blue", False, Decimal(-1)),
    ]


def test_gift_short_answer_keeps_wildcard_and_partial_credit(fixtures_dir):
    question = _by_title(_parse_fixture(fixtures_dir, "moodle_questions.gift.txt"), "Shortanswer")

    assert [(a.text, a.fraction, a.feedback_html) for a in question.text_answers] == [
        ("Frog", Decimal(1), "Good!"),
        ("Cat", Decimal("0.5"), "What is it with Moodlers and cats?"),
        ("*", Decimal(0), "Completely wrong"),
    ]


def test_gift_true_false_reads_answer_and_general_feedback(fixtures_dir):
    result = _parse_fixture(fixtures_dir, "moodle_questions.gift.txt")
    question = _by_title(result, "Q1")

    assert question.answer_bool is False
    assert question.explanation_html == (
        "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    )
    assert [q.answer_bool for q in result.questions if q.title == "2-08 TSL"] == [True, True]
    assert any("Đúng/Sai" in w.message for w in result.warnings)  # its #feedback is not kept


def test_gift_numeric_wrong_answer_feedback_is_reported_not_kept(fixtures_dir):
    result = _parse_fixture(fixtures_dir, "moodle_questions.gift.txt")
    question = _by_title(result, "Q5")

    gap = question.gaps[0]
    assert (gap.type, gap.numeric_answers[0].value, gap.numeric_answers[0].tolerance) == (
        QuestionType.NUMERIC,
        Decimal(3),
        Decimal(2),
    )
    assert [w.where for w in result.warnings if "câu hỏi số" in w.message] == ["dòng 31"]


# --- Numeric, missing word, escapes, formats ------------------------------------------------


def test_gift_numeric_range_becomes_midpoint_with_tolerance(fixtures_dir):
    result = _parse_fixture(fixtures_dir, "giftpeg/numerical1.gift")
    answers = [(q.numeric_answers or q.gaps[0].numeric_answers)[0] for q in result.questions]

    assert [(a.value, a.tolerance) for a in answers[:8]] == [
        (Decimal(1822), Decimal(0)),
        (Decimal(-1), Decimal(0)),
        (Decimal("3.1415"), Decimal("0.0005")),
        (Decimal("-3.142"), Decimal("0.001")),
        (Decimal("3.1415"), Decimal("0.0005")),  # {#3.141..3.142}
        (Decimal("-3.1415"), Decimal("0.0005")),  # {#-3.142..-3.141}
        (Decimal(3), Decimal(2)),  # {#1..5}
        (Decimal(0), Decimal(5)),  # {#-5..5}
    ]


def test_gift_numeric_with_several_weighted_answers_keeps_each(fixtures_dir):
    question = _parse_fixture(fixtures_dir, "giftpeg/numerical1.gift").questions[8]

    assert [(a.value, a.tolerance, a.fraction) for a in question.numeric_answers] == [
        (Decimal(1822), Decimal(0), Decimal(1)),
        (Decimal(1822), Decimal(2), Decimal("0.5")),
    ]


def test_gift_missing_word_becomes_one_gap_cloze(fixtures_dir):
    question = _parse_fixture(fixtures_dir, "giftpeg/mc5.gift").questions[1]

    assert question.type == QuestionType.CLOZE
    assert question.stem_html == "Grant is {{1}} in Grant's tomb."
    assert [(g.number, g.type) for g in question.gaps] == [(1, QuestionType.SINGLE_CHOICE)]
    assert _choices(question.gaps[0].options) == [
        ("A", "buried", False, Decimal(0)),
        ("B", "entombed", True, Decimal(1)),
        ("C", "living", False, Decimal(0)),
    ]


def test_gift_missing_word_true_false_keeps_moodle_blank():
    question = _parse("The sun {T} rises in the east.").questions[0]

    assert (question.type, question.stem_html) == (
        QuestionType.TRUE_FALSE,
        "The sun _____ rises in the east.",
    )


def test_gift_escaped_control_characters_are_literal_text(fixtures_dir):
    question = _parse_fixture(fixtures_dir, "giftpeg/escapeAll.gift").questions[0]

    assert [o.html for o in question.options] == ["~", "=", "#", "{", "}", ":", "\\"]
    assert [o.key for o in question.options if o.is_correct] == ["G"]
    assert question.options[0].feedback_html == "~ is a control character."


def test_gift_plain_text_is_escaped_and_html_passes_through():
    result = _parse("Is 1 < 2 & 3 > 2?{T}\n\n[html]<p>Có <b>đúng</b> không?</p>{F}")

    assert [q.stem_html for q in result.questions] == [
        "Is 1 &lt; 2 &amp; 3 &gt; 2?",
        "<p>Có <b>đúng</b> không?</p>",
    ]


def test_gift_markdown_is_kept_as_escaped_text_with_line_breaks(fixtures_dir):
    result = _parse_fixture(fixtures_dir, "giftpeg/markdown.gift")

    assert [q.type for q in result.questions] == [QuestionType.DESCRIPTION] * 4
    assert result.questions[1].stem_html == "multiline2<br>markdown"
    options = _parse_fixture(fixtures_dir, "giftpeg/options1.gift").questions[5]
    assert options.stem_html == "Who's buried in **Grant's tomb**?"


def test_gift_category_applies_to_following_questions_without_moodle_prefix():
    text = (
        "Câu đầu?{T}\n\n$CATEGORY: $course$/top/Toán 10/Chương 1\n\n"
        "::C1::Một cộng một bằng mấy?{#2}\n\nHai?{=hai =2}"
    )
    result = _parse(text)

    assert [(q.title, q.category) for q in result.questions] == [
        ("", ""),
        ("C1", "Toán 10/Chương 1"),
        ("", "Toán 10/Chương 1"),
    ]


def test_gift_moodle4_id_and_tag_comments_become_source_id_and_tags():
    question = _parse("// [id:TOAN-01] [tag:hình học] [tag:lớp 10]\nTam giác có mấy cạnh?{#3}")

    assert (question.questions[0].source_id, question.questions[0].tags) == (
        "TOAN-01",
        ["hình học", "lớp 10"],
    )


# --- Tolerance and errors -------------------------------------------------------------------


def test_gift_crlf_bom_and_decomposed_vietnamese_are_normalised_to_nfc():
    decomposed = unicodedata.normalize("NFD", "::Thủ đô::Thủ đô của Việt Nam?{=Hà Nội}")
    result = gift.parse(b"\xef\xbb\xbf" + decomposed.replace("?", "?\r\n").encode("utf-8"))

    question = result.questions[0]
    assert question.title == "Thủ đô"
    assert question.stem_html == "Thủ đô của Việt Nam?"
    assert question.text_answers[0].text == "Hà Nội"
    assert unicodedata.is_normalized("NFC", question.text_answers[0].text)


def test_gift_broken_question_is_skipped_with_line_and_the_rest_imported():
    text = "Câu 1?{T}\n\n// lỗi\nCâu 2 thiếu ngoặc đóng?{=a ~b\n\nCâu 3?{~x =y}\n\nCâu 4?{~chỉ một}"
    result = _parse(text)

    assert [q.stem_html for q in result.questions] == ["Câu 1?", "Câu 3?"]
    assert [(i.where, i.message[:20]) for i in result.skipped] == [
        ("dòng 4", "Thiếu dấu '{' hoặc '"),
        ("dòng 8", "Câu hỏi nhiều lựa ch"),
    ]


def test_gift_blank_line_inside_braces_and_missing_blank_line_are_tolerated():
    result = _parse("Q1?{\n=a\n\n~b\n}\nQ2?{T}")

    assert [(q.stem_html, q.type) for q in result.questions] == [
        ("Q1?", QuestionType.SINGLE_CHOICE),
        ("Q2?", QuestionType.TRUE_FALSE),
    ]
    assert [w.where for w in result.warnings] == ["dòng 6"]


def test_gift_non_gift_text_raises_bank_format_error():
    with pytest.raises(BankFormatError, match="GIFT"):
        gift.parse("Một đoạn văn bình thường.\n\nKhông có câu hỏi.".encode(), "ghi_chu.txt")
    with pytest.raises(BankFormatError, match="nhị phân"):
        gift.parse(b"PK\x03\x04\x00\x00binary")


def test_gift_sniff_accepts_gift_and_rejects_aiken_and_xml(fixtures_dir):
    questions = fixtures_dir / "questions"
    assert gift.sniff((questions / "gift/moodle_gift_examples.txt").read_bytes())
    assert gift.sniff((questions / "gift/giftpeg/markdown.gift").read_bytes())
    assert not gift.sniff((questions / "aiken/moodle_questions.aiken.txt").read_bytes())
    assert not gift.sniff((questions / "moodlexml/multichoice.xml").read_bytes())
    assert not gift.sniff("Tập rỗng là {}?\nA. đúng\nB. sai\nANSWER: A".encode())


# --- Conformance with GIFT-grammar-PEG.js ---------------------------------------------------


def _flat(text: str) -> str:
    """Compare texts ignoring markup and whitespace (the two parsers join lines differently)."""
    return re.sub(r"\s+", "", html_to_text(text)).replace("{{1}}", "_____")


def _number(spec: dict) -> tuple[Decimal, Decimal]:
    if spec["type"] == "high-low":
        low, high = Decimal(str(spec["numberLow"])), Decimal(str(spec["numberHigh"]))
        return (low + high) / 2, (high - low) / 2
    return Decimal(str(spec["number"])), Decimal(str(spec.get("range", 0)))


def _fraction(choice: dict) -> Decimal:
    if choice["weight"] is not None:
        return Decimal(str(choice["weight"])) / 100
    return Decimal(int(choice["isCorrect"]))


def _expected_answers(item: dict) -> list[tuple]:
    kind = item["type"]
    if kind == "TF":
        return [(item["isTrue"],)]
    if kind == "Matching":
        return [(_flat(p["subquestion"]["text"]), p["subanswer"]) for p in item["matchPairs"]]
    if kind == "Numerical":
        choices = item["choices"]
        if isinstance(choices, dict):
            return [(*_number(choices), Decimal(1))]
        return [(*_number(c["text"]), _fraction(c)) for c in choices]
    if kind in ("MC", "Short"):
        return [(_flat(c["text"]["text"]), _fraction(c)) for c in item["choices"]]
    return []


def _actual_answers(question: Question) -> list[tuple]:
    holder = question.gaps[0] if question.gaps else question
    if question.type == QuestionType.TRUE_FALSE:
        return [(question.answer_bool,)]
    if question.type == QuestionType.MATCHING:
        return [(_flat(o.html), html_to_text(o.match_html)) for o in question.options]
    if holder.numeric_answers:
        return [(a.value, a.tolerance, a.fraction) for a in holder.numeric_answers]
    if holder.text_answers:
        return [(_flat(a.text), a.fraction) for a in holder.text_answers]
    return [(_flat(o.html), o.fraction) for o in holder.options]


_PEG_TYPES = {
    "MC": {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_RESPONSE},
    "TF": {QuestionType.TRUE_FALSE},
    "Short": {QuestionType.SHORT_ANSWER},
    "Numerical": {QuestionType.NUMERIC},
    "Matching": {QuestionType.MATCHING},
    "Essay": {QuestionType.ESSAY},
    "Description": {QuestionType.DESCRIPTION},
}
_PEG_CASES = [
    "TFTwoFeedback",
    "category1",
    "description1",
    "escapeAll",
    "essay1",
    "giftFormatPhpExamples",
    "markdown",
    "matching1",
    "mc5",
    "mcHTMLComment",
    "multiLineFeedback1",
    "multipleAnswersFloat",
    "numerical1",
    "options1",
    "shortAnswer2",
]


@pytest.mark.parametrize("case", _PEG_CASES)
def test_gift_matches_giftpeg_reference_parse_tree(fixtures_dir, case):
    folder = fixtures_dir / GIFT / "giftpeg"
    expected = json.loads((folder / f"{case}.expected.json").read_text(encoding="utf-8"))
    expected = [item for item in expected if item["type"] != "Category"]
    result = gift.parse((folder / f"{case}.gift").read_bytes(), f"{case}.gift")

    assert len(result.questions) == len(expected)
    for item, question in zip(expected, result.questions, strict=True):
        embedded = item.get("hasEmbeddedAnswers") and item["type"] in ("MC", "Short", "Numerical")
        assert question.type in ({QuestionType.CLOZE} if embedded else _PEG_TYPES[item["type"]])
        assert question.title == (item["title"] or "")
        assert _flat(question.stem_html) == _flat(item["stem"]["text"])
        assert _actual_answers(question) == _expected_answers(item)
        general = (item.get("globalFeedback") or {}).get("text", "")
        assert _flat(question.explanation_html) == _flat(general)


# --- Export ---------------------------------------------------------------------------------

_ROUND_TRIP = [
    "moodle_questions.gift.txt",
    "moodle_gift_examples.txt",
    *(f"giftpeg/{case}.gift" for case in _PEG_CASES),
]


@pytest.mark.parametrize("name", _ROUND_TRIP)
def test_gift_dump_then_parse_gives_the_same_questions(fixtures_dir, name):
    original = _parse_fixture(fixtures_dir, name)

    again = gift.parse(gift.dump(original.questions), "again.gift")

    assert again.skipped == []
    assert again.questions == original.questions


def test_gift_dump_writes_categories_weights_and_escapes_like_moodle():
    questions = _parse(
        "$CATEGORY: $course$/top/Lý 11\n\n"
        "::Đơn vị:: Đơn vị của lực là gì? {~%50%N (newton) ~%50%kg·m/s² ~%-100%J \\= W\\:s}"
    ).questions

    text = gift.dump(questions).decode("utf-8")

    assert "$CATEGORY: $course$/top/Lý 11\n" in text
    assert "::Đơn vị::[html]Đơn vị của lực là gì?{\n" in text
    assert "\t~%50%N (newton)\n\t~%50%kg·m/s²\n\t~%-100%J \\= W\\:s\n}" in text


def test_gift_dump_leaves_out_types_gift_cannot_express_with_a_comment():
    ordering = Question(type=QuestionType.ORDERING, stem_html="Sắp xếp", title="Thứ tự")
    kept = Question(type=QuestionType.ESSAY, stem_html="Viết đoạn văn.")

    text = gift.dump([ordering, kept]).decode("utf-8")

    assert "// Không xuất được câu hỏi loại 'ordering' sang GIFT" in text
    assert [q.type for q in gift.parse(text.encode()).questions] == [QuestionType.ESSAY]


_TRICKY = st.text(alphabet="aăâđêôơư ÁẢÃệ{}=~#:\\%->[]/<&\n", min_size=1, max_size=30)


@FUZZ
@given(stem=_TRICKY, right=_TRICKY, wrong=_TRICKY, feedback=_TRICKY)
def test_gift_dump_escapes_any_text_so_it_reads_back_unchanged(stem, right, wrong, feedback):
    def clean(text: str) -> str:
        return text.strip() or "x"

    options = [
        Option("A", clean(right), True, Decimal(1), feedback_html=clean(feedback)),
        Option("B", clean(wrong), False, Decimal(0)),
    ]
    question = Question(type=QuestionType.SINGLE_CHOICE, stem_html=clean(stem), options=options)

    assert gift.parse(gift.dump([question])).questions == [question]


# --- Fuzzing: any input gives a ParseResult or a BankFormatError -----------------------------


def _parse_or_format_error(data: bytes) -> None:
    with contextlib.suppress(BankFormatError):
        assert isinstance(gift.parse(data, "fuzz.gift"), ParseResult)


@FUZZ
@given(st.binary(max_size=2000))
def test_gift_parse_never_fails_on_arbitrary_bytes(data):
    _parse_or_format_error(data)


@FUZZ
@given(
    source=st.sampled_from(["moodle_questions.gift.txt", "giftpeg/options1.gift"]),
    edits=st.lists(
        st.tuples(
            st.integers(0, 5000), st.integers(0, 40), st.text("{}=~#:\\%->\n ::$", max_size=5)
        ),
        max_size=8,
    ),
)
def test_gift_parse_never_fails_on_mutated_fixtures(fixtures_dir, source, edits):
    text = (fixtures_dir / GIFT / source).read_text(encoding="utf-8")
    for position, length, insert in edits:
        position %= len(text) + 1
        text = text[:position] + insert + text[position + length :]
    _parse_or_format_error(text.encode("utf-8"))
