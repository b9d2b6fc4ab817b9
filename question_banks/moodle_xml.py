"""Moodle XML question banks: detection and import; export lives in _moodle_xml_writer."""

from __future__ import annotations

import re
from collections.abc import Callable
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.parsers.expat import ErrorString

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from ._moodle_cloze import ClozeError
from ._moodle_conventions import category_from_moodle, missing_asset_names
from ._moodle_xml_reader import CannotImport, QuestionReader, read_types
from ._moodle_xml_writer import dump
from ._plaintext import nfc
from .model import BankFormatError, ImportIssue, ParseResult, Question

__all__ = ["dump", "parse", "sniff"]

_LINE = "{urn:lophoc}line"  # a namespaced attribute cannot clash with Moodle's own
_QUIZ_ROOT = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*<quiz[\s>/]", re.S)


def sniff(data: bytes, filename: str = "") -> bool:
    """True when the document's root element is Moodle's <quiz>."""
    head = data[:8192]
    encodings = ("utf-16", "utf-8") if head.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8",)
    return any(
        _QUIZ_ROOT.match(head.decode(e, errors="ignore").lstrip("\ufeff")) for e in encodings
    )


def parse(data: bytes, filename: str = "") -> ParseResult:
    """Read every <question>; unsupported or broken ones are skipped with their place."""
    root = _load(data)
    result = ParseResult()
    category = ""
    number = 0
    for element in root.findall("question"):
        kind = element.get("type", "").strip().lower()
        if kind == "category":
            category = category_from_moodle(nfc(element.findtext("category/text") or ""))
            continue
        number += 1
        question = _read_one(element, kind, _where(number, element), result)
        if question is not None:
            question.category = category
            result.questions.append(question)
    return result


def _read_one(element: Element, kind: str, where: str, result: ParseResult) -> Question | None:
    read: Callable[[QuestionReader], Question] | None = read_types().get(kind)
    if read is None:
        message = f"Loại câu hỏi '{kind}' chưa được hỗ trợ, đã bỏ qua."
        result.skipped.append(ImportIssue(where=where, message=message))
        return None
    reader = QuestionReader(element)
    try:
        question = read(reader)
        reader.fill_common(question)
    except (CannotImport, ClozeError) as exc:
        result.skipped.append(ImportIssue(where=where, message=str(exc)))
        return None
    except (ValueError, ArithmeticError) as exc:
        message = f"Dữ liệu câu hỏi không hợp lệ ({exc}), đã bỏ qua."
        result.skipped.append(ImportIssue(where=where, message=message))
        return None
    result.warnings += [ImportIssue(where=where, message=note) for note in reader.notes]
    for name in missing_asset_names(reader.html_seen, question.assets):
        message = f"Thiếu tệp '{name}' mà câu hỏi tham chiếu tới."
        result.warnings.append(ImportIssue(where=where, message=message))
    return question


def _where(number: int, element: Element) -> str:
    name = " ".join(nfc(element.findtext("name/text") or "").split())
    name = name if len(name) <= 60 else name[:57] + "..."
    where = f"Câu hỏi {number}" + (f" ({name})" if name else "")
    line = element.get(_LINE)
    return where + (f", dòng {line}" if line else "")


class _LineTreeBuilder(TreeBuilder):
    """Remembers the source line of each <question>, for messages teachers can act on."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        if tag == "question" and self.parser is not None:
            element.set(_LINE, str(self.parser.parser.CurrentLineNumber))
        return element


def _load(data: bytes) -> Element:
    """Parse through defusedxml: DTDs, entities and external references are refused."""
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as exc:
        line, column = exc.position
        raise BankFormatError(
            f"XML không hợp lệ ở dòng {line}, cột {column + 1}: {ErrorString(exc.code)}."
        ) from exc
    except DefusedXmlException as exc:
        raise BankFormatError(
            "Tệp XML chứa khai báo DOCTYPE/ENTITY hoặc tham chiếu ra ngoài; "
            "vì an toàn, LopHoc không đọc loại tệp này."
        ) from exc
    except (LookupError, ValueError) as exc:  # e.g. encoding="x-unknown" in the declaration
        raise BankFormatError(
            f"XML không hợp lệ ở dòng 1: bảng mã không đọc được ({exc})."
        ) from exc
    if root.tag != "quiz":
        raise BankFormatError(
            f"Không phải tệp Moodle XML: phần tử gốc là <{root.tag}>, cần <quiz>."
        )
    return root
