"""SCORM version detection from <schemaversion>, falling back to the namespaces in use."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from .model import ScormVersion
from .xmlsafe import ADLCP, ADLSEQ, family, local_name

_SCHEMA_VERSIONS: dict[str, ScormVersion] = {
    "1.2": "1.2",
    "cam 1.3": "2004-2nd",
    "1.3": "2004-2nd",
    "2004 2nd edition": "2004-2nd",
    "2004 3rd edition": "2004-3rd",
    "2004 4th edition": "2004-4th",
}
LABELS: dict[ScormVersion, str] = {
    "1.2": "SCORM 1.2",
    "2004-2nd": "SCORM 2004 ấn bản 2",
    "2004-3rd": "SCORM 2004 ấn bản 3",
    "2004-4th": "SCORM 2004 ấn bản 4",
}
_NS_12 = ("adlcp_rootv1p2", "imscp_rootv1p1p2")
_NS_2004 = ("adlcp_v1p3", "adlseq_v1p3", "adlnav_v1p3", "imsss", "imscp_v1p1")


def detect_version(
    root: ET.Element, schemaversion: str | None, warn: Callable[[str], None]
) -> ScormVersion:
    """Version from <schemaversion>; when absent or unknown, guessed from namespaces."""
    if schemaversion:
        key = " ".join(schemaversion.lower().replace("scorm", " ").split())
        if key in _SCHEMA_VERSIONS:
            return _SCHEMA_VERSIONS[key]
    guessed = _from_namespaces(root)
    if guessed is None:
        warn(
            "Manifest không có dấu hiệu SCORM (schemaversion hay namespace ADL); "
            "xử lý như SCORM 1.2."
        )
        return "1.2"
    if schemaversion:
        said = f"Không nhận ra schemaversion '{schemaversion}'"
    else:
        said = "Manifest không khai báo schemaversion"
    warn(f"{said}; theo namespace, đoán là {LABELS[guessed]}.")
    return guessed


def _from_namespaces(root: ET.Element) -> ScormVersion | None:
    uris = _namespaces(root)
    if any(marker in uri for uri in uris for marker in _NS_12):
        return "1.2"
    if any(marker in uri for uri in uris for marker in _NS_2004):
        return "2004-4th" if _has_4th_edition_features(root) else "2004-3rd"
    return None


def _namespaces(root: ET.Element) -> set[str]:
    uris: set[str] = set()
    for elem in root.iter():
        for name in (elem.tag, *elem.attrib):
            if isinstance(name, str) and name.startswith("{"):
                uris.add(name[1:].partition("}")[0].lower())
    return uris


def _has_4th_edition_features(root: ET.Element) -> bool:
    """Elements that first appeared in 2004 4th edition (shared data, completion mapInfo)."""
    for elem in root.iter():
        fam, name = family(elem.tag), local_name(elem.tag)
        if (fam, name) in ((ADLCP, "data"), (ADLSEQ, "objectives")):
            return True
        if (fam, name) == (ADLCP, "completionthreshold") and elem.attrib:
            return True
    return False
