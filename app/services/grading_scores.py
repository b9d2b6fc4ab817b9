"""Scores on the 10-point scale: parsing teacher input, rounding half up, formatting."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

Number = Decimal | int | float

ZERO = Decimal(0)
TEN = Decimal(10)
ONE_DECIMAL = Decimal("0.1")
MAX_INPUT_LENGTH = 32
# ASCII digits only ("\d" would also take other scripts' digits); one separator, "," or ".".
SCORE_TEXT = re.compile(r"^(?P<sign>[+-]?)(?P<int>[0-9]+)(?:[.,](?P<frac>[0-9]+))?$")

MSG_EMPTY = "Chưa nhập điểm"
MSG_FORMAT = "Điểm không hợp lệ: {text}"
MSG_RANGE = "Điểm phải từ 0 đến 10"
MSG_DECIMALS = "Điểm chỉ được có tối đa {n} chữ số thập phân: {text}"


class ScoreError(ValueError):
    """A score that cannot be accepted; the message is Vietnamese and shown to the teacher."""


def to_decimal(value: Number) -> Decimal:
    """Exact Decimal of a number; a float goes through its shortest repr (8.25 -> "8.25")."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not result.is_finite():
        raise ScoreError(MSG_FORMAT.format(text=value))
    return result


def check_score(value: Number) -> Decimal:
    """The value as a Decimal, raising ScoreError unless it lies in 0..10."""
    score = to_decimal(value)
    if not ZERO <= score <= TEN:
        raise ScoreError(MSG_RANGE)
    return score


def round_score(value: Number) -> Decimal:
    """One decimal, half up on the decimal value: 8.25 -> 8.3 (Python's round() gives 8.2)."""
    return to_decimal(value).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def parse_score(text: str | None, decimals: int = 1) -> Decimal:
    """A typed score: "8,5", "8.5", " 9 ", at most `decimals` decimals, within 0..10.

    Trailing zeros after the separator do not count ("8,50" is 8.5) and the result carries
    no trailing zeros. None or blank text, like anything else refused, raises ScoreError
    with a Vietnamese message.
    """
    if decimals not in (1, 2):
        raise ValueError("decimals must be 1 or 2")
    if text is not None and not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    cleaned = (text or "").strip()
    if not cleaned:
        raise ScoreError(MSG_EMPTY)
    match = SCORE_TEXT.match(cleaned) if len(cleaned) <= MAX_INPUT_LENGTH else None
    if match is None:
        raise ScoreError(MSG_FORMAT.format(text=cleaned))
    frac = (match["frac"] or "").rstrip("0")
    literal = match["sign"] + match["int"] + (f".{frac}" if frac else "")
    value = Decimal(literal) + 0  # "+ 0" turns "-0" into 0
    if not ZERO <= value <= TEN:
        raise ScoreError(MSG_RANGE)
    if len(frac) > decimals:
        raise ScoreError(MSG_DECIMALS.format(n=decimals, text=cleaned))
    return value


def format_score(value: Number, decimals: int = 1) -> str:
    """Vietnamese display of a score with a decimal comma: Decimal("8.3") -> "8,3"."""
    quantum = Decimal(1).scaleb(-decimals)
    return f"{to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)}".replace(".", ",")
