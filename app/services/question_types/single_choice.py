"""Single choice (một lựa chọn): one option id; the 2025 exam's Part I."""

from __future__ import annotations

from decimal import Decimal

from question_banks.model import Question, QuestionType

from .base import (
    ONE,
    ZERO,
    Handler,
    Json,
    fraction_problems,
    option_id,
    option_problems,
    uses_fractions,
)
from .registry import register

MSG_ONE_CORRECT = "Câu hỏi một lựa chọn phải có đúng một đáp án đúng (đang có {n})"
MSG_FULL_FRACTION = "Đáp án đúng {key} phải được 100% điểm"


@register
class SingleChoice(Handler):
    """Full or zero; a Moodle source's partial-credit options (e.g. 50%) keep their share."""

    type = QuestionType.SINGLE_CHOICE
    can_fill_gap = True

    def check(self, question: Question) -> list[str]:
        options = question.options
        problems = option_problems(options, minimum=2)
        correct = [o for o in options if o.is_correct]
        if len(correct) != 1:
            problems.append(MSG_ONE_CORRECT.format(n=len(correct)))
        if uses_fractions(options):
            problems += fraction_problems(options)
            problems += [MSG_FULL_FRACTION.format(key=o.key) for o in correct if o.fraction != ONE]
        return problems

    def parse(self, question: Question, raw: Json) -> str:
        return option_id(raw, [o.key for o in question.options])

    def grade(self, question: Question, answer: str) -> tuple[Decimal, dict]:
        chosen = next(o for o in question.options if o.key == answer)
        if uses_fractions(question.options):
            return chosen.fraction, {}
        return (ONE if chosen.is_correct else ZERO), {}
