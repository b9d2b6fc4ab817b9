"""Ordering (sắp xếp): a list of option ids; the question lists its options in the right order."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from question_banks.model import Option, Question, QuestionType

from .base import ONE, ZERO, Handler, Json, option_id_list, option_problems, ordered
from .registry import register


@register
class Ordering(Handler):
    """All or nothing; `detail["partial"]` counts the items in their right place."""

    type = QuestionType.ORDERING

    def check(self, question: Question) -> list[str]:
        return option_problems(question.options, minimum=2)

    def public_view(self, question: Question, option_order: list[str] | None = None) -> dict:
        """The items in the given order, or a fixed scramble; never in the right order."""
        options = question.options
        shown = ordered(options, option_order) if option_order else scrambled(options)
        if len(shown) > 1 and [o.key for o in shown] == [o.key for o in options]:
            # A shuffle that lands on the answer would hand out the points.
            shown = shown[1:] + shown[:1]
        return {
            "type": self.type.value,
            "stem_html": question.stem_html,
            "options": [{"id": o.key, "html": o.html} for o in shown],
        }

    def parse(self, question: Question, raw: Json) -> list[str]:
        return option_id_list(raw, [o.key for o in question.options])

    def grade(self, question: Question, answer: list[str]) -> tuple[Decimal, dict]:
        keys = [o.key for o in question.options]
        in_place = sum(given == right for given, right in zip(answer, keys, strict=False))
        share = ONE if answer == keys else ZERO
        return share, {"partial": in_place, "items": len(keys)}


def scrambled(options: list[Option]) -> list[Option]:
    """A deterministic order unrelated to the right one (sorted by a hash of each item)."""

    def digest(option: Option) -> str:
        return hashlib.sha256(f"{option.key}\0{option.html}".encode()).hexdigest()

    return sorted(options, key=digest)
