"""Grading arithmetic (TT 22/2021, TT 27/2020, 2025 exam format): pure Python, no app imports."""

from __future__ import annotations

from .grading_exam2025 import (
    CHOICE_POINTS,
    CLUSTER_SHARES,
    SHORT_ANSWER_POINTS_MATH,
    SHORT_ANSWER_POINTS_OTHER,
    cluster_score,
    numbers_equal,
    parse_number_answer,
    short_answer_points,
)
from .grading_labels import LabelledEnum
from .grading_policy import (
    COMMENT_SUBJECTS,
    DEFAULT_POLICY,
    GradingPolicy,
    fold_subject_name,
    is_comment_subject,
)
from .grading_scores import ScoreError, format_score, parse_score, round_score
from .grading_tt22 import (
    LEVEL_ORDER,
    Award,
    CommentResult,
    LearningRating,
    Level,
    SemesterResult,
    award,
    comment_semester_result,
    comment_year_result,
    learning_rating,
    rate_learning,
    required_comment_count,
    required_regular_count,
    semester_average,
    year_average,
)
from .grading_tt27 import (
    ItemLevel,
    PrimaryRating,
    PrimaryYearResult,
    Quality,
    parse_primary_test_score,
    primary_tested_subjects,
)

LABELLED: tuple[type[LabelledEnum], ...] = (
    Level,
    CommentResult,
    Award,
    PrimaryRating,
    Quality,
    PrimaryYearResult,
    ItemLevel,
)


def _collect_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for enum in LABELLED:
        for member in enum:
            if labels.setdefault(member.value, member.label) != member.label:
                raise RuntimeError(f"code {member.value!r} has two labels")
    return labels


# Every grading code with its Vietnamese display label: "tot" -> "Tốt", "T" -> "Hoàn thành tốt".
LABELS: dict[str, str] = _collect_labels()


def label(code: str) -> str:
    """Vietnamese display label of a grading code; KeyError for an unknown code."""
    return LABELS[str(code)]


__all__ = [
    "CHOICE_POINTS",
    "CLUSTER_SHARES",
    "COMMENT_SUBJECTS",
    "DEFAULT_POLICY",
    "LABELS",
    "LEVEL_ORDER",
    "SHORT_ANSWER_POINTS_MATH",
    "SHORT_ANSWER_POINTS_OTHER",
    "Award",
    "CommentResult",
    "GradingPolicy",
    "ItemLevel",
    "LearningRating",
    "Level",
    "PrimaryRating",
    "PrimaryYearResult",
    "Quality",
    "ScoreError",
    "SemesterResult",
    "award",
    "cluster_score",
    "comment_semester_result",
    "comment_year_result",
    "fold_subject_name",
    "format_score",
    "is_comment_subject",
    "label",
    "learning_rating",
    "numbers_equal",
    "parse_number_answer",
    "parse_primary_test_score",
    "parse_score",
    "primary_tested_subjects",
    "rate_learning",
    "required_comment_count",
    "required_regular_count",
    "round_score",
    "semester_average",
    "short_answer_points",
    "year_average",
]
