"""IMS QTI 2.1 format: single assessmentItem XML files and content packages (.zip), both ways."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from xml.etree.ElementTree import Element, SubElement, tostring

from ._safe_zip import SafeZip, is_zip, local, parse_xml
from .model import BankFormatError, ParseResult, Question
from .qti21_package import META_NS, asset_finder, parse_package, read_item
from .qti21_writer import MEDIA_DIR, ItemWriter, safe_file
from .qti21_writer_base import IDENT

CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
_ITEM_TAG = re.compile(rb"<(?:[\w.-]+:)?assessmentItem[\s>]")
_ROOT_HINTS = {
    "assessmentTest": "Tệp assessmentTest đứng riêng không chứa nội dung câu hỏi; hãy nhập cả gói "
    ".zip (có imsmanifest.xml và các tệp câu hỏi).",
    "questestinterop": "Đây là tệp IMS QTI 1.2; LopHoc chỉ nhập QTI 2.1 — hãy xuất lại theo "
    "chuẩn QTI 2.1.",
    "manifest": "Đây chỉ là tệp imsmanifest.xml; hãy nhập cả gói .zip chứa nó.",
}


def sniff(data: bytes, filename: str = "") -> bool:
    """True for a QTI 2.1 item XML or a zip whose manifest declares QTI items or tests."""
    if is_zip(data):
        try:
            archive = SafeZip(data)
            name = archive.find("imsmanifest.xml")
            manifest = archive.read(name) if name else b""
        except BankFormatError:
            return False
        return b"imsqti_item_xmlv2p" in manifest or b"imsqti_test_xmlv2p" in manifest
    return bool(_ITEM_TAG.search(data[:8192]))


def parse(data: bytes, filename: str = "") -> ParseResult:
    """Questions of a QTI 2.1 item or package; raises BankFormatError when unreadable."""
    try:
        if is_zip(data):
            return parse_package(SafeZip(data))
        return _parse_item_file(data, filename or "item.xml")
    except RecursionError as exc:
        raise BankFormatError("Cấu trúc XML lồng nhau quá sâu, không đọc được.") from exc


def _parse_item_file(data: bytes, name: str) -> ParseResult:
    root = parse_xml(data, name)
    tag = local(root.tag)
    if tag != "assessmentItem":
        hint = _ROOT_HINTS.get(tag, f"Phần tử gốc '{tag}' không phải assessmentItem của QTI 2.1.")
        raise BankFormatError(hint, where=name)
    result = ParseResult()
    read_item(root, name, asset_finder(None, name), result)
    return result


def _identifier(question: Question, n: int, used: set[str]) -> str:
    ident = question.source_id if IDENT.match(question.source_id or "") else f"Q{n:03d}"
    while ident in used:
        ident += "_"
    used.add(ident)
    return ident


def _meta(question: Question, parent: Element) -> None:
    values = {
        "level": question.level.value if question.level else "",
        "subject": question.subject,
        "grade": str(question.grade) if question.grade is not None else "",
        "topic": question.topic,
        "category": question.category,
    }
    values = {k: v for k, v in values.items() if v}
    if not values and not question.tags:
        return
    box = SubElement(SubElement(parent, "metadata"), "lophoc:question", values)
    for tag in question.tags:
        SubElement(box, "lophoc:tag").text = tag


def _manifest(entries: list[tuple[str, Question, list[str]]]) -> bytes:
    root = Element("manifest", {"xmlns": CP_NS, "xmlns:lophoc": META_NS})
    root.set("identifier", "MANIFEST-LOPHOC")
    meta = SubElement(root, "metadata")
    SubElement(meta, "schema").text = "QTIv2.1 Package"
    SubElement(meta, "schemaversion").text = "1.0.0"
    SubElement(root, "organizations")
    resources = SubElement(root, "resources")
    for ident, question, files in entries:
        resource = SubElement(resources, "resource", identifier=f"RES-{ident}")
        resource.set("type", "imsqti_item_xmlv2p1")
        resource.set("href", files[0])
        _meta(question, resource)
        for path in files:
            SubElement(resource, "file", href=path)
    return tostring(root, encoding="utf-8", xml_declaration=True)


def dump(questions: Iterable[Question]) -> bytes:
    """A QTI 2.1 content package: imsmanifest.xml, items/<id>/qti.xml and their media."""
    used: set[str] = set()
    entries, members = [], {}
    for n, question in enumerate(questions, 1):
        ident = _identifier(question, n, used)
        folder = f"items/{ident}"
        files = [f"{folder}/qti.xml"]
        members[files[0]] = ItemWriter(question, ident).build()
        for asset in question.assets:
            files.append(f"{folder}/{MEDIA_DIR}/{safe_file(asset.name)}")
            members[files[-1]] = asset.data
        entries.append((ident, question, files))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", _manifest(entries))
        for path, data in members.items():
            archive.writestr(path, data)
    return buffer.getvalue()
