"""GIFT export: writes questions the way Moodle's own GIFT exporter does, all text as [html]."""

from __future__ import annotations

from collections.abc import Callable

from ._moodle_conventions import (
    asset_to_plugin_refs,
    category_to_moodle,
    effective_fractions,
    format_decimal,
    percent,
)
from ._plaintext import html_to_text
from .model import Gap, Option, Question, QuestionType

_CONTROL = "\\#=~{}:"  # backslash first, so the escapes added later are not doubled


def dump(questions: list[Question]) -> bytes:
    """A GIFT file Moodle imports; types GIFT cannot express are left out with a comment."""
    chunks: list[str] = []
    category = ""
    for number, question in enumerate(questions, start=1):
        if question.category != category:
            category = question.category
            chunks.append(f"$CATEGORY: {_escape(category_to_moodle(category))}\n")
        chunks.append(_question(question, number))
    return "\n".join(chunks).encode("utf-8")


def _escape(text: str) -> str:
    for char in _CONTROL:
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _question(question: Question, number: int) -> str:
    lines = [f"// question: {number}  name: {_one_line(question.title)}"]
    meta = [f"[id:{_one_line(question.source_id)}]"] if question.source_id else []
    meta += [f"[tag:{_one_line(tag).replace(']', ')')}]" for tag in question.tags]
    if meta:
        lines.append("// " + " ".join(meta))
    writer = _WRITERS.get(question.type)
    body = writer(question) if writer else None
    if body is None:
        kind = question.type.value
        return lines[0] + f"\n// Không xuất được câu hỏi loại '{kind}' sang GIFT, đã bỏ qua.\n"
    title = f"::{_escape(question.title)}::" if question.title else ""
    lines.append(title + body)
    return "\n".join(lines) + "\n"


def _html(question: Question, fragment: str) -> str:
    """An HTML field; a leading "[" would be read back as a format tag, so say [html]."""
    text = _escape(asset_to_plugin_refs(fragment, question.assets).strip())
    return "[html]" + text if text.startswith("[") else text


def _stem(question: Question) -> str:
    return "[html]" + _escape(asset_to_plugin_refs(question.stem_html, question.assets).strip())


def _block(question: Question, lines: list[str], opener: str = "{") -> str:
    general = _html(question, question.explanation_html) if question.explanation_html else ""
    if general:
        lines = [*lines, "####" + general]
    return opener + "\n" + "".join(f"\t{line}\n" for line in lines) + "}"


def _feedback(question: Question, feedback_html: str) -> str:
    return "#" + _html(question, feedback_html) if feedback_html else ""


def _choice_lines(question: Question, options: list[Option], single: bool) -> list[str]:
    lines = []
    for option, fraction in zip(options, effective_fractions(options, single), strict=True):
        text = _html(question, option.html)
        if single and fraction == 1:
            mark = "="
        elif fraction == 0 and not text.startswith("%"):
            mark = "~"
        else:  # also protects a text starting with "%" from being read as a weight
            mark = f"~%{percent(fraction)}%"
        lines.append(mark + text + _feedback(question, option.feedback_html))
    return lines


def _text_lines(question: Question, gap: Gap | Question) -> list[str]:
    return [
        f"=%{percent(a.fraction)}%{_escape(a.text)}{_feedback(question, a.feedback_html)}"
        for a in gap.text_answers
    ]


def _numeric_lines(question: Question, gap: Gap | Question) -> list[str]:
    return [
        f"=%{percent(a.fraction)}%{format_decimal(a.value)}:{format_decimal(a.tolerance)}"
        + _feedback(question, a.feedback_html)
        for a in gap.numeric_answers
    ]


def _answer_block(question: Question, gap: Gap | Question, kind: QuestionType) -> str:
    if kind == QuestionType.NUMERIC:
        return _block(question, _numeric_lines(question, gap), opener="{#")
    if kind == QuestionType.SHORT_ANSWER:
        return _block(question, _text_lines(question, gap))
    single = kind == QuestionType.SINGLE_CHOICE
    return _block(question, _choice_lines(question, gap.options, single))


def _with_block(question: Question) -> str:
    return _stem(question) + _answer_block(question, question, question.type)


def _essay(question: Question) -> str:
    return _stem(question) + _block(question, []).replace("{\n}", "{}")


def _true_false(question: Question) -> str:
    general = _html(question, question.explanation_html) if question.explanation_html else ""
    answer = "TRUE" if question.answer_bool else "FALSE"
    return _stem(question) + "{" + answer + ("####" + general if general else "") + "}"


def _matching(question: Question) -> str:
    # GIFT cannot escape "->"; in the HTML left side "-&gt;" shows the same and is not syntax.
    lines = [
        f"={_html(question, o.html.replace('->', '-&gt;'))} -> "
        + _escape(html_to_text(o.match_html).strip())
        for o in question.options
    ]
    return _stem(question) + _block(question, lines)


def _cloze(question: Question) -> str | None:
    """Only a one-gap cloze exists in GIFT (the "missing word" form)."""
    if len(question.gaps) != 1 or question.stem_html.count("{{1}}") != 1:
        return None
    before, after = (
        _escape(asset_to_plugin_refs(part, question.assets))
        for part in question.stem_html.split("{{1}}")
    )
    gap = question.gaps[0]
    return "[html]" + before.lstrip() + _answer_block(question, gap, gap.type) + after.rstrip()


def _description(question: Question) -> str:
    return _stem(question)


_WRITERS: dict[QuestionType, Callable[[Question], str | None]] = {
    QuestionType.SINGLE_CHOICE: _with_block,
    QuestionType.MULTIPLE_RESPONSE: _with_block,
    QuestionType.SHORT_ANSWER: _with_block,
    QuestionType.NUMERIC: _with_block,
    QuestionType.TRUE_FALSE: _true_false,
    QuestionType.MATCHING: _matching,
    QuestionType.ESSAY: _essay,
    QuestionType.CLOZE: _cloze,
    QuestionType.DESCRIPTION: _description,
}
