"""Fidelity on the real files: every shared fixture imports, and export -> import through
LopHoc gives the same questions (GIFT, Moodle XML, QTI)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Question, QuestionAsset
from app.services import question_bank_access, question_files

ROUND_TRIPS = {
    "gift": ["gift/moodle_questions.gift.txt", "gift/moodle_gift_examples.txt"],
    "moodlexml": [
        "moodlexml/multichoice.xml",
        "moodlexml/truefalse.xml",
        "moodlexml/multianswer.xml",
        "moodlexml/qtype_match_testquestion.xml",
        "moodlexml/qtype_shortanswer_testquestion.xml",
        "moodlexml/qtype_essay_testquestion.xml",
    ],
    "qti": [
        "qti21/packages/test_Basic.zip",
        "qti21/packages/item_package_tao.zip",
        "qti21/items/choice_multiple.xml",
        "qti21/items/order.xml",
        "qti21/items/match.xml",
    ],
}
ASSET_URL = re.compile(r"/banks/assets/(\d+)")


def _contents(bank) -> list[dict]:
    """Each question's stored content, with asset URLs replaced by the asset's name."""
    names = {
        a.id: a.name
        for a in db.session.scalars(select(QuestionAsset).where(QuestionAsset.bank_id == bank.id))
    }
    out = []
    for question in db.session.scalars(
        select(Question).where(Question.bank_id == bank.id).order_by(Question.id)
    ):
        content = dict(question.versions[-1].content)
        text = ASSET_URL.sub(lambda m: f"asset:{names[int(m[1])]}", repr(content))
        out.append({"type": question.type, "points": str(question.points), "content": text})
    return out


def _comparable(items: list[dict]) -> list[tuple]:
    # source ids and titles may be renamed by an exporter (QTI item ids), the rest may not
    drop = re.compile(r"'(source_id|title)': '[^']*'")
    return [(i["type"], i["points"], drop.sub("", i["content"])) for i in items]


@pytest.mark.parametrize(
    ("fmt", "name"), [(f, n) for f, names in ROUND_TRIPS.items() for n in names]
)
def test_export_and_reimport_gives_the_same_questions(school, fixtures, fmt, name):
    first = question_bank_access.ensure_bank(None, school.id, f"A {name}")
    summary = question_files.import_file(
        None, first, (fixtures / "questions" / name).read_bytes(), name.rsplit("/", 1)[1]
    )
    assert summary.imported > 0
    from app.models import User

    admin = User(school_id=school.id, username="ad", full_name="Admin", role="admin")
    db.session.add(admin)
    db.session.commit()
    exported, filename = question_files.export_bank(admin, first.id, fmt)
    second = question_bank_access.ensure_bank(None, school.id, f"B {name}")
    again = question_files.import_file(None, second, exported, filename, fmt)
    assert again.imported == summary.imported, again.errors
    assert _comparable(_contents(second)) == _comparable(_contents(first))


def test_every_question_fixture_imports_or_is_refused_cleanly(school, fixtures):
    from app.core.errors import BadInput, ValidationFailed

    bank = question_bank_access.ensure_bank(None, school.id, "Tất cả")
    negatives = {"invalid_MalformedXMLTest.zip"}
    # no question LopHoc can store: a category only; QTI hotspot and adaptive items
    nothing_valid = {"category1.gift", "hotspot.xml", "adaptive.xml"}
    for path in sorted((fixtures / "questions").rglob("*")):
        if path.is_dir() or path.name.endswith(".expected.json"):
            continue
        if path.name in negatives:
            with pytest.raises(BadInput):
                question_files.import_file(None, bank, path.read_bytes(), path.name)
            continue
        if path.name in nothing_valid:
            with pytest.raises(ValidationFailed, match="không có câu hỏi hợp lệ"):
                question_files.import_file(None, bank, path.read_bytes(), path.name)
            continue
        summary = question_files.import_file(None, bank, path.read_bytes(), path.name)
        assert summary.imported + summary.unchanged + summary.skipped > 0, path.name
