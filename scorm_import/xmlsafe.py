"""Safe XML parsing (defusedxml, line numbers) and namespace-tolerant element lookups."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from .errors import ManifestError

MAX_XML_BYTES = 16 * 1024 * 1024

# Namespace families. SCORM packages in the wild use several URIs per family (1.2 vs 2004,
# typos, http vs https), so lookups go by family rather than by exact URI.
CP = "cp"
ADLCP = "adlcp"
IMSSS = "imsss"
ADLSEQ = "adlseq"
ADLNAV = "adlnav"
LOM = "lom"
OTHER = "other"
_FAMILY_MARKERS = (
    ("adlcp", ADLCP),
    ("adlseq", ADLSEQ),
    ("adlnav", ADLNAV),
    ("imsss", IMSSS),
    ("imscp", CP),
    ("imsmd", LOM),
    ("/lom", LOM),
)


class LineElement(ET.Element):
    """Element that remembers the line it started on, for error messages."""

    line: int = 0


class _LineTarget:
    """TreeBuilder wrapper that stamps each element with expat's current line."""

    def __init__(self) -> None:
        self.builder = ET.TreeBuilder(element_factory=LineElement)
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        elem = self.builder.start(tag, attrs)
        if self.parser is not None:
            elem.line = self.parser.parser.CurrentLineNumber
        return elem

    def end(self, tag: str) -> ET.Element:
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> ET.Element:
        return self.builder.close()


def parse_xml(data: bytes, *, where: str) -> ET.Element:
    """Parse untrusted XML; any DTD entity trick or syntax error becomes a ManifestError."""
    if len(data) > MAX_XML_BYTES:
        raise ManifestError(
            f"Gói SCORM không hợp lệ: {where} quá lớn "
            f"({len(data):,} byte, tối đa {MAX_XML_BYTES:,} byte).",
            where=where,
        )
    target = _LineTarget()
    # forbid_dtd stays False: some authoring tools emit a harmless DOCTYPE; every entity
    # declaration and external reference is refused, which defeats XXE and billion laughs.
    parser = DefusedXMLParser(target=target)
    target.parser = parser
    try:
        parser.feed(data)
        return parser.close()
    except DefusedXmlException as exc:
        raise ManifestError(
            f"Gói SCORM không hợp lệ: {where} chứa khai báo thực thể XML (ENTITY/DTD ngoài), "
            "có thể là tấn công XXE hoặc 'billion laughs' nên bị từ chối.",
            where=where,
        ) from exc
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise ManifestError(
            f"Gói SCORM không hợp lệ: {where} lỗi cú pháp ở dòng {line}, cột {column + 1}.",
            where=f"{where}:{line}",
        ) from exc
    except (ValueError, LookupError, RecursionError) as exc:
        # Unknown encoding names (LookupError) and odd byte sequences surface here.
        raise ManifestError(
            f"Gói SCORM không hợp lệ: không đọc được {where} ({type(exc).__name__}).",
            where=where,
        ) from exc


def local_name(tag: object) -> str:
    """Tag without its namespace, lower-cased (authors mix 'dataFromLMS'/'datafromlms')."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].lower()


def family(tag_or_key: object) -> str:
    """Namespace family of a tag or attribute key; no namespace counts as content packaging."""
    if not isinstance(tag_or_key, str) or not tag_or_key.startswith("{"):
        return CP
    uri = tag_or_key[1:].partition("}")[0].lower()
    for marker, fam in _FAMILY_MARKERS:
        if marker in uri:
            return fam
    return OTHER


def children(elem: ET.Element, name: str, families: Iterable[str] = (CP,)) -> list[ET.Element]:
    """Direct children with the given local name in one of the namespace families."""
    fams = tuple(families)
    return [c for c in elem if local_name(c.tag) == name and family(c.tag) in fams]


def child(elem: ET.Element, name: str, families: Iterable[str] = (CP,)) -> ET.Element | None:
    """First matching direct child, or None."""
    found = children(elem, name, families)
    return found[0] if found else None


def child_text(elem: ET.Element, name: str, families: Iterable[str] = (CP,)) -> str | None:
    """Stripped text of the first matching child; None when absent or blank."""
    found = child(elem, name, families)
    return text_of(found)


def text_of(elem: ET.Element | None) -> str | None:
    """Stripped text content of an element (ignoring sub-elements); None when blank."""
    if elem is None or elem.text is None:
        return None
    value = elem.text.strip()
    return value or None


def attr(elem: ET.Element, name: str, families: Iterable[str] = (CP,)) -> str | None:
    """Attribute by local name (case-insensitive) in one of the families; None if absent."""
    fams = tuple(families)
    wanted = name.lower()
    for key, value in elem.attrib.items():
        if local_name(key) == wanted and family(key) in fams:
            return value
    return None


def xml_base(elem: ET.Element) -> str:
    """The element's own xml:base attribute ('' when absent)."""
    return elem.get("{http://www.w3.org/XML/1998/namespace}base", "").strip()


def line_of(elem: ET.Element) -> int:
    """Line where the element starts (0 when unknown)."""
    return getattr(elem, "line", 0)
