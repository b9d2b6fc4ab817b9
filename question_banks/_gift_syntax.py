"""GIFT syntax below the question level: escapes, [format] tags and the `{...}` answer block."""

from __future__ import annotations

import re
from decimal import Decimal

from ._moodle_conventions import choice_key, parse_decimal, plugin_to_asset_refs, tidy
from ._plaintext import text_to_html
from .model import (
    ImportIssue,
    NumericAnswer,
    Option,
    ParseResult,
    Question,
    QuestionType,
    TextAnswer,
)

# Escaped control characters become private-use placeholders before any splitting (as
# Moodle does), so `\{`, `\=`, `\#` ... never act as syntax.
_BACKSLASH = "\ue000"
_ESCAPES = {"\\:": "\ue001", "\\#": "\ue002", "\\=": "\ue003", "\\{": "\ue004"}
_ESCAPES |= {"\\}": "\ue005", "\\~": "\ue006", "\\n": "\ue007"}
_RESTORE = {p: e[1] for e, p in _ESCAPES.items()} | {"\ue007": "\n", _BACKSLASH: "\\"}
GAP = "\ue00f"  # where a missing-word answer block stood in the stem
DEFAULT_FORMAT = "moodle"
_FORMAT_TAG = re.compile(r"^\[(html|moodle|plain|markdown)\]")
_WEIGHT = re.compile(r"^%(-?\d+(?:[.,]\d*)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


class Skip(Exception):
    """Raised to skip one question; the message is shown to the teacher."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def protect(text: str) -> str:
    text = text.replace("\\\\", _BACKSLASH)
    for escaped, placeholder in _ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text


def restore(text: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in text)


def split_format(raw: str, default: str) -> tuple[str, str]:
    raw = raw.strip()
    match = _FORMAT_TAG.match(raw)
    return (match.group(1), raw[match.end() :]) if match else (default, raw)


def text_format(raw: str) -> str:
    return split_format(raw, DEFAULT_FORMAT)[0]


def formatted(raw: str, default: str) -> str:
    """GIFT text -> HTML: [html] passes through, every other format is escaped text."""
    fmt, text = split_format(raw, default)
    text = restore(text).strip()
    return plugin_to_asset_refs(text if fmt == "html" else text_to_html(text))


def plain(raw: str) -> str:
    """A field Moodle keeps as plain text (short answers, matching right sides)."""
    return restore(split_format(raw, DEFAULT_FORMAT)[1]).strip()


def split_general_feedback(body: str) -> tuple[str, str]:
    cut = body.rfind("####")
    return (body, "") if cut < 0 else (body[:cut].strip(), body[cut + 4 :])


def build(body: str, fmt: str, where: str, result: ParseResult) -> Question:
    """The question the answer block describes, using Moodle's own order of type tests."""
    if body == "":
        return Question(type=QuestionType.ESSAY, stem_html="")
    if body.startswith("#"):
        return _numeric(body[1:], fmt, where, result)
    if "~" in body:
        return _choice(body, fmt)
    if "=" in body and "->" in body:
        return _matching(body, fmt)
    value = body.split("#", 1)[0].strip()
    if value in _TRUE_FALSE:
        return _true_false(body, where, result)
    return _short_answer(body, fmt)


def _weight(answer: str, default: Decimal) -> tuple[Decimal, str]:
    match = _WEIGHT.match(answer)
    if not match:
        return default, answer
    return tidy(Decimal(match.group(1).replace(",", ".")) / 100), answer[match.end() :]


def _with_feedback(answer: str, fmt: str) -> tuple[str, str]:
    text, _, feedback = answer.partition("#")
    return text, formatted(feedback, fmt) if feedback.strip() else ""


def _choice(body: str, fmt: str) -> Question:
    single = "=" in body
    parts = [p.strip() for p in body.replace("=", "~=").split("~")]
    options: list[Option] = []
    for part in (p for p in parts if p):
        if part.startswith("="):
            fraction, part = Decimal(1), part[1:]
        else:
            fraction, part = _weight(part, Decimal(0))
        text, feedback = _with_feedback(part, fmt)
        correct = fraction == 1 if single else fraction > 0
        key = choice_key(len(options))
        html = formatted(text, fmt)
        options.append(Option(key, html, correct, fraction, feedback_html=feedback))
    if len(options) < 2:
        raise Skip("Câu hỏi nhiều lựa chọn cần ít nhất 2 phương án.")
    if not any(o.is_correct for o in options):
        raise Skip("Không có phương án nào đúng (cần '=' hoặc trọng số dương '%50%').")
    kind = QuestionType.SINGLE_CHOICE if single else QuestionType.MULTIPLE_RESPONSE
    return Question(type=kind, stem_html="", options=options)


def _matching(body: str, fmt: str) -> Question:
    options: list[Option] = []
    for part in (p.strip() for p in body.split("=")):
        if not part:
            continue
        if "->" not in part:
            raise Skip(f"Cặp ghép '{restore(part)}' thiếu dấu '->'.")
        left, _, right = part.partition("->")
        key = f"L{len(options) + 1}"
        options.append(Option(key, formatted(left, fmt), match_html=text_to_html(plain(right))))
    if len(options) < 2:
        raise Skip("Câu hỏi ghép đôi cần ít nhất 2 cặp.")
    return Question(type=QuestionType.MATCHING, stem_html="", options=options)


def _true_false(body: str, where: str, result: ParseResult) -> Question:
    value, *feedback = body.split("#", 2)
    if any(f.strip() for f in feedback):
        message = "Phản hồi riêng cho đáp án Đúng/Sai chưa được lưu, đã bỏ qua."
        result.warnings.append(ImportIssue(where=where, message=message))
    answer = _TRUE_FALSE[value.strip()]
    return Question(type=QuestionType.TRUE_FALSE, stem_html="", answer_bool=answer)


def _short_answer(body: str, fmt: str) -> Question:
    found: list[TextAnswer] = []
    for part in (p.strip() for p in body.split("=")):
        fraction, part = _weight(part, Decimal(1))
        text, feedback = _with_feedback(part, fmt)
        if plain(text):
            found.append(TextAnswer(plain(text), fraction, feedback))
    if not found:
        raise Skip("Câu trả lời ngắn không có đáp án nào.")
    return Question(type=QuestionType.SHORT_ANSWER, stem_html="", text_answers=found)


def _numeric(body: str, fmt: str, where: str, result: ParseResult) -> Question:
    body, tilde, _wrong = body.partition("~")
    if tilde:
        # Moodle stores this as a "*" answer; LopHoc has no catch-all numeric answer.
        message = "Phản hồi cho đáp án sai của câu hỏi số chưa được lưu, đã bỏ qua."
        result.warnings.append(ImportIssue(where=where, message=message))
    found: list[NumericAnswer] = []
    for part in (p.strip() for p in body.split("=")):
        if not part:
            continue
        fraction, part = _weight(part, Decimal(1))
        text, feedback = _with_feedback(part, fmt)
        if restore(text).strip() == "*":
            message = "Đáp án '*' (mọi số khác) của câu hỏi số chưa được hỗ trợ, đã bỏ qua."
            result.warnings.append(ImportIssue(where=where, message=message))
            continue
        value, tolerance = _number_and_tolerance(restore(text).strip())
        found.append(NumericAnswer(value, tolerance, fraction, feedback))
    if not found:
        raise Skip("Câu hỏi số không có đáp số nào.")
    return Question(type=QuestionType.NUMERIC, stem_html="", numeric_answers=found)


def _number_and_tolerance(text: str) -> tuple[Decimal, Decimal]:
    """`3.14:0.01` or a range `3.141..3.142` (kept as midpoint and half-width)."""
    if text.find("..") > 0:
        low, high = (parse_decimal(t) for t in text.split("..", 1))
        if low is None or high is None:
            raise Skip(f"Khoảng số không hợp lệ: '{text}'.")
        low, high = min(low, high), max(low, high)
        middle = tidy((low + high) / 2)
        return middle, tidy(high - middle)
    value_text, _, tolerance_text = text.partition(":") if text.find(":") > 0 else (text, "", "")
    value = parse_decimal(value_text)
    tolerance = parse_decimal(tolerance_text) if tolerance_text.strip() else Decimal(0)
    if value is None or tolerance is None:
        raise Skip(f"Đáp số không hợp lệ: '{text}'.")
    return value, abs(tolerance)
