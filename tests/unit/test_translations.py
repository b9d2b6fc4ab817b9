"""The English catalogue covers every Vietnamese source string and is compiled."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "app" / "translations" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_message_has_an_english_translation_with_the_same_placeholders():
    with open(CATALOGUE / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    missing, broken = [], []
    for message in catalogue:
        if not message.id:
            continue
        if not message.string or message.fuzzy:
            missing.append(message.id)
        elif set(PLACEHOLDER.findall(message.id)) != set(PLACEHOLDER.findall(message.string)):
            broken.append(message.id)
    assert missing == [], "run `make translations` and translate these"
    assert broken == []


def test_compiled_catalogue_matches_the_source():
    with open(CATALOGUE / "messages.po", "rb") as handle:
        source = {m.id: m.string for m in read_po(handle) if m.id}
    with open(CATALOGUE / "messages.mo", "rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    assert compiled == source, "run `pybabel compile -d app/translations` (make translations)"
