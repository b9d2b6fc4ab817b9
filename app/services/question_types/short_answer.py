"""Short answer (trả lời ngắn): typed text compared with the accepted texts, Moodle-style."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

from question_banks.model import Question, QuestionType

from ...core.text import clean_line
from .base import ONE, ZERO, Handler, Json, text_answer
from .registry import register

MAX_LENGTH = 1000
MSG_NO_ANSWERS = "Thiếu đáp án chấp nhận cho câu trả lời ngắn"
MSG_BLANK = "Có đáp án chấp nhận để trống"
MSG_RANGE = "Điểm của đáp án '{text}' phải từ 0% đến 100%"
MSG_NO_FULL = "Cần ít nhất một đáp án được 100% điểm"
# "\*" is a literal star, a bare "*" stands for any text (Moodle's shortanswer wildcard).
_STAR = re.compile(r"(\\\*|\*)")
_ACCENT_EXTRA = str.maketrans({"đ": "d", "Đ": "D"})


@register
class ShortAnswer(Handler):
    """The best fraction among the accepted texts the answer matches.

    Both sides are NFC-normalised, trimmed and single-spaced; case is ignored unless
    `is_case_sensitive`, accents only when `is_accent_sensitive` is False.
    """

    type = QuestionType.SHORT_ANSWER
    can_fill_gap = True

    def check(self, question: Question) -> list[str]:
        answers = question.text_answers
        if not answers:
            return [MSG_NO_ANSWERS]
        problems = [MSG_BLANK] if any(not a.text.strip() for a in answers) else []
        problems += [
            MSG_RANGE.format(text=a.text) for a in answers if not ZERO <= a.fraction <= ONE
        ]
        if not any(a.fraction == ONE for a in answers):
            problems.append(MSG_NO_FULL)
        return problems

    def parse(self, question: Question, raw: Json) -> str:
        return text_answer(raw, MAX_LENGTH)

    def grade(self, question: Question, answer: str) -> tuple[Decimal, dict]:
        case, accent = question.is_case_sensitive, question.is_accent_sensitive
        typed = comparable(answer, case, accent)
        fractions = [
            a.fraction
            for a in question.text_answers
            if wildcard(comparable(a.text, case, accent)).fullmatch(typed)
        ]
        return max(fractions, default=ZERO), {"matched": bool(fractions)}


def comparable(text: str, is_case_sensitive: bool, is_accent_sensitive: bool) -> str:
    """The form two texts are compared in: "  Hà   Nội " -> "hà nội" (or "ha noi")."""
    text = clean_line(text)
    if not is_accent_sensitive:
        text = strip_accents(text)
    return text if is_case_sensitive else text.casefold()


def strip_accents(text: str) -> str:
    """Vietnamese without diacritics, keeping case ("Đà Nẵng" -> "Da Nang")."""
    decomposed = unicodedata.normalize("NFD", text.translate(_ACCENT_EXTRA))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare)


@lru_cache(maxsize=1024)
def wildcard(accepted: str) -> re.Pattern[str]:
    parts = _STAR.split(accepted)
    pattern = "".join(".*" if p == "*" else re.escape("*" if p == "\\*" else p) for p in parts)
    return re.compile(pattern, re.DOTALL)
