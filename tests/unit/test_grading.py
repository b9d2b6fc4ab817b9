"""Grading arithmetic: every worked example of GRADING.md, the circulars' edge cases, properties."""

import ast
import dataclasses
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services import grading as g

D = Decimal
PROPERTY = settings(database=None, deadline=None, max_examples=300)
SERVICES = Path(__file__).resolve().parents[2] / "app" / "services"

one_decimal_scores = st.integers(0, 100).map(lambda i: D(i) / 10)


def scores(text: str) -> list[Decimal]:
    return [D(x) for x in text.split()]


# --- rounding and parsing -------------------------------------------------------------------


def test_round_score_rounds_8_25_half_up_to_8_3() -> None:
    assert g.round_score(D("8.25")) == D("8.3")
    assert round(8.25, 1) == 8.2  # the Python round() this module must not use


def test_round_score_reads_a_float_by_its_decimal_digits() -> None:
    assert g.round_score(8.25) == D("8.3")
    assert g.round_score(0.15) == D("0.2")


def test_round_score_keeps_one_decimal() -> None:
    assert str(g.round_score(10)) == "10.0"
    assert str(g.round_score(D("7.875"))) == "7.9"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8,5", "8.5"),
        ("8.5", "8.5"),
        (" 9 ", "9"),
        ("10", "10"),
        ("0", "0"),
        ("8,50", "8.5"),
        ("\u00a07,5\t", "7.5"),
        ("08", "8"),
        ("+6", "6"),
        ("-0", "0"),
        ("10,0", "10"),
    ],
)
def test_parse_score_accepts_comma_dot_and_surrounding_spaces(text: str, expected: str) -> None:
    assert g.parse_score(text) == D(expected)


def test_parse_score_with_two_decimals_accepts_8_25() -> None:
    assert g.parse_score("8,25", decimals=2) == D("8.25")


@pytest.mark.parametrize("text", ["10,5", "11", "-1", "-0,5", "100"])
def test_parse_score_refuses_scores_outside_0_to_10(text: str) -> None:
    with pytest.raises(g.ScoreError, match=r"^Điểm phải từ 0 đến 10$"):
        g.parse_score(text)


def test_parse_score_refuses_more_decimals_than_allowed_naming_the_input() -> None:
    with pytest.raises(g.ScoreError) as error:
        g.parse_score("8,55")
    assert str(error.value) == "Điểm chỉ được có tối đa 1 chữ số thập phân: 8,55"
    with pytest.raises(g.ScoreError, match="tối đa 2 chữ số thập phân: 8,125"):
        g.parse_score("8,125", decimals=2)


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_parse_score_refuses_empty_input(text: str) -> None:
    with pytest.raises(g.ScoreError, match=r"^Chưa nhập điểm$"):
        g.parse_score(text)


@pytest.mark.parametrize(
    "text",
    [
        "nan",
        "NaN",
        "inf",
        "-inf",
        "Infinity",
        "sNaN",
        "8,5,1",
        "8.5.1",
        "1.234,5",
        "abc",
        "8 5",
        "8,",
        ",5",
        "1e1",
        "٨",
        "８",
        "8½",
        "--8",
        "8đ",
    ],
)
def test_parse_score_refuses_nan_infinity_and_malformed_text(text: str) -> None:
    with pytest.raises(g.ScoreError):
        g.parse_score(text)


def test_parse_score_treats_none_as_empty_and_refuses_numbers() -> None:
    with pytest.raises(g.ScoreError, match=r"^Chưa nhập điểm$"):
        g.parse_score(None)
    with pytest.raises(TypeError):
        g.parse_score(8.5)  # type: ignore[arg-type]


def test_parse_score_error_is_a_value_error() -> None:
    assert issubclass(g.ScoreError, ValueError)


def test_parse_score_only_offers_one_or_two_decimals() -> None:
    with pytest.raises(ValueError, match="decimals"):
        g.parse_score("8", decimals=3)


def test_format_score_writes_a_decimal_comma() -> None:
    assert g.format_score(D("8.3")) == "8,3"
    assert g.format_score(D("8.25")) == "8,3"
    assert g.format_score(10) == "10,0"


def test_every_one_decimal_score_survives_format_then_parse() -> None:
    for tenths in range(101):
        score = D(tenths) / 10
        assert g.parse_score(g.format_score(score)) == score
        assert g.parse_score(g.format_score(score).replace(",", ".")) == score


# --- semester and year averages (Điều 9 khoản 1) ---------------------------------------------


def test_semester_example_8_7_9_with_7_5_and_8_0_averages_7_9() -> None:
    result = g.semester_average(scores("8 7 9"), D("7.5"), D("8.0"), periods_per_year=70)
    assert result == g.SemesterResult(average=D("7.9"), is_complete=True, missing=[])


def test_semester_example_6_7_with_5_5_and_6_5_averages_6_2() -> None:
    result = g.semester_average(scores("6 7"), D("5.5"), D("6.5"), periods_per_year=35)
    assert result.average == D("6.2")


def test_semester_example_exactly_8_25_is_recorded_8_3_not_8_2() -> None:
    result = g.semester_average(scores("8 8 8"), D("9.0"), D("8.0"), periods_per_year=70)
    assert result.average == D("8.3")


def test_semester_example_all_tens_averages_10() -> None:
    result = g.semester_average(scores("10 10 10 10"), 10, 10, periods_per_year=105)
    assert result.average == D("10.0")


def test_semester_example_one_of_two_required_regular_scores_gives_no_average() -> None:
    result = g.semester_average([D(9)], D(8), D(8), periods_per_year=35)
    assert result == g.SemesterResult(average=None, is_complete=False, missing=["tx2"])


def test_semester_without_midterm_and_final_names_gk_and_ck() -> None:
    result = g.semester_average(scores("8 8 8 8"), None, None, periods_per_year=105)
    assert result.missing == ["gk", "ck"]
    empty = g.semester_average([], None, None, periods_per_year=105)
    assert empty.missing == ["tx1", "tx2", "tx3", "tx4", "gk", "ck"]


def test_semester_counts_every_regular_score_beyond_the_required_number() -> None:
    result = g.semester_average(scores("10 10 10 10 10"), 5, 5, periods_per_year=35)
    assert result.average == D("7.5")  # (50 + 10 + 15) / 10


def test_semester_skips_blank_regular_cells() -> None:
    result = g.semester_average([D(8), None, D(9)], 8, 8, periods_per_year=70)
    assert result.missing == ["tx3"]


def test_semester_refuses_a_score_outside_0_to_10() -> None:
    with pytest.raises(g.ScoreError):
        g.semester_average([D(11), D(8)], 8, 8, periods_per_year=35)


@pytest.mark.parametrize(
    ("periods", "count"), [(1, 2), (35, 2), (36, 3), (52, 3), (70, 3), (71, 4), (105, 4)]
)
def test_required_regular_count_follows_the_periods_bands(periods: int, count: int) -> None:
    assert g.required_regular_count(periods) == count


def test_required_regular_count_refuses_non_positive_or_non_integer_periods() -> None:
    with pytest.raises(ValueError, match="positive"):
        g.required_regular_count(0)
    with pytest.raises(TypeError):
        g.required_regular_count(True)


def test_required_regular_count_follows_a_school_policy() -> None:
    policy = g.GradingPolicy(regular_count_bands=((35, 3),), regular_count_above=5)
    assert g.required_regular_count(35, policy) == 3
    assert g.required_regular_count(36, policy) == 5


def test_year_example_7_9_and_8_3_averages_8_2() -> None:
    assert g.year_average(D("7.9"), D("8.3")) == D("8.2")


def test_year_average_counts_semester_two_twice() -> None:
    assert g.year_average(10, 4) == D("6.0")
    assert g.year_average(4, 10) == D("8.0")


# --- comment subjects -----------------------------------------------------------------------


def test_comment_semester_is_dat_with_all_required_assessments_dat() -> None:
    assert g.comment_semester_result([True] * 4, required_count=4) == "dat"
    assert g.required_comment_count() == 4


def test_comment_semester_is_open_while_assessments_are_missing() -> None:
    assert g.comment_semester_result([True, None, True], required_count=4) is None


def test_comment_semester_is_chua_dat_once_one_assessment_is_chua_dat() -> None:
    assert g.comment_semester_result([True, False], required_count=4) == "chua_dat"


def test_comment_semester_tolerates_failures_a_school_allows() -> None:
    policy = g.GradingPolicy(comment_failures_allowed=1)
    assert g.comment_semester_result([True, False, True, True], 4, policy) == "dat"


def test_comment_year_takes_semester_two() -> None:
    assert g.comment_year_result("chua_dat", "dat") == g.CommentResult.DAT
    assert g.comment_year_result("dat", "chua_dat") == g.CommentResult.CHUA_DAT
    assert g.comment_year_result("dat", None) is None


def test_comment_year_can_require_both_semesters() -> None:
    policy = g.GradingPolicy(comment_year_from_semester_2=False)
    assert g.comment_year_result("chua_dat", "dat", policy) == "chua_dat"
    assert g.comment_year_result("dat", "dat", policy) == "dat"
    assert g.comment_year_result("dat", None, policy) is None


@pytest.mark.parametrize(
    "name",
    [
        "Giáo dục thể chất",
        "GIÁO DỤC THỂ CHẤT",
        "giao duc the chat",
        "Nghệ thuật",
        "Âm nhạc",
        "  âm   NHẠC ",
        "Mĩ thuật",
        "Mỹ thuật",
        "mi thuat",
        "MY THUAT",
        "Nội dung giáo dục của địa phương",
        "Hoạt động trải nghiệm, hướng nghiệp",
        "Hoạt động trải nghiệm - hướng nghiệp",
    ],
)
def test_comment_subjects_match_whatever_the_accents_case_and_i_y_spelling(name: str) -> None:
    assert g.is_comment_subject(name)


@pytest.mark.parametrize(
    "name", ["Toán", "Ngữ văn", "Tiếng Anh", "Lịch sử", "Giáo dục quốc phòng và an ninh", "Tin học"]
)
def test_scored_subjects_are_not_comment_subjects(name: str) -> None:
    assert not g.is_comment_subject(name)


def test_comment_subjects_come_from_the_school_policy() -> None:
    policy = g.GradingPolicy(comment_subjects=("Giáo dục địa phương",))
    assert g.is_comment_subject("giáo dục địa phương", policy)
    assert not g.is_comment_subject("Âm nhạc", policy)


def test_comment_subjects_given_as_a_list_are_stored_as_a_tuple() -> None:
    policy = g.GradingPolicy(comment_subjects=["Âm nhạc"])  # type: ignore[arg-type]
    assert policy.comment_subjects == ("Âm nhạc",)
    assert g.is_comment_subject("am nhac", policy)


def test_fold_subject_name_keeps_quy_and_folds_my_to_mi() -> None:
    assert g.fold_subject_name("Quy tắc") == "quy tac"
    assert g.fold_subject_name("Mỹ thuật") == g.fold_subject_name("Mĩ thuật") == "mi thuat"
    assert g.fold_subject_name("Địa lí") == "dia li"


# --- learning levels (Điều 9 khoản 2, 3) ----------------------------------------------------

STRONG = scores("8.0 8.5 9.0 8.1 8.0 8.2 6.5 7.0")
ALL_DAT = ["dat", "dat", "dat", "dat"]


def test_rating_example_strong_student_is_tot() -> None:
    assert g.learning_rating(STRONG, ALL_DAT) == "tot"


def test_rating_example_one_subject_at_6_4_gives_kha() -> None:
    assert g.learning_rating([*STRONG[:-1], D("6.4")], ALL_DAT) == "kha"


def test_rating_example_one_subject_at_3_4_is_raised_from_chua_dat_to_dat() -> None:
    rating = g.rate_learning([*STRONG[:-1], D("3.4")], ALL_DAT)
    assert rating == g.LearningRating(
        level=g.Level.DAT, computed=g.Level.CHUA_DAT, adjusted_for=("scored", 7)
    )


def test_one_chua_dat_comment_subject_lowers_tot_to_dat_then_is_raised_to_kha() -> None:
    rating = g.rate_learning(STRONG, ["dat", "chua_dat", "dat"])
    assert (rating.computed, rating.level, rating.adjusted_for) == ("dat", "kha", ("comment", 1))


def test_kha_lost_to_one_subject_below_3_5_is_raised_to_dat() -> None:
    rating = g.rate_learning(scores("7 7 7 7 7 7 7 3.4"), ALL_DAT)
    assert (rating.computed, rating.level) == ("chua_dat", "dat")


def test_two_weak_subjects_get_no_adjustment() -> None:
    assert g.learning_rating([*STRONG[:-2], D("3.4"), D("3.0")], ALL_DAT) == "chua_dat"


def test_two_chua_dat_comment_subjects_get_no_adjustment() -> None:
    assert g.learning_rating(STRONG, ["chua_dat", "chua_dat"]) == "chua_dat"


def test_dat_lost_to_one_subject_is_not_adjusted() -> None:
    assert g.learning_rating(scores("6 6 6 6 6 6 6 3.4"), ALL_DAT) == "chua_dat"


def test_adjustment_can_be_switched_off_by_a_school() -> None:
    policy = g.GradingPolicy(single_subject_adjustment=False)
    assert g.learning_rating([*STRONG[:-1], D("3.4")], ALL_DAT, policy) == "chua_dat"


def test_rating_thresholds_are_inclusive() -> None:
    assert g.learning_rating(scores("8 8 8 8 8 8 6.5"), []) == "tot"
    assert g.learning_rating(scores("6.5 6.5 6.5 6.5 6.5 6.5 5"), []) == "kha"
    assert g.learning_rating(scores("5 5 5 5 5 5 3.5"), []) == "dat"


def test_fewer_than_six_scored_subjects_cannot_reach_dat() -> None:
    assert g.learning_rating(scores("10 10 10 10 10"), []) == "chua_dat"


def test_rating_level_has_a_vietnamese_label() -> None:
    assert g.learning_rating(STRONG, ALL_DAT).label == "Tốt"


# --- awards (Điều 15) -----------------------------------------------------------------------


def test_award_xuat_sac_needs_six_year_averages_of_9() -> None:
    assert g.award("tot", "tot", scores("9 9 9 9 9 9.5 7")) == "xuat_sac"


def test_award_gioi_for_tot_conduct_and_learning_without_six_nines() -> None:
    assert g.award("tot", "tot", scores("9 9 9 9 9 8.9 8")) == "gioi"


def test_no_award_without_tot_conduct_or_tot_learning() -> None:
    assert g.award("kha", "tot", scores("10 10 10 10 10 10")) is None
    assert g.award("tot", "kha", scores("10 10 10 10 10 10")) is None


def test_school_may_give_gioi_for_kha_conduct_but_never_xuat_sac() -> None:
    policy = g.GradingPolicy(gioi_conduct_levels=("tot", "kha"))
    assert g.award("kha", "tot", scores("10 10 10 10 10 10"), policy) == "gioi"


def test_award_labels_name_the_titles() -> None:
    assert g.Award.XUAT_SAC.label == "Học sinh Xuất sắc"
    assert g.label("gioi") == "Học sinh Giỏi"


# --- primary, TT 27/2020 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"), [("8", 8), (" 10 ", 10), ("1", 1), ("8,0", 8), ("0", 0)]
)
def test_primary_test_score_is_a_whole_number_up_to_10(text: str, value: int) -> None:
    assert g.parse_primary_test_score(text) == value


def test_primary_test_score_refuses_decimals() -> None:
    with pytest.raises(g.ScoreError, match=r"số nguyên.*: 8,5$"):
        g.parse_primary_test_score("8,5")


@pytest.mark.parametrize("text", ["11", "-1", "10,5"])
def test_primary_test_score_refuses_scores_above_10_or_below_0(text: str) -> None:
    with pytest.raises(g.ScoreError, match=r"^Điểm phải từ 0 đến 10$"):
        g.parse_primary_test_score(text)


def test_primary_test_score_can_forbid_0_by_school_policy() -> None:
    policy = g.GradingPolicy(primary_test_min=1)
    with pytest.raises(g.ScoreError, match=r"^Điểm phải từ 1 đến 10$"):
        g.parse_primary_test_score("0", policy)


@pytest.mark.parametrize("text", ["", "abc", "nan", "8/10"])
def test_primary_test_score_refuses_empty_or_malformed_text(text: str) -> None:
    with pytest.raises(g.ScoreError):
        g.parse_primary_test_score(text)


def test_primary_ratings_and_qualities_have_vietnamese_labels() -> None:
    assert [r.label for r in g.PrimaryRating] == ["Hoàn thành tốt", "Hoàn thành", "Chưa hoàn thành"]
    assert [q.label for q in g.Quality] == ["Tốt", "Đạt", "Cần cố gắng"]
    assert g.PrimaryRating("T") is g.PrimaryRating.HOAN_THANH_TOT
    assert [i.label for i in g.ItemLevel] == ["Mức 1", "Mức 2", "Mức 3"]


def test_primary_grades_1_and_2_test_only_tieng_viet_and_toan() -> None:
    assert g.primary_tested_subjects(1) == ("Tiếng Việt", "Toán")
    assert g.primary_tested_subjects(2) == ("Tiếng Việt", "Toán")


def test_primary_grade_3_adds_ngoai_ngu_and_tin_hoc_cong_nghe() -> None:
    tested = g.primary_tested_subjects(3)
    assert {"Ngoại ngữ 1", "Tin học và Công nghệ"} <= set(tested)
    assert "Khoa học" not in tested


def test_primary_grades_4_and_5_test_six_subjects_and_have_midterm_tests() -> None:
    assert len(g.primary_tested_subjects(5)) == 6
    assert {"Lịch sử và Địa lí", "Khoa học"} <= set(g.primary_tested_subjects(4))
    assert g.primary_tested_subjects(4, midterm=True) == ("Tiếng Việt", "Toán")
    assert g.primary_tested_subjects(3, midterm=True) == ()


def test_primary_tested_subjects_refuses_a_secondary_grade() -> None:
    with pytest.raises(ValueError, match="1 to 5"):
        g.primary_tested_subjects(6)


# --- 2025 national exam format --------------------------------------------------------------


@pytest.mark.parametrize(
    ("right", "score"), [(0, "0"), (1, "0.1"), (2, "0.25"), (3, "0.5"), (4, "1")]
)
def test_cluster_score_follows_the_2025_scale(right: int, score: str) -> None:
    assert g.cluster_score(right) == D(score)


def test_cluster_score_scales_with_the_cluster_points() -> None:
    assert g.cluster_score(2, points=D(2)) == D("0.5")


@pytest.mark.parametrize("right", [-1, 5])
def test_cluster_score_refuses_impossible_counts(right: int) -> None:
    with pytest.raises(ValueError, match="4 statements"):
        g.cluster_score(right)


def test_full_marks_in_toan_example_total_10() -> None:
    total = 12 * g.CHOICE_POINTS + 4 * g.cluster_score(4) + 6 * g.short_answer_points("Toán")
    assert total == 10


@pytest.mark.parametrize("subject", ["Vật lí", "Hoá học", "Hóa học", "Sinh học"])
def test_full_marks_in_science_example_total_10(subject: str) -> None:
    total = 18 * g.CHOICE_POINTS + 4 * g.cluster_score(4) + 6 * g.short_answer_points(subject)
    assert total == 10


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("-0,5", "-0.5"),
        (" 3.50 ", "3.5"),
        ("12", "12"),
        ("0,25", "0.25"),
        (",5", "0.5"),
        ("5,", "5"),
        ("\u22122", "-2"),
        ("+1.5", "1.5"),
        ("1.000", "1"),
    ],
)
def test_number_answer_reads_comma_or_dot_as_decimal_separator(text: str, value: str) -> None:
    assert g.parse_number_answer(text) == D(value)


@pytest.mark.parametrize(
    "text", ["", "  ", "1/2", "1,2,3", "1.234,5", "1e3", "abc", "nan", "inf", "1 000", "--1", "-"]
)
def test_number_answer_refuses_fractions_exponents_and_words(text: str) -> None:
    assert g.parse_number_answer(text) is None


def test_number_answer_minus_zero_is_zero() -> None:
    assert str(g.parse_number_answer("-0")) == "0"


def test_numbers_equal_compares_normalised_numbers() -> None:
    assert g.numbers_equal("3,5", "3.50")
    assert g.numbers_equal("-0,5", D("-0.5"))
    assert not g.numbers_equal("3,5", "3,51")
    assert g.numbers_equal("3,5", "3,51", tolerance=D("0.01"))
    assert not g.numbers_equal("1/2", "0,5")
    assert not g.numbers_equal(None, None)


def test_numbers_equal_refuses_a_negative_tolerance() -> None:
    with pytest.raises(ValueError, match="tolerance"):
        g.numbers_equal(1, 1, tolerance=-1)


# --- labels, policy, purity -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("tot", "Tốt"),
        ("kha", "Khá"),
        ("dat", "Đạt"),
        ("chua_dat", "Chưa đạt"),
        ("T", "Hoàn thành tốt"),
        ("H", "Hoàn thành"),
        ("C", "Chưa hoàn thành"),
        ("can_co_gang", "Cần cố gắng"),
        ("hoan_thanh_xuat_sac", "Hoàn thành xuất sắc"),
    ],
)
def test_every_code_has_its_vietnamese_label(code: str, text: str) -> None:
    assert g.label(code) == text


def test_label_of_an_unknown_code_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        g.label("gioi_lam")


def test_every_enum_member_is_labelled() -> None:
    for enum in g.LABELLED:
        for member in enum:
            assert g.LABELS[member.value] == member.label != ""


def test_default_policy_holds_the_circulars_numbers() -> None:
    p = g.DEFAULT_POLICY
    assert [p.tot_floor, p.tot_top_min, p.kha_floor, p.kha_top_min] == scores("6.5 8 5 6.5")
    assert [p.dat_top_min, p.dat_floor, p.top_count, p.excellent_min] == [*scores("5 3.5"), 6, 9]
    assert p.comment_year_from_semester_2 and p.single_subject_adjustment
    assert p.primary_test_min == 0


def test_policy_is_frozen_and_converts_thresholds_to_decimal() -> None:
    policy = g.GradingPolicy(tot_floor="7,0", kha_floor=5.5)
    assert (policy.tot_floor, policy.kha_floor) == (D("7.0"), D("5.5"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.tot_floor = D(1)  # type: ignore[misc]


def test_policy_refuses_impossible_settings() -> None:
    with pytest.raises(ValueError, match="tot_floor"):
        g.GradingPolicy(tot_floor=11)
    with pytest.raises(ValueError, match="kha_floor"):
        g.GradingPolicy(kha_floor="năm")
    with pytest.raises(ValueError, match="increasing"):
        g.GradingPolicy(regular_count_bands=((70, 3), (35, 2)))
    with pytest.raises(ValueError, match="primary_test_min"):
        g.GradingPolicy(primary_test_min=11)


def test_grading_modules_import_nothing_from_app_or_flask() -> None:
    for path in SERVICES.glob("grading*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                assert (node.module or "").startswith("grading"), (path.name, node.module)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [node.module]
                    if isinstance(node, ast.ImportFrom)
                    else [alias.name for alias in node.names]
                )
                for name in names:
                    assert name.split(".")[0] not in {"app", "flask", "flask_babel"}, path.name


# --- properties -----------------------------------------------------------------------------


@PROPERTY
@given(
    regular=st.lists(one_decimal_scores, min_size=2, max_size=6),
    midterm=one_decimal_scores,
    final=one_decimal_scores,
)
def test_semester_average_lies_between_the_lowest_and_highest_score(
    regular: list[Decimal], midterm: Decimal, final: Decimal
) -> None:
    result = g.semester_average(regular, midterm, final, periods_per_year=35)
    inputs = [*regular, midterm, final]
    assert result.average is not None
    assert min(inputs) <= result.average <= max(inputs)


@PROPERTY
@given(sem1=one_decimal_scores, sem2=one_decimal_scores)
def test_year_average_lies_between_the_two_semesters(sem1: Decimal, sem2: Decimal) -> None:
    assert min(sem1, sem2) <= g.year_average(sem1, sem2) <= max(sem1, sem2)


@PROPERTY
@given(st.decimals(min_value=0, max_value=10, places=4))
def test_round_score_is_half_up_to_one_decimal(value: Decimal) -> None:
    expected = D(math.floor(value * 10 + D("0.5"))) / 10
    assert g.round_score(value) == expected
    assert g.round_score(value) == value.quantize(D("0.1"), rounding=ROUND_HALF_UP)


def _expected_score(text: str, decimals: int) -> Fraction | None:
    """What parse_score should accept, written independently of it."""
    cleaned = text.strip()
    match = re.fullmatch(r"([+-]?)([0-9]+)(?:[.,]([0-9]+))?", cleaned)
    if match is None or len(cleaned) > 32:
        return None
    frac = (match[3] or "").rstrip("0")
    value = Fraction(int(match[2] + frac), 10 ** len(frac)) * (-1 if match[1] == "-" else 1)
    return value if 0 <= value <= 10 and len(frac) <= decimals else None


score_like_text = st.one_of(
    st.text(alphabet="0123456789,.+- \t", max_size=8),
    st.from_regex(r"\A\s?[+-]?[0-9]{1,3}([.,][0-9]{0,3})?\s?\Z"),
    st.text(max_size=6),
)


@PROPERTY
@given(text=score_like_text, decimals=st.sampled_from([1, 2]))
def test_parse_score_accepts_exactly_the_scores_it_should(text: str, decimals: int) -> None:
    expected = _expected_score(text, decimals)
    if expected is None:
        with pytest.raises(g.ScoreError):
            g.parse_score(text, decimals)
    else:
        assert Fraction(g.parse_score(text, decimals)) == expected


@PROPERTY
@given(
    subjects=st.lists(one_decimal_scores, min_size=6, max_size=12),
    comments=st.lists(st.sampled_from(["dat", "chua_dat"]), max_size=4),
    raise_by=st.integers(1, 30),
    which=st.integers(0, 11),
)
def test_raising_one_score_never_lowers_the_learning_level(
    subjects: list[Decimal], comments: list[str], raise_by: int, which: int
) -> None:
    before = g.learning_rating(subjects, comments)
    index = which % len(subjects)
    raised = list(subjects)
    raised[index] = min(D(10), raised[index] + D(raise_by) / 10)
    after = g.learning_rating(raised, comments)
    assert g.LEVEL_ORDER.index(after) >= g.LEVEL_ORDER.index(before)


@PROPERTY
@given(st.text(alphabet="0123456789,.-+ /e", max_size=8))
def test_number_answer_is_either_refused_or_equal_to_its_dot_reading(text: str) -> None:
    value = g.parse_number_answer(text)
    if value is not None:
        assert value == Decimal(text.strip().replace(",", "."))
        assert g.numbers_equal(text, value)
