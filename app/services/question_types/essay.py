"""Essay (tự luận): free text, graded by a teacher."""

from __future__ import annotations

from decimal import Decimal

from question_banks.model import Question, QuestionType

from .base import Handler, Json, text_answer
from .registry import register

MAX_LENGTH = 20_000


@register
class Essay(Handler):
    """0 points and is_correct None until a teacher grades; a blank essay is simply 0."""

    type = QuestionType.ESSAY

    def public_extra(self, question: Question, option_order: list[str] | None) -> dict:
        return {"max_length": MAX_LENGTH}

    def parse(self, question: Question, raw: Json) -> str:
        return text_answer(raw, MAX_LENGTH)

    def grade(self, question: Question, answer: str) -> tuple[Decimal | None, dict]:
        return None, {"needs_grading": True}
