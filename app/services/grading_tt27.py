"""Primary grading by TT 27/2020: T/H/C ratings, qualities and integer test scores."""

from __future__ import annotations

from decimal import Decimal

from .grading_labels import LabelledEnum
from .grading_policy import DEFAULT_POLICY, GradingPolicy
from .grading_scores import MSG_EMPTY, MSG_FORMAT, SCORE_TEXT, ScoreError

MSG_PRIMARY_RANGE = "Điểm phải từ {low} đến 10"
MSG_PRIMARY_INTEGER = (
    "Điểm bài kiểm tra định kì ở tiểu học là số nguyên, không có phần thập phân: {text}"
)


class PrimaryRating(LabelledEnum):
    """Level reached in a subject or educational activity (Điều 6, Điều 7)."""

    HOAN_THANH_TOT = "T", "Hoàn thành tốt"
    HOAN_THANH = "H", "Hoàn thành"
    CHUA_HOAN_THANH = "C", "Chưa hoàn thành"


class Quality(LabelledEnum):
    """Level of a quality (phẩm chất) or competence (năng lực)."""

    TOT = "tot", "Tốt"
    DAT = "dat", "Đạt"
    CAN_CO_GANG = "can_co_gang", "Cần cố gắng"


class PrimaryYearResult(LabelledEnum):
    """End-of-year result of a pupil (Điều 9 khoản 2 điểm a)."""

    HOAN_THANH_XUAT_SAC = "hoan_thanh_xuat_sac", "Hoàn thành xuất sắc"
    HOAN_THANH_TOT = "hoan_thanh_tot", "Hoàn thành tốt"
    HOAN_THANH = "hoan_thanh", "Hoàn thành"
    CHUA_HOAN_THANH = "chua_hoan_thanh", "Chưa hoàn thành"


class ItemLevel(LabelledEnum):
    """Level of a test item (Điều 7 khoản 1 điểm c)."""

    MUC_1 = "muc_1", "Mức 1"
    MUC_2 = "muc_2", "Mức 2"
    MUC_3 = "muc_3", "Mức 3"


def parse_primary_test_score(text: str | None, policy: GradingPolicy = DEFAULT_POLICY) -> int:
    """A periodic test score: a whole number from policy.primary_test_min (0) to 10.

    "8", " 9 " and "8,0" are accepted; "8,5" is refused (no decimals, Điều 7 khoản 1 điểm d).
    """
    if text is not None and not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    cleaned = (text or "").strip()
    if not cleaned:
        raise ScoreError(MSG_EMPTY)
    match = SCORE_TEXT.match(cleaned) if len(cleaned) <= 16 else None
    if match is None:
        raise ScoreError(MSG_FORMAT.format(text=cleaned))
    frac = (match["frac"] or "").rstrip("0")
    value = Decimal(match["sign"] + match["int"] + (f".{frac}" if frac else ""))
    if not policy.primary_test_min <= value <= 10:
        raise ScoreError(MSG_PRIMARY_RANGE.format(low=policy.primary_test_min))
    if frac:
        raise ScoreError(MSG_PRIMARY_INTEGER.format(text=cleaned))
    return int(value)


def primary_tested_subjects(
    grade: int, midterm: bool = False, policy: GradingPolicy = DEFAULT_POLICY
) -> tuple[str, ...]:
    """Subjects with a periodic test in `grade` (1-5): end of term, or mid-term if asked."""
    if isinstance(grade, bool) or grade not in range(1, 6):
        raise ValueError("grade must be 1 to 5")
    table = policy.primary_mid_term_tests if midterm else policy.primary_end_of_term_tests
    return dict(table).get(grade, ())
