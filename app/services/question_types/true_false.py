"""True/false (Đúng/Sai), one statement: the answer is true or false."""

from __future__ import annotations

from decimal import Decimal

from question_banks.model import Question, QuestionType

from .base import ONE, ZERO, AnswerError, Handler, Json
from .registry import register

MSG_NO_KEY = "Câu Đúng/Sai chưa có đáp án (Đúng hay Sai)"
MSG_NOT_BOOL = "Câu trả lời phải là true (Đúng) hoặc false (Sai)"


@register
class TrueFalse(Handler):
    type = QuestionType.TRUE_FALSE

    def check(self, question: Question) -> list[str]:
        return [MSG_NO_KEY] if question.answer_bool is None else []

    def parse(self, question: Question, raw: Json) -> bool:
        if not isinstance(raw, bool):
            raise AnswerError(MSG_NOT_BOOL)
        return raw

    def grade(self, question: Question, answer: bool) -> tuple[Decimal, dict]:
        return (ONE if answer is question.answer_bool else ZERO), {}
