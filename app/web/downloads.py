"""File names of downloads: one safe Content-Disposition, whatever a user named the file."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote


def safe_name(name: str | None, fallback: str = "tep") -> str:
    """The name with control/format characters (CR, LF, NUL, bidi overrides), quotes and path
    separators replaced; Vietnamese letters kept (NFC)."""
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(" " if unicodedata.category(ch)[0] in "CZ" and ch != " " else ch for ch in name)
    for bad, good in (('"', "'"), ("\\", "_"), ("/", "_"), (";", ","), ("%", "_")):
        name = name.replace(bad, good)
    name = " ".join(name.split()).strip(" .")
    return name[:200] or fallback


def content_disposition(name: str | None, fallback: str = "tep") -> str:
    """`attachment; filename="ascii"; filename*=UTF-8''...` (RFC 6266 / RFC 5987)."""
    name = safe_name(name, fallback)
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = plain.encode("ascii", "ignore").decode("ascii").strip() or fallback
    if plain == name:
        return f'attachment; filename="{plain}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
