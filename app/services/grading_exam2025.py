"""Tests built like the 2025 national exam: true/false clusters and short numeric answers."""

from __future__ import annotations

import re
from decimal import Decimal, localcontext

from .grading_policy import fold_subject_name
from .grading_scores import Number, ScoreError, to_decimal

# Part I, one right choice out of 4.
CHOICE_POINTS = Decimal("0.25")
# Part II, a cluster of 4 true/false statements: share of the cluster's points by the
# number of statements judged right.
CLUSTER_SHARES = (Decimal(0), Decimal("0.1"), Decimal("0.25"), Decimal("0.5"), Decimal(1))
CLUSTER_POINTS = Decimal(1)
# Part III, short numeric answer.
SHORT_ANSWER_POINTS_MATH = Decimal("0.5")
SHORT_ANSWER_POINTS_OTHER = Decimal("0.25")

MAX_ANSWER_LENGTH = 32
# Sign, digits, at most one decimal separator ("," or "."); ",5" and "5," are read as 0.5, 5.
NUMBER_ANSWER = re.compile(r"^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)$")
_MINUS_SIGNS = str.maketrans({"\u2212": "-"})


def cluster_score(correct_statements: int, points: Number = CLUSTER_POINTS) -> Decimal:
    """Score of a true/false cluster: 1 right -> 0.1, 2 -> 0.25, 3 -> 0.5, 4 -> all, 0 -> 0."""
    if isinstance(correct_statements, bool) or not isinstance(correct_statements, int):
        raise TypeError("correct_statements must be an int")
    if not 0 <= correct_statements <= 4:
        raise ValueError("a cluster has 4 statements")
    weight = to_decimal(points)
    if weight < 0:
        raise ValueError("points must not be negative")
    return CLUSTER_SHARES[correct_statements] * weight


def short_answer_points(subject: str) -> Decimal:
    """Points of a Part III answer: 0.5 in Toán, 0.25 in every other subject."""
    is_math = fold_subject_name(subject) == "toan"
    return SHORT_ANSWER_POINTS_MATH if is_math else SHORT_ANSWER_POINTS_OTHER


def parse_number_answer(text: str) -> Decimal | None:
    """A short numeric answer as a Decimal, or None when it is not a plain decimal number.

    "," and "." are both the decimal separator ("-0,5", " 3.50 "); a thousands separator is
    not understood ("1.000" is 1). Fractions ("1/2"), exponents and words are refused, as on
    the national answer sheet, which has only digits, "-" and ",": the question must say how
    to round. "−" (U+2212) counts as a minus sign and "-0" is 0.
    """
    if not isinstance(text, str):
        return None
    cleaned = text.strip().translate(_MINUS_SIGNS)
    if len(cleaned) > MAX_ANSWER_LENGTH or not NUMBER_ANSWER.match(cleaned):
        return None
    value = Decimal(cleaned.replace(",", "."))
    return value.copy_abs() if value.is_zero() else value


def numbers_equal(a: Number | str | None, b: Number | str | None, tolerance: Number = 0) -> bool:
    """True when |a - b| <= tolerance; text goes through parse_number_answer, None never equals."""
    allowed = to_decimal(tolerance)
    if allowed < 0:
        raise ValueError("tolerance must not be negative")
    first, second = _as_number(a), _as_number(b)
    if first is None or second is None:
        return False
    with localcontext() as ctx:
        ctx.prec = 2 * MAX_ANSWER_LENGTH + 10
        return abs(first - second) <= allowed


def _as_number(value: Number | str | None) -> Decimal | None:
    if value is None or isinstance(value, str):
        return None if value is None else parse_number_answer(value)
    try:
        return to_decimal(value)
    except ScoreError:  # NaN or infinity
        return None
