"""What every question type shares: Score, AnswerError and the Handler base class."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from question_banks.model import Option, Question, QuestionType

from ...core.errors import ValidationFailed
from ...core.text import fold
from ..grading_scores import to_decimal

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")
NO_POINTS = Decimal("0.00")
# Moodle's threshold for "right": three options worth 33.33333% each still make full credit.
FULL_CREDIT = Decimal("0.999999")

MSG_NO_STEM = "Câu hỏi chưa có nội dung"
MSG_NEGATIVE_POINTS = "Điểm của câu hỏi không được âm"
MSG_TOO_FEW_OPTIONS = "Câu hỏi cần ít nhất {n} phương án"
MSG_NO_KEY = "Có phương án chưa có mã (A, B, ...)"
MSG_DUPLICATE_KEY = "Mã phương án bị trùng: {key}"
MSG_EMPTY_OPTION = "Phương án {key} chưa có nội dung"
MSG_SAME_TEXT = "Phương án {key} trùng nội dung với phương án {other}"
MSG_FRACTION_RANGE = "Điểm của phương án {key} phải từ -100% đến 100%"
MSG_NOT_TEXT = "Câu trả lời phải là một chuỗi ký tự"
MSG_TOO_LONG = "Câu trả lời quá dài (tối đa {n} ký tự)"
MSG_NOT_OPTION_ID = "Mã phương án phải là chuỗi ký tự"
MSG_UNKNOWN_OPTION = "Không có phương án '{key}' trong câu hỏi này"
MSG_NOT_LIST = "Câu trả lời phải là danh sách mã phương án"
MSG_DUPLICATE_ANSWER = "Phương án '{key}' được chọn hai lần"
MSG_NOT_OBJECT = "Câu trả lời phải là một đối tượng {mã: giá trị}"

Json = Any  # a value json.loads can return


class AnswerError(ValidationFailed, ValueError):
    """A student's answer that cannot be saved; the message is Vietnamese and says why.

    A ValidationFailed too, so the API's one error handler answers 422 without special code.
    """

    code = "invalid_answer"


@dataclass(frozen=True)
class Score:
    """A scored answer; `is_correct` None means a teacher must grade it.

    `detail` holds counts only (statements right, pairs right, ...), never the key, so it can
    be shown to the student whenever the score is.
    """

    points: Decimal
    max_points: Decimal
    is_correct: bool | None
    detail: dict[str, Any] = field(default_factory=dict)


class Handler:
    """One question type: subclasses set `type` and override the hooks below."""

    type: ClassVar[QuestionType]
    # Whether a cloze gap may be of this type (the gap reuses this handler).
    can_fill_gap: ClassVar[bool] = False

    def validate(self, question: Question) -> list[str]:
        """Vietnamese problems that make the question unusable in an exam; [] when fine."""
        problems = [] if question.stem_html.strip() else [MSG_NO_STEM]
        if question.points < 0:
            problems.append(MSG_NEGATIVE_POINTS)
        return problems + self.check(question)

    def check(self, question: Question) -> list[str]:
        return []

    def public_view(self, question: Question, option_order: list[str] | None = None) -> dict:
        """What the exam page receives: stem and options, never the key or feedback.

        `option_order` lists option ids in the order to show (the variant's shuffle); ids it
        does not name follow in source order and ids the question lacks are ignored, so an
        exam page always renders.
        """
        options = ordered(question.options, option_order)
        view = {"type": self.type.value, "stem_html": question.stem_html}
        view["options"] = [{"id": o.key, "html": o.html} for o in options]
        return view | self.public_extra(question, option_order)

    def public_extra(self, question: Question, option_order: list[str] | None) -> dict:
        return {}

    def normalise_answer(self, question: Question, raw: Json) -> Json:
        """The answer in its stored JSON form; None is "no answer". Raises AnswerError."""
        return None if raw is None else self.parse(question, raw)

    def parse(self, question: Question, raw: Json) -> Json:
        raise NotImplementedError

    def score(self, question: Question, answer: Json, points: Decimal | None = None) -> Score:
        """Points for an answer, out of `points` (default: the question's), 2 decimals.

        A stored answer that no longer fits the question (an option removed since) scores 0
        with the reason in `detail["error"]` rather than failing the whole submission.
        """
        max_points = resolve_points(question, points)
        try:
            parsed = self.normalise_answer(question, answer)
        except AnswerError as error:
            return Score(NO_POINTS, max_points, False, {"error": error.message})
        if is_blank(parsed):
            return Score(NO_POINTS, max_points, False, {"answered": False})
        share, detail = self.grade(question, parsed)
        return make_score(share, max_points, detail)

    def grade(self, question: Question, answer: Json) -> tuple[Decimal | None, dict]:
        """Share of the points (0..1, None for manual grading) of a normalised answer."""
        raise NotImplementedError


def resolve_points(question: Question, points: Decimal | None) -> Decimal:
    """The question's worth as scored, rounded like the points so full marks equal it."""
    value = to_decimal(question.points if points is None else points)
    if value < 0:
        raise ValueError("points must not be negative")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def make_score(share: Decimal | None, max_points: Decimal, detail: dict) -> Score:
    if share is None:
        return Score(NO_POINTS, max_points, None, detail)
    share = clamp(share)
    points = (share * max_points).quantize(CENT, rounding=ROUND_HALF_UP)
    return Score(points, max_points, share >= FULL_CREDIT, detail)


def clamp(share: Decimal) -> Decimal:
    return min(max(share, ZERO), ONE)


def is_blank(answer: Json) -> bool:
    if isinstance(answer, str):
        return not answer.strip()
    return answer is None or answer == [] or answer == {}


def rank_of(option_order: Iterable[str] | None) -> dict[str, int]:
    """Each id's place in a display order; a repeated id keeps its first place."""
    rank: dict[str, int] = {}
    for key in option_order or ():
        rank.setdefault(key, len(rank))
    return rank


def ordered(options: list[Option], option_order: Iterable[str] | None) -> list[Option]:
    """Options in the given order of keys, the ones it does not name after, in source order."""
    rank = rank_of(option_order)
    indexed = sorted(enumerate(options), key=lambda p: (rank.get(p[1].key, len(rank)), p[0]))
    return [option for _, option in indexed]


def option_problems(options: list[Option], minimum: int) -> list[str]:
    """Too few options, missing or repeated keys, options without content, two options with
    the same text (after folding case, accents and spaces, as a student would read them)."""
    problems = [MSG_TOO_FEW_OPTIONS.format(n=minimum)] if len(options) < minimum else []
    seen: set[str] = set()
    texts: dict[str, str] = {}
    for option in options:
        text = fold(re.sub(r"<[^>]+>", " ", option.html))
        if text and text in texts:
            problems.append(MSG_SAME_TEXT.format(key=option.key, other=texts[text]))
        texts.setdefault(text, option.key)
        if not option.key:
            problems.append(MSG_NO_KEY)
        elif option.key in seen:
            problems.append(MSG_DUPLICATE_KEY.format(key=option.key))
        seen.add(option.key)
        if option.key and not option.html.strip():
            problems.append(MSG_EMPTY_OPTION.format(key=option.key))
    return problems


def fraction_problems(options: list[Option]) -> list[str]:
    return [MSG_FRACTION_RANGE.format(key=o.key) for o in options if not -ONE <= o.fraction <= ONE]


def uses_fractions(options: list[Option]) -> bool:
    """Whether the source gave grade fractions, or only marked the right options."""
    return any(o.fraction for o in options)


def text_answer(raw: Json, max_length: int) -> str:
    if not isinstance(raw, str):
        raise AnswerError(MSG_NOT_TEXT)
    if len(raw) > max_length:
        raise AnswerError(MSG_TOO_LONG.format(n=max_length))
    return raw


def option_id(raw: Json, keys: Iterable[str]) -> str:
    if not isinstance(raw, str):
        raise AnswerError(MSG_NOT_OPTION_ID)
    if raw not in keys:
        raise AnswerError(MSG_UNKNOWN_OPTION.format(key=raw[:50]))
    return raw


def option_id_list(raw: Json, keys: Iterable[str]) -> list[str]:
    """A list of distinct known option ids, in the order given."""
    if not isinstance(raw, list):
        raise AnswerError(MSG_NOT_LIST)
    known = set(keys)
    chosen: list[str] = []
    for item in raw:
        key = option_id(item, known)
        if key in chosen:
            raise AnswerError(MSG_DUPLICATE_ANSWER.format(key=key))
        chosen.append(key)
    return chosen


def answer_object(raw: Json) -> dict[str, Json]:
    """A JSON object whose null values (a choice taken back) are dropped."""
    if not isinstance(raw, dict):
        raise AnswerError(MSG_NOT_OBJECT)
    return {key: value for key, value in raw.items() if value is not None}
