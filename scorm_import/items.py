"""Parsing of <item> trees: titles, launch references, adlcp limits and 2004 sequencing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal

from .cmi_types import parse_decimal, parse_duration_2004, parse_timespan_12
from .errors import ManifestError
from .model import Item, ScormVersion, Sequencing
from .sequencing import parse_sequencing
from .xmlsafe import (
    ADLCP,
    ADLNAV,
    CP,
    IMSSS,
    attr,
    child,
    child_text,
    children,
    family,
    line_of,
    local_name,
    text_of,
)

MAX_ITEM_DEPTH = 64
_KNOWN = {
    CP: {"title", "item", "metadata"},
    ADLCP: {
        "masteryscore",
        "maxtimeallowed",
        "timelimitaction",
        "datafromlms",
        "prerequisites",
        "completionthreshold",
        "data",
    },
    IMSSS: {"sequencing"},
    ADLNAV: {"presentation"},
}
_TIME_LIMIT_ACTIONS = {"exit,message", "exit,no message", "continue,message", "continue,no message"}


class ItemParser:
    """Turns <item> elements into Items for one manifest (and its sub-manifests)."""

    def __init__(
        self,
        version: ScormVersion,
        warn: Callable[[str], None],
        collection: Mapping[str, ET.Element],
        submanifests: Mapping[str, tuple[Item, ...]],
    ) -> None:
        self.version = version
        self.warn = warn
        self.collection = collection
        self.submanifests = submanifests

    def parse(self, elem: ET.Element, depth: int) -> Item:
        if depth > MAX_ITEM_DEPTH:
            raise ManifestError(
                f"Gói SCORM không hợp lệ: cây mục lồng sâu hơn {MAX_ITEM_DEPTH} cấp.",
                where=f"imsmanifest.xml:{line_of(elem)}",
            )
        identifier = (attr(elem, "identifier") or "").strip() or f"item@{line_of(elem)}"
        where = f"mục '{identifier}' (dòng {line_of(elem)})"
        kids = [self.parse(c, depth + 1) for c in children(elem, "item")]
        ref = (attr(elem, "identifierref") or "").strip() or None
        if ref in self.submanifests:
            kids.extend(self.submanifests[ref])
            ref = None
        self._warn_unknown(elem, where)
        sequencing = None
        if self.version != "1.2":
            sequencing = parse_sequencing(elem, self.collection, self.warn, where)
        mastery = self._mastery(elem, sequencing, where)
        threshold, weight = self._completion_threshold(elem, where)
        return Item(
            identifier=identifier,
            title=child_text(elem, "title") or identifier,
            resource_id=ref,
            parameters=attr(elem, "parameters"),
            is_visible=(attr(elem, "isvisible") or "true").strip().lower() not in ("false", "0"),
            children=tuple(kids),
            mastery_score=mastery,
            mastery_scaled=self._scaled(mastery),
            max_time_allowed=self._max_time(elem, sequencing, where),
            time_limit_action=self._time_limit_action(elem, where),
            data_from_lms=child_text(elem, "datafromlms", (ADLCP,)),
            prerequisites=child_text(elem, "prerequisites", (ADLCP,)),
            completion_threshold=threshold,
            progress_weight=weight,
            sequencing=sequencing,
            line=line_of(elem),
        )

    def _warn_unknown(self, elem: ET.Element, where: str) -> None:
        for part in elem:
            fam = family(part.tag)
            if fam in _KNOWN and local_name(part.tag) not in _KNOWN[fam]:
                self.warn(f"Phần tử không xác định <{local_name(part.tag)}> trong {where}; bỏ qua.")

    def _mastery(self, elem: ET.Element, seq: Sequencing | None, where: str) -> Decimal | None:
        if self.version == "1.2":
            raw = child_text(elem, "masteryscore", (ADLCP,))
            score = parse_decimal(raw) if raw else None
            if raw and (score is None or not 0 <= score <= 100):
                self.warn(f"adlcp:masteryscore '{raw}' của {where} không phải số 0-100; bỏ qua.")
                return None
            return score
        primary = seq.primary_objective if seq else None
        if primary is None or not primary.satisfied_by_measure:
            return None
        measure = primary.min_normalized_measure
        if measure is not None and not -1 <= measure <= 1:
            self.warn(f"imsss:minNormalizedMeasure của {where} ngoài khoảng -1..1; bỏ qua.")
            return None
        return measure

    def _scaled(self, mastery: Decimal | None) -> Decimal | None:
        if mastery is None:
            return None
        return mastery / 100 if self.version == "1.2" else mastery

    def _max_time(self, elem: ET.Element, seq: Sequencing | None, where: str) -> timedelta | None:
        if self.version != "1.2":
            return seq.attempt_duration_limit if seq else None
        raw = child_text(elem, "maxtimeallowed", (ADLCP,))
        if not raw:
            return None
        # Some 1.2 authoring tools write the 2004 ISO form; accept it rather than lose it.
        value = parse_timespan_12(raw) or parse_duration_2004(raw)
        if value is None:
            self.warn(f"adlcp:maxtimeallowed '{raw}' của {where} không đúng dạng HH:MM:SS; bỏ qua.")
        return value

    def _time_limit_action(self, elem: ET.Element, where: str) -> str | None:
        raw = child_text(elem, "timelimitaction", (ADLCP,))
        if raw is None:
            return None
        value = ",".join(part.strip() for part in raw.lower().split(","))
        if value not in _TIME_LIMIT_ACTIONS:
            self.warn(f"adlcp:timeLimitAction '{raw}' của {where} không thuộc bộ giá trị SCORM.")
        return value

    def _completion_threshold(
        self, elem: ET.Element, where: str
    ) -> tuple[Decimal | None, Decimal | None]:
        found = child(elem, "completionthreshold", (ADLCP,))
        if found is None:
            return None, None
        if not found.attrib:  # 2004 3rd edition: the threshold is the element's text
            value = parse_decimal(text_of(found) or "")
            return (value if value is not None and 0 <= value <= 1 else None), None
        # 4th edition: attributes; the threshold applies only when completedByMeasure.
        by_measure = (attr(found, "completedByMeasure", (CP, ADLCP)) or "").lower() == "true"
        minimum = parse_decimal(attr(found, "minProgressMeasure", (CP, ADLCP)) or "1.0")
        weight = parse_decimal(attr(found, "progressWeight", (CP, ADLCP)) or "1.0")
        if minimum is None or weight is None:
            self.warn(f"adlcp:completionThreshold của {where} có giá trị không phải số; bỏ qua.")
            return None, None
        return (minimum if by_measure else None), weight
