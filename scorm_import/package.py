"""One-call import: open the zip, parse the manifest, check its files against the archive."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import replace
from urllib.parse import unquote

from .archive import DEFAULT_LIMITS, ArchiveLimits, ScormArchive, Source, open_archive
from .errors import ManifestError
from .launch import is_external, member_path
from .manifest import parse_manifest
from .model import Package
from .xmlsafe import MAX_XML_BYTES

_MAX_LISTED = 20


def load_package(
    source: Source | ScormArchive,
    *,
    limits: ArchiveLimits = DEFAULT_LIMITS,
    allow_root_folder: bool = False,
) -> Package:
    """Open a SCORM zip (bytes, path, file object or an open ScormArchive) and describe it.

    Raises a ScormError subclass for anything that makes the package unusable; non-fatal
    problems end up in `Package.warnings`. Extraction is separate (`safe_extract`), so a
    preview never writes to disk.
    """
    if isinstance(source, ScormArchive):
        return _load(source)
    with open_archive(source, limits=limits, allow_root_folder=allow_root_folder) as archive:
        return _load(archive)


def _load(archive: ScormArchive) -> Package:
    data = archive.read_member(archive.manifest_name, MAX_XML_BYTES)

    def read_file(path: str) -> bytes | None:
        name = _member_name(path, archive.names)
        return archive.read_member(name, MAX_XML_BYTES) if name else None

    package = parse_manifest(data, read_file=read_file, where=archive.manifest_name)
    file_warnings = check_files(package, archive.names)
    return replace(
        package,
        root_prefix=archive.root_prefix,
        warnings=(*archive.warnings, *package.warnings, *file_warnings),
    )


def check_files(package: Package, names: Iterable[str]) -> tuple[str, ...]:
    """Check the manifest's files against the archive's member names.

    A missing launch file is fatal (ManifestError listing every one, with a hint when only
    the letter case differs); missing <file> entries and unknown dependencies are warnings.
    """
    present = frozenset(names)
    folded = {n.casefold(): n for n in sorted(present)}
    missing = []
    for title, path in _launch_paths(package):
        if _member_name(path, present) is None:
            near = folded.get(path.casefold())
            hint = f" (có tệp '{near}' khác chữ hoa/thường)" if near else ""
            missing.append(f"Mục '{title}': thiếu tệp '{path}'{hint}.")
    if missing:
        raise ManifestError(
            f"Gói SCORM không hợp lệ: thiếu {len(missing)} tệp khởi chạy được khai báo trong "
            "imsmanifest.xml.",
            where="imsmanifest.xml",
            details=missing[:50],
        )
    return _file_warnings(package, present)


def _launch_paths(package: Package) -> list[tuple[str, str]]:
    """(item title, archive path) of every launchable item in every organization."""
    found: list[tuple[str, str]] = []
    for org in package.organizations:
        for item in org.walk():
            resource = package.resources.get(item.resource_id) if item.resource_id else None
            if resource is None or not resource.href:
                continue
            where = f"tài nguyên '{resource.identifier}' (dòng {resource.line})"
            path = member_path(resource.base, resource.href, where=where)
            if path is not None and (item.title, path) not in found:
                found.append((item.title, path))
    return found


def _file_warnings(package: Package, present: frozenset[str]) -> tuple[str, ...]:
    declared = sorted(
        {f for r in package.resources.values() for f in r.files if not is_external(f)}
    )
    absent = [f for f in declared if _member_name(f, present) is None]
    warnings = []
    if absent:
        listed = ", ".join(absent[:_MAX_LISTED]) + (" ..." if len(absent) > _MAX_LISTED else "")
        warnings.append(f"{len(absent)} tệp khai báo trong manifest không có trong gói: {listed}")
    for resource in package.resources.values():
        unknown = [d for d in resource.dependencies if d not in package.resources]
        if unknown:
            warnings.append(
                f"Tài nguyên '{resource.identifier}' phụ thuộc vào tài nguyên không "
                f"tồn tại: {', '.join(unknown)}."
            )
    return tuple(warnings)


def _member_name(path: str, present: Iterable[str]) -> str | None:
    """The archive member for a manifest path, trying it as written and %xx-decoded."""
    members = present if isinstance(present, frozenset | set | dict) else frozenset(present)
    for candidate in (path, unquote(path)):
        cleaned = posixpath.normpath(candidate.split("#", 1)[0].split("?", 1)[0])
        if cleaned in members:
            return cleaned
    return None
