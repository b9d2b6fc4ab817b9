"""Decoding plain-text question files and converting their text to HTML and back."""

from __future__ import annotations

import codecs
import html
import re
import unicodedata

from .model import ImportIssue

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def nfc(text: str) -> str:
    """Vietnamese text often arrives decomposed (NFD, from macOS or Word); store it composed."""
    return unicodedata.normalize("NFC", text)


def looks_binary(data: bytes) -> bool:
    """True for data no text editor would have saved (zip, images, PDF, random bytes)."""
    sample = data[:4096]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return b"\x00" in sample or controls > len(sample) // 100


def decode_text(data: bytes) -> tuple[str, list[ImportIssue]]:
    """Bytes to NFC text with "\\n" line ends; non-UTF-8 files are read as Windows-1258."""
    warnings: list[ImportIssue] = []
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            # Old Vietnamese Windows machines save "ANSI" text as cp1258; reading it so beats
            # refusing the file, and the warning tells the teacher to check the accents.
            text = data.decode("cp1258", errors="replace")
            warnings.append(
                ImportIssue(
                    where=f"byte {exc.start}",
                    message="Tệp không phải UTF-8, đã đọc theo bảng mã Windows-1258; "
                    "hãy kiểm tra lại dấu tiếng Việt.",
                )
            )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return nfc(text), warnings


def text_to_html(text: str) -> str:
    """Escape plain text for HTML, keeping its line breaks as <br>."""
    return html.escape(text, quote=False).replace("\n", "<br>")


def html_to_text(fragment: str) -> str:
    """Best-effort plain text of an HTML fragment (for fields a format keeps as plain text)."""
    return html.unescape(_TAG.sub("", _BR.sub("\n", fragment)))
