"""Hostile or broken question files: a clear error, nothing executed, nothing written."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from app.core.errors import BadInput, TooLarge, ValidationFailed
from app.extensions import db
from app.models import Question
from app.services import question_bank_access, question_files, questions


@pytest.fixture
def bank(school):
    bank = question_bank_access.ensure_bank(None, school.id, "Kiểm thử")
    db.session.commit()
    return bank


def _questions() -> int:
    return db.session.scalar(select(func.count()).select_from(Question))


def test_xml_with_external_entity_is_refused(bank, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("bí mật")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<quiz><question type="essay"><name><text>&x;</text></name>'
        "<questiontext><text>&x;</text></questiontext></question></quiz>"
    ).encode()
    with pytest.raises(BadInput):
        question_files.import_file(None, bank, xml, "xxe.xml", "moodlexml")
    assert _questions() == 0


def test_billion_laughs_is_refused_quickly(bank):
    entities = '<!ENTITY l0 "ha">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    xml = f'<?xml version="1.0"?><!DOCTYPE quiz [{entities}]><quiz>&l9;</quiz>'.encode()
    with pytest.raises(BadInput):
        question_files.import_file(None, bank, xml, "lol.xml", "moodlexml")


def test_qti_package_with_path_traversal_is_refused(bank, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", "<manifest/>")
        archive.writestr("../../etc/passwd", "root:x:0:0")
    with pytest.raises(BadInput, match=r"\.\./"):
        question_files.import_file(None, bank, buffer.getvalue(), "evil.zip", "qti")
    assert not (tmp_path.parent.parent / "etc" / "passwd").exists()
    assert _questions() == 0


def test_gift_in_windows_1258_is_read(bank):
    import unicodedata

    text = "::Q::Thủ đô của Việt Nam?{=Hà Nội ~Huế}"
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    encoded = "".join(
        unicodedata.normalize(
            "NFC", "".join(c for c in unicodedata.normalize("NFD", ch) if c not in tones)
        )
        + "".join(c for c in unicodedata.normalize("NFD", ch) if c in tones)
        for ch in text
    ).encode("cp1258")
    summary = question_files.import_file(None, bank, encoded, "cu.gift", "gift")
    assert summary.imported == 1
    content = questions.question_content(db.session.scalar(select(Question)))
    assert "Thủ đô của Việt Nam" in content.stem_html
    assert [o.html for o in content.options if o.is_correct] == ["Hà Nội"]


def test_duplicate_options_and_missing_key_are_reported_per_question(bank):
    gift = ("::Trùng::Thủ đô?{=Hà Nội ~ha noi ~Huế}\n\n::Tốt::1 + 1?{=2 ~3}\n").encode()
    summary = question_files.import_file(None, bank, gift, "a.gift", "gift")
    assert summary.imported == 1
    assert summary.errors == [
        {"where": "Trùng", "message": "Phương án B trùng nội dung với phương án A"}
    ]


def test_oversized_file_is_refused_before_parsing(bank):
    with pytest.raises(TooLarge):
        question_files.import_file(None, bank, b"x" * (51 * 1024 * 1024), "big.docx")


def test_file_with_only_bad_questions_writes_nothing(bank):
    with pytest.raises(ValidationFailed):
        question_files.import_file(None, bank, b"Q?\nA. 1\nB. 2\n", "a.txt", "aiken")
    assert _questions() == 0
