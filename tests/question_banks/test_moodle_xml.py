"""Moodle XML import and export, checked against Moodle's own fixtures and newer-Moodle variants."""

from __future__ import annotations

import contextlib
import time
import unicodedata
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_banks import gift, moodle_xml
from question_banks.model import (
    Asset,
    BankFormatError,
    Gap,
    Option,
    ParseResult,
    Question,
    QuestionType,
)

XML = "questions/moodlexml"
FIXTURES = [
    "multianswer.xml",
    "multichoice.xml",
    "qtype_ddwtos_testquestion.xml",
    "qtype_description_testquestion.xml",
    "qtype_essay_testquestion.xml",
    "qtype_gapselect_testquestion.xml",
    "qtype_match_testquestion.xml",
    "qtype_shortanswer_testquestion.xml",
    "truefalse.xml",
]
FUZZ = settings(
    max_examples=50,
    deadline=2000,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _parse_fixture(fixtures_dir: Path, name: str) -> ParseResult:
    return moodle_xml.parse((fixtures_dir / XML / name).read_bytes(), name)


def _question(kind: str, body: str = "", name: str = "q", stem: str = "Câu hỏi?") -> str:
    return (
        f'<question type="{kind}"><name><text>{name}</text></name>'
        f'<questiontext format="html"><text><![CDATA[{stem}]]></text></questiontext>'
        f"{body}</question>"
    )


def _quiz(*questions: str) -> bytes:
    body = "\n".join(questions)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n{body}\n</quiz>\n'.encode()


def _correct(options: list[Option]) -> list[str]:
    return [o.key for o in options if o.is_correct]


# --- Moodle's fixtures ----------------------------------------------------------------------


def test_moodle_xml_each_fixture_yields_one_question_except_truefalse_two(fixtures_dir):
    counts = {name: len(_parse_fixture(fixtures_dir, name).questions) for name in FIXTURES}

    assert counts == dict.fromkeys(FIXTURES, 1) | {"truefalse.xml": 2}


def test_moodle_xml_multichoice_keeps_answer_feedback_and_base64_files(fixtures_dir):
    result = _parse_fixture(fixtures_dir, "multichoice.xml")
    question = result.questions[0]

    assert (question.type, question.title) == (QuestionType.SINGLE_CHOICE, "Greeting")
    assert question.category == "Default for testhead/Multichoice"
    assert _correct(question.options) == ["B"]
    assert "French" in question.options[1].html
    assert question.options[1].feedback_html == "<p>Yes, well done!</p>"
    assert question.stem_html.startswith('<p><a href="@@ASSET@@/bonjour.mp3">')
    assert '<img src="@@ASSET@@/flag-uk.jpg"' in question.options[0].html
    assets = {a.name: (a.mime_type, a.data[:3]) for a in question.assets}
    assert assets == {
        "bonjour.mp3": ("audio/mpeg", b"ID3"),
        "flag-uk.jpg": ("image/jpeg", b"\xff\xd8\xff"),
        "flag-france.jpg": ("image/jpeg", b"\xff\xd8\xff"),
        "flag-german.jpg": ("image/jpeg", b"\xff\xd8\xff"),
        "flag-denmark.jpg": ("image/jpeg", b"\xff\xd8\xff"),
    }
    assert result.warnings == []


def test_moodle_xml_truefalse_reads_right_answer_and_files(fixtures_dir):
    result = _parse_fixture(fixtures_dir, "truefalse.xml")

    assert [(q.title, q.answer_bool) for q in result.questions] == [
        ("Moodle acronym (False)", False),
        ("Moodle acronym (True)", True),
    ]
    assert [a.name for a in result.questions[0].assets] == ["logo.jpg", "infos.jpg"]
    assert '<img src="@@ASSET@@/infos.jpg"' in result.questions[0].explanation_html
    assert [w.where for w in result.warnings] == [
        "Câu hỏi 1 (Moodle acronym (False)), dòng 12",
        "Câu hỏi 2 (Moodle acronym (True)), dòng 40",
    ]


def test_moodle_xml_cloze_becomes_gaps_with_markers_and_weights(fixtures_dir):
    question = _parse_fixture(fixtures_dir, "multianswer.xml").questions[0]

    assert question.type == QuestionType.CLOZE
    assert "* San Francisco: {{1}}<br />* Tucson: {{2}}" in question.stem_html
    assert "The capital of France is {{5}}.</p>" in question.stem_html
    assert [(g.number, g.type, g.points) for g in question.gaps] == [
        (1, QuestionType.SINGLE_CHOICE, Decimal(1)),
        (2, QuestionType.SINGLE_CHOICE, Decimal(1)),
        (3, QuestionType.SINGLE_CHOICE, Decimal(1)),
        (4, QuestionType.SINGLE_CHOICE, Decimal(1)),
        (5, QuestionType.SHORT_ANSWER, Decimal(1)),
    ]
    assert [_correct(g.options) for g in question.gaps[:4]] == [["A"], ["B"], ["A"], ["B"]]
    assert question.gaps[1].options[1].feedback_html == "OK"
    assert [(a.text, a.fraction) for a in question.gaps[4].text_answers] == [
        ("Paris", Decimal(1)),
        ("Marseille", Decimal("0.5")),
        ("*", Decimal(0)),
    ]
    assert question.points == Decimal(5)
    assert {a.name for a in question.assets} == {
        "arizona_2.png",
        "california-state-flag.png",
        "moodle.png",
    }


@pytest.mark.parametrize(
    "name", ["qtype_gapselect_testquestion.xml", "qtype_ddwtos_testquestion.xml"]
)
def test_moodle_xml_select_missing_words_becomes_cloze_of_choice_gaps(fixtures_dir, name):
    question = _parse_fixture(fixtures_dir, name).questions[0]

    assert (question.type, question.stem_html) == (
        QuestionType.CLOZE,
        "The {{1}} {{2}} on the {{3}}.",
    )
    assert [[o.html for o in g.options] for g in question.gaps] == [
        ["cat", "sat", "mat", "dog", "table"]
    ] * 3
    assert [_correct(g.options) for g in question.gaps] == [["A"], ["B"], ["C"]]


def test_moodle_xml_matching_keeps_pairs_and_distractor(fixtures_dir):
    question = _parse_fixture(fixtures_dir, "qtype_match_testquestion.xml").questions[0]

    assert question.category == "Test questions"
    assert [(o.key, o.html, o.match_html) for o in question.options] == [
        ("L1", "frog", "amphibian"),
        ("L2", "cat", "mammal"),
        ("L3", "newt", "amphibian"),
        ("L4", "", "insect"),
    ]
    assert question.explanation_html == "General feedback."


def test_moodle_xml_shortanswer_keeps_grades_wildcard_and_case_rule(fixtures_dir):
    question = _parse_fixture(fixtures_dir, "qtype_shortanswer_testquestion.xml").questions[0]

    assert [(a.text, a.fraction, a.feedback_html) for a in question.text_answers] == [
        ("frog", Decimal(1), "Frog is a very good answer."),
        ("toad", Decimal("0.8"), "Toad is an OK good answer."),
        ("*", Decimal(0), "That is a bad answer."),
    ]
    assert question.is_case_sensitive is False


def test_moodle_xml_essay_and_description_keep_their_texts_and_points(fixtures_dir):
    essay = _parse_fixture(fixtures_dir, "qtype_essay_testquestion.xml").questions[0]
    description = _parse_fixture(fixtures_dir, "qtype_description_testquestion.xml").questions[0]

    assert (essay.type, essay.stem_html, essay.points) == (
        QuestionType.ESSAY,
        "Write an essay with 500 words.",
        Decimal(1),
    )
    assert essay.explanation_html == "This is general feedback"
    assert (description.type, description.points, description.category) == (
        QuestionType.DESCRIPTION,
        Decimal(0),
        "Default for C1",
    )


# --- Newer Moodle and hand-made files -------------------------------------------------------


def test_moodle_xml_reads_newer_tags_and_ignores_unknown_ones():
    body = (
        "<defaultgrade>2.5000000</defaultgrade><idnumber>TOAN-7</idnumber><showstandardinstruction>"
        "0</showstandardinstruction><single>false</single><newmoodletag><x/></newmoodletag>"
        '<answer fraction="50"><text>2</text></answer><answer fraction="50"><text>4</text></answer>'
        '<answer fraction="-100"><text>3</text></answer>'
        "<tags><tag><text>số học</text></tag><tag><text>lớp 6</text></tag></tags>"
    )
    question = moodle_xml.parse(_quiz(_question("multichoice", body))).questions[0]

    assert question.type == QuestionType.MULTIPLE_RESPONSE
    assert (question.points, question.source_id, question.tags) == (
        Decimal("2.5"),
        "TOAN-7",
        ["số học", "lớp 6"],
    )
    assert [(o.key, o.fraction, o.is_correct) for o in question.options] == [
        ("A", Decimal("0.5"), True),
        ("B", Decimal("0.5"), True),
        ("C", Decimal(-1), False),
    ]


def test_moodle_xml_crlf_bom_and_decomposed_vietnamese_become_nfc():
    stem = unicodedata.normalize("NFD", "Thủ đô của Việt Nam?")
    body = '<answer fraction="100"><text>Hà Nội</text></answer>'
    data = b"\xef\xbb\xbf" + _quiz(_question("shortanswer", body, stem=stem)).replace(
        b"\n", b"\r\n"
    )

    question = moodle_xml.parse(data).questions[0]

    assert question.stem_html == "Thủ đô của Việt Nam?"
    assert unicodedata.is_normalized("NFC", question.stem_html)


def test_moodle_xml_category_prefix_and_escaped_slash_are_handled():
    category = '<question type="category"><category><text>{}</text></category></question>'
    data = _quiz(
        category.format("$course$/top/Toán 10/Chương 1"),
        _question("essay", name="a"),
        category.format("$system$/top/Lý//Hóa"),
        _question("essay", name="b"),
    )

    assert [q.category for q in moodle_xml.parse(data).questions] == [
        "Toán 10/Chương 1",
        "Lý\u2215Hóa",
    ]


def test_moodle_xml_unknown_qtypes_are_skipped_with_vietnamese_message_and_line():
    data = _quiz(
        _question("essay", name="giữ"),
        _question("calculated", name="tính"),
        _question("random", name=""),
    )

    result = moodle_xml.parse(data)

    assert [q.title for q in result.questions] == ["giữ"]
    assert [(i.where, i.message) for i in result.skipped] == [
        ("Câu hỏi 2 (tính), dòng 4", "Loại câu hỏi 'calculated' chưa được hỗ trợ, đã bỏ qua."),
        ("Câu hỏi 3, dòng 5", "Loại câu hỏi 'random' chưa được hỗ trợ, đã bỏ qua."),
    ]


def test_moodle_xml_cloze_variants_numeric_case_sensitive_and_escapes():
    stem = (
        "A {2:MCV:Hà Nội#đúng~=Huế\\}x#sai} B {1:SAC:=Paris~%50%paris} "
        "C {1:NM:=3,5:0,1#tốt~%50%3.5:1} D {:NUMERICAL:=-2e1}"
    )
    question = moodle_xml.parse(_quiz(_question("cloze", stem=stem))).questions[0]

    assert question.stem_html == "A {{1}} B {{2}} C {{3}} D {{4}}"
    assert question.is_case_sensitive is True
    first, second, third, fourth = question.gaps
    assert [(o.html, o.is_correct, o.feedback_html) for o in first.options] == [
        ("Hà Nội", False, "đúng"),
        ("Huế}x", True, "sai"),
    ]
    assert (first.points, question.points) == (Decimal(2), Decimal(5))
    assert [(a.text, a.fraction) for a in second.text_answers] == [
        ("Paris", Decimal(1)),
        ("paris", Decimal("0.5")),
    ]
    assert [(a.value, a.tolerance, a.fraction) for a in third.numeric_answers] == [
        (Decimal("3.5"), Decimal("0.1"), Decimal(1)),
        (Decimal("3.5"), Decimal(1), Decimal("0.5")),
    ]
    assert fourth.numeric_answers[0].value == Decimal(-20)


def test_moodle_xml_cloze_with_multiresponse_gap_is_skipped():
    result = moodle_xml.parse(_quiz(_question("cloze", stem="Chọn {1:MR:~%50%a~%50%b~c}")))

    assert result.questions == []
    assert "MULTIRESPONSE" in result.skipped[0].message


def test_moodle_xml_url_encoded_file_names_become_decoded_asset_refs():
    stem = '<img src="@@PLUGINFILE@@/h%C3%ACnh%201.png"> <img src="@@PLUGINFILE@@/thieu.png">'
    file = '<file name="hình 1.png" path="/" encoding="base64">iVBORw0KGgo=</file>'
    data = _quiz(
        _question("essay", stem=stem).replace(
            "</text></questiontext>", f"</text>{file}</questiontext>"
        )
    )

    result = moodle_xml.parse(data)
    question = result.questions[0]

    assert question.stem_html == '<img src="@@ASSET@@/hình 1.png"> <img src="@@ASSET@@/thieu.png">'
    assert question.assets == [Asset("hình 1.png", b"\x89PNG\r\n\x1a\n", "image/png")]
    assert [w.message for w in result.warnings] == [
        "Thiếu tệp 'thieu.png' mà câu hỏi tham chiếu tới."
    ]


def test_moodle_xml_unreadable_question_is_skipped_and_the_rest_imported():
    data = _quiz(
        _question("numerical", '<answer fraction="100"><text>ba</text></answer>', name="số"),
        _question("multichoice", '<answer fraction="100"><text>chỉ một</text></answer>'),
        _question("truefalse", '<answer fraction="100"><text>true</text></answer>', name="đ"),
    )

    result = moodle_xml.parse(data)

    assert [(q.title, q.answer_bool) for q in result.questions] == [("đ", True)]
    assert [i.where for i in result.skipped] == ["Câu hỏi 1 (số), dòng 3", "Câu hỏi 2 (q), dòng 4"]


# --- Files that are not Moodle XML, or unsafe -----------------------------------------------


def test_moodle_xml_malformed_xml_names_the_line():
    with pytest.raises(BankFormatError, match="XML không hợp lệ ở dòng 3"):
        moodle_xml.parse(b'<?xml version="1.0"?>\n<quiz>\n<question type="essay"></quiz>')


def test_moodle_xml_other_root_or_empty_input_is_rejected():
    with pytest.raises(BankFormatError, match="<assessmentItem>"):
        moodle_xml.parse(b"<assessmentItem/>")
    with pytest.raises(BankFormatError, match="dòng 1"):
        moodle_xml.parse(b"")


def test_moodle_xml_unknown_declared_encoding_is_a_format_error():
    with pytest.raises(BankFormatError, match="bảng mã"):
        moodle_xml.parse(b'<?xml version="1.0" encoding="TF-8"?><quiz/>')


def test_moodle_xml_external_entity_is_refused():
    xxe = b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]><quiz>&x;</quiz>'
    with pytest.raises(BankFormatError, match="DOCTYPE"):
        moodle_xml.parse(xxe)


def test_moodle_xml_billion_laughs_is_refused_quickly():
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY l0 "ha">{entities}]><quiz>&l9;</quiz>'
    started = time.monotonic()

    with pytest.raises(BankFormatError):
        moodle_xml.parse(bomb.encode())
    assert time.monotonic() - started < 1


def test_moodle_xml_sniff_needs_a_quiz_root(fixtures_dir):
    assert moodle_xml.sniff((fixtures_dir / XML / "truefalse.xml").read_bytes())
    assert moodle_xml.sniff(b"\xef\xbb\xbf<!-- export -->\n<quiz></quiz>")
    assert not moodle_xml.sniff((fixtures_dir / "questions/qti21/items/choice.xml").read_bytes())
    assert not moodle_xml.sniff(
        (fixtures_dir / "questions/gift/moodle_questions.gift.txt").read_bytes()
    )


# --- Export ---------------------------------------------------------------------------------


def _sorted_assets(questions: list[Question]) -> list[Question]:
    return [replace(q, assets=sorted(q.assets, key=lambda a: a.name)) for q in questions]


@pytest.mark.parametrize("name", FIXTURES)
def test_moodle_xml_dump_then_parse_gives_the_same_questions(fixtures_dir, name):
    original = _parse_fixture(fixtures_dir, name)

    data = moodle_xml.dump(original.questions)
    again = moodle_xml.parse(data)

    assert moodle_xml.sniff(data)
    assert again.skipped == []
    assert _sorted_assets(again.questions) == _sorted_assets(original.questions)


def test_moodle_xml_dump_of_gift_examples_reads_back_the_same_except_generated_names(fixtures_dir):
    original = gift.parse((fixtures_dir / "questions/gift/moodle_gift_examples.txt").read_bytes())

    again = moodle_xml.parse(moodle_xml.dump(original.questions))

    assert len(again.questions) == 43
    assert [replace(q, title="") for q in again.questions] == [
        replace(q, title="") for q in original.questions
    ]


def test_moodle_xml_dump_writes_files_categories_and_cloze_like_moodle():
    options = [
        Option("A", "Hà Nội", True, Decimal(1), feedback_html="Đúng"),
        Option("B", "Huế", False, Decimal(0)),
    ]
    cloze = Question(
        type=QuestionType.CLOZE,
        stem_html='<p>Thủ đô {{1}} <img src="@@ASSET@@/bản đồ.png"></p>',
        title="Thủ đô",
        category="Địa 9/Bài 1",
        gaps=[Gap(1, QuestionType.SINGLE_CHOICE, Decimal(2), options=options)],
        assets=[Asset("bản đồ.png", b"PNGDATA", "image/png")],
    )

    text = moodle_xml.dump([cloze]).decode("utf-8")

    assert "<text>$course$/top/Địa 9/Bài 1</text>" in text
    assert '<question type="cloze">' in text
    assert "{2:MULTICHOICE:=Hà Nội#Đúng~Huế}" in text
    assert "@@PLUGINFILE@@/b%E1%BA%A3n%20%C4%91%E1%BB%93.png" in text
    assert '<file name="bản đồ.png" path="/" encoding="base64">UE5HREFUQQ==</file>' in text


def _drop_down(number: int, right: int) -> Gap:
    texts = ["mèo", "chó", "gà"]
    options = [
        Option("ABC"[i], text, i == right, Decimal(int(i == right))) for i, text in enumerate(texts)
    ]
    return Gap(number, QuestionType.SINGLE_CHOICE, options=options)


def test_moodle_xml_dump_writes_plain_drop_down_cloze_as_gapselect_keeping_points():
    question = Question(
        type=QuestionType.CLOZE,
        stem_html="Con {{1}} kêu meo, con {{2}} gáy.",
        title="Tiếng kêu",
        points=Decimal(1),
        gaps=[_drop_down(1, 0), _drop_down(2, 2)],
    )

    text = moodle_xml.dump([question]).decode("utf-8")

    assert '<question type="gapselect">' in text
    assert "Con [[1]] kêu meo, con [[3]] gáy." in text
    assert moodle_xml.parse(text.encode()).questions == [question]


def test_moodle_xml_dump_comments_out_types_moodle_lacks_and_derives_fractions():
    ordering = Question(type=QuestionType.ORDERING, stem_html="Sắp xếp")
    only_flags = Question(
        type=QuestionType.MULTIPLE_RESPONSE,
        stem_html="Chọn các số chẵn",
        options=[Option("A", "2", True), Option("B", "3"), Option("C", "4", True)],
    )

    data = moodle_xml.dump([ordering, only_flags])
    again = moodle_xml.parse(data).questions

    assert "Không xuất được câu hỏi 1 loại 'ordering'" in data.decode("utf-8")
    assert [(o.key, o.fraction) for o in again[0].options] == [
        ("A", Decimal("0.5")),
        ("B", Decimal(0)),
        ("C", Decimal("0.5")),
    ]


# --- Fuzzing: any input gives a ParseResult or a BankFormatError -----------------------------


def _parse_or_format_error(data: bytes) -> None:
    with contextlib.suppress(BankFormatError):
        assert isinstance(moodle_xml.parse(data), ParseResult)


@FUZZ
@given(st.binary(max_size=2000))
def test_moodle_xml_parse_never_fails_on_arbitrary_bytes(data):
    _parse_or_format_error(data)


@FUZZ
@given(
    source=st.sampled_from(
        [
            "multianswer.xml",
            "qtype_match_testquestion.xml",
            "qtype_gapselect_testquestion.xml",
            "qtype_shortanswer_testquestion.xml",
        ]
    ),
    edits=st.lists(
        st.tuples(
            st.integers(0, 8000),
            st.integers(0, 30),
            st.sampled_from(["", "<", ">", "}", "{1:MC:", "~", "#", "[[9]]", "%", "&amp;", "x"]),
        ),
        max_size=6,
    ),
)
def test_moodle_xml_parse_never_fails_on_mutated_fixtures(fixtures_dir, source, edits):
    text = (fixtures_dir / XML / source).read_text(encoding="utf-8")
    for position, length, insert in edits:
        position %= len(text) + 1
        text = text[:position] + insert + text[position + length :]
    _parse_or_format_error(text.encode("utf-8"))
