"""Reading QTI 2.1 content packages: manifest, tests, item order, assets and LopHoc metadata."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from ._safe_zip import SafeZip, attr, local, parse_xml
from ._vn_text import mime_type, nfc, parse_level, unique_name
from .model import Asset, BankFormatError, ImportIssue, ParseResult, Question
from .qti21_items import ItemReader
from .qti21_rules import Skip

ITEM_TYPE = "imsqti_item_xmlv2p"
TEST_TYPE = "imsqti_test_xmlv2p"
META_NS = "urn:lophoc:question-bank:1"


@dataclass
class ItemRef:
    """An item file of the package and the LopHoc metadata its manifest entry carries."""

    path: str
    meta: Element | None = None


def resolve(base_dir: str, href: str) -> str | None:
    """A package path for an href relative to `base_dir`; None when it leaves the package."""
    href = unquote(href.split("#")[0].split("?")[0]).replace("\\", "/")
    if not href or href.startswith("/") or "://" in href:
        return None
    path = posixpath.normpath(posixpath.join(base_dir, href))
    return None if path.startswith("../") or path == ".." else path


def _resources(manifest: Element) -> list[Element]:
    return [r for r in manifest.iter() if local(r.tag) == "resource"]


def _href(resource: Element) -> str:
    href = resource.get("href") or next(
        (f.get("href", "") for f in resource if local(f.tag) == "file"), ""
    )
    return attr(resource, "base") + href


def _test_items(archive: SafeZip, test_path: str) -> list[str]:
    name = archive.find(test_path)
    if name is None:
        return []
    test = parse_xml(archive.read(name), name)
    base = posixpath.dirname(name)
    return [
        ref
        for el in test.iter()
        if local(el.tag) == "assessmentItemRef" and (ref := resolve(base, el.get("href", "")))
    ]


def item_refs(archive: SafeZip) -> list[ItemRef]:
    """Item files in delivery order: those of the tests first, then the other item resources."""
    name = archive.find("imsmanifest.xml")
    if name is None:
        raise BankFormatError(
            "Gói .zip không có tệp imsmanifest.xml ở thư mục gốc nên không phải gói IMS QTI 2.1; "
            "hãy xuất lại từ phần mềm soạn câu hỏi dưới dạng 'QTI 2.1 package'."
        )
    manifest = parse_xml(archive.read(name), name)
    items: dict[str, ItemRef] = {}
    tests: list[str] = []
    for resource in _resources(manifest):
        kind, path = resource.get("type", ""), resolve("", _href(resource))
        if kind.startswith(ITEM_TYPE) and path:
            meta = next((m for m in resource.iter() if m.tag == f"{{{META_NS}}}question"), None)
            items.setdefault(path, ItemRef(path, meta))
        elif kind.startswith(TEST_TYPE) and path:
            tests.append(path)
    ordered = [p for test in tests for p in _test_items(archive, test)]
    if not items and not ordered:
        raise BankFormatError(
            "imsmanifest.xml không khai báo câu hỏi QTI 2.1 nào (resource kiểu "
            "imsqti_item_xmlv2p1 hoặc imsqti_test_xmlv2p1).",
            where=name,
        )
    refs = [items.pop(p, None) or ItemRef(p) for p in dict.fromkeys(ordered)]
    return refs + list(items.values())


def asset_finder(archive: SafeZip | None, item_path: str) -> Callable[[str], Asset | None]:
    """Looks up files an item refers to (relative to the item); same file -> same Asset."""
    found: dict[str, Asset] = {}
    taken: set[str] = set()

    def find(href: str) -> Asset | None:
        path = resolve(posixpath.dirname(item_path), href)
        name = archive.find(path) if archive is not None and path else None
        if name is None:
            return None
        if name not in found:
            label = unique_name(posixpath.basename(name), taken)
            found[name] = Asset(label, archive.read(name), mime_type(name))
        return found[name]

    return find


def apply_meta(question: Question, meta: Element | None) -> None:
    """Copy LopHoc's own manifest metadata (written by dump) back onto the question."""
    if meta is None:
        return
    question.level = parse_level(meta.get("level", ""))
    question.subject = nfc(meta.get("subject", ""))
    question.topic = nfc(meta.get("topic", ""))
    question.category = nfc(meta.get("category", ""))
    grade = meta.get("grade", "")
    question.grade = int(grade) if grade.isdigit() and len(grade) < 3 else None
    question.tags = [nfc(t.text or "") for t in meta if t.tag == f"{{{META_NS}}}tag" and t.text]


def read_item(
    root: Element, where: str, finder: Callable[[str], Asset | None], result: ParseResult
) -> Question | None:
    """Read one item into `result` (question or skip issue, plus warnings)."""
    where = root.get("identifier") or where
    reader = ItemReader(root, where, finder)
    try:
        question = reader.read()
    except Skip as skip:
        result.skipped.append(ImportIssue(where, str(skip)))
        return None
    result.questions.append(question)
    result.warnings.extend(reader.warnings)
    return question


def parse_package(archive: SafeZip) -> ParseResult:
    """All items of a package, in order; missing item files are reported, not fatal."""
    result = ParseResult()
    for ref in item_refs(archive):
        name = archive.find(ref.path)
        if name is None:
            message = "không tìm thấy tệp câu hỏi này trong gói (imsmanifest.xml trỏ tới tệp thiếu)"
            result.skipped.append(ImportIssue(ref.path, message))
            continue
        root = parse_xml(archive.read(name), name)
        question = read_item(root, name, asset_finder(archive, name), result)
        if question is not None:
            apply_meta(question, ref.meta)
    return result
