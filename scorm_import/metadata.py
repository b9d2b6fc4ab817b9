"""LOM metadata of a package: inline <lom> or the external file named by adlcp:location."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from .errors import ScormError
from .model import Metadata
from .xmlsafe import ADLCP, CP, LOM, OTHER, child, children, local_name, parse_xml, text_of

ReadFile = Callable[[str], bytes | None]
Warn = Callable[[str], None]
_ANY = (CP, LOM, OTHER, ADLCP)


def parse_metadata(
    manifest_metadata: ET.Element | None, base: str, read_file: ReadFile | None, warn: Warn
) -> Metadata | None:
    """Metadata from the manifest's <metadata>; None when it holds no LOM at all."""
    if manifest_metadata is None:
        return None
    inline = _find_lom(manifest_metadata)
    location = _text(child(manifest_metadata, "location", (ADLCP,)))
    lom = inline
    if lom is None and location:
        lom = _read_external(base + location, read_file, warn)
    if lom is None:
        return Metadata(location=location) if location else None
    summary = summarise_lom(lom)
    return Metadata(
        title=summary.title,
        description=summary.description,
        keywords=summary.keywords,
        language=summary.language,
        location=location,
    )


def summarise_lom(lom: ET.Element) -> Metadata:
    """Title, description, keywords and language of a LOM (IMS MD 1.2.1 or IEEE LOM)."""
    general = child(lom, "general", _ANY)
    if general is None:
        return Metadata()
    return Metadata(
        title=_langstring(child(general, "title", _ANY)),
        description=_langstring(child(general, "description", _ANY)),
        keywords=tuple(
            text for kw in children(general, "keyword", _ANY) if (text := _langstring(kw))
        ),
        language=_text(child(general, "language", _ANY)),
    )


def _find_lom(metadata: ET.Element) -> ET.Element | None:
    for elem in metadata:
        if local_name(elem.tag) == "lom":
            return elem
    return None


def _read_external(path: str, read_file: ReadFile | None, warn: Warn) -> ET.Element | None:
    if read_file is None:
        return None
    data = read_file(path)
    if data is None:
        warn(f"Không tìm thấy tệp metadata '{path}' (adlcp:location) trong gói; bỏ qua.")
        return None
    try:
        root = parse_xml(data, where=path)
    except ScormError as exc:
        # Metadata is informative only; a broken file must not block the import.
        warn(f"Tệp metadata '{path}' không đọc được ({exc.message}); bỏ qua.")
        return None
    return root if local_name(root.tag) == "lom" else _find_lom(root)


def _langstring(elem: ET.Element | None) -> str | None:
    """First non-blank <langstring> (IMS MD) or <string> (IEEE LOM), or the element text."""
    if elem is None:
        return None
    for part in elem:
        if local_name(part.tag) in ("langstring", "string") and (value := text_of(part)):
            return value
    return _text(elem)


def _text(elem: ET.Element | None) -> str | None:
    return text_of(elem)
