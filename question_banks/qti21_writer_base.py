"""Building blocks for writing QTI 2.1 items: declarations, mappings, scoring and feedback."""

from __future__ import annotations

import re
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement

from ._vn_text import format_decimal
from .model import NumericAnswer, Option, Question, TextAnswer
from .qti21_xhtml import html_into, xml_text

NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
XSD = f"{NS} http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def num(value: Decimal) -> str:
    """A Decimal as a QTI float literal."""
    return format_decimal(value).replace(",", ".")


def el(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    """A child element with attributes (a trailing "_" in a name is dropped: class_ -> class)."""
    child = SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        child.text = xml_text(text)
    return child


def ident_map(options: list[Option], prefix: str) -> dict[str, str]:
    """Option key -> a valid, unique QTI identifier (the key itself when it already is one)."""
    out: dict[str, str] = {}
    for n, option in enumerate(options, 1):
        key = option.key
        out[key] = key if IDENT.match(key) and key not in out.values() else f"{prefix}{n}"
    return out


class ItemWriterBase:
    """The parts of an item under construction and the helpers that fill them."""

    def __init__(self, question: Question, identifier: str):
        self.q = question
        self.root = Element("assessmentItem")
        for key, value in (("xmlns", NS), ("xmlns:xsi", XSI), ("xsi:schemaLocation", XSD)):
            self.root.set(key, value)
        self.root.set("identifier", identifier)
        self.root.set("title", xml_text(question.title))
        self.root.set("adaptive", "false")
        self.root.set("timeDependent", "false")
        self.decls = Element("decls")
        self.outcomes = Element("outcomes")
        self.body = Element("itemBody")
        self.rules = Element("responseProcessing")
        self.feedback: list[Element] = []

    def _outcome(self, ident: str, base: str, default: str | None = None, card: str = "single"):
        decl = el(self.outcomes, "outcomeDeclaration", identifier=ident, cardinality=card)
        decl.set("baseType", base)
        if default is not None:
            el(el(decl, "defaultValue"), "value", default)

    def _response(self, ident: str, card: str, base: str, correct: list[str]) -> Element:
        decl = el(self.decls, "responseDeclaration", identifier=ident, cardinality=card)
        decl.set("baseType", base)
        if correct:
            box = el(decl, "correctResponse")
            for value in correct:
                el(box, "value", value)
        return decl

    @staticmethod
    def _mapping(decl: Element, entries: list[tuple[str, Decimal]], upper: str | None) -> Element:
        mapping = el(decl, "mapping", defaultValue="0", lowerBound="0")
        if upper is not None:
            mapping.set("upperBound", upper)
        for key, value in entries:
            el(mapping, "mapEntry", mapKey=key, mappedValue=num(value))
        return mapping

    def _score_is(self, expression: Element) -> None:
        el(self.rules, "setOutcomeValue", identifier="SCORE").append(expression)

    @staticmethod
    def _scaled_map(response: str) -> Element:
        product = Element("product")
        el(product, "mapResponse", identifier=response)
        el(product, "variable", identifier="MAXSCORE")
        return product

    def _match_correct(self, response: str) -> None:
        branch = el(el(self.rules, "responseCondition"), "responseIf")
        test = el(branch, "match")
        el(test, "variable", identifier=response)
        el(test, "correct", identifier=response)
        el(el(branch, "setOutcomeValue", identifier="SCORE"), "variable", identifier="MAXSCORE")

    def _modal(self, outcome: str, ident: str, content: str) -> None:
        modal = Element("modalFeedback", outcomeIdentifier=outcome, identifier=ident)
        modal.set("showHide", "show")
        html_into(modal, content)
        self.feedback.append(modal)

    def _explanation(self) -> None:
        if not self.q.explanation_html:
            return
        self._outcome("SOLUTION", "identifier")
        setter = el(self.rules, "setOutcomeValue", identifier="SOLUTION")
        el(setter, "baseValue", "SHOW", baseType="identifier")
        self._modal("SOLUTION", "SHOW", self.q.explanation_html)

    def _text_response(self, ident: str, answers: list[TextAnswer], weight: Decimal) -> None:
        """A string response scored by its mapping (`weight` = the points of a full answer)."""
        full = [a.text for a in answers if a.fraction == 1][:1] or [a.text for a in answers][:1]
        decl = self._response(ident, "single", "string", full)
        entries = [(a.text, a.fraction * weight) for a in answers]
        mapping = self._mapping(decl, entries, num(weight))
        for entry in mapping:
            entry.set("caseSensitive", "true" if self.q.is_case_sensitive else "false")

    def _numeric_response(
        self, ident: str, answers: list[NumericAnswer], points: Decimal, scale: Decimal
    ) -> None:
        """A float response scored by tolerance rules; `scale` is its share of MAXSCORE."""
        decl = self._response(ident, "single", "float", [num(a.value) for a in answers[:1]])
        self._mapping(decl, [(num(a.value), a.fraction * points) for a in answers], num(points))
        cond = el(self.rules, "responseCondition")
        for n, answer in enumerate(answers):
            branch = el(cond, "responseIf" if n == 0 else "responseElseIf")
            test = el(branch, "equal", toleranceMode="exact")
            if answer.tolerance:
                test.set("toleranceMode", "absolute")
                test.set("tolerance", num(answer.tolerance))
            el(test, "variable", identifier=ident)
            el(test, "baseValue", num(answer.value), baseType="float")
            product = Element("product")
            el(product, "baseValue", num(answer.fraction), baseType="float")
            el(product, "baseValue", num(scale), baseType="float")
            el(product, "variable", identifier="MAXSCORE")
            total = el(el(branch, "setOutcomeValue", identifier="SCORE"), "sum")
            el(total, "variable", identifier="SCORE")
            total.append(product)
