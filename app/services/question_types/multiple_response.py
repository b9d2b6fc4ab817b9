"""Multiple response (nhiều lựa chọn): a list of option ids, Moodle's grade fractions."""

from __future__ import annotations

from decimal import Decimal

from question_banks.model import Question, QuestionType

from .base import (
    ONE,
    ZERO,
    Handler,
    Json,
    fraction_problems,
    option_id_list,
    option_problems,
    uses_fractions,
)
from .registry import register

MSG_NO_CORRECT = "Câu hỏi nhiều lựa chọn phải có ít nhất một đáp án đúng"
MSG_POSITIVE_SUM = "Tổng điểm các đáp án đúng phải là 100% (đang là {percent}%)"
# Moodle stores thirds as 33.33333%: three of them must still count as 100%.
SUM_TOLERANCE = Decimal("0.0001")


@register
class MultipleResponse(Handler):
    """Sum of the chosen options' fractions (wrong ones may be negative), clamped to 0..1.

    A source that only marked the right options (no fractions) is all-or-nothing: exactly
    the right set earns the points.
    """

    type = QuestionType.MULTIPLE_RESPONSE

    def check(self, question: Question) -> list[str]:
        options = question.options
        problems = option_problems(options, minimum=2)
        if not any(o.is_correct or o.fraction > 0 for o in options):
            problems.append(MSG_NO_CORRECT)
        elif uses_fractions(options):
            problems += fraction_problems(options)
            total = sum((o.fraction for o in options if o.fraction > 0), ZERO)
            if abs(total - ONE) > SUM_TOLERANCE:
                problems.append(MSG_POSITIVE_SUM.format(percent=f"{(total * 100).normalize():f}"))
        return problems

    def parse(self, question: Question, raw: Json) -> list[str]:
        keys = [o.key for o in question.options]
        chosen = set(option_id_list(raw, keys))
        return [key for key in keys if key in chosen]  # one stored form for the same choice

    def grade(self, question: Question, answer: list[str]) -> tuple[Decimal, dict]:
        chosen = set(answer)
        detail = {"chosen": len(chosen)}
        if uses_fractions(question.options):
            total = sum((o.fraction for o in question.options if o.key in chosen), ZERO)
            return total, detail
        right = {o.key for o in question.options if o.is_correct}
        return (ONE if chosen == right else ZERO), detail
