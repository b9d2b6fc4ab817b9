"""Secondary grading by TT 22/2021: averages, comment subjects, learning levels and awards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from .grading_labels import LabelledEnum
from .grading_policy import DEFAULT_POLICY, GradingPolicy
from .grading_scores import ONE_DECIMAL, Number, check_score, round_score

# Enough digits that no quotient of scores lands on the wrong side of a rounding boundary.
_PRECISION = 50


class Level(LabelledEnum):
    """The four levels of TT 22, for learning (học tập) as for conduct (rèn luyện)."""

    TOT = "tot", "Tốt"
    KHA = "kha", "Khá"
    DAT = "dat", "Đạt"
    CHUA_DAT = "chua_dat", "Chưa đạt"


class CommentResult(LabelledEnum):
    """Result of a subject assessed by comment only."""

    DAT = "dat", "Đạt"
    CHUA_DAT = "chua_dat", "Chưa đạt"


class Award(LabelledEnum):
    """End-of-year titles of Điều 15."""

    XUAT_SAC = "xuat_sac", "Học sinh Xuất sắc"
    GIOI = "gioi", "Học sinh Giỏi"


# Lowest first: the index of a level is its rank.
LEVEL_ORDER = (Level.CHUA_DAT, Level.DAT, Level.KHA, Level.TOT)


@dataclass(frozen=True)
class SemesterResult:
    """ĐTBmhk of one subject, or None with the names of the columns still empty."""

    average: Decimal | None
    is_complete: bool
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LearningRating:
    """A learning level with how it was reached (for the explanation shown to teachers).

    `computed` is the level of the Điều 9 khoản 2 rules; `level` differs from it only when
    the single-subject adjustment applied, and `adjusted_for` then names that subject as
    ("scored", index in `scored`) or ("comment", index in `comment_results`).
    """

    level: Level
    computed: Level
    adjusted_for: tuple[str, int] | None = None


def required_regular_count(periods_per_year: int, policy: GradingPolicy = DEFAULT_POLICY) -> int:
    """Regular scores (ĐĐGtx) a semester needs: 2 up to 35 periods a year, 3 to 70, else 4."""
    if isinstance(periods_per_year, bool) or not isinstance(periods_per_year, int):
        raise TypeError("periods_per_year must be an int")
    if periods_per_year <= 0:
        raise ValueError("periods_per_year must be positive")
    for limit, count in policy.regular_count_bands:
        if periods_per_year <= limit:
            return count
    return policy.regular_count_above


def required_comment_count(policy: GradingPolicy = DEFAULT_POLICY) -> int:
    """Assessments a comment subject needs in a semester: the regular ones, gk and ck."""
    return policy.comment_regular_count + 2


def semester_average(
    regular: Sequence[Number | None],
    midterm: Number | None,
    final: Number | None,
    periods_per_year: int,
    policy: GradingPolicy = DEFAULT_POLICY,
) -> SemesterResult:
    """ĐTBmhk = (TĐĐGtx + 2 × ĐĐGgk + 3 × ĐĐGck) / (số ĐĐGtx + 5), rounded half up.

    `regular` holds the ĐĐGtx entered (None for a blank cell is skipped); more than the
    required number all count. Until the required number of ĐĐGtx, ĐĐGgk and ĐĐGck are all
    there the average is None and `missing` names what is absent, e.g. ["tx2", "gk"].
    A score outside 0..10 raises ScoreError.
    """
    entered = [check_score(score) for score in regular if score is not None]
    midterm_score = None if midterm is None else check_score(midterm)
    final_score = None if final is None else check_score(final)
    required = required_regular_count(periods_per_year, policy)
    missing = [f"tx{i}" for i in range(len(entered) + 1, required + 1)]
    if midterm_score is None:
        missing.append("gk")
    if final_score is None:
        missing.append("ck")
    if missing or midterm_score is None or final_score is None:
        return SemesterResult(average=None, is_complete=False, missing=missing)
    return SemesterResult(
        average=checked_average(entered, midterm_score, final_score), is_complete=True
    )


def checked_average(regular: Sequence[Decimal], midterm: Decimal, final: Decimal) -> Decimal:
    """The arithmetic of `semester_average` for scores already known to lie in 0..10 (read
    back from the gradebook, whose constraint holds them there): no checks, rounded half up.
    The export of a whole school calls this once per row."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        total = sum(regular, Decimal(0)) + 2 * midterm + 3 * final
        average = total / (len(regular) + 5)
    return average.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def year_average(sem1: Number, sem2: Number) -> Decimal:
    """ĐTBmcn = (ĐTBmhkI + 2 × ĐTBmhkII) / 3 from the semester averages as recorded."""
    first, second = check_score(sem1), check_score(sem2)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        average = (first + 2 * second) / 3
    return round_score(average)


def comment_semester_result(
    ratings: Sequence[bool | None],
    required_count: int,
    policy: GradingPolicy = DEFAULT_POLICY,
) -> CommentResult | None:
    """Semester result of a comment subject from its assessments (True = Đạt, None = blank).

    Đạt needs `required_count` assessments entered, all Đạt (up to
    policy.comment_failures_allowed Chưa đạt). Chưa đạt as soon as that can no longer be
    reached; None while assessments are missing and the result is still open.
    """
    if required_count < 0:
        raise ValueError("required_count must not be negative")
    entered = [rating for rating in ratings if rating is not None]
    failures = sum(1 for rating in entered if not rating)
    if failures > policy.comment_failures_allowed:
        return CommentResult.CHUA_DAT
    if len(entered) < required_count:
        return None
    return CommentResult.DAT


def comment_year_result(
    sem1: str | None, sem2: str | None, policy: GradingPolicy = DEFAULT_POLICY
) -> CommentResult | None:
    """Year result of a comment subject: semester II's result (Điều 9 khoản 1 điểm a).

    With policy.comment_year_from_semester_2 off, both semesters must be Đạt instead.
    None while a needed semester has no result.
    """
    first = None if sem1 is None else CommentResult(sem1)
    second = None if sem2 is None else CommentResult(sem2)
    if policy.comment_year_from_semester_2:
        return second
    if CommentResult.CHUA_DAT in (first, second):
        return CommentResult.CHUA_DAT
    if first is None or second is None:
        return None
    return CommentResult.DAT


def learning_rating(
    scored: Sequence[Number],
    comment_results: Sequence[str],
    policy: GradingPolicy = DEFAULT_POLICY,
) -> Level:
    """Learning level of a semester (from ĐTBmhk) or year (from ĐTBmcn); see rate_learning."""
    return rate_learning(scored, comment_results, policy).level


def rate_learning(
    scored: Sequence[Number],
    comment_results: Sequence[str],
    policy: GradingPolicy = DEFAULT_POLICY,
) -> LearningRating:
    """Điều 9 khoản 2 levels, then the single-subject adjustment of khoản 3.

    Levels: Tốt = every comment subject Đạt, every scored subject >= 6.5 and six >= 8.0;
    Khá = every comment subject Đạt, every scored subject >= 5.0 and six >= 6.5;
    Đạt = at most one comment subject Chưa đạt, six scored subjects >= 5.0, none < 3.5;
    Chưa đạt otherwise.

    Adjustment: "if the level falls two levels or more below Tốt or Khá only because of the
    result of one single subject, it is raised to the adjacent level". A subject "pulls the
    level down" when, with that subject alone exempt from the conditions it fails (the "every
    subject ≥ x" and "none < 3.5" floors for a scored subject, the Đạt requirement for a
    comment subject), the rules give Tốt or Khá, two or more levels above the computed one.
    The level is then raised to the one next above the computed level (Tốt lost to a 3.4:
    computed Chưa đạt, raised to Đạt). The exempt subject still counts towards the "six
    subjects ≥ x" conditions, but a score that breaks a floor never reaches the six-subject
    threshold of the same level, so this is the same as leaving the subject out. Two weak
    subjects: exempting either one alone changes nothing, so there is no adjustment.
    """
    scores = [check_score(score) for score in scored]
    results = [CommentResult(result) for result in comment_results]
    failures = results.count(CommentResult.CHUA_DAT)
    computed = _level(scores, scores, failures, policy)
    if policy.single_subject_adjustment:
        subject = _single_subject_below(scores, results, computed, policy)
        if subject is not None:
            raised = LEVEL_ORDER[LEVEL_ORDER.index(computed) + 1]
            return LearningRating(level=raised, computed=computed, adjusted_for=subject)
    return LearningRating(level=computed, computed=computed)


def _level(
    counted: Sequence[Decimal], floored: Sequence[Decimal], failures: int, policy: GradingPolicy
) -> Level:
    """Điều 9 khoản 2: `counted` feeds "at least six ≥ x", `floored` feeds "every ≥ x"."""
    lowest = min(floored, default=None)

    def every_from(threshold: Decimal) -> bool:
        return lowest is None or lowest >= threshold

    def six_from(threshold: Decimal) -> bool:
        return sum(1 for score in counted if score >= threshold) >= policy.top_count

    if failures == 0 and every_from(policy.tot_floor) and six_from(policy.tot_top_min):
        return Level.TOT
    if failures == 0 and every_from(policy.kha_floor) and six_from(policy.kha_top_min):
        return Level.KHA
    if (
        failures <= policy.dat_comment_failures_allowed
        and every_from(policy.dat_floor)
        and six_from(policy.dat_top_min)
    ):
        return Level.DAT
    return Level.CHUA_DAT


def _single_subject_below(
    scores: list[Decimal], results: list[CommentResult], computed: Level, policy: GradingPolicy
) -> tuple[str, int] | None:
    """The first subject that alone holds the level two or more below Tốt or Khá."""
    failures = results.count(CommentResult.CHUA_DAT)
    candidates = [
        (("scored", i), _level(scores, scores[:i] + scores[i + 1 :], failures, policy))
        for i in range(len(scores))
    ]
    if failures:
        first_failed = results.index(CommentResult.CHUA_DAT)
        candidates.append((("comment", first_failed), _level(scores, scores, failures - 1, policy)))
    rank = LEVEL_ORDER.index(computed)
    for subject, level in candidates:
        if level in (Level.TOT, Level.KHA) and LEVEL_ORDER.index(level) - rank >= 2:
            return subject
    return None


def award(
    conduct: str,
    learning: str,
    year_averages: Sequence[Number],
    policy: GradingPolicy = DEFAULT_POLICY,
) -> Award | None:
    """Điều 15: Xuất sắc = conduct Tốt, learning Tốt, six ĐTBmcn >= 9.0; Giỏi = both Tốt."""
    conduct_level, learning_level = Level(conduct), Level(learning)
    if learning_level is not Level.TOT:
        return None
    top = sum(1 for score in year_averages if check_score(score) >= policy.excellent_min)
    if conduct_level is Level.TOT and top >= policy.excellent_count:
        return Award.XUAT_SAC
    if conduct_level in {Level(code) for code in policy.gioi_conduct_levels}:
        return Award.GIOI
    return None
