"""Safe reading and extraction of SCORM zip files, and locating imsmanifest.xml in them."""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .errors import ArchiveError, ScormError, UnsafeArchiveError
from .zipnames import (
    MANIFEST,
    case_warnings,
    check_tree,
    decode_name,
    find_folded,
    fold_index,
    locate_manifest,
    safe_name,
)

MiB = 1024 * 1024
_CHUNK = 64 * 1024
_SUPPORTED_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_ENCRYPTED_FLAGS = 0x1 | 0x40  # traditional PKWARE encryption, strong encryption
_ALLOWED_TYPES = (0, stat.S_IFREG, stat.S_IFDIR)  # 0: no Unix mode recorded (Windows tools)
# Exceptions zipfile and its decompressors raise on corrupt input.
_ZIP_FAILURES = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    ValueError,
    struct.error,
    NotImplementedError,
    zlib.error,
    LookupError,
    OverflowError,
)

Source = bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO


@dataclass(frozen=True)
class ArchiveLimits:
    """Limits applied while opening and extracting; every one can be changed per call.

    The compression-ratio check only applies to members of at least `ratio_min_size`
    bytes: small text files legitimately compress 200:1, and however they compress they
    cannot exhaust the disk, which `max_total_size` guards anyway.
    """

    max_entries: int = 10_000
    max_total_size: int = 500 * MiB
    max_ratio: float = 100.0
    ratio_min_size: int = 1 * MiB
    fallback_encoding: str = "cp437"


DEFAULT_LIMITS = ArchiveLimits()


@dataclass(frozen=True)
class Member:
    """A regular file of the package; `name` is relative to the package root."""

    name: str
    size: int
    compressed_size: int
    info: zipfile.ZipInfo = field(repr=False, compare=False)


class ScormArchive:
    """An opened, vetted SCORM zip. Use `open_archive` to create one; close it after use."""

    def __init__(
        self,
        zf: zipfile.ZipFile,
        members: dict[str, Member],
        directories: set[str],
        root_prefix: str,
        warnings: tuple[str, ...],
    ) -> None:
        self._zf = zf
        self._members = members
        self._directories = directories
        self._folded = fold_index(members)
        self.root_prefix = root_prefix
        self.manifest_name = MANIFEST if MANIFEST in members else find_folded(members, MANIFEST)
        self.warnings = warnings

    def __enter__(self) -> ScormArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zf.close()

    @property
    def names(self) -> tuple[str, ...]:
        """Regular files, relative to the package root, sorted."""
        return tuple(sorted(self._members))

    @property
    def total_size(self) -> int:
        return sum(m.size for m in self._members.values())

    def __contains__(self, name: object) -> bool:
        return name in self._members

    def find(self, name: str) -> str | None:
        """The stored name for `name`, matching exactly or else ignoring letter case."""
        if name in self._members:
            return name
        matches = self._folded.get(name.casefold(), ())
        return matches[0] if matches else None

    def read_member(self, name: str, max_bytes: int) -> bytes:
        """Read one member into memory, refusing more than `max_bytes`."""
        member = self._members.get(name)
        if member is None:
            raise ArchiveError(f"Không có tệp '{name}' trong gói SCORM.", where=name)
        if member.size > max_bytes:
            raise UnsafeArchiveError(
                f"Tệp '{name}' quá lớn để đọc ({member.size:,} byte, tối đa {max_bytes:,}).",
                where=name,
            )
        return b"".join(self._stream(member))

    def safe_extract(self, dest_dir: str | os.PathLike[str]) -> list[Path]:
        """Write every member under `dest_dir` (see the module-level `safe_extract`)."""
        return safe_extract(self, dest_dir)

    def _stream(self, member: Member) -> Iterator[bytes]:
        """Member data in chunks; never yields more than the declared size (size lies)."""
        seen = 0
        try:
            with self._zf.open(member.info) as handle:
                while chunk := handle.read(_CHUNK):
                    seen += len(chunk)
                    if seen > member.size:
                        raise _size_lie(member)
                    yield chunk
        except ScormError:
            raise
        except (*_ZIP_FAILURES, RuntimeError) as exc:
            raise UnsafeArchiveError(
                f"Gói SCORM bị hỏng hoặc bị sửa: không giải nén được '{member.name}' "
                f"({type(exc).__name__}: {exc}).",
                where=member.name,
            ) from exc
        if seen != member.size:
            raise _size_lie(member)


def open_archive(
    source: Source, *, limits: ArchiveLimits = DEFAULT_LIMITS, allow_root_folder: bool = False
) -> ScormArchive:
    """Open and vet a SCORM zip from bytes, a path or a binary file object.

    Raises ArchiveError (not a zip, encrypted, unsupported compression),
    UnsafeArchiveError (hostile names, links, limits) or ManifestNotFoundError.
    `allow_root_folder` accepts a package zipped together with its folder ('Course/
    imsmanifest.xml' and nothing outside 'Course/'): names are then given relative to that
    folder and `root_prefix` says which folder it was. It is off by default because SCORM
    requires the manifest at the root and other LMSs would reject such a zip.
    """
    zf = _open_zip(source)
    try:
        infos = zf.infolist()
        if len(infos) > limits.max_entries:
            raise UnsafeArchiveError(
                f"Gói SCORM có quá nhiều tệp ({len(infos):,}; tối đa {limits.max_entries:,})."
            )
        members, directories, warnings = _vet_members(infos, limits)
        prefix = locate_manifest(members, allow_root_folder)
        if prefix:
            members, directories = _strip_prefix(members, directories, prefix)
            warnings.append(
                f"Gói được nén kèm thư mục '{prefix}'; nội dung trong thư mục này "
                "được dùng làm gốc của gói."
            )
        archive = ScormArchive(zf, members, directories, prefix, tuple(warnings))
        if archive.manifest_name != MANIFEST:
            archive.warnings += (
                f"Tệp manifest tên là '{archive.manifest_name}'; SCORM yêu cầu đúng tên "
                f"'{MANIFEST}' (chữ thường).",
            )
        return archive
    except BaseException:
        zf.close()
        raise


def safe_extract(archive: ScormArchive, dest_dir: str | os.PathLike[str]) -> list[Path]:
    """Extract every member under `dest_dir`, which is created if needed; returns the files.

    Files are created exclusively (never overwriting, never following a symlink already
    present) with mode 0644, and each is written with a cap at its declared size. On
    failure the files written by this call are removed before the error propagates.
    """
    dest = Path(dest_dir).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for name in sorted(archive._directories):
            _make_dirs(dest, name.split("/"))
        for name in archive.names:
            written.append(_extract_one(archive, archive._members[name], dest))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def _extract_one(archive: ScormArchive, member: Member, dest: Path) -> Path:
    *folders, filename = member.name.split("/")
    target = _make_dirs(dest, folders) / filename
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags, 0o644)
    except FileExistsError as exc:
        raise UnsafeArchiveError(
            f"Không giải nén được '{member.name}': tệp đã tồn tại (có thể do hai tên chỉ khác "
            "chữ hoa/thường trên ổ đĩa không phân biệt hoa thường).",
            where=member.name,
        ) from exc
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in archive._stream(member):
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def _make_dirs(dest: Path, parts: list[str]) -> Path:
    """Create dest/parts one level at a time, refusing to pass through any symlink.

    mkdir(parents=True) would follow a symlinked folder already in dest and create
    directories outside it before any check could run.
    """
    current = dest
    for part in parts:
        current = current / part
        if current.is_symlink() or (current.exists() and not current.is_dir()):
            raise UnsafeArchiveError(
                f"Gói SCORM bị từ chối: '{current.relative_to(dest)}' trong thư mục giải nén là "
                "liên kết hoặc tệp, có thể trỏ ra ngoài thư mục giải nén.",
                where=str(current),
            )
        if not current.exists():
            current.mkdir()
    return current


def _open_zip(source: Source) -> zipfile.ZipFile:
    if isinstance(source, bytes | bytearray | memoryview):
        source = io.BytesIO(bytes(source))
    try:
        return zipfile.ZipFile(source)
    except _ZIP_FAILURES as exc:
        raise ArchiveError(
            "Tệp tải lên không phải tệp zip hợp lệ (gói SCORM phải là tệp .zip).",
            where=type(exc).__name__,
        ) from exc


def _vet_members(
    infos: list[zipfile.ZipInfo], limits: ArchiveLimits
) -> tuple[dict[str, Member], set[str], list[str]]:
    """Check every entry; returns regular files by canonical name, folders and warnings."""
    members: dict[str, Member] = {}
    directories: set[str] = set()
    total = 0
    for info in infos:
        name, is_dir = safe_name(decode_name(info, limits.fallback_encoding))
        _check_entry(info, name, limits)
        if is_dir or info.is_dir():
            if name:
                directories.add(name)
            continue
        if not name or name in members:
            raise UnsafeArchiveError(
                f"Gói SCORM bị từ chối: tên tệp '{name}' rỗng hoặc xuất hiện hai lần.", where=name
            )
        total += info.file_size
        if total > limits.max_total_size:
            raise UnsafeArchiveError(
                f"Gói SCORM quá lớn khi giải nén (vượt {limits.max_total_size // MiB:,} MB)."
            )
        members[name] = Member(name, info.file_size, info.compress_size, info)
    check_tree(members, directories)
    return members, directories, case_warnings(members)


def _check_entry(info: zipfile.ZipInfo, name: str, limits: ArchiveLimits) -> None:
    if info.flag_bits & _ENCRYPTED_FLAGS:
        raise ArchiveError(
            f"Gói SCORM có tệp được đặt mật khẩu ('{name}'); hãy nén lại không dùng mật khẩu.",
            where=name,
        )
    mode = (info.external_attr >> 16) & 0o170000
    if info.create_system == 3 and mode not in _ALLOWED_TYPES:
        kind = "liên kết tượng trưng (symlink)" if mode == stat.S_IFLNK else "tệp đặc biệt"
        raise UnsafeArchiveError(
            f"Gói SCORM bị từ chối vì không an toàn: '{name}' là {kind}.", where=name
        )
    if info.compress_type not in _SUPPORTED_METHODS:
        raise ArchiveError(
            f"Gói SCORM dùng kiểu nén không hỗ trợ (mã {info.compress_type}) cho '{name}'; "
            "hãy nén lại bằng kiểu nén thông thường (Deflate).",
            where=name,
        )
    if info.file_size >= limits.ratio_min_size:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            raise UnsafeArchiveError(
                f"Gói SCORM bị từ chối: tệp '{name}' có tỉ lệ nén {ratio:,.0f}:1 (tối đa "
                f"{limits.max_ratio:,.0f}:1), dấu hiệu của 'zip bomb'.",
                where=name,
            )


def _strip_prefix(
    members: dict[str, Member], directories: set[str], prefix: str
) -> tuple[dict[str, Member], set[str]]:
    stripped = {
        n[len(prefix) :]: Member(n[len(prefix) :], m.size, m.compressed_size, m.info)
        for n, m in members.items()
        if n.startswith(prefix)
    }
    folders = {d[len(prefix) :] for d in directories if d.startswith(prefix) and d != prefix[:-1]}
    return stripped, folders


def _size_lie(member: Member) -> UnsafeArchiveError:
    return UnsafeArchiveError(
        f"Gói SCORM bị từ chối: kích thước thật của '{member.name}' khác kích thước khai báo "
        f"({member.size:,} byte) — tệp zip đã bị sửa.",
        where=member.name,
    )
