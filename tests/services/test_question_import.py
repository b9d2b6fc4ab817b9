"""Importing question files into a bank: real files from Moodle and QTI, sanitising, versions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.errors import BadInput
from app.extensions import db
from app.models import Question, QuestionAsset, QuestionCategory
from app.services import question_bank_access, question_files, questions


@pytest.fixture
def bank(school):
    bank = question_bank_access.ensure_bank(None, school.id, "Toán 10")
    db.session.commit()
    return bank


def _count(model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return db.session.scalar(stmt)


def test_moodle_gift_examples_import_once_and_reimport_changes_nothing(bank, fixtures):
    data = (fixtures / "questions/gift/moodle_gift_examples.txt").read_bytes()
    first = question_files.import_file(None, bank, data, "examples.txt")
    assert first.format == "gift"
    assert first.imported + first.skipped == 43
    again = question_files.import_file(None, bank, data, "examples.txt")
    assert (again.imported, again.updated, again.unchanged + again.skipped) == (0, 0, 43)
    assert _count(Question, bank_id=bank.id) == first.imported


def test_moodle_xml_images_become_stored_assets_linked_from_the_stem(bank, fixtures):
    data = (fixtures / "questions/moodlexml/multichoice.xml").read_bytes()
    summary = question_files.import_file(None, bank, data, "multichoice.xml")
    assert summary.imported == 1
    question = db.session.scalar(select(Question))
    content = questions.question_content(question)
    assert "@@PLUGINFILE@@" not in content.stem_html and "@@ASSET@@" not in content.stem_html
    asset_ids = db.session.scalars(select(QuestionAsset.id)).all()
    assert asset_ids and all(
        f"/banks/assets/{i}" in str(question.versions[-1].content) for i in asset_ids[:1]
    )


def test_qti_package_and_categories(bank, fixtures):
    data = (fixtures / "questions/qti21/packages/test_Basic.zip").read_bytes()
    summary = question_files.import_file(None, bank, data, "Basic.zip")
    assert (summary.format, summary.imported) == ("qti", 3)


def test_malformed_file_is_a_bad_input_and_writes_nothing(bank, fixtures):
    data = (fixtures / "questions/qti21/packages/invalid_MalformedXMLTest.zip").read_bytes()
    with pytest.raises(BadInput, match="XML không hợp lệ"):
        question_files.import_file(None, bank, data, "bad.zip")
    assert _count(Question) == 0


def test_script_in_imported_html_is_removed(bank):
    gift = b"::XSS::[html]<p onclick='x()'>2+2?</p><script>alert(1)</script>{=4 ~5}"
    question_files.import_file(None, bank, gift, "x.gift", "gift")
    content = questions.question_content(db.session.scalar(select(Question)))
    assert "<script" not in content.stem_html and "onclick" not in content.stem_html
    assert "2+2?" in content.stem_html


def test_changed_question_with_same_source_id_gets_new_version_once_used(bank):
    v1 = b"// [id:Q1]\n::Q1::Thu do cua Viet Nam?{=Ha Noi ~Hue}"
    question_files.import_file(None, bank, v1, "a.gift", "gift")
    question = db.session.scalar(select(Question))
    question.versions[-1].is_used = True  # as an exam attempt would mark it
    db.session.commit()
    v2 = b"// [id:Q1]\n::Q1::Thu do cua nuoc Viet Nam?{=Ha Noi ~Hue ~Da Nang}"
    summary = question_files.import_file(None, bank, v2, "a.gift", "gift")
    assert summary.updated == 1
    db.session.refresh(question)
    assert [v.number for v in question.versions] == [1, 2]
    assert "nuoc" in question.versions[-1].content["stem_html"]
    assert "nuoc" not in question.versions[0].content["stem_html"]


def test_search_ignores_accents(bank, make, school):
    gift = "::Địa lí::Thủ đô của Việt Nam là gì?{=Hà Nội ~Huế}\n".encode()
    question_files.import_file(None, bank, gift, "a.gift", "gift")
    teacher = make.user(school, "teacher")
    assert (
        questions.list_questions(
            teacher, bank.id, questions.QuestionFilter(query="thu do viet nam")
        ).total
        == 1
    )
    assert (
        questions.list_questions(teacher, bank.id, questions.QuestionFilter(query="ha noi")).total
        == 1
    )


def test_categories_from_gift_are_created(bank):
    gift = (
        b"$CATEGORY: Toan/Chuong 1\n\n::A::1+1?{=2 ~3}\n\n"
        b"$CATEGORY: Toan/Chuong 2\n\n::B::2+2?{=4 ~5}"
    )
    question_files.import_file(None, bank, gift, "c.gift", "gift")
    paths = sorted(db.session.scalars(select(QuestionCategory.path)))
    assert paths == ["Toan/Chuong 1", "Toan/Chuong 2"]


def test_export_round_trip_to_moodle_xml_keeps_questions(bank, fixtures, make, school):
    data = (fixtures / "questions/moodlexml/multichoice.xml").read_bytes()
    question_files.import_file(None, bank, data, "multichoice.xml")
    teacher = make.user(school, "teacher")
    exported, name = question_files.export_bank(teacher, bank.id, "moodlexml")
    assert name.endswith(".xml") and b"<quiz>" in exported
    other = question_bank_access.ensure_bank(None, school.id, "Bản sao")
    summary = question_files.import_file(None, other, exported, name)
    assert summary.imported == 1
    assert _count(QuestionAsset, bank_id=other.id) == _count(QuestionAsset, bank_id=bank.id)


def test_near_duplicates_are_found_by_folded_stem_and_options(bank, make, school):
    gift = (
        "::A::Thủ đô của Việt Nam?{=Hà Nội ~Huế}\n\n"
        "::B::thủ  đô của VIỆT NAM?{=Huế ~Hà Nội}\n\n"
        "::C::Thủ đô của Lào?{=Viêng Chăn ~Huế}\n"
    ).encode()
    question_files.import_file(None, bank, gift, "d.gift", "gift")
    teacher = make.user(school, "teacher")
    found = questions.list_questions(
        teacher, bank.id, questions.QuestionFilter(duplicates_only=True)
    )
    assert sorted(q.title for q in found.items) == ["A", "B"]


def test_invalid_questions_are_reported_and_skipped(bank):
    aiken = "Câu tốt?\nA. 1\nB. 2\nANSWER: A\n\nCâu thiếu?\nA. 1\nB. 2\nANSWER: E\n".encode()
    summary = question_files.import_file(None, bank, aiken, "a.txt", "aiken")
    assert summary.imported == 1 and summary.skipped == 1
    assert summary.errors[0]["where"].startswith("dòng")


def test_qti_items_with_the_same_identifier_from_two_files_are_both_kept(bank, fixtures):
    original = (fixtures / "questions/qti21/items/choice.xml").read_bytes()
    changed = original.replace(b"Look at the text in the picture.", b"Another question.")
    assert changed != original
    question_files.import_file(None, bank, original, "a.xml", "qti")
    summary = question_files.import_file(None, bank, changed, "b.xml", "qti")
    assert (summary.imported, summary.updated) == (1, 0)
    assert _count(Question, bank_id=bank.id) == 2


def test_ordering_items_get_keys_that_do_not_reveal_the_order(bank, fixtures):
    question_files.import_file(
        None, bank, (fixtures / "questions/qti21/items/order.xml").read_bytes(), "order.xml", "qti"
    )
    content = questions.question_content(db.session.scalar(select(Question)))
    keys = [o.key for o in content.options]
    assert all(k.startswith("o") and len(k) == 11 for k in keys)
    assert len(set(keys)) == len(keys) == 3
