"""Safe, in-memory reading of zip packages (QTI, DOCX, XLSX) and their XML members."""

from __future__ import annotations

import io
import lzma
import posixpath
import re
import zipfile
import zlib
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .model import BankFormatError

MAX_ENTRIES = 2000
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
# Tiny members (headers, empty XML parts) legitimately compress far better than 100:1 and
# cannot hurt anyone, so the ratio limit only applies above this size.
RATIO_FLOOR_BYTES = 64 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    zlib.error,
    lzma.LZMAError,
    IndexError,
    KeyError,
)


def is_zip(data: bytes) -> bool:
    """True when the bytes start like a zip archive (local file header or empty archive)."""
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def is_ole(data: bytes) -> bool:
    """True for old binary Office files (.doc, .xls), which are OLE compound documents."""
    return data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _check_name(name: str) -> str:
    clean = name.replace("\\", "/")
    parts = clean.split("/")
    if clean.startswith("/") or _DRIVE.match(clean) or ".." in parts:
        raise BankFormatError(
            f"Tệp nén chứa đường dẫn không an toàn '{name}' (trỏ ra ngoài gói); "
            "tệp có thể đã bị chỉnh sửa độc hại nên không được nhập.",
        )
    return clean


class SafeZip:
    """A zip archive checked against traversal and zip bombs; members are read in memory."""

    def __init__(self, data: bytes):
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except _ZIP_ERRORS as exc:
            raise BankFormatError("Tệp không phải là tệp nén ZIP hợp lệ hoặc đã bị hỏng.") from exc
        if len(infos) > MAX_ENTRIES:
            raise BankFormatError(
                f"Tệp nén có {len(infos)} tệp con, vượt giới hạn {MAX_ENTRIES}; "
                "hãy chia nhỏ gói trước khi nhập."
            )
        self._infos: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = _check_name(info.filename)
            total += info.file_size
            self._check_ratio(info)
            if not info.is_dir():
                self._infos.setdefault(name, info)
        if total > MAX_TOTAL_BYTES:
            raise BankFormatError(
                "Tệp nén khi giải nén lớn hơn 200 MB; hãy giảm dung lượng ảnh hoặc chia nhỏ gói."
            )

    @staticmethod
    def _check_ratio(info: zipfile.ZipInfo) -> None:
        if info.file_size <= RATIO_FLOOR_BYTES:
            return
        if info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise BankFormatError(
                f"Tệp con '{info.filename}' có tỉ lệ nén bất thường (hơn {MAX_RATIO} lần), "
                "dấu hiệu của 'bom nén'; tệp không được nhập."
            )

    @property
    def names(self) -> list[str]:
        """Member file names (folders excluded), in archive order, with "/" separators."""
        return list(self._infos)

    def find(self, name: str) -> str | None:
        """The member name matching `name` exactly, else case-insensitively, else None."""
        clean = posixpath.normpath(name.replace("\\", "/")).lstrip("/")
        if clean in self._infos:
            return clean
        lowered = clean.lower()
        return next((n for n in self._infos if n.lower() == lowered), None)

    def read(self, name: str) -> bytes:
        """The bytes of a member; never more than its declared size is decompressed."""
        info = self._infos[name]
        try:
            with self._zip.open(info) as member:
                data = member.read(info.file_size + 1)
        except _ZIP_ERRORS as exc:
            raise BankFormatError(f"Không đọc được tệp '{name}' trong gói (tệp nén hỏng).") from exc
        if len(data) > info.file_size:
            raise BankFormatError(f"Tệp '{name}' trong gói lớn hơn kích thước khai báo.")
        return data


def parse_xml(data: bytes, name: str) -> Element:
    """Parse XML with defusedxml; malformed or entity-laden XML raises BankFormatError."""
    try:
        # No importer format needs a DTD: refuse every DOCTYPE (external DTDs included).
        return fromstring(data, forbid_dtd=True)
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else "?"
        raise BankFormatError(f"XML không hợp lệ ở dòng {line} ({exc}).", where=name) from exc
    except DefusedXmlException as exc:
        raise BankFormatError(
            "XML chứa khai báo thực thể/DTD (có thể là tấn công XXE hoặc 'billion laughs'); "
            "tệp không được nhập.",
            where=name,
        ) from exc
    except (ValueError, LookupError, RecursionError) as exc:
        raise BankFormatError(f"Không đọc được XML: {exc}", where=name) from exc


def local(tag: object) -> str:
    """Tag or attribute name without its namespace ("{ns}p" -> "p"); comments give ""."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def attr(el: Element, name: str, default: str = "") -> str:
    """An attribute by local name, whatever its namespace prefix."""
    if name in el.attrib:
        return el.attrib[name]
    for key, value in el.attrib.items():
        if local(key) == name:
            return value
    return default


def reject_dtds(archive: SafeZip) -> None:
    """OOXML parts never declare DTDs; refuse any that does before a third-party parser sees it."""
    for name in archive.names:
        if not name.lower().endswith((".xml", ".rels", ".vml")):
            continue
        head = archive.read(name)
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            head = head.decode("utf-16", errors="ignore").encode("utf-8")
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise BankFormatError(
                "Tệp chứa khai báo DTD/thực thể XML không được phép (nguy cơ tấn công XXE).",
                where=name,
            )
