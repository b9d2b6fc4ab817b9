"""Reading QTI 2.1 response declarations and response processing (answers, scores, feedback)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from ._safe_zip import local

Q7 = Decimal("0.0000001")
LIMIT = Decimal(10) ** 12
NO_KEY = "không có đáp án đúng (thiếu correctResponse hoặc mapping trong responseDeclaration)"


class Skip(Exception):
    """The item cannot become a LopHoc question; the message (Vietnamese) says why."""


def to_decimal(text: str | None) -> Decimal | None:
    """A QTI float/integer value as Decimal, or None when it is not a finite number."""
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) > LIMIT:
        return None
    # Seven places is all any scoring needs, and it keeps later arithmetic in range.
    return value.quantize(Q7).normalize() if value != value.to_integral() else value


def share(part: Decimal, whole: Decimal) -> Decimal:
    """part / whole rounded to 7 places (Moodle's precision), without trailing zeros."""
    if whole == 0:
        return Decimal(0)
    value = max(min(part / whole, Decimal(1)), Decimal(-1)).quantize(Q7)
    return value.normalize() if value != 0 else Decimal(0)


def children(el: Element | None, name: str) -> list[Element]:
    """Direct children of `el` with the local tag `name`."""
    return [c for c in el if local(c.tag) == name] if el is not None else []


def first(el: Element | None, name: str) -> Element | None:
    """The first descendant (or self) of `el` with the local tag `name`."""
    if el is None:
        return None
    return next((d for d in el.iter() if local(d.tag) == name), None)


def values_of(el: Element | None) -> list[str]:
    """The texts of the <value> children of a correctResponse/defaultValue element."""
    return [(v.text or "").strip() for v in children(el, "value")]


@dataclass
class Decl:
    """A responseDeclaration: the correct values and the optional mapping."""

    identifier: str
    cardinality: str = "single"
    base_type: str = ""
    correct: list[str] = field(default_factory=list)
    mapping: dict[str, Decimal] = field(default_factory=dict)
    default: Decimal = Decimal(0)
    upper: Decimal | None = None
    case_sensitive: bool = True

    def answer_keys(self) -> list[str]:
        """The correct values, or the positively mapped keys when no correct value is given."""
        return self.correct or [k for k, v in self.mapping.items() if v > 0]

    def value_of(self, key: str) -> Decimal:
        """The mapped score of a key (the mapping's default when unmapped)."""
        return self.mapping.get(key, self.default)

    def best(self) -> Decimal:
        """The top score the mapping gives: upperBound, else the best single value (single
        cardinality) or the sum of the positive values (multiple)."""
        if self.upper is not None and self.upper > 0:
            return self.upper
        positive = [v for v in self.mapping.values() if v > 0]
        if self.cardinality == "single":
            return max(positive, default=Decimal(0))
        return sum(positive, Decimal(0))


def read_decls(item: Element) -> dict[str, Decl]:
    """All responseDeclarations of an item, by identifier."""
    decls = {}
    for el in children(item, "responseDeclaration"):
        decl = Decl(el.get("identifier", ""), el.get("cardinality", "single"))
        decl.base_type = el.get("baseType", "")
        decl.correct = [v for v in values_of(first(el, "correctResponse")) if v]
        mapping = first(el, "mapping")
        if mapping is not None:
            decl.default = to_decimal(mapping.get("defaultValue")) or Decimal(0)
            decl.upper = to_decimal(mapping.get("upperBound"))
            for entry in children(mapping, "mapEntry"):
                value = to_decimal(entry.get("mappedValue"))
                if value is not None and entry.get("mapKey") is not None:
                    decl.mapping[entry.get("mapKey", "").strip()] = value
                    if entry.get("caseSensitive", "true").lower() == "false":
                        decl.case_sensitive = False
        decls[decl.identifier] = decl
    return decls


def max_points(item: Element) -> Decimal | None:
    """The item's points: MAXSCORE's default value, else SCORE's normalMaximum."""
    for el in children(item, "outcomeDeclaration"):
        ident = el.get("identifier", "")
        if ident == "MAXSCORE":
            value = to_decimal(next(iter(values_of(first(el, "defaultValue"))), None))
            if value is not None and value > 0:
                return value
        if ident == "SCORE" and el.get("normalMaximum"):
            value = to_decimal(el.get("normalMaximum"))
            if value is not None and value > 0:
                return value
    return None


@dataclass
class FeedbackRules:
    """Which feedback (outcome, identifier) pairs have a clear meaning for a response."""

    echo: set[str] = field(default_factory=set)  # outcome set to the response itself
    on_correct: set[tuple[str, str]] = field(default_factory=set)
    on_incorrect: set[tuple[str, str]] = field(default_factory=set)
    always: set[tuple[str, str]] = field(default_factory=set)


def _set_values(container: Element) -> list[tuple[str, Element]]:
    return [(s.get("identifier", ""), s) for s in children(container, "setOutcomeValue")]


def _collect(branch: Element, target: set[tuple[str, str]]) -> None:
    for outcome, setter in _set_values(branch):
        base = first(setter, "baseValue")
        if base is not None and base.text:
            target.add((outcome, base.text.strip()))


def _is_correct_test(cond: Element, response: str) -> bool:
    if local(cond.tag) != "match":
        return False
    kinds = {(local(c.tag), c.get("identifier")) for c in cond}
    return kinds == {("variable", response), ("correct", response)}


def read_feedback_rules(item: Element, response: str) -> FeedbackRules:
    """Find the common feedback patterns of responseProcessing for one response."""
    rules = FeedbackRules()
    processing = first(item, "responseProcessing")
    if processing is None:
        return rules
    for el in processing.iter():
        for outcome, setter in _set_values(el):
            var = first(setter, "variable")
            if len(setter) == 1 and var is not None and var.get("identifier") == response:
                rules.echo.add(outcome)
    _collect(processing, rules.always)
    for cond in children(processing, "responseCondition"):
        branches = list(cond)
        if not branches or not len(branches[0]) or not _is_correct_test(branches[0][0], response):
            continue
        _collect(branches[0], rules.on_correct)
        for branch in branches[1:]:
            if local(branch.tag) == "responseElse":
                _collect(branch, rules.on_incorrect)
    return rules


def numeric_rules(item: Element, response: str) -> list[tuple[Decimal, Decimal, Element]]:
    """(value, tolerance, branch) for each `equal`/`match` of the response with a number."""
    found = []
    processing = first(item, "responseProcessing")
    for branch in processing.iter() if processing is not None else []:
        if local(branch.tag) not in ("responseIf", "responseElseIf") or not len(branch):
            continue
        test = branch[0]
        if local(test.tag) not in ("equal", "match"):
            continue
        ids = {c.get("identifier") for c in test if local(c.tag) == "variable"}
        base = first(test, "baseValue")
        value = to_decimal(base.text if base is not None else None)
        if response not in ids or value is None:
            continue
        tolerance = Decimal(0)
        bounds = (test.get("tolerance") or "").split()
        if test.get("toleranceMode") == "absolute" and bounds:
            tolerance = abs(to_decimal(bounds[0]) or Decimal(0))
        found.append((value, tolerance, branch))
    return found


def branch_fraction(branch: Element, points: Decimal) -> Decimal:
    """The share of points a responseIf branch gives: product(f, MAXSCORE) or a raw score."""
    for outcome, setter in _set_values(branch):
        if outcome != "SCORE":
            continue
        base = first(setter, "baseValue")
        value = to_decimal(base.text if base is not None else None)
        if value is None:
            return Decimal(1)
        if first(setter, "product") is not None:
            return value
        return share(value, points)
    return Decimal(1)
