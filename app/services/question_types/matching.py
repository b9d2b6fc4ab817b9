"""Matching (ghép đôi): {left option id: right choice id}, scored by the share of right pairs."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from question_banks.model import Option, Question, QuestionType

from ...core.text import clean_line
from .base import AnswerError, Handler, Json, answer_object, option_id, ordered, rank_of
from .registry import register

MSG_TWO_PAIRS = "Câu ghép đôi cần ít nhất 2 cặp"
MSG_NO_RIGHT = "Vế trái {key} chưa có vế phải"
MSG_EMPTY = "Phương án {key} chưa có nội dung"
MSG_DUPLICATE_KEY = "Mã phương án bị trùng: {key}"
MSG_TWO_RIGHTS = "Câu ghép đôi cần ít nhất 2 vế phải khác nhau"
MSG_NOT_CHOICE = "Vế trái {key}: phải chọn một vế phải của câu hỏi này"


def left_items(question: Question) -> list[Option]:
    """The options to match; an option with an empty left side is a distractor."""
    return [o for o in question.options if o.html.strip()]


def right_id(match_html: str) -> str:
    """The id of a right-hand choice, derived from its text alone.

    An option's key would give the pairing away ({"A": "A"}), so a right side gets an id of
    its own; equal texts share one choice, and the id survives edits to the other options.
    """
    digest = hashlib.sha256(clean_line(match_html).encode()).hexdigest()
    return f"r{digest[:12]}"


def right_choices(question: Question) -> dict[str, str]:
    """Right-hand choices by id, in source order, each text once (distractors included)."""
    choices: dict[str, str] = {}
    for option in question.options:
        if option.match_html.strip():
            choices.setdefault(right_id(option.match_html), option.match_html)
    return choices


@register
class Matching(Handler):
    type = QuestionType.MATCHING

    def check(self, question: Question) -> list[str]:
        problems, seen = [], set()
        for option in question.options:
            if option.key in seen:
                problems.append(MSG_DUPLICATE_KEY.format(key=option.key))
            seen.add(option.key)
            if option.html.strip() and not option.match_html.strip():
                problems.append(MSG_NO_RIGHT.format(key=option.key))
            if not option.html.strip() and not option.match_html.strip():
                problems.append(MSG_EMPTY.format(key=option.key))
        if len(left_items(question)) < 2:
            problems.append(MSG_TWO_PAIRS)
        elif len(right_choices(question)) < 2:
            problems.append(MSG_TWO_RIGHTS)
        return problems

    def public_view(self, question: Question, option_order: list[str] | None = None) -> dict:
        """Left items as `options`, right sides as `choices`; `option_order` may name both.

        Right sides it does not name are sorted by id, an order unrelated to the pairs.
        """
        lefts = ordered(left_items(question), option_order)
        rank = rank_of(option_order)
        choices = right_choices(question)
        right_order = sorted(choices, key=lambda cid: (rank.get(cid, len(rank)), cid))
        return {
            "type": self.type.value,
            "stem_html": question.stem_html,
            "options": [{"id": o.key, "html": o.html} for o in lefts],
            "choices": [{"id": cid, "html": choices[cid]} for cid in right_order],
        }

    def parse(self, question: Question, raw: Json) -> dict[str, str]:
        answer = answer_object(raw)
        lefts = [o.key for o in left_items(question)]
        choices = right_choices(question)
        for key, value in answer.items():
            option_id(key, lefts)
            if not isinstance(value, str) or value not in choices:
                raise AnswerError(MSG_NOT_CHOICE.format(key=key))
        return {key: answer[key] for key in lefts if key in answer}

    def grade(self, question: Question, answer: dict[str, str]) -> tuple[Decimal, dict]:
        lefts = left_items(question)
        right = sum(answer.get(o.key) == right_id(o.match_html) for o in lefts)
        return Decimal(right) / len(lefts), {"correct_pairs": right, "pairs": len(lefts)}
