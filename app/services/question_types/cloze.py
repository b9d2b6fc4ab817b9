"""Cloze (điền khuyết): gaps {{n}} in the stem, each answered like a question of its gap type."""

from __future__ import annotations

import re
from decimal import Decimal

from question_banks.model import Gap, Question, QuestionType

from .base import (
    FULL_CREDIT,
    ZERO,
    AnswerError,
    Handler,
    Json,
    answer_object,
    clamp,
    is_blank,
)
from .registry import TYPES, register

_MARKER = re.compile(r"\{\{(\d+)\}\}")
MSG_NO_GAPS = "Câu điền khuyết chưa có ô trống nào"
MSG_DUPLICATE_GAP = "Ô trống {n} bị khai báo hai lần"
MSG_NO_MARKER = "Nội dung thiếu ô trống {{{{{n}}}}}"
MSG_NO_GAP = "Nội dung có ô trống {{{{{n}}}}} nhưng chưa có đáp án cho ô đó"
MSG_GAP_TYPE = "Ô trống {n} có loại không dùng được cho ô trống: {type}"
MSG_GAP_POINTS = "Điểm của ô trống {n} không được âm"
MSG_NO_POINTS = "Tổng điểm các ô trống phải lớn hơn 0"
MSG_IN_GAP = "Ô trống {n}: {message}"
MSG_UNKNOWN_GAP = "Không có ô trống '{key}' trong câu hỏi này"


def gap_question(question: Question, gap: Gap) -> Question:
    """A gap as a question of its own type, so that type's handler validates and scores it."""
    return Question(
        type=gap.type,
        stem_html=f"{{{{{gap.number}}}}}",
        points=gap.points,
        options=gap.options,
        text_answers=gap.text_answers,
        numeric_answers=gap.numeric_answers,
        # Gap carries no flags of its own: a short-answer gap follows the question's.
        is_case_sensitive=question.is_case_sensitive,
        is_accent_sensitive=question.is_accent_sensitive,
    )


def gap_handler(gap: Gap) -> Handler | None:
    handler = TYPES.get(gap.type)
    return handler if handler is not None and handler.can_fill_gap else None


@register
class Cloze(Handler):
    """Sum of the gaps' shares weighted by `Gap.points`, scaled to the question's points."""

    type = QuestionType.CLOZE

    def check(self, question: Question) -> list[str]:
        if not question.gaps:
            return [MSG_NO_GAPS]
        numbers = [gap.number for gap in question.gaps]
        problems = [
            MSG_DUPLICATE_GAP.format(n=n) for n in sorted(set(numbers)) if numbers.count(n) > 1
        ]
        markers = {int(n) for n in _MARKER.findall(question.stem_html)}
        problems += [MSG_NO_MARKER.format(n=n) for n in sorted(set(numbers) - markers)]
        problems += [MSG_NO_GAP.format(n=n) for n in sorted(markers - set(numbers))]
        for gap in question.gaps:
            problems += self.gap_problems(question, gap)
        if not problems and sum(gap.points for gap in question.gaps) <= 0:
            problems.append(MSG_NO_POINTS)
        return problems

    def gap_problems(self, question: Question, gap: Gap) -> list[str]:
        handler = gap_handler(gap)
        if handler is None:
            return [MSG_GAP_TYPE.format(n=gap.number, type=gap.type)]
        problems = [MSG_GAP_POINTS.format(n=gap.number)] if gap.points < 0 else []
        found = handler.validate(gap_question(question, gap))
        return problems + [MSG_IN_GAP.format(n=gap.number, message=m) for m in found]

    def public_extra(self, question: Question, option_order: list[str] | None) -> dict:
        """Each gap's public view (its choice list for a select gap) without the stem."""
        gaps = []
        for gap in question.gaps:
            handler = gap_handler(gap)
            if handler is not None:
                view = handler.public_view(gap_question(question, gap))
                gaps.append(
                    {"number": gap.number} | {k: v for k, v in view.items() if k != "stem_html"}
                )
        return {"gaps": gaps}

    def parse(self, question: Question, raw: Json) -> dict[str, Json]:
        by_number = {str(gap.number): gap for gap in question.gaps}
        answer: dict[str, Json] = {}
        for key, value in answer_object(raw).items():
            gap = by_number.get(str(key))
            handler = gap_handler(gap) if gap is not None else None
            if gap is None or handler is None:
                raise AnswerError(MSG_UNKNOWN_GAP.format(key=str(key)[:20]))
            try:
                answer[str(gap.number)] = handler.normalise_answer(
                    gap_question(question, gap), value
                )
            except AnswerError as error:
                raise AnswerError(MSG_IN_GAP.format(n=gap.number, message=error.message)) from None
        return {n: answer[n] for n in by_number if n in answer}

    def grade(self, question: Question, answer: dict[str, Json]) -> tuple[Decimal, dict]:
        earned, weight, right = ZERO, ZERO, 0
        for gap in question.gaps:
            weight += gap.points
            handler, value = gap_handler(gap), answer.get(str(gap.number))
            if handler is None or is_blank(value):
                continue
            share, _ = handler.grade(gap_question(question, gap), value)
            share = clamp(share or ZERO)
            earned += share * gap.points
            right += share >= FULL_CREDIT
        share = earned / weight if weight > 0 else ZERO
        return share, {"correct_gaps": right, "gaps": len(question.gaps)}
