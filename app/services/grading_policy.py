"""Per-school grading settings; every default is the rule of TT 22/2021 or TT 27/2020."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from decimal import Decimal
from functools import lru_cache

from .grading_scores import ScoreError, check_score

# TT 22/2021 Điều 5 khoản 1 điểm a: subjects assessed by comment only (Đạt / Chưa đạt).
# "Mỹ thuật" is the other spelling of "Mĩ thuật"; matching also folds i/y, case and accents.
COMMENT_SUBJECTS: tuple[str, ...] = (
    "Giáo dục thể chất",
    "Nghệ thuật",
    "Âm nhạc",
    "Mĩ thuật",
    "Mỹ thuật",
    "Nội dung giáo dục của địa phương",
    "Hoạt động trải nghiệm, hướng nghiệp",
)

# TT 27/2020 Điều 7 khoản 1 điểm b: end-of-term tests (cuối học kì I, cuối năm học) in the
# compulsory subjects among Tiếng Việt, Toán, Ngoại ngữ 1, Lịch sử và Địa lí, Khoa học,
# Tin học và Công nghệ; grades 4 and 5 also have mid-term tests in Tiếng Việt and Toán.
# Which of them a grade has follows the 2018 programme (Ngoại ngữ 1 and Tin học và Công nghệ
# are compulsory from grade 3, Lịch sử và Địa lí and Khoa học are taught from grade 4).
_TV_TOAN = ("Tiếng Việt", "Toán")
_GRADE_3 = (*_TV_TOAN, "Ngoại ngữ 1", "Tin học và Công nghệ")
_GRADES_4_5 = (*_TV_TOAN, "Ngoại ngữ 1", "Lịch sử và Địa lí", "Khoa học", "Tin học và Công nghệ")
PRIMARY_END_OF_TERM_TESTS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, _TV_TOAN),
    (2, _TV_TOAN),
    (3, _GRADE_3),
    (4, _GRADES_4_5),
    (5, _GRADES_4_5),
)
PRIMARY_MID_TERM_TESTS: tuple[tuple[int, tuple[str, ...]], ...] = ((4, _TV_TOAN), (5, _TV_TOAN))

_SCORE_FIELDS = (
    "tot_floor",
    "tot_top_min",
    "kha_floor",
    "kha_top_min",
    "dat_top_min",
    "dat_floor",
    "excellent_min",
)
# A syllable of consonants + "y" is spelled with "i" too (Mỹ/Mĩ, kỹ/kĩ, lý/lí); "quy" is not.
_Y_AS_I = re.compile(r"\b([bcdghklmnpqrstvx]+)y\b")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, kw_only=True)
class GradingPolicy:
    """One school's grading settings. See docs/grading.md for the source of each default.

    Scores are Decimals; str, int and float given here are converted on creation.
    """

    # TT 22 Điều 6 khoản 2 điểm b: regular scores per semester by periods a year:
    # up to 35 -> 2, over 35 up to 70 -> 3, over 70 -> 4.
    regular_count_bands: tuple[tuple[int, int], ...] = ((35, 2), (70, 3))
    regular_count_above: int = 4
    # TT 22 Điều 5 khoản 1 điểm a.
    comment_subjects: tuple[str, ...] = COMMENT_SUBJECTS
    # TT 22 Điều 6 khoản 2 điểm a: regular assessments a semester of a comment subject (2, as
    # recalled from the circular; the search corpus held no copy of that point to confirm it).
    comment_regular_count: int = 2
    # TT 22 Điều 9 khoản 1 điểm a: a comment subject's semester is Đạt with every required
    # assessment done and all of them Đạt; the year takes semester II's result.
    comment_failures_allowed: int = 0
    comment_year_from_semester_2: bool = True
    # TT 22 Điều 9 khoản 2: Tốt = every subject >= tot_floor and `top_count` >= tot_top_min;
    # Khá likewise with kha_*; Đạt = `top_count` >= dat_top_min, none < dat_floor and at most
    # dat_comment_failures_allowed comment subjects Chưa đạt; Chưa đạt otherwise.
    tot_floor: Decimal = Decimal("6.5")
    tot_top_min: Decimal = Decimal("8.0")
    kha_floor: Decimal = Decimal("5.0")
    kha_top_min: Decimal = Decimal("6.5")
    dat_top_min: Decimal = Decimal("5.0")
    dat_floor: Decimal = Decimal("3.5")
    dat_comment_failures_allowed: int = 1
    top_count: int = 6
    # TT 22 Điều 9 khoản 3: a drop of two levels or more caused by one single subject is
    # raised to the level next above the computed one.
    single_subject_adjustment: bool = True
    # TT 22 Điều 15 khoản 1 điểm a: Xuất sắc = conduct Tốt, learning Tốt and at least six
    # subjects with ĐTBmcn >= 9.0; Giỏi = conduct Tốt and learning Tốt.
    excellent_min: Decimal = Decimal("9.0")
    excellent_count: int = 6
    gioi_conduct_levels: tuple[str, ...] = ("tot",)
    # TT 27 Điều 7 khoản 1 điểm d: tests scored on the 10-point scale, no decimals (the
    # "no 0" rule of TT 22/2016 was not kept, so 0 is allowed by default).
    primary_test_min: int = 0
    primary_end_of_term_tests: tuple[tuple[int, tuple[str, ...]], ...] = PRIMARY_END_OF_TERM_TESTS
    primary_mid_term_tests: tuple[tuple[int, tuple[str, ...]], ...] = PRIMARY_MID_TERM_TESTS

    def __post_init__(self) -> None:
        for name in ("comment_subjects", "gioi_conduct_levels"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for name in _SCORE_FIELDS:
            value = getattr(self, name)
            try:
                if isinstance(value, str):
                    value = Decimal(value.replace(",", "."))
                object.__setattr__(self, name, check_score(value))
            except (ArithmeticError, ScoreError, TypeError) as exc:
                raise ValueError(f"{name} must be a score from 0 to 10") from exc
        limits = [limit for limit, _ in self.regular_count_bands]
        if limits != sorted(set(limits)) or any(n < 0 for _, n in self.regular_count_bands):
            raise ValueError("regular_count_bands must have increasing limits")
        counts = (
            "regular_count_above",
            "comment_regular_count",
            "comment_failures_allowed",
            "top_count",
            "dat_comment_failures_allowed",
            "excellent_count",
        )
        if any(getattr(self, name) < 0 for name in counts):
            raise ValueError("counts must not be negative")
        if not 0 <= self.primary_test_min <= 10:
            raise ValueError("primary_test_min must be from 0 to 10")

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """Names of the settings, e.g. to validate a school's stored overrides."""
        return tuple(f.name for f in fields(cls))


DEFAULT_POLICY = GradingPolicy()


def fold_subject_name(name: str) -> str:
    """Comparable form of a subject name: no accents, lower case, words only, i for y."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").casefold()
    words = _NOT_WORD.sub(" ", plain).strip()
    return _Y_AS_I.sub(r"\1i", words)


@lru_cache(maxsize=64)
def _folded(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold_subject_name(n) for n in names)


def is_comment_subject(name: str, policy: GradingPolicy = DEFAULT_POLICY) -> bool:
    """True for a subject assessed by comment only: "MỸ THUẬT" and "mi thuat" both match."""
    return fold_subject_name(name) in _folded(policy.comment_subjects)
