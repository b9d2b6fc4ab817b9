"""Vietnamese text handling: NFC normalisation and accent folding for search and matching."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})


def nfc(text: str | None) -> str:
    """NFC-normalise and trim; Vietnamese typed on old keyboards often arrives decomposed."""
    if text is None:
        return ""
    return unicodedata.normalize("NFC", text).strip()


def clean_line(text: str | None) -> str:
    """NFC, trimmed, inner runs of white space collapsed to one space (names, titles)."""
    return _SPACES.sub(" ", nfc(text))


def fold(text: str | None) -> str:
    """Lower-case, accent-free form used to compare and search ("Nguyễn Đức" -> "nguyen duc")."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold().translate(_FOLD_EXTRA)).strip()


def like_pattern(query: str) -> str:
    """A LIKE pattern for a folded query: every word must appear, in order, anywhere."""
    words = [
        w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in fold(query).split()
    ]
    return "%" + "%".join(words) + "%" if words else "%"
