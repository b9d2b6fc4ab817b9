"""Writing one Question as a QTI 2.1 assessmentItem (every LopHoc question type)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from xml.etree.ElementTree import Element, tostring

from .model import Gap, QuestionType
from .qti21_rules import Q7
from .qti21_writer_base import ItemWriterBase, el, ident_map, num
from .qti21_xhtml import html_into

MEDIA_DIR = "media"
ASSET = "@@ASSET@@/"
_UNSAFE = re.compile(r"[^\w.\-]")


def safe_file(name: str) -> str:
    """An asset name usable as one zip path component (no folders, no leading dots)."""
    return _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).lstrip(".") or "asset"


class ItemWriter(ItemWriterBase):
    """Builds the assessmentItem of one question: `build()` returns the XML bytes."""

    def build(self) -> bytes:
        """The item as UTF-8 XML; asset sources point into the item's media folder."""
        self._outcome("SCORE", "float", "0")
        self._outcome("MAXSCORE", "float", num(self.q.points))
        stem = el(self.body, "div", class_="lophoc-stem")
        gaps = html_into(stem, self.q.stem_html, self.q.type == QuestionType.CLOZE)
        WRITERS.get(self.q.type, ItemWriter._description)(self, gaps)
        self._explanation()
        self.root.extend([*self.decls, *self.outcomes, self.body])
        if len(self.rules):
            self.root.append(self.rules)
        self.root.extend(self.feedback)
        for node in self.root.iter():
            for name in ("src", "data"):
                if node.get(name, "").startswith(ASSET):
                    asset = node.get(name, "")[len(ASSET) :]
                    node.set(name, f"{MEDIA_DIR}/{safe_file(asset)}")
        return tostring(self.root, encoding="utf-8", xml_declaration=True)

    def _description(self, gaps: list[Element]) -> None:
        """No interaction: the stem is all there is."""

    def _choice(self, gaps: list[Element]) -> None:
        single = self.q.type == QuestionType.SINGLE_CHOICE
        ids = ident_map(self.q.options, "C")
        correct = [ids[o.key] for o in self.q.options if o.is_correct]
        decl = self._response("RESPONSE", "single" if single else "multiple", "identifier", correct)
        inter = el(self.body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="false")
        inter.set("maxChoices", "1" if single else "0")
        for option in self.q.options:
            html_into(el(inter, "simpleChoice", identifier=ids[option.key]), option.html)
        if single:
            self._match_correct("RESPONSE")
        else:
            entries = [(ids[o.key], o.fraction) for o in self.q.options if o.fraction]
            self._mapping(decl, entries, "1")
            self._score_is(self._scaled_map("RESPONSE"))
        with_feedback = [o for o in self.q.options if o.feedback_html]
        if with_feedback:
            self._outcome("FEEDBACK", "identifier", card="single" if single else "multiple")
            setter = el(self.rules, "setOutcomeValue", identifier="FEEDBACK")
            el(setter, "variable", identifier="RESPONSE")
            for option in with_feedback:
                self._modal("FEEDBACK", ids[option.key], option.feedback_html)

    def _true_false(self, gaps: list[Element]) -> None:
        truth = {True: ["true"], False: ["false"], None: []}[self.q.answer_bool]
        self._response("RESPONSE", "single", "identifier", truth)
        inter = el(self.body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="false")
        inter.set("maxChoices", "1")
        inter.set("class", "lophoc-true-false")
        el(inter, "simpleChoice", "Đúng", identifier="true")
        el(inter, "simpleChoice", "Sai", identifier="false")
        self._match_correct("RESPONSE")

    def _cluster(self, gaps: list[Element]) -> None:
        ids = ident_map(self.q.options, "S")
        pairs = [f"{ids[o.key]} {'true' if o.is_correct else 'false'}" for o in self.q.options]
        decl = self._response("RESPONSE", "multiple", "directedPair", pairs)
        each = (Decimal(1) / max(len(pairs), 1)).quantize(Q7)
        self._mapping(decl, [(p, each) for p in pairs], "1")
        inter = el(self.body, "matchInteraction", responseIdentifier="RESPONSE", shuffle="false")
        inter.set("class", "lophoc-true-false-cluster")
        inter.set("maxAssociations", str(len(pairs)))
        left, right = el(inter, "simpleMatchSet"), el(inter, "simpleMatchSet")
        for option in self.q.options:
            choice = el(left, "simpleAssociableChoice", identifier=ids[option.key], matchMax="1")
            html_into(choice, option.html)
        for key, label in (("true", "Đúng"), ("false", "Sai")):
            el(right, "simpleAssociableChoice", label, identifier=key, matchMax="0")
        self._score_is(self._scaled_map("RESPONSE"))

    def _short_answer(self, gaps: list[Element]) -> None:
        entry = el(el(self.body, "p"), "textEntryInteraction", responseIdentifier="RESPONSE")
        if not self.q.is_accent_sensitive:
            entry.set("class", "lophoc-accent-insensitive")
        self._text_response("RESPONSE", self.q.text_answers, Decimal(1))
        self._score_is(self._scaled_map("RESPONSE"))

    def _numeric(self, gaps: list[Element]) -> None:
        el(el(self.body, "p"), "textEntryInteraction", responseIdentifier="RESPONSE")
        self._numeric_response("RESPONSE", self.q.numeric_answers, Decimal(1), Decimal(1))

    def _essay(self, gaps: list[Element]) -> None:
        self._response("RESPONSE", "single", "string", [])
        el(self.body, "extendedTextInteraction", responseIdentifier="RESPONSE")
        if self.q.grader_info_html:
            html_into(el(self.body, "rubricBlock", view="scorer"), self.q.grader_info_html)

    def _ordering(self, gaps: list[Element]) -> None:
        ids = ident_map(self.q.options, "O")
        self._response("RESPONSE", "ordered", "identifier", [ids[o.key] for o in self.q.options])
        inter = el(self.body, "orderInteraction", responseIdentifier="RESPONSE", shuffle="true")
        for option in self.q.options:
            html_into(el(inter, "simpleChoice", identifier=ids[option.key]), option.html)
        self._match_correct("RESPONSE")

    def _matching(self, gaps: list[Element]) -> None:
        pairs = [o for o in self.q.options if o.html]
        ids = ident_map(self.q.options, "L")
        right_ids: dict[str, str] = {}  # right-hand HTML -> identifier; shared targets once
        taken = set(ids.values())
        for option in self.q.options:
            if option.match_html in right_ids:
                continue
            ident = ids[option.key] if not option.html else f"R{len(right_ids) + 1}"
            while option.html and ident in taken:
                ident += "_"
            taken.add(ident)
            right_ids[option.match_html] = ident
        answers = [f"{ids[o.key]} {right_ids[o.match_html]}" for o in pairs]
        decl = self._response("RESPONSE", "multiple", "directedPair", answers)
        self._mapping(
            decl, [(a, o.fraction) for a, o in zip(answers, pairs, strict=True) if o.fraction], "1"
        )
        inter = el(self.body, "matchInteraction", responseIdentifier="RESPONSE", shuffle="true")
        inter.set("maxAssociations", str(len(pairs)))
        left, right = el(inter, "simpleMatchSet"), el(inter, "simpleMatchSet")
        for option in pairs:
            choice = el(left, "simpleAssociableChoice", identifier=ids[option.key], matchMax="1")
            html_into(choice, option.html)
        for markup, ident in right_ids.items():
            html_into(el(right, "simpleAssociableChoice", identifier=ident, matchMax="0"), markup)
        self._score_is(self._scaled_map("RESPONSE"))

    def _cloze(self, gaps: list[Element]) -> None:
        by_number = {g.number: g for g in self.q.gaps}
        total = sum((g.points for g in self.q.gaps), Decimal(0)) or Decimal(1)
        mapped = Element("sum")
        for placeholder in gaps:
            gap = by_number.get(int(placeholder.get("n", "0")))
            if gap is None:
                placeholder.tag, placeholder.attrib = "span", {}
                continue
            ident = f"RESPONSE_{gap.number}"
            placeholder.attrib = {"responseIdentifier": ident}
            if gap.type == QuestionType.NUMERIC:
                placeholder.tag = "textEntryInteraction"
                scale = (gap.points / total).quantize(Q7)
                self._numeric_response(ident, gap.numeric_answers, gap.points, scale)
                continue
            el(mapped, "mapResponse", identifier=ident)
            if gap.type == QuestionType.SINGLE_CHOICE:
                self._inline_choice(placeholder, ident, gap)
            else:
                placeholder.tag = "textEntryInteraction"
                self._text_response(ident, gap.text_answers, gap.points)
        if len(mapped):
            self._score_is(self._cloze_score(mapped, total))

    @staticmethod
    def _cloze_score(mapped: Element, total: Decimal) -> Element:
        product = Element("product")
        product.append(mapped)
        el(product, "baseValue", num((1 / total).quantize(Q7)), baseType="float")
        el(product, "variable", identifier="MAXSCORE")
        return product

    def _inline_choice(self, placeholder: Element, ident: str, gap: Gap) -> None:
        placeholder.tag = "inlineChoiceInteraction"
        placeholder.set("shuffle", "false")
        ids = ident_map(gap.options, "G")
        correct = [ids[o.key] for o in gap.options if o.is_correct]
        decl = self._response(ident, "single", "identifier", correct)
        self._mapping(decl, [(ids[o.key], gap.points) for o in gap.options if o.is_correct], None)
        for option in gap.options:
            html_into(el(placeholder, "inlineChoice", identifier=ids[option.key]), option.html)


WRITERS: dict[QuestionType, Callable[[ItemWriter, list[Element]], None]] = {
    QuestionType.SINGLE_CHOICE: ItemWriter._choice,
    QuestionType.MULTIPLE_RESPONSE: ItemWriter._choice,
    QuestionType.TRUE_FALSE: ItemWriter._true_false,
    QuestionType.TRUE_FALSE_CLUSTER: ItemWriter._cluster,
    QuestionType.SHORT_ANSWER: ItemWriter._short_answer,
    QuestionType.NUMERIC: ItemWriter._numeric,
    QuestionType.ESSAY: ItemWriter._essay,
    QuestionType.ORDERING: ItemWriter._ordering,
    QuestionType.MATCHING: ItemWriter._matching,
    QuestionType.CLOZE: ItemWriter._cloze,
}
