"""Description (đoạn dẫn): text shown between questions; no answer, no points."""

from __future__ import annotations

from decimal import Decimal

from question_banks.model import Question, QuestionType

from .base import NO_POINTS, AnswerError, Handler, Json, Score
from .registry import register

MSG_NO_ANSWER = "Phần mô tả không nhận câu trả lời"


@register
class Description(Handler):
    type = QuestionType.DESCRIPTION

    def parse(self, question: Question, raw: Json) -> Json:
        raise AnswerError(MSG_NO_ANSWER)

    def score(self, question: Question, answer: Json, points: Decimal | None = None) -> Score:
        """Always 0 out of 0, whatever `points` says; nothing to get wrong, nothing to grade."""
        return Score(NO_POINTS, NO_POINTS, True, {"is_scored": False})
