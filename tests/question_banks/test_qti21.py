"""IMS QTI 2.1 import/export: the spec's example items, TAO packages, safety limits, round trip."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from question_banks import _safe_zip, qti21
from question_banks._vn_text import text_to_html
from question_banks.model import (
    Asset,
    BankFormatError,
    Gap,
    Level,
    NumericAnswer,
    Option,
    ParseResult,
    Question,
    QuestionType,
    TextAnswer,
)

NS = 'xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"'
MISSING_IMAGE = (
    "không tìm thấy tệp '{}' trong gói; câu hỏi vẫn được nhập nhưng ảnh/tệp này sẽ không "
    "hiển thị — hãy thêm tệp vào gói hoặc tải ảnh lên sau."
)


def _qti(fixtures_dir: Path, name: str) -> bytes:
    folder = "packages" if name.endswith(".zip") else "items"
    return (fixtures_dir / "questions" / "qti21" / folder / name).read_bytes()


def _item(fixtures_dir: Path, name: str) -> ParseResult:
    return qti21.parse(_qti(fixtures_dir, name), name)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _manifest(*hrefs: str) -> bytes:
    resources = "".join(
        f'<resource identifier="R{n}" type="imsqti_item_xmlv2p1" href="{h}"/>'
        for n, h in enumerate(hrefs)
    )
    return (
        '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><organizations/>'
        f"<resources>{resources}</resources></manifest>"
    ).encode()


def _choice_item(prompt: str = "Thủ đô của Việt Nam?", extra_body: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem {NS} identifier="vn1" title="Địa lí" adaptive="false" timeDependent="false">
 <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
  <correctResponse><value>hn</value></correctResponse></responseDeclaration>
 <itemBody>{extra_body}
  <choiceInteraction responseIdentifier="RESPONSE" maxChoices="1"><prompt>{prompt}</prompt>
   <simpleChoice identifier="hcm">TP. Hồ Chí Minh</simpleChoice>
   <simpleChoice identifier="hn">Hà Nội</simpleChoice></choiceInteraction>
 </itemBody></assessmentItem>""".encode()


# --- the IMS specification's example items -------------------------------------------------


def test_choice_item_becomes_single_choice_with_source_keys(fixtures_dir):
    result = _item(fixtures_dir, "choice.xml")
    [question] = result.questions
    assert question.type == QuestionType.SINGLE_CHOICE
    assert question.source_id == "choice"
    assert question.title == "Unattended Luggage"
    assert [(o.key, o.is_correct, o.fraction) for o in question.options] == [
        ("ChoiceA", True, 1),
        ("ChoiceB", False, 0),
        ("ChoiceC", False, 0),
    ]
    assert question.options[0].html == "You must stay with your luggage at all times."
    assert question.stem_html == (
        "<p>Look at the text in the picture.</p>"
        '<p><img src="images/sign.png" alt="NEVER LEAVE LUGGAGE UNATTENDED"></p>'
        "<p>What does it say?</p>"
    )


def test_image_missing_from_a_single_item_is_a_warning_not_a_skip(fixtures_dir):
    result = _item(fixtures_dir, "choice.xml")
    assert len(result.questions) == 1
    assert result.skipped == []
    assert [(w.where, w.message) for w in result.warnings] == [
        ("choice", MISSING_IMAGE.format("images/sign.png"))
    ]


def test_multiple_choice_fractions_come_from_the_mapping(fixtures_dir):
    [question] = _item(fixtures_dir, "choice_multiple.xml").questions
    assert question.type == QuestionType.MULTIPLE_RESPONSE
    assert {o.key for o in question.options if o.is_correct} == {"H", "O"}
    fractions = {o.key: o.fraction for o in question.options}
    # mapping H=1, O=1, Cl=-1, default -2, upperBound 2
    assert fractions == {
        "H": Decimal("0.5"),
        "O": Decimal("0.5"),
        "Cl": Decimal("-0.5"),
        "He": Decimal(-1),
        "C": Decimal(-1),
        "N": Decimal(-1),
    }


def test_text_entry_becomes_short_answer_with_mapped_variants(fixtures_dir):
    [question] = _item(fixtures_dir, "text_entry.xml").questions
    assert question.type == QuestionType.SHORT_ANSWER
    assert [(a.text, a.fraction) for a in question.text_answers] == [
        ("York", Decimal(1)),
        ("york", Decimal("0.5")),
    ]
    assert question.is_case_sensitive is True
    assert "Made glorious summer by this sun of _____;" in question.stem_html


def test_extended_text_is_an_essay_and_missing_picture_falls_back_to_its_text(fixtures_dir):
    result = _item(fixtures_dir, "extended_text.xml")
    [question] = result.questions
    assert question.type == QuestionType.ESSAY
    assert '<blockquote class="postcard"><p>Here is a postcard of my town.' in question.stem_html
    assert question.stem_html.endswith(
        "<p>Write Sam a postcard. Answer the questions. Write 25-35 words.</p>"
    )
    assert [w.message for w in result.warnings] == [MISSING_IMAGE.format("images/postcard.png")]


def test_match_interaction_pairs_left_items_with_their_play(fixtures_dir):
    [question] = _item(fixtures_dir, "match.xml").questions
    assert question.type == QuestionType.MATCHING
    assert [(o.key, o.html, o.match_html) for o in question.options] == [
        ("C", "Capulet", "Romeo and Juliet"),
        ("D", "Demetrius", "A Midsummer-Night's Dream"),
        ("L", "Lysander", "A Midsummer-Night's Dream"),
        ("P", "Prospero", "The Tempest"),
    ]
    assert [o.fraction for o in question.options] == [
        Decimal("0.3333333"),
        Decimal("0.1666667"),
        Decimal("0.1666667"),
        Decimal("0.3333333"),
    ]


def test_associate_interaction_becomes_matching_pairs(fixtures_dir):
    [question] = _item(fixtures_dir, "associate.xml").questions
    assert question.type == QuestionType.MATCHING
    assert [(o.html, o.match_html) for o in question.options] == [
        ("Antonio", "Prospero"),
        ("Capulet", "Montague"),
        ("Demetrius", "Lysander"),
    ]
    assert question.stem_html.startswith("<p>Hidden in this list of characters")


def test_order_interaction_lists_options_in_the_correct_order(fixtures_dir):
    [question] = _item(fixtures_dir, "order.xml").questions
    assert question.type == QuestionType.ORDERING
    assert [o.key for o in question.options] == ["DriverC", "DriverA", "DriverB"]
    assert question.options[0].html == "Michael Schumacher"


def test_inline_choice_becomes_cloze_with_a_marker_in_the_stem(fixtures_dir):
    [question] = _item(fixtures_dir, "inline_choice.xml").questions
    assert question.type == QuestionType.CLOZE
    assert "Made glorious summer by this sun of {{1}};" in question.stem_html
    [gap] = question.gaps
    assert gap.type == QuestionType.SINGLE_CHOICE
    assert [(o.key, o.html, o.is_correct) for o in gap.options] == [
        ("G", "Gloucester", False),
        ("L", "Lancaster", False),
        ("Y", "York", True),
    ]


def test_gap_match_becomes_cloze_with_gap_texts_as_options(fixtures_dir):
    [question] = _item(fixtures_dir, "gap_match.xml").questions
    assert question.type == QuestionType.CLOZE
    assert "Now is the {{1}} of our discontent<br>Made glorious {{2}} by" in question.stem_html
    assert "winter" not in question.stem_html  # gap texts are options, not stem
    assert [[o.key for o in g.options if o.is_correct] for g in question.gaps] == [["W"], ["Su"]]
    assert [g.points for g in question.gaps] == [Decimal(1), Decimal(2)]
    assert [o.html for o in question.gaps[0].options] == ["winter", "spring", "summer", "autumn"]


def test_hotspot_is_skipped_with_a_vietnamese_reason(fixtures_dir):
    result = _item(fixtures_dir, "hotspot.xml")
    assert result.questions == []
    assert [(s.where, s.message) for s in result.skipped] == [
        ("hotspot", "tương tác hotspotInteraction chưa được hỗ trợ")
    ]


def test_adaptive_item_is_skipped(fixtures_dir):
    result = _item(fixtures_dir, "adaptive.xml")
    assert result.questions == []
    assert [s.message for s in result.skipped] == [
        "câu hỏi thích ứng (adaptive, nhiều bước) chưa được hỗ trợ"
    ]


def test_modal_feedback_for_correct_and_incorrect_goes_to_the_options(fixtures_dir):
    [question] = _item(fixtures_dir, "modalFeedback.xml").questions
    assert question.type == QuestionType.SINGLE_CHOICE
    assert question.points == Decimal(10)
    assert [(o.key, o.is_correct, o.feedback_html) for o in question.options] == [
        ("true", True, "correct"),
        ("false", False, "incorrect"),
    ]


# --- content packages ----------------------------------------------------------------------


def test_basic_package_reads_the_three_items_in_test_order(fixtures_dir):
    result = _item(fixtures_dir, "test_Basic.zip")
    assert [q.source_id for q in result.questions] == ["Q01", "Q02", "Q03"]
    assert [[o.key for o in q.options if o.is_correct] for q in result.questions] == [
        ["tao"],
        ["lego"],
        ["turismo"],
    ]
    assert result.questions[1].stem_html == "<p>What are the favourite collectables of Jérôme</p>"
    assert result.skipped == [] and result.warnings == []


def test_pooling_package_imports_every_item_of_the_pool(fixtures_dir):
    result = _item(fixtures_dir, "test_PoolingNoReplacement.zip")
    assert [q.source_id for q in result.questions] == [f"Q{n:02d}" for n in range(1, 11)]
    assert result.questions[8].options[2].html == 'A "rendez-vous" point for dogfights'
    assert result.questions[3].options[1].html == "The Grumman <strong>F6F Hellcat</strong>"


def test_feedback_package_skips_the_survey_item_without_a_key(fixtures_dir):
    result = _item(fixtures_dir, "test_FeedbackBlockInlineLinear.zip")
    assert [q.source_id for q in result.questions] == ["Q01", "Q02", "Q03"]
    assert [s.where for s in result.skipped] == ["Q04"]
    assert "không có đáp án đúng" in result.skipped[0].message


def test_tao_item_package_keeps_its_image_as_an_asset(fixtures_dir):
    result = _item(fixtures_dir, "item_package_tao.zip")
    [question] = result.questions
    [asset] = question.assets
    assert (asset.name, asset.mime_type, len(asset.data)) == ("sign.png", "image/png", 4029)
    assert asset.data.startswith(b"\x89PNG")
    assert '<img src="@@ASSET@@/sign.png" alt="NEVER LEAVE LUGGAGE UNATTENDED">' in (
        question.stem_html
    )
    assert result.warnings == []


def test_malformed_test_xml_rejects_the_package_naming_file_and_line(fixtures_dir):
    with pytest.raises(BankFormatError) as error:
        _item(fixtures_dir, "invalid_MalformedXMLTest.zip")
    assert error.value.where == "test.xml"
    assert "dòng 6" in error.value.message


def test_package_with_missing_image_imports_question_with_warning():
    item = _choice_item(extra_body='<p><img src="img/ban_do.png" alt="bản đồ"/></p>')
    result = qti21.parse(_zip({"imsmanifest.xml": _manifest("q/item.xml"), "q/item.xml": item}))
    assert len(result.questions) == 1
    assert [w.message for w in result.warnings] == [MISSING_IMAGE.format("img/ban_do.png")]


def test_manifest_pointing_to_a_missing_item_reports_it_and_keeps_the_others():
    members = {"imsmanifest.xml": _manifest("a.xml", "b.xml"), "a.xml": _choice_item()}
    result = qti21.parse(_zip(members))
    assert [q.source_id for q in result.questions] == ["vn1"]
    assert [s.where for s in result.skipped] == ["b.xml"]


def test_package_without_manifest_is_rejected():
    with pytest.raises(BankFormatError, match=r"imsmanifest\.xml"):
        qti21.parse(_zip({"item.xml": _choice_item()}))


def test_decomposed_vietnamese_text_is_normalised_to_nfc():
    item = _choice_item(prompt=unicodedata.normalize("NFD", "Thủ đô của Việt Nam?"))
    [question] = qti21.parse(item, "item.xml").questions
    assert question.stem_html == "<p>Thủ đô của Việt Nam?</p>"
    assert question.options[1].html == "Hà Nội"


# --- safety ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad_name", ["../evil.xml", "/etc/passwd", "a/../../evil.xml", "C:/x"])
def test_zip_with_path_traversal_is_rejected(bad_name):
    data = _zip({"imsmanifest.xml": _manifest("a.xml"), bad_name: b"x"})
    with pytest.raises(BankFormatError, match="đường dẫn không an toàn"):
        qti21.parse(data)


def test_zip_with_too_many_entries_is_rejected():
    members = {f"f{n}.txt": b"" for n in range(2001)}
    with pytest.raises(BankFormatError, match="2001 tệp con"):
        qti21.parse(_zip(members))


def test_zip_member_with_huge_compression_ratio_is_rejected():
    data = _zip({"imsmanifest.xml": _manifest("a.xml"), "a.xml": b"\0" * 2_000_000})
    with pytest.raises(BankFormatError, match="bom nén"):
        qti21.parse(data)


def test_zip_larger_than_the_uncompressed_limit_is_rejected(monkeypatch):
    monkeypatch.setattr(_safe_zip, "MAX_TOTAL_BYTES", 1000)
    data = _zip({"imsmanifest.xml": _manifest("a.xml"), "a.xml": _choice_item() * 2})
    with pytest.raises(BankFormatError, match="200 MB"):
        qti21.parse(data)


def test_billion_laughs_is_rejected():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<assessmentItem>&lol2;</assessmentItem>"
    )
    with pytest.raises(BankFormatError, match="thực thể"):
        qti21.parse(bomb, "bomb.xml")


def test_external_entity_is_rejected():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<assessmentItem>&e;</assessmentItem>"
    )
    with pytest.raises(BankFormatError, match="XXE"):
        qti21.parse(xxe, "xxe.xml")


def test_malformed_single_item_names_file_and_line():
    with pytest.raises(BankFormatError) as error:
        qti21.parse(b"<assessmentItem>\n<itemBody>\n</assessmentItem>", "cau1.xml")
    assert error.value.where == "cau1.xml"
    assert "dòng 3" in error.value.message


def test_qti_1_2_file_is_refused_with_a_hint():
    with pytest.raises(BankFormatError, match=r"QTI 1\.2"):
        qti21.parse(b"<questestinterop><item/></questestinterop>", "old.xml")


def test_sniff_recognises_items_and_packages_but_not_other_files(fixtures_dir):
    assert qti21.sniff(_qti(fixtures_dir, "choice.xml"), "choice.xml")
    assert qti21.sniff(_qti(fixtures_dir, "item_package_tao.zip"))
    assert not qti21.sniff(b'<?xml version="1.0"?><quiz><question type="multichoice"/></quiz>')
    assert not qti21.sniff(_zip({"word/document.xml": b"<w:document/>"}))
    assert not qti21.sniff(b"PK\x03\x04garbage")


# --- export ---------------------------------------------------------------------------------


def _bank() -> list[Question]:
    one = Decimal(1)
    return [
        Question(
            QuestionType.SINGLE_CHOICE,
            'Cho <b>x</b> = 1.<br>Tính <i>y</i> &lt; 3 <img src="@@ASSET@@/hinh1.png">',
            title="Câu 1",
            points=Decimal("0.25"),
            options=[
                Option("A", "1", True, one, feedback_html="Đúng rồi"),
                Option("B", "2"),
                Option("C", "3", feedback_html="Chưa đúng"),
            ],
            explanation_html="<p>Vì 1 = 1</p>",
            level=Level.THONG_HIEU,
            subject="Toán",
            grade=10,
            topic="Mệnh đề",
            category="Toán 10/Chương 1",
            tags=["mệnh đề", "dễ"],
            assets=[Asset("hinh1.png", b"\x89PNG-data", "image/png")],
        ),
        Question(
            QuestionType.MULTIPLE_RESPONSE,
            "Chọn số chẵn",
            options=[
                Option("A", "2", True, Decimal("0.5")),
                Option("B", "3", False, Decimal("-0.5")),
                Option("C", "4", True, Decimal("0.5")),
            ],
        ),
        Question(QuestionType.TRUE_FALSE, "Trái Đất quay quanh Mặt Trời.", answer_bool=True),
        Question(
            QuestionType.TRUE_FALSE_CLUSTER,
            "Cho hàm số y = x².",
            options=[
                Option("a", "Hàm số đồng biến trên ℝ.", False),
                Option("b", "Đồ thị đi qua gốc tọa độ.", True),
                Option("c", "y(2) = 4.", True),
                Option("d", "y ≥ 0 với mọi x.", True),
            ],
        ),
        Question(
            QuestionType.SHORT_ANSWER,
            "Thủ đô của Việt Nam?",
            text_answers=[TextAnswer("Hà Nội"), TextAnswer("Ha Noi", Decimal("0.5"))],
            is_accent_sensitive=False,
        ),
        Question(
            QuestionType.NUMERIC,
            "1/2 bằng bao nhiêu?",
            numeric_answers=[
                NumericAnswer(Decimal("0.5"), Decimal("0.01")),
                NumericAnswer(Decimal("0.4"), Decimal(0), Decimal("0.5")),
            ],
        ),
        Question(
            QuestionType.MATCHING,
            "Ghép thành phố với quốc gia",
            options=[
                Option("A", "Hà Nội", True, match_html="Việt Nam"),
                Option("B", "Paris", True, match_html="Pháp"),
                Option("C", "Lyon", True, match_html="Pháp"),
                Option("X", "", match_html="Đức"),
            ],
        ),
        Question(
            QuestionType.ORDERING,
            "Sắp xếp theo thứ tự tăng dần",
            options=[Option("B", "1"), Option("A", "2"), Option("C", "3")],
        ),
        Question(QuestionType.ESSAY, "Viết đoạn văn", grader_info_html="<p>Chấm theo ý</p>"),
        Question(
            QuestionType.CLOZE,
            "Thủ đô của {{1}} là {{2}}; π ≈ {{3}}",
            gaps=[
                Gap(1, QuestionType.SINGLE_CHOICE, one, [Option("A", "Pháp", True, one)]),
                Gap(2, QuestionType.SHORT_ANSWER, Decimal(2), text_answers=[TextAnswer("Paris")]),
                Gap(
                    3,
                    QuestionType.NUMERIC,
                    one,
                    numeric_answers=[NumericAnswer(Decimal("3.14"), Decimal("0.01"))],
                ),
            ],
        ),
        Question(QuestionType.DESCRIPTION, "<p>Đọc đoạn văn sau.</p>"),
    ]


def test_dump_writes_a_manifest_and_one_item_file_per_question():
    names = zipfile.ZipFile(io.BytesIO(qti21.dump(_bank()))).namelist()
    assert names[0] == "imsmanifest.xml"
    assert [n for n in names if n.endswith("qti.xml")] == [
        f"items/Q{n:03d}/qti.xml" for n in range(1, 12)
    ]
    assert "items/Q001/media/hinh1.png" in names


def test_dump_then_parse_gives_back_every_question():
    original = _bank()
    result = qti21.parse(qti21.dump(original))
    assert result.skipped == [] and result.warnings == []
    assert len(result.questions) == len(original)
    for before, after in zip(original, result.questions, strict=True):
        after.source_id = before.source_id  # dump names items Q001, Q002...
        assert after == before, before.type


def test_dump_of_an_empty_bank_is_a_package_parse_rejects_cleanly():
    with pytest.raises(BankFormatError, match="không khai báo câu hỏi"):
        qti21.parse(qti21.dump([]))


# --- robustness -------------------------------------------------------------------------------


def _result_or_format_error(data: bytes, name: str = "") -> None:
    """Any input gives a ParseResult or a BankFormatError, never another exception."""
    try:
        result = qti21.parse(data, name)
    except BankFormatError:
        return
    assert isinstance(result, ParseResult)


FUZZ = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes_give_a_result_or_a_format_error(data):
    _result_or_format_error(data, "x.xml")
    assert isinstance(qti21.sniff(data), bool)


_SEEDS = ["choice.xml", "gap_match.xml", "match.xml", "test_Basic.zip", "item_package_tao.zip"]


@FUZZ
@given(
    st.sampled_from(_SEEDS),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=8),
    st.integers(0, 10**6),
)
def test_mutated_fixtures_give_a_result_or_a_format_error(name, flips, cut):
    fixtures = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
    if not fixtures.is_dir():
        pytest.skip("shared fixtures not found")
    data = bytearray(_qti(fixtures, name))
    for position, value in flips:
        data[position % len(data)] = value
    data = bytes(data[: max(cut, len(data) // 2)])
    _result_or_format_error(data, name)


@FUZZ
@given(st.text(max_size=200))
def test_any_stem_text_survives_a_round_trip(text):
    stem = text_to_html(text)
    [back] = qti21.parse(qti21.dump([Question(QuestionType.ESSAY, stem)])).questions
    # XML cannot carry control characters, and whitespace runs are insignificant in HTML.
    expected = _squash(re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", stem))
    assert _squash(back.stem_html) == expected


def _squash(markup: str) -> str:
    return re.sub(r"\s*<br>\s*", "<br>", re.sub(r"[ \t\r\n]+", " ", markup)).strip()


def test_gap_markers_in_a_non_cloze_stem_stay_plain_text():
    question = Question(QuestionType.ESSAY, "Điền vào {{1}} và {{2}}")
    [back] = qti21.parse(qti21.dump([question])).questions
    assert back.stem_html == "Điền vào {{1}} và {{2}}"
