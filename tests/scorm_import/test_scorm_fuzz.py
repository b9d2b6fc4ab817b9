"""Fuzzing: any input to the archive, manifest and CMI code gives a result or a ScormError."""

from __future__ import annotations

import io
import tempfile
import warnings
import xml.etree.ElementTree as ET
import zipfile
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorm_import import (
    Package,
    ScormError,
    load_package,
    open_archive,
    parse_duration,
    parse_manifest,
    summarise,
    validate,
)
from scorm_import.launch import member_path

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
FIXTURE_PACKAGES = [
    "scorm12/PrerequisitesTest_SCORM12.zip",
    "scorm12/ContentPackagingWithMetadata_SCORM12.zip",
    "scorm12/RuntimeMinimumCalls_SCORM12.zip",
    "scorm2004/RunTimeAdvancedCalls_SCORM20043rdEdition.zip",
    "scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip",
    "scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition.zip",
    "scorm2004/SequencingSimpleRemediation_SCORM20043rdEdition.zip",
]
# Deterministic (derandomize) so CI never fails on a draw it has not seen before; no
# example database, so nothing is written into the working tree.
FUZZ = settings(
    max_examples=120,
    deadline=timedelta(seconds=2),
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
INTERESTING = [
    "", "sco", "asset", "true", "false", "1.2", "CAM 1.3", "2004 4th Edition", "-1", "1e9",
    "../x.html", "/abs.html", "javascript:alert(1)", "http://x.invalid/a", "?a=1#b", "#f",
    "PT1H", "99:99:99", "r1", "i1", "o", "res_module1", "common_files", "content_seq_rules",
]  # fmt: skip
SMALL_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>Bài học</title>
    <item identifier="i1" identifierref="r1" parameters="?a=1"><title>Trang 1</title></item>
  </organization></organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco"
    href="index.html"><file href="bài học/ảnh.png"/></resource></resources>
</manifest>"""


@lru_cache(maxsize=1)
def _small_package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", SMALL_MANIFEST)
        zf.writestr("index.html", "<html>" + "xin chào " * 50 + "</html>")
        zf.writestr("bài học/ảnh.png", bytes(range(256)))
    return buffer.getvalue()


def _result_or_scorm_error(call, *args, **kwargs) -> object:
    try:
        return call(*args, **kwargs)
    except ScormError as exc:
        assert exc.message  # every refusal carries a message for the teacher
        return exc


def _manifest_of(relative: str) -> bytes:
    path = FIXTURES / relative
    if not path.is_file():
        pytest.skip(f"SCORM fixture {relative} not found under {FIXTURES}")
    with zipfile.ZipFile(path) as zf:
        return zf.read("imsmanifest.xml")


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_crash_archive_opening(data):
    result = _result_or_scorm_error(open_archive, data)
    if not isinstance(result, ScormError):
        result.close()


@FUZZ
@given(
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8),
    st.one_of(st.none(), st.integers(min_value=0)),
)
def test_mutated_zip_bytes_give_a_package_or_a_scorm_error(mutations, cut):
    data = bytearray(_small_package())
    for index, value in mutations:
        data[index % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data)]
    result = _result_or_scorm_error(load_package, bytes(data))
    assert isinstance(result, Package | ScormError)
    with tempfile.TemporaryDirectory() as dest:
        archive = _result_or_scorm_error(open_archive, bytes(data))
        if not isinstance(archive, ScormError):
            with archive:
                _result_or_scorm_error(archive.safe_extract, dest)
            assert all(Path(dest) in p.resolve().parents for p in Path(dest).rglob("*"))


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_crash_manifest_parsing(data):
    assert isinstance(_result_or_scorm_error(parse_manifest, data), Package | ScormError)


@FUZZ
@given(st.text(max_size=2000))
def test_arbitrary_text_never_crashes_manifest_parsing(text):
    wrapped = f'<manifest identifier="m">{text}</manifest>'.encode()
    for data in (text.encode(), wrapped):
        assert isinstance(_result_or_scorm_error(parse_manifest, data), Package | ScormError)


def _mutate_tree(root: ET.Element, data: st.DataObject) -> None:
    elements = list(root.iter())
    for _ in range(data.draw(st.integers(1, 6))):
        target = data.draw(st.sampled_from(elements))
        operation = data.draw(st.sampled_from(["drop", "dup", "attr", "text"]))
        value = data.draw(st.one_of(st.sampled_from(INTERESTING), st.text(max_size=12)))
        if operation in ("drop", "dup") and len(target):
            victim = data.draw(st.sampled_from(list(target)))
            if operation == "drop":
                target.remove(victim)
            else:
                target.append(victim)
        elif operation == "attr" and target.attrib:
            target.set(data.draw(st.sampled_from(sorted(target.attrib))), value)
        else:
            target.text = value


@pytest.mark.parametrize("relative", FIXTURE_PACKAGES)
@settings(FUZZ, max_examples=40)
@given(data=st.data())
def test_mutated_fixture_manifests_give_a_package_or_a_scorm_error(relative, data):
    root = ET.fromstring(_manifest_of(relative))  # noqa: S314 - trusted fixture, not input
    _mutate_tree(root, data)
    mutated = ET.tostring(root)
    assert isinstance(_result_or_scorm_error(parse_manifest, mutated), Package | ScormError)


@pytest.mark.parametrize("relative", FIXTURE_PACKAGES[:3])
@settings(FUZZ, max_examples=40)
@given(cuts=st.lists(st.integers(min_value=0), min_size=1, max_size=3))
def test_truncated_or_spliced_fixture_manifests_are_refused_cleanly(relative, cuts):
    source = _manifest_of(relative)
    pieces = [source[: c % len(source)] for c in cuts]
    assert isinstance(
        _result_or_scorm_error(parse_manifest, b"".join(pieces)), Package | ScormError
    )


CMI_ELEMENTS = [
    "cmi.core.lesson_status", "cmi.core.score.raw", "cmi.core.session_time",
    "cmi.interactions.0.result", "cmi.score.scaled", "cmi.session_time", "cmi.exit",
    "adl.nav.request", "cmi.interactions.3.description", "cmi.foo", "cmi.interactions.x.id",
]  # fmt: skip


@FUZZ
@given(
    st.sampled_from(["1.2", "2004-3rd"]),
    st.one_of(st.sampled_from(CMI_ELEMENTS), st.text(max_size=40)),
    st.text(max_size=100),
)
def test_cmi_validation_returns_the_value_or_a_cmi_error(version, element, value):
    result = _result_or_scorm_error(validate, version, element, value)
    assert result == value or isinstance(result, ScormError)
    duration = _result_or_scorm_error(parse_duration, version, value)
    assert isinstance(duration, timedelta | ScormError)


@FUZZ
@given(
    st.sampled_from(["1.2", "2004-4th"]),
    st.dictionaries(
        st.sampled_from([*CMI_ELEMENTS, "cmi.completion_status"]), st.text(max_size=20)
    ),
)
def test_summarise_never_raises_on_stored_garbage(version, cmi):
    summary = summarise(version, cmi)
    assert summary.score_scaled is None or 0 <= summary.score_scaled <= 1


@FUZZ
@given(st.text(max_size=30), st.text(max_size=60))
def test_member_path_never_points_outside_the_package(base, href):
    result = _result_or_scorm_error(member_path, base, href, where="fuzz")
    if isinstance(result, str):
        assert not result.startswith(("/", "../")) and result != ".."


NAME_PARTS = st.sampled_from(["..", ".", "", "a", "B", "bài", "C:", "\\", "/", "x.html", "\x00"])


# zipfile cannot write a name that is empty before its first NUL; everything else goes.
NAMES = (
    st.lists(NAME_PARTS, min_size=1, max_size=5)
    .map("/".join)
    .filter(lambda name: name.split("\x00")[0] != "")
)


@FUZZ
@given(st.lists(NAMES, max_size=6))
def test_random_member_names_extract_inside_the_destination_or_are_refused(names):
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicates we ask for
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("imsmanifest.xml", SMALL_MANIFEST)
            for name in names:
                zf.writestr(name, b"x")
    with tempfile.TemporaryDirectory() as parent:
        dest = Path(parent) / "dest"
        archive = _result_or_scorm_error(open_archive, buffer.getvalue())
        if not isinstance(archive, ScormError):
            with archive:
                _result_or_scorm_error(archive.safe_extract, dest)
        outside = [p for p in Path(parent).rglob("*") if p != dest and dest not in p.parents]
        assert outside == []
