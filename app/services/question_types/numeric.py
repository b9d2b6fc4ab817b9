"""Numeric answer (trả lời số), the 2025 exam's Part III: a typed string, "3,5" or "3.5"."""

from __future__ import annotations

from decimal import Decimal

from question_banks.model import Question, QuestionType

from ..grading import numbers_equal, parse_number_answer
from .base import ONE, ZERO, Handler, Json, text_answer
from .registry import register

# Longer than parse_number_answer reads, so "abc…" typed by mistake is saved and scored 0.
MAX_LENGTH = 100
MSG_NO_ANSWERS = "Thiếu đáp án số"
MSG_NOT_FINITE = "Đáp án số không hợp lệ"
MSG_TOLERANCE = "Sai số cho phép của đáp án {value} không được âm"
MSG_RANGE = "Điểm của đáp án {value} phải từ 0% đến 100%"
MSG_NO_FULL = "Cần ít nhất một đáp án số được 100% điểm"


@register
class Numeric(Handler):
    """The best fraction among the accepted numbers the answer is within tolerance of.

    Saving never refuses a string that is not a number: it is the student's answer, and wrong.
    """

    type = QuestionType.NUMERIC
    can_fill_gap = True

    def check(self, question: Question) -> list[str]:
        answers = question.numeric_answers
        if not answers:
            return [MSG_NO_ANSWERS]
        if not all(a.value.is_finite() and a.tolerance.is_finite() for a in answers):
            return [MSG_NOT_FINITE]
        problems = [MSG_TOLERANCE.format(value=a.value) for a in answers if a.tolerance < 0]
        problems += [
            MSG_RANGE.format(value=a.value) for a in answers if not ZERO <= a.fraction <= ONE
        ]
        if not any(a.fraction == ONE for a in answers):
            problems.append(MSG_NO_FULL)
        return problems

    def parse(self, question: Question, raw: Json) -> str:
        return text_answer(raw, MAX_LENGTH)

    def grade(self, question: Question, answer: str) -> tuple[Decimal, dict]:
        value = parse_number_answer(answer)
        if value is None:
            return ZERO, {"is_number": False}
        fractions = [
            a.fraction
            for a in question.numeric_answers
            if a.tolerance.is_finite()
            and a.tolerance >= 0
            and numbers_equal(value, a.value, a.tolerance)
        ]
        return max(fractions, default=ZERO), {"is_number": True, "matched": bool(fractions)}
