"""True/false cluster (Đúng/Sai 4 ý), the 2025 exam's Part II: {statement id: true|false}."""

from __future__ import annotations

from decimal import Decimal

from question_banks.model import Question, QuestionType

from ..grading import cluster_score
from .base import AnswerError, Handler, Json, answer_object, option_id, option_problems
from .registry import register

STATEMENTS = 4
MSG_FOUR = "Câu Đúng/Sai 4 ý phải có đúng 4 ý (đang có {n})"
MSG_NOT_BOOL = "Ý {key}: câu trả lời phải là true (Đúng) hoặc false (Sai)"


@register
class TrueFalseCluster(Handler):
    """Scored by the number of statements judged right (1: 0.1, 2: 0.25, 3: 0.5, 4: all).

    A statement left unanswered counts as not right, so answering 2 of 4 is a valid answer.
    """

    type = QuestionType.TRUE_FALSE_CLUSTER

    def check(self, question: Question) -> list[str]:
        problems = option_problems(question.options, minimum=0)
        if len(question.options) != STATEMENTS:
            problems.append(MSG_FOUR.format(n=len(question.options)))
        return problems

    def parse(self, question: Question, raw: Json) -> dict[str, bool]:
        answer = answer_object(raw)
        keys = [o.key for o in question.options]
        for key, value in answer.items():
            option_id(key, keys)
            if not isinstance(value, bool):
                raise AnswerError(MSG_NOT_BOOL.format(key=key))
        return {key: answer[key] for key in keys if key in answer}

    def grade(self, question: Question, answer: dict[str, bool]) -> tuple[Decimal, dict]:
        if len(question.options) != STATEMENTS:
            # The 2025 table only exists for 4 statements; validate() refuses other clusters.
            raise ValueError(MSG_FOUR.format(n=len(question.options)))
        right = sum(o.key in answer and answer[o.key] == o.is_correct for o in question.options)
        return cluster_score(right), {"correct_statements": right, "answered": len(answer)}
