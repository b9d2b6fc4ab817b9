"""Moodle's embedded-answers (Cloze) syntax `{2:MULTICHOICE:=a#ok~b}` to LopHoc gaps and back."""

from __future__ import annotations

import html
import re
from decimal import Decimal

from ._moodle_conventions import (
    choice_key,
    effective_fractions,
    format_decimal,
    parse_decimal,
    percent,
    tidy,
)
from ._plaintext import html_to_text, text_to_html
from .model import Gap, NumericAnswer, Option, Question, QuestionType, TextAnswer

_START = re.compile(r"\{(\d{0,6}):([A-Z_]+):")
_MARKER = re.compile(r"\{\{(\d{1,6})\}\}")
_FRACTION = re.compile(r"^(=|%(-?\d+(?:[.,]\d*)?)%)")
_UNESCAPE = re.compile(r"\\([}#~])")
_CLOSE = re.compile(r"(?<!\\)\}")
_SA, _SAC, _MC, _NM, _MR = "SA", "SAC", "MC", "NM", "MR"
_KINDS = {"NUMERICAL": _NM, "NM": _NM, "SHORTANSWER": _SA, "SA": _SA, "MW": _SA}
_KINDS |= {"SHORTANSWER_C": _SAC, "SAC": _SAC, "MWC": _SAC}
_MULTICHOICE = ("MULTICHOICE", "MC", "MULTICHOICE_V", "MCV", "MULTICHOICE_H", "MCH")
_MULTICHOICE += ("MULTICHOICE_S", "MCS", "MULTICHOICE_VS", "MCVS", "MULTICHOICE_HS", "MCHS")
_MULTIRESPONSE = ("MULTIRESPONSE", "MR", "MULTIRESPONSE_H", "MRH")
_MULTIRESPONSE += ("MULTIRESPONSE_S", "MRS", "MULTIRESPONSE_HS", "MRHS")
_KINDS |= dict.fromkeys(_MULTICHOICE, _MC) | dict.fromkeys(_MULTIRESPONSE, _MR)


class ClozeError(ValueError):
    """The embedded answers cannot be turned into gaps; the message is for the teacher."""


def parse_embedded(text: str, notes: list[str]) -> tuple[str, list[Gap], bool]:
    """Stem with `{{n}}` markers, its gaps, and whether short answers are case sensitive."""
    parts: list[str] = []
    gaps: list[Gap] = []
    kinds: set[str] = set()
    position = 0
    while match := _START.search(text, position):
        close = _CLOSE.search(text, match.end())
        if close is None:  # no gap can end any more
            break
        kind, end = _KINDS.get(match.group(2)), close.start()
        if kind is None:  # not an embedded answer, e.g. "{1:ABC:" in a formula
            parts.append(text[position : match.end()])
            position = match.end()
            continue
        if kind == _MR:
            raise ClozeError("Ô trống nhiều đáp án (MULTIRESPONSE) chưa được hỗ trợ.")
        weight = Decimal(int(match.group(1) or 0) or 1)  # Moodle reads a weight of 0 as 1
        gaps.append(_gap(len(gaps) + 1, weight, kind, text[match.end() : end], notes))
        kinds.add(kind)
        parts += [text[position : match.start()], f"{{{{{len(gaps)}}}}}"]
        position = end + 1
    if kinds >= {_SA, _SAC}:
        notes.append("Các ô trống vừa phân biệt vừa không phân biệt chữ hoa; đã phân biệt tất cả.")
    return "".join([*parts, text[position:]]), gaps, _SAC in kinds


def _split_unescaped(text: str, separator: str, limit: int = -1) -> list[str]:
    # "&#" starts an HTML entity (&#39;), never a feedback separator, as in Moodle.
    escapes = "\\&" if separator == "#" else "\\"
    pieces: list[str] = []
    start = 0
    for index, char in enumerate(text):
        if char == separator and (index == 0 or text[index - 1] not in escapes):
            if limit >= 0 and len(pieces) >= limit:
                break
            pieces.append(text[start:index])
            start = index + 1
    return [*pieces, text[start:]]


def _gap(number: int, weight: Decimal, kind: str, body: str, notes: list[str]) -> Gap:
    gap_type = {_MC: QuestionType.SINGLE_CHOICE, _NM: QuestionType.NUMERIC}
    gap = Gap(number, gap_type.get(kind, QuestionType.SHORT_ANSWER), points=weight)
    for alternative in _split_unescaped(body, "~"):
        match = _FRACTION.match(alternative)
        fraction = Decimal(0)
        if match:
            raw = match.group(2)
            fraction = Decimal(1) if raw is None else tidy(Decimal(raw.replace(",", ".")) / 100)
            alternative = alternative[match.end() :]
        answer, *rest = _split_unescaped(alternative, "#", limit=1)
        answer = _UNESCAPE.sub(r"\1", answer).strip()
        feedback = _UNESCAPE.sub(r"\1", rest[0]).strip() if rest else ""
        if answer:
            _add_alternative(gap, kind, answer, fraction, feedback, notes)
    if not (gap.options or gap.text_answers or gap.numeric_answers):
        raise ClozeError(f"Ô trống số {number} không có đáp án nào.")
    return gap


def _add_alternative(
    gap: Gap, kind: str, answer: str, fraction: Decimal, feedback: str, notes: list[str]
) -> None:
    if kind == _MC:
        key = choice_key(len(gap.options))
        gap.options.append(Option(key, answer, fraction == 1, fraction, feedback_html=feedback))
    elif kind == _NM:
        value_text, _, tolerance_text = html.unescape(answer).partition(":")
        if value_text.strip() == "*":
            notes.append("Đáp án '*' (mọi số khác) của ô trống số chưa được hỗ trợ, đã bỏ qua.")
            return
        value = parse_decimal(value_text)
        tolerance = parse_decimal(tolerance_text) if tolerance_text.strip() else Decimal(0)
        if value is None or tolerance is None:
            raise ClozeError(f"Đáp số không hợp lệ trong ô trống số {gap.number}: '{answer}'.")
        gap.numeric_answers.append(NumericAnswer(value, abs(tolerance), fraction, feedback))
    else:
        gap.text_answers.append(TextAnswer(html.unescape(answer), fraction, feedback))


def format_embedded(question: Question) -> str:
    """The stem with each `{{n}}` replaced by Moodle's embedded-answer syntax."""
    gaps = {gap.number: gap for gap in question.gaps}
    used: set[int] = set()

    def replace(match: re.Match[str]) -> str:
        gap = gaps.get(int(match.group(1)))
        if gap is None:
            return match.group(0)
        used.add(gap.number)
        return _embedded(gap, question.is_case_sensitive)

    stem = _MARKER.sub(replace, question.stem_html)
    # A gap the stem forgot would vanish in Moodle; keep it visible at the end instead.
    extra = [
        _embedded(g, question.is_case_sensitive) for g in question.gaps if g.number not in used
    ]
    return " ".join([stem, *extra])


def _escape(text: str) -> str:
    # A trailing backslash would escape the separator after it; the entity renders the same.
    text = text[:-1] + "&#92;" if text.endswith("\\") else text
    return text.replace("}", "\\}").replace("~", "\\~").replace("#", "\\#")


def _answer(text: str) -> str:
    # A raw "&" right before the "#" separator would read as an entity ("&#..."), as in Moodle.
    return _escape(text[:-1] + "&amp;" if text.endswith("&") else text)


def _mark(fraction: Decimal, text: str) -> str:
    if fraction == 1:
        return "="
    if fraction == 0 and not text.startswith(("%", "=")):
        return ""
    return f"%{percent(fraction)}%"


def _embedded(gap: Gap, case_sensitive: bool) -> str:
    weight = max(1, int(gap.points.to_integral_value()))  # Moodle accepts whole weights only
    if gap.type == QuestionType.NUMERIC:
        kind = "NUMERICAL"
        answers = [
            (
                a.fraction,
                f"{format_decimal(a.value)}:{format_decimal(a.tolerance)}",
                a.feedback_html,
            )
            for a in gap.numeric_answers
        ]
    elif gap.type == QuestionType.SHORT_ANSWER:
        kind = "SHORTANSWER_C" if case_sensitive else "SHORTANSWER"
        answers = [
            (a.fraction, html.escape(a.text, quote=False), a.feedback_html)
            for a in gap.text_answers
        ]
    else:
        kind = "MULTICHOICE"
        fractions = effective_fractions(gap.options, single=True)
        answers = [
            (f, o.html, o.feedback_html) for o, f in zip(gap.options, fractions, strict=True)
        ]
    alternatives = [
        _mark(fraction, text) + _answer(text) + (f"#{_escape(feedback)}" if feedback else "")
        for fraction, text, feedback in answers
    ]
    return f"{{{weight}:{kind}:{'~'.join(alternatives)}}}"


def select_missing_words(question: Question) -> tuple[list[tuple[int, str]], list[int]] | None:
    """(group, text) choices and each gap's right choice number, when a cloze is exactly a
    Moodle "select missing words" question: plain-text drop-downs with one right choice each,
    equal weights, no feedback, gaps numbered in reading order. Exported as such, Moodle keeps
    its total mark instead of summing the gap weights."""
    gaps = question.gaps
    markers = [int(n) for n in _MARKER.findall(question.stem_html)]
    if not gaps or markers != [g.number for g in gaps] or markers != list(range(1, len(gaps) + 1)):
        return None
    if "[[" in question.stem_html or len({g.points for g in gaps}) != 1:
        return None
    groups: list[list[str]] = []
    rights: list[tuple[int, int]] = []
    for gap in gaps:
        right = _single_plain_right_choice(gap)
        if right is None:
            return None
        texts = [o.html for o in gap.options]
        groups += [] if texts in groups else [texts]
        rights.append((groups.index(texts), right))
    starts = [sum(len(g) for g in groups[:i]) for i in range(len(groups))]
    choices = [(i + 1, html_to_text(t)) for i, texts in enumerate(groups) for t in texts]
    return choices, [starts[group] + right + 1 for group, right in rights]


def _single_plain_right_choice(gap: Gap) -> int | None:
    if gap.type != QuestionType.SINGLE_CHOICE or any(o.feedback_html for o in gap.options):
        return None
    texts = [o.html for o in gap.options]
    if len(set(texts)) != len(texts) or any(
        text_to_html(html_to_text(t)) != t or not t for t in texts
    ):
        return None
    fractions = effective_fractions(gap.options, single=True)
    if sorted(fractions) != [0] * (len(fractions) - 1) + [1]:
        return None
    return fractions.index(Decimal(1))
