"""Moodle XML export: a <quiz> Moodle imports, with category switches and base64 files."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from xml.etree.ElementTree import Comment, Element, SubElement, indent, tostring

from ._moodle_cloze import format_embedded, select_missing_words
from ._moodle_conventions import (
    asset_names_in,
    asset_to_plugin_refs,
    category_to_moodle,
    effective_fractions,
    format_decimal,
    percent,
)
from ._plaintext import html_to_text
from .model import Question, QuestionType

# Characters XML 1.0 cannot carry at all; Moodle would reject the whole file for one of them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MOODLE_TYPES = {
    QuestionType.SINGLE_CHOICE: "multichoice",
    QuestionType.MULTIPLE_RESPONSE: "multichoice",
    QuestionType.TRUE_FALSE: "truefalse",
    QuestionType.SHORT_ANSWER: "shortanswer",
    QuestionType.NUMERIC: "numerical",
    QuestionType.MATCHING: "matching",
    QuestionType.ESSAY: "essay",
    QuestionType.DESCRIPTION: "description",
    QuestionType.CLOZE: "cloze",
}
_GAP_MARKER = re.compile(r"\{\{(\d{1,6})\}\}")
_PENALTY = {"truefalse": "1", "essay": "0", "description": "0"}


def dump(questions: list[Question]) -> bytes:
    """Moodle XML for the questions; types Moodle has no equivalent for become comments."""
    quiz = Element("quiz")
    category = ""
    for number, question in enumerate(questions, start=1):
        if question.category != category:
            category = question.category
            node = SubElement(quiz, "question", type="category")
            _text(SubElement(node, "category"), category_to_moodle(category))
        kind = _MOODLE_TYPES.get(question.type)
        if kind == "cloze" and select_missing_words(question) is not None:
            kind = "gapselect"
        if kind is None:
            note = (
                f" Không xuất được câu hỏi {number} loại '{question.type.value}' sang Moodle XML "
            )
            quiz.append(Comment(note))
            continue
        quiz.append(_Writer(question, kind, number).build())
    indent(quiz)
    body = tostring(quiz, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _text(parent: Element, value: str) -> Element:
    SubElement(parent, "text").text = _clean(value)
    return parent


def _add(parent: Element, tag: str, value: str) -> Element:
    node = SubElement(parent, tag)
    node.text = _clean(value)
    return node


class _Writer:
    """Builds one <question>; each asset is attached to the first field that shows it."""

    def __init__(self, question: Question, kind: str, number: int):
        self.question, self.kind, self.number = question, kind, number
        self.attached: set[str] = set()
        self.select = select_missing_words(question) if kind == "gapselect" else None

    def build(self) -> Element:
        q = self.question
        node = Element("question", type=self.kind)
        _text(SubElement(node, "name"), (q.title or self._fallback_name())[:255])
        stem = format_embedded(q) if self.kind == "cloze" else q.stem_html
        if self.kind == "gapselect":
            stem = _GAP_MARKER.sub(lambda m: f"[[{self.select[1][int(m.group(1)) - 1]}]]", stem)
        stem_node = self.rich(node, "questiontext", stem)
        self.rich(node, "generalfeedback", q.explanation_html)
        if self.kind != "cloze":  # Moodle sums a cloze's gap weights itself
            _add(node, "defaultgrade", format_decimal(q.points))
        _add(node, "penalty", _PENALTY.get(self.kind, "0.3333333"))
        _add(node, "hidden", "0")
        if q.source_id:
            _add(node, "idnumber", q.source_id)
        _BODIES[q.type if self.kind != "gapselect" else "gapselect"](self, node)
        for asset in q.assets:  # files no field refers to still travel with the question
            if asset.name not in self.attached:
                self._file(stem_node, asset.name)
        if q.tags:
            tags = SubElement(node, "tags")
            for tag in q.tags:
                _text(SubElement(tags, "tag"), tag)
        return node

    def _fallback_name(self) -> str:
        # Moodle refuses a question without a name; use the start of its text as Moodle does.
        words = " ".join(html_to_text(self.question.stem_html).split())
        return words[:60] or f"Câu hỏi {self.number}"

    def rich(self, parent: Element, tag: str, html: str) -> Element:
        node = SubElement(parent, tag, format="html")
        self._html_into(node, html)
        return node

    def _html_into(self, node: Element, html: str) -> None:
        _text(node, asset_to_plugin_refs(html, self.question.assets))
        for name in asset_names_in(html, self.question.assets):
            if name not in self.attached:
                self._file(node, name)

    def _file(self, node: Element, name: str) -> None:
        asset = next(a for a in self.question.assets if a.name == name)
        folder, _, base = name.rpartition("/")
        path = f"/{folder}/" if folder else "/"
        file = SubElement(node, "file", name=_clean(base), path=_clean(path), encoding="base64")
        file.text = base64.b64encode(asset.data).decode("ascii")
        self.attached.add(name)

    def combined_feedback(self, node: Element) -> None:
        for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            self.rich(node, tag, "")

    def answer(self, node: Element, fraction: str, text: str, feedback: str, fmt: str) -> Element:
        answer = SubElement(node, "answer", fraction=fraction, format=fmt)
        if fmt == "html":
            self._html_into(answer, text)
        else:
            _text(answer, text)
        self.rich(answer, "feedback", feedback)
        return answer


def _choice(writer: _Writer, node: Element) -> None:
    q = writer.question
    single = q.type == QuestionType.SINGLE_CHOICE
    _add(node, "single", "true" if single else "false")
    _add(node, "shuffleanswers", "true")
    _add(node, "answernumbering", "abc")
    writer.combined_feedback(node)
    for option, fraction in zip(q.options, effective_fractions(q.options, single), strict=True):
        writer.answer(node, percent(fraction), option.html, option.feedback_html, "html")


def _true_false(writer: _Writer, node: Element) -> None:
    for value in (True, False):
        fraction = "100" if writer.question.answer_bool is value else "0"
        writer.answer(node, fraction, str(value).lower(), "", "moodle_auto_format")


def _short_answer(writer: _Writer, node: Element) -> None:
    _add(node, "usecase", "1" if writer.question.is_case_sensitive else "0")
    for a in writer.question.text_answers:
        writer.answer(node, percent(a.fraction), a.text, a.feedback_html, "moodle_auto_format")


def _numeric(writer: _Writer, node: Element) -> None:
    for a in writer.question.numeric_answers:
        value = format_decimal(a.value)
        answer = writer.answer(
            node, percent(a.fraction), value, a.feedback_html, "moodle_auto_format"
        )
        _add(answer, "tolerance", format_decimal(a.tolerance))


def _matching(writer: _Writer, node: Element) -> None:
    _add(node, "shuffleanswers", "true")
    writer.combined_feedback(node)
    for option in writer.question.options:
        sub = writer.rich(node, "subquestion", option.html)
        _text(SubElement(sub, "answer"), html_to_text(option.match_html).strip())


def _essay(writer: _Writer, node: Element) -> None:
    for tag, value in (
        ("responseformat", "editor"),
        ("responserequired", "1"),
        ("responsefieldlines", "15"),
        ("attachments", "0"),
        ("attachmentsrequired", "0"),
    ):
        _add(node, tag, value)
    writer.rich(node, "graderinfo", writer.question.grader_info_html)
    writer.rich(node, "responsetemplate", "")


def _gapselect(writer: _Writer, node: Element) -> None:
    _add(node, "shuffleanswers", "0")
    writer.combined_feedback(node)
    choices = writer.select[0] if writer.select else []
    for group, text in choices:
        option = SubElement(node, "selectoption")
        _text(option, text)
        _add(option, "group", str(group))


def _nothing(writer: _Writer, node: Element) -> None:
    """Description and cloze carry everything in their question text."""


_BODIES: dict[str, Callable[[_Writer, Element], None]] = {
    "gapselect": _gapselect,
    QuestionType.SINGLE_CHOICE: _choice,
    QuestionType.MULTIPLE_RESPONSE: _choice,
    QuestionType.TRUE_FALSE: _true_false,
    QuestionType.SHORT_ANSWER: _short_answer,
    QuestionType.NUMERIC: _numeric,
    QuestionType.MATCHING: _matching,
    QuestionType.ESSAY: _essay,
    QuestionType.DESCRIPTION: _nothing,
    QuestionType.CLOZE: _nothing,
}
