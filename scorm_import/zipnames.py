"""Zip member names: decoding, safety checks, case clashes and where imsmanifest.xml sits."""

from __future__ import annotations

import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Collection, Iterable

from .errors import ManifestNotFoundError, UnsafeArchiveError

MANIFEST = "imsmanifest.xml"
# Folders that archivers add beside the content; ignored when looking for a single top folder.
_JUNK_TOP = ("__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini")

_UTF8_FLAG = 0x800
_UNICODE_PATH_EXTRA = 0x7075
_DRIVE = re.compile(r"^[A-Za-z]:")
_MAX_NAME_CHARS = 1024
_MAX_COMPONENT_BYTES = 255


def decode_name(info: zipfile.ZipInfo, fallback_encoding: str = "cp437") -> str:
    """The member name as its author wrote it.

    zipfile decodes names without the UTF-8 flag as cp437, but 7-Zip, macOS and many
    Linux tools write UTF-8 without setting the flag, so Vietnamese names would come out as
    mojibake ('bà i há»\x8dc'). Order: UTF-8 flag, Info-ZIP Unicode Path extra field,
    bytes that are valid UTF-8, then `fallback_encoding` (cp437 by the spec).
    """
    if info.flag_bits & _UTF8_FLAG:
        return info.orig_filename
    raw = info.orig_filename.encode("cp437")  # zipfile decoded with cp437: undo it exactly
    unicode_path = _unicode_path(info.extra, raw)
    if unicode_path is not None:
        return unicode_path
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode(fallback_encoding, errors="replace")


def _unicode_path(extra: bytes, raw_name: bytes) -> str | None:
    """UTF-8 name from extra field 0x7075, used only if its CRC matches the header name."""
    pos = 0
    while pos + 4 <= len(extra):
        header_id, size = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if header_id != _UNICODE_PATH_EXTRA or len(body) < 5 or body[0] != 1:
            continue
        (crc,) = struct.unpack_from("<I", body, 1)
        if crc != zlib.crc32(raw_name):
            return None  # stale field: the name was changed after the field was written
        try:
            return body[5:].decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


def safe_name(name: str) -> tuple[str, bool]:
    """Canonical package-relative path of a member and whether it is a directory.

    Backslashes count as separators (Windows tools write them, and '..\\..\\x' must not slip
    through); '.' and empty components are dropped; '..', absolute paths, drive letters,
    NUL or control characters and over-long names raise UnsafeArchiveError. Names are NFC
    normalised so macOS's decomposed Vietnamese ('hoc' + combining marks) matches the
    manifest's composed form.
    """
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise _unsafe(name, "chứa ký tự điều khiển")
    unified = name.replace("\\", "/")
    if unified.startswith("/"):
        raise _unsafe(name, "là đường dẫn tuyệt đối")
    if _DRIVE.match(unified):
        raise _unsafe(name, "chứa ký tự ổ đĩa Windows")
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise _unsafe(name, "chứa '..' (trỏ ra ngoài thư mục giải nén)")
    canonical = unicodedata.normalize("NFC", "/".join(parts))
    too_long = len(canonical) > _MAX_NAME_CHARS or any(
        len(p.encode("utf-8")) > _MAX_COMPONENT_BYTES for p in parts
    )
    if too_long:
        raise _unsafe(name[:80], "quá dài")
    return canonical, unified.endswith("/")


def _unsafe(name: str, reason: str) -> UnsafeArchiveError:
    return UnsafeArchiveError(
        f"Gói SCORM bị từ chối vì không an toàn: tên tệp '{name}' {reason}.", where=name
    )


def check_tree(files: Iterable[str], directories: Iterable[str]) -> None:
    """A name may not be both a file and a folder ('a' and 'a/b'): extraction would fail."""
    file_set = set(files)
    folders = set(directories)
    for name in file_set:
        parts = name.split("/")
        folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
    clash = sorted(folders & file_set)
    if clash:
        raise UnsafeArchiveError(
            f"Gói SCORM bị từ chối: '{clash[0]}' vừa là tệp vừa là thư mục.", where=clash[0]
        )


def case_warnings(names: Iterable[str]) -> list[str]:
    """One warning per group of names that differ only by letter case."""
    groups = [group for group in fold_index(names).values() if len(group) > 1]
    return [
        "Các tệp chỉ khác nhau chữ hoa/thường: "
        + ", ".join(f"'{n}'" for n in group)
        + " (có thể lỗi trên máy chủ không phân biệt hoa thường)."
        for group in sorted(groups)[:20]
    ]


def fold_index(names: Iterable[str]) -> dict[str, list[str]]:
    """Names grouped by their case-folded form."""
    index: dict[str, list[str]] = {}
    for name in sorted(names):
        index.setdefault(name.casefold(), []).append(name)
    return index


def find_folded(names: Iterable[str], name: str) -> str:
    """`name` itself, or the first stored name equal to it ignoring case."""
    return next((n for n in sorted(names) if n.casefold() == name.casefold()), name)


def locate_manifest(names: Collection[str], allow_root_folder: bool) -> str:
    """Return the root prefix ('' normally) or raise ManifestNotFoundError."""
    if any(n.casefold() == MANIFEST for n in names):
        return ""
    nested = sorted(
        (n for n in names if n.rsplit("/", 1)[-1].casefold() == MANIFEST),
        key=lambda n: (n.count("/"), n),
    )
    if not nested:
        raise ManifestNotFoundError(
            "Không tìm thấy imsmanifest.xml ở thư mục gốc của gói. Đây có thể không phải gói "
            "SCORM: gói SCORM là tệp .zip có imsmanifest.xml ngay ở thư mục gốc."
        )
    prefix = nested[0].rsplit("/", 1)[0] + "/"
    if allow_root_folder and prefix.count("/") == 1 and _only_under(names, prefix):
        return prefix
    raise ManifestNotFoundError(
        "Không tìm thấy imsmanifest.xml ở thư mục gốc của gói; tệp này đang nằm trong thư mục "
        f"con '{prefix}'. Hãy mở thư mục đó, chọn tất cả tệp bên trong rồi nén lại (không nén "
        "cả thư mục).",
        where=nested[0],
    )


def _only_under(names: Iterable[str], prefix: str) -> bool:
    return all(n.startswith(prefix) or n.split("/", 1)[0] in _JUNK_TOP for n in names)
