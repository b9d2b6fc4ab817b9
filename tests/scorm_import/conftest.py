"""Shared helpers for the scorm_import tests: fixture packages and zip builders."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"

MINIMAL_MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m1" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o1">
    <organization identifier="o1">
      <title>Bài học thử</title>
      <item identifier="i1" identifierref="r1"><title>Trang 1</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>
""".encode()


@pytest.fixture
def fixture_zip() -> Callable[[str], Path]:
    """Path of a real package under shared/fixtures, skipping when shared/ is absent."""

    def get(relative: str) -> Path:
        path = FIXTURES / relative
        if not path.is_file():
            pytest.skip(
                f"SCORM fixture {relative} not found under {FIXTURES}; CI clones shared/ "
                "beside the repository"
            )
        return path

    return get


def build_zip(
    entries: Iterable[tuple[str | zipfile.ZipInfo, bytes]], *, deflate: bool = True
) -> bytes:
    """A zip holding the given (name or ZipInfo, data) entries, in order."""
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", compression=method) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buffer.getvalue()


def package_zip(
    *extra: tuple[str | zipfile.ZipInfo, bytes], manifest: bytes = MINIMAL_MANIFEST_12
) -> bytes:
    """A valid minimal SCORM 1.2 package plus any extra entries."""
    return build_zip([("imsmanifest.xml", manifest), ("index.html", b"<html>ok</html>"), *extra])


def patch_headers(
    data: bytes, name: bytes, *, offset_local: int, offset_central: int, fmt: str, value: int
) -> bytes:
    """Overwrite one field of a member's local and central headers (to forge hostile zips)."""
    out = bytearray(data)
    for signature, field_offset, name_offset in (
        (b"PK\x03\x04", offset_local, 30),
        (b"PK\x01\x02", offset_central, 46),
    ):
        start = 0
        while (pos := out.find(signature, start)) != -1:
            if out[pos + name_offset : pos + name_offset + len(name)] == name:
                struct.pack_into(fmt, out, pos + field_offset, value)
            start = pos + 4
    return bytes(out)


@pytest.fixture
def zips() -> object:
    """Namespace of zip builders for tests."""

    class Zips:
        build = staticmethod(build_zip)
        package = staticmethod(package_zip)
        patch = staticmethod(patch_headers)
        manifest_12 = MINIMAL_MANIFEST_12

    return Zips
