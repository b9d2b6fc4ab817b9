"""SCORM 2004 imsss:sequencing summaries, merging sequencingCollection blocks by IDRef."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal

from .cmi_types import parse_decimal, parse_duration_2004, parse_integer
from .model import Objective, Sequencing
from .xmlsafe import ADLSEQ, CP, IMSSS, attr, child, child_text, children, family, local_name

Warn = Callable[[str], None]
_TRUE = ("true", "1")
_FALSE = ("false", "0")
_RULE_KINDS = ("preconditionrule", "exitconditionrule", "postconditionrule")


def collection_index(root: ET.Element) -> dict[str, ET.Element]:
    """imsss:sequencing blocks of <imsss:sequencingCollection>, by their ID attribute."""
    index: dict[str, ET.Element] = {}
    for coll in children(root, "sequencingcollection", (IMSSS,)):
        for seq in children(coll, "sequencing", (IMSSS,)):
            seq_id = attr(seq, "ID", (CP, IMSSS))
            if seq_id:
                index[seq_id] = seq
    return index


def parse_sequencing(
    owner: ET.Element, collection: Mapping[str, ET.Element], warn: Warn, where: str
) -> Sequencing | None:
    """Summary of the owner's imsss:sequencing child, or None when it has none."""
    elem = child(owner, "sequencing", (IMSSS,))
    if elem is None:
        return None
    id_ref = attr(elem, "IDRef", (CP, IMSSS))
    shared = collection.get(id_ref) if id_ref else None
    if id_ref and shared is None:
        warn(
            f"{where}: imsss:sequencing tham chiếu IDRef '{id_ref}' không có trong "
            "sequencingCollection; bỏ qua phần dùng chung."
        )
    parts = _effective_parts(elem, shared)
    control = parts.get((IMSSS, "controlmode"))
    actions = _rule_actions(parts.get((IMSSS, "sequencingrules")))
    rollup = parts.get((IMSSS, "rolluprules"))
    limits = parts.get((IMSSS, "limitconditions"))
    return Sequencing(
        id_ref=id_ref,
        choice=_flag(control, "choice", True),
        flow=_flag(control, "flow", False),
        choice_exit=_flag(control, "choiceExit", True),
        forward_only=_flag(control, "forwardOnly", False),
        pre_condition_actions=actions["preconditionrule"],
        exit_condition_actions=actions["exitconditionrule"],
        post_condition_actions=actions["postconditionrule"],
        objectives=_objectives(parts.get((IMSSS, "objectives")), parts.get((ADLSEQ, "objectives"))),
        has_rollup_rules=rollup is not None,
        has_delivery_controls=(IMSSS, "deliverycontrols") in parts,
        objective_measure_weight=_decimal_attr(rollup, "objectiveMeasureWeight", Decimal(1)),
        attempt_limit=_int_attr(limits, "attemptLimit"),
        attempt_duration_limit=_duration_attr(limits, "attemptAbsoluteDurationLimit"),
    )


def _effective_parts(
    own: ET.Element, shared: ET.Element | None
) -> dict[tuple[str, str], ET.Element]:
    """Children by kind; the item's own element wins over the collection's (IMS SS 2.1)."""
    parts: dict[tuple[str, str], ET.Element] = {}
    for source in (shared, own):
        if source is None:
            continue
        for part in source:
            parts[(family(part.tag), local_name(part.tag))] = part
    return parts


def _rule_actions(rules: ET.Element | None) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {kind: [] for kind in _RULE_KINDS}
    for rule in rules if rules is not None else ():
        kind = local_name(rule.tag)
        if kind in found:
            action = child(rule, "ruleaction", (IMSSS,))
            name = attr(action, "action", (CP, IMSSS)) if action is not None else None
            found[kind].append(name or "")
    return {kind: tuple(actions) for kind, actions in found.items()}


def _objectives(
    imsss_objs: ET.Element | None, adlseq_objs: ET.Element | None
) -> tuple[Objective, ...]:
    """imsss objectives, with 4th edition adlseq:mapInfo targets folded into global_ids."""
    extra: dict[str, list[str]] = {}
    for obj in children(adlseq_objs, "objective", (ADLSEQ,)) if adlseq_objs is not None else ():
        targets = [attr(m, "targetObjectiveID", (CP, ADLSEQ)) for m in obj]
        extra.setdefault(attr(obj, "objectiveID", (CP, ADLSEQ)) or "", []).extend(
            t for t in targets if t
        )
    result = []
    for obj in imsss_objs if imsss_objs is not None else ():
        kind = local_name(obj.tag)
        if family(obj.tag) != IMSSS or kind not in ("primaryobjective", "objective"):
            continue
        result.append(_objective(obj, kind == "primaryobjective", extra))
    return tuple(result)


def _objective(obj: ET.Element, primary: bool, extra: Mapping[str, list[str]]) -> Objective:
    objective_id = attr(obj, "objectiveID", (CP, IMSSS))
    by_measure = _flag(obj, "satisfiedByMeasure", False)
    measure = parse_decimal(child_text(obj, "minnormalizedmeasure", (IMSSS,)) or "")
    if by_measure and measure is None:
        measure = Decimal("1.0")  # the IMS SS default for minNormalizedMeasure
    global_ids = [
        target
        for m in children(obj, "mapinfo", (IMSSS,))
        if (target := attr(m, "targetObjectiveID", (CP, IMSSS)))
    ]
    global_ids.extend(extra.get(objective_id or "", ()))
    return Objective(
        objective_id=objective_id,
        primary=primary,
        satisfied_by_measure=by_measure,
        min_normalized_measure=measure,
        global_ids=tuple(dict.fromkeys(global_ids)),
    )


def _flag(elem: ET.Element | None, name: str, default: bool) -> bool:
    if elem is None:
        return default
    value = (attr(elem, name, (CP, IMSSS, ADLSEQ)) or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return default


def _decimal_attr(elem: ET.Element | None, name: str, default: Decimal) -> Decimal | None:
    if elem is None:
        return None
    value = parse_decimal((attr(elem, name, (CP, IMSSS)) or "").strip())
    return default if value is None else value


def _int_attr(elem: ET.Element | None, name: str) -> int | None:
    if elem is None:
        return None
    return parse_integer((attr(elem, name, (CP, IMSSS)) or "").strip())


def _duration_attr(elem: ET.Element | None, name: str) -> timedelta | None:
    if elem is None:
        return None
    return parse_duration_2004((attr(elem, name, (CP, IMSSS)) or "").strip())
