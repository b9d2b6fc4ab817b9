"""Text helpers shared by the XLSX, DOCX and QTI formats: NFC, accent folding, numbers, HTML."""

from __future__ import annotations

import html
import mimetypes
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from .model import Level

_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"</(p|div|li|tr|h[1-6]|blockquote)>|<br\s*/?>", re.IGNORECASE)
_IMG = re.compile(r"<img\b[^>]*?src=\"@@ASSET@@/([^\"]+)\"[^>]*>", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_PLUS_MINUS = re.compile(r"\s*(?:±|\+/-|\+-)\s*")
_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}
_MIME |= {".emf": "image/emf", ".wmf": "image/wmf", ".svg": "image/svg+xml"}
_MIME |= {".bmp": "image/bmp", ".webp": "image/webp", ".tif": "image/tiff", ".tiff": "image/tiff"}

LEVEL_NAMES = {
    Level.NHAN_BIET: "Nhận biết",
    Level.THONG_HIEU: "Thông hiểu",
    Level.VAN_DUNG: "Vận dụng",
    Level.VAN_DUNG_CAO: "Vận dụng cao",
}
_LEVEL_ALIASES = {
    "nhan biet": Level.NHAN_BIET,
    "nb": Level.NHAN_BIET,
    "biet": Level.NHAN_BIET,
    "thong hieu": Level.THONG_HIEU,
    "th": Level.THONG_HIEU,
    "hieu": Level.THONG_HIEU,
    "van dung": Level.VAN_DUNG,
    "vd": Level.VAN_DUNG,
    "van dung thap": Level.VAN_DUNG,
    "van dung cao": Level.VAN_DUNG_CAO,
    "vdc": Level.VAN_DUNG_CAO,
}


def nfc(text: str) -> str:
    """Compose decomposed (NFD) Vietnamese text so that equal words compare equal."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced text for matching words typed any way."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().replace("_", " ").split())


def text_to_html(text: str) -> str:
    """Escape plain text for HTML (NFC), keeping its line breaks as <br>."""
    lines = nfc(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment; images become "[Hình: name]" so they are not lost."""
    with_images = _IMG.sub(lambda m: f"[Hình: {m.group(1)}]", fragment)
    text = html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", with_images)))
    return "\n".join(line.strip() for line in text.strip().splitlines())


def parse_decimal(text: str) -> Decimal | None:
    """A number written the Vietnamese way ("0,25", "1.234,5") or the English way ("0.25")."""
    raw = nfc(text).strip().replace(" ", "").replace("\u2212", "-")
    if "," in raw and "." in raw:
        raw = raw.replace(".", "").replace(",", ".")
    if not _NUMBER.match(raw):
        return None
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None


def parse_tolerance(text: str) -> tuple[Decimal, Decimal] | None:
    """ "3,5 ± 0,1" -> (3.5, 0.1); a bare number has tolerance 0; anything else None."""
    parts = _PLUS_MINUS.split(nfc(text).strip())
    if len(parts) > 2:
        return None
    value = parse_decimal(parts[0])
    tolerance = parse_decimal(parts[1]) if len(parts) == 2 else Decimal(0)
    if value is None or tolerance is None or tolerance < 0:
        return None
    return value, tolerance


def format_decimal(value: Decimal) -> str:
    """A Decimal as Vietnamese teachers write it: no trailing zeros, decimal comma."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def parse_level(text: str) -> Level | None:
    """ "Nhận biết", "NB", "nhan_biet", "1" ... -> Level; unknown text -> None."""
    key = fold(text)
    if key in {"1", "2", "3", "4"}:
        return list(Level)[int(key) - 1]
    return _LEVEL_ALIASES.get(key)


def mime_type(name: str) -> str:
    """The MIME type of an asset from its file name."""
    ext = name[name.rfind(".") :].lower() if "." in name else ""
    return _MIME.get(ext) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name` with "-2", "-3"... before its extension when already taken."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}.{ext}" if dot else f"{stem}-{n}"
    taken.add(candidate)
    return candidate
