"""Question types: the registry and concrete scoring cases for every type (2025 format first)."""

from decimal import Decimal

import pytest

from app.services import question_types as qt
from question_banks.model import (
    Gap,
    NumericAnswer,
    Option,
    Question,
    QuestionType,
    TextAnswer,
)

D = Decimal
T = QuestionType


def choice(*keys_html: str, correct: str = "", **fractions: str) -> list[Option]:
    """Options "A", "B", ...; `correct` names the right keys, `fractions` their shares."""
    return [
        Option(key, f"Phương án {key}", key in correct, D(fractions.get(key, "0")))
        for key in keys_html
    ]


def single(points: str = "0.25") -> Question:
    return Question(
        T.SINGLE_CHOICE, "Thủ đô?", points=D(points), options=choice(*"ABCD", correct="B")
    )


def cluster(truths: str = "TFTF", points: str = "1") -> Question:
    statements = [Option(k, f"Ý {k}", t == "T") for k, t in zip("abcd", truths, strict=True)]
    return Question(T.TRUE_FALSE_CLUSTER, "Xét các ý sau", points=D(points), options=statements)


def short(*texts: str, **flags: bool) -> Question:
    answers = [TextAnswer(t) for t in texts]
    return Question(T.SHORT_ANSWER, "Thủ đô?", text_answers=answers, **flags)


def numeric(*answers: NumericAnswer, points: str = "0.5") -> Question:
    return Question(T.NUMERIC, "Tính x", points=D(points), numeric_answers=list(answers))


def matching() -> Question:
    pairs = [("A", "Việt Nam", "Hà Nội"), ("B", "Pháp", "Paris"), ("C", "Nhật", "Tokyo")]
    options = [Option(k, left, match_html=right) for k, left, right in pairs]
    options += [Option("D", "Anh", match_html="London"), Option("E", "", match_html="Rome")]
    return Question(T.MATCHING, "Ghép nước với thủ đô", options=options)


def ordering() -> Question:
    items = [Option(k, f"Bước {k}") for k in ("p", "q", "r", "s")]
    return Question(T.ORDERING, "Sắp xếp", options=items)


def cloze(weights: tuple[str, str] = ("1", "1"), points: str = "2") -> Question:
    gaps = [
        Gap(1, T.SHORT_ANSWER, D(weights[0]), text_answers=[TextAnswer("Hà Nội")]),
        Gap(2, T.NUMERIC, D(weights[1]), numeric_answers=[NumericAnswer(D("3.5"))]),
    ]
    return Question(T.CLOZE, "Thủ đô là {{1}}, x = {{2}}", points=D(points), gaps=gaps)


def right_id(question: Question, left_key: str) -> str:
    """The right-hand choice id the exam page shows for the partner of a left item."""
    partner = next(o.match_html for o in question.options if o.key == left_key)
    view = qt.public_view(question)
    return next(c["id"] for c in view["choices"] if c["html"] == partner)


# --- registry -------------------------------------------------------------------------------


def test_every_question_type_has_a_handler() -> None:
    assert set(qt.TYPES) == set(QuestionType)
    assert all(qt.get(t.value) is qt.TYPES[t] for t in QuestionType)


def test_an_unknown_type_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="không được hỗ trợ"):
        qt.get("drag_and_drop")


def test_registering_a_type_twice_is_refused() -> None:
    with pytest.raises(RuntimeError, match="twice"):
        qt.register(type(qt.get(T.ESSAY)))


def test_answer_error_is_a_value_error_with_a_vietnamese_message() -> None:
    with pytest.raises(ValueError, match="Không có phương án 'Z'"):
        qt.normalise_answer(single(), "Z")


# --- single choice --------------------------------------------------------------------------


def test_single_choice_scores_full_or_zero() -> None:
    assert qt.score(single(), "B") == qt.Score(D("0.25"), D("0.25"), True, {})
    assert qt.score(single(), "A") == qt.Score(D("0.00"), D("0.25"), False, {})


def test_single_choice_keeps_a_moodle_partial_credit_option() -> None:
    question = single(points="1")
    question.options = choice("A", "B", "C", correct="A", A="1", B="0.5", C="-0.5")
    assert qt.score(question, "B").points == D("0.50")
    assert qt.score(question, "C").points == D("0.00")


def test_points_argument_overrides_the_question_points() -> None:
    assert qt.score(single(), "B", points=D("0.5")).points == D("0.50")
    with pytest.raises(ValueError, match="negative"):
        qt.score(single(), "B", points=D("-1"))


def test_no_answer_scores_zero_and_says_so() -> None:
    assert qt.score(single(), None) == qt.Score(D("0.00"), D("0.25"), False, {"answered": False})


def test_a_stored_answer_that_no_longer_fits_scores_zero_with_the_reason() -> None:
    result = qt.score(single(), "Z")
    assert (result.points, result.is_correct) == (D("0.00"), False)
    assert "Z" in result.detail["error"]


# --- multiple response ----------------------------------------------------------------------


def mr(**fractions: str) -> Question:
    options = choice(*"ABCD", correct="".join(k for k, f in fractions.items() if D(f) > 0))
    for option in options:
        option.fraction = D(fractions.get(option.key, "0"))
    return Question(T.MULTIPLE_RESPONSE, "Chọn các đáp án đúng", points=D("2"), options=options)


@pytest.mark.parametrize(
    ("chosen", "expected", "is_correct"),
    [
        (["A", "B"], "2.00", True),
        (["A"], "1.00", False),
        (["A", "B", "D"], "2.00", True),
        (["A", "C"], "0.00", False),  # 0.5 - 1 is clamped at 0
        (["A", "B", "C"], "0.00", False),
        (["C"], "0.00", False),
        ([], "0.00", False),
    ],
)
def test_multiple_response_sums_fractions_clamped_to_0_1(
    chosen: list[str], expected: str, is_correct: bool
) -> None:
    result = qt.score(mr(A="0.5", B="0.5", C="-1"), chosen)
    assert (result.points, result.is_correct) == (D(expected), is_correct)


def test_multiple_response_thirds_still_make_full_marks() -> None:
    question = mr(A="0.3333333", B="0.3333333", C="0.3333333", D="-1")
    assert qt.score(question, ["A", "B", "C"]) == qt.Score(
        D("2.00"), D("2.00"), True, {"chosen": 3}
    )


def test_multiple_response_without_fractions_is_all_or_nothing() -> None:
    question = Question(T.MULTIPLE_RESPONSE, "Chọn", options=choice(*"ABCD", correct="AC"))
    assert qt.score(question, ["C", "A"]).points == D("1.00")
    assert qt.score(question, ["A"]).points == D("0.00")
    assert qt.score(question, ["A", "C", "D"]).points == D("0.00")


# --- true/false and the 2025 cluster --------------------------------------------------------


def test_true_false_compares_with_the_key() -> None:
    question = Question(T.TRUE_FALSE, "Trái Đất quay quanh Mặt Trời", answer_bool=True)
    assert qt.score(question, True).is_correct is True
    assert qt.score(question, False).points == D("0.00")


@pytest.mark.parametrize(
    ("answer", "right", "points"),
    [
        ({"a": False, "b": True, "c": False, "d": True}, 0, "0.00"),
        ({"a": True, "b": True, "c": False, "d": True}, 1, "0.10"),
        ({"a": True, "b": False, "c": False, "d": True}, 2, "0.25"),
        ({"a": True, "b": False, "c": True, "d": True}, 3, "0.50"),
        ({"a": True, "b": False, "c": True, "d": False}, 4, "1.00"),
    ],
)
def test_cluster_scores_by_the_2025_table(answer: dict, right: int, points: str) -> None:
    result = qt.score(cluster(), answer)
    assert result.points == D(points)
    assert result.detail == {"correct_statements": right, "answered": 4}
    assert result.is_correct is (right == 4)


def test_cluster_unanswered_statements_count_as_not_right() -> None:
    result = qt.score(cluster(), {"a": True, "b": False})
    assert (result.points, result.detail["answered"]) == (D("0.25"), 2)


def test_cluster_points_are_rounded_half_up_to_two_decimals() -> None:
    # 1 right of a cluster worth 0.25: 0.025 -> 0.03, not Python's banker's 0.02
    assert qt.score(cluster(points="0.25"), {"a": True}).points == D("0.03")


def test_cluster_with_other_than_four_statements_cannot_be_scored() -> None:
    question = cluster()
    question.options.pop()
    with pytest.raises(ValueError, match="đúng 4 ý"):
        qt.score(question, {"a": True})


# --- numeric (2025 Part III) ----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["3,5", "3.5", " 3,50 ", "+3.5", "03,5"])
def test_numeric_accepts_comma_and_point_decimals(typed: str) -> None:
    result = qt.score(numeric(NumericAnswer(D("3.5"))), typed)
    assert (result.points, result.is_correct) == (D("0.50"), True)


@pytest.mark.parametrize(("typed", "points"), [("3,46", "0.50"), ("3,55", "0.50"), ("3,44", "0")])
def test_numeric_honours_the_tolerance(typed: str, points: str) -> None:
    question = numeric(NumericAnswer(D("3.5"), tolerance=D("0.05")))
    assert qt.score(question, typed).points == D(points)


def test_numeric_best_fraction_wins_and_text_scores_zero() -> None:
    question = numeric(
        NumericAnswer(D("3.5")), NumericAnswer(D("3"), fraction=D("0.5")), points="1"
    )
    assert qt.score(question, "3").points == D("0.50")
    assert qt.score(question, "3,5").points == D("1.00")
    assert qt.score(question, "ba phẩy năm").detail == {"is_number": False}


# --- short answer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "flags", "is_correct"),
    [
        ("Hà Nội", {}, True),
        ("  hà   NỘI ", {}, True),
        ("Ha\u0300 No\u0323\u0302i", {}, True),  # typed decomposed (NFD)
        ("ha noi", {}, False),
        ("ha noi", {"is_accent_sensitive": False}, True),
        ("Ha Noi", {"is_accent_sensitive": False, "is_case_sensitive": True}, True),
        ("hà nội", {"is_case_sensitive": True}, False),
        ("Hà Nội!", {}, False),
    ],
)
def test_short_answer_normalises_before_comparing(
    typed: str, flags: dict, is_correct: bool
) -> None:
    assert qt.score(short("Hà Nội", **flags), typed).is_correct is is_correct


def test_short_answer_d_with_stroke_folds_to_d_only_when_accents_do_not_matter() -> None:
    assert qt.score(short("Đà Nẵng", is_accent_sensitive=False), "da nang").is_correct
    assert not qt.score(short("Đà Nẵng"), "Da Nang").is_correct


def test_short_answer_star_is_a_wildcard_and_backslash_star_a_star() -> None:
    assert qt.score(short("*Hà Nội"), "Thủ đô Hà Nội").is_correct
    assert qt.score(short("a\\*b"), "a*b").is_correct
    assert not qt.score(short("a\\*b"), "axxb").is_correct
    assert not qt.score(short("*"), "   ").is_correct  # blank is no answer, even for "*"


def test_short_answer_best_fraction_wins() -> None:
    question = short("Hà Nội")
    question.text_answers.append(TextAnswer("Hà*", fraction=D("0.5")))
    assert qt.score(question, "Hà Nội").points == D("1.00")
    assert qt.score(question, "Hà Đông").points == D("0.50")
    assert qt.score(question, "Huế").points == D("0.00")


# --- matching, ordering ---------------------------------------------------------------------


def test_matching_half_right_earns_half() -> None:
    question = matching()
    answer = {"A": right_id(question, "A"), "B": right_id(question, "B")}
    answer |= {"C": right_id(question, "A"), "D": right_id(question, "B")}
    result = qt.score(question, answer)
    assert (result.points, result.detail) == (D("0.50"), {"correct_pairs": 2, "pairs": 4})


def test_matching_all_right_is_correct() -> None:
    question = matching()
    answer = {key: right_id(question, key) for key in "ABCD"}
    assert qt.score(question, answer) == qt.Score(
        D("1.00"), D("1.00"), True, {"correct_pairs": 4, "pairs": 4}
    )


def test_ordering_is_all_or_nothing_with_a_partial_count() -> None:
    question = ordering()
    assert qt.score(question, ["p", "q", "r", "s"]).points == D("1.00")
    result = qt.score(question, ["p", "q", "s", "r"])
    assert (result.points, result.detail) == (D("0.00"), {"partial": 2, "items": 4})


# --- essay, description, cloze --------------------------------------------------------------


def test_essay_waits_for_a_teacher_unless_blank() -> None:
    question = Question(T.ESSAY, "Nghị luận", points=D("3"))
    assert qt.score(question, "Bài làm") == qt.Score(
        D("0.00"), D("3.00"), None, {"needs_grading": True}
    )
    assert qt.score(question, "  ").is_correct is False


def test_description_is_worth_nothing() -> None:
    question = Question(T.DESCRIPTION, "Đọc đoạn văn sau", points=D("1"))
    assert qt.score(question, None) == qt.Score(D("0.00"), D("0.00"), True, {"is_scored": False})


@pytest.mark.parametrize(
    ("answer", "points", "right"),
    [
        ({"1": "HÀ NỘI", "2": "3,5"}, "2.00", 2),
        ({"1": "Hà Nội", "2": "4"}, "1.00", 1),
        ({"2": "3.5"}, "1.00", 1),
        ({}, "0.00", 0),
    ],
)
def test_cloze_sums_its_two_gaps(answer: dict, points: str, right: int) -> None:
    result = qt.score(cloze(), answer)
    assert result.points == D(points)
    assert result.detail.get("correct_gaps", 0) == right


def test_cloze_weights_gaps_by_their_points() -> None:
    # gap 2 weighs 3 of 4: right alone it earns 3/4 of the question's 2 points
    assert qt.score(cloze(weights=("1", "3")), {"2": "3,5"}).points == D("1.50")
    assert qt.score(cloze(weights=("1", "3")), {1: "Hà Nội"}).points == D("0.50")


def test_cloze_select_gap_scores_like_single_choice() -> None:
    gap = Gap(1, T.SINGLE_CHOICE, options=choice("A", "B", correct="B"))
    question = Question(T.CLOZE, "Chọn {{1}}", gaps=[gap])
    assert qt.score(question, {"1": "B"}).points == D("1.00")
    assert qt.score(question, {"1": "A"}).points == D("0.00")


def test_2025_math_paper_adds_up_to_ten() -> None:
    part_1 = [qt.score(single(), "B") for _ in range(12)]
    answer = {"a": True, "b": False, "c": True, "d": False}
    part_2 = [qt.score(cluster(), answer) for _ in range(4)]
    part_3 = [qt.score(numeric(NumericAnswer(D("-0.5"))), "-0,5") for _ in range(6)]
    total = sum(s.points for s in part_1 + part_2 + part_3)
    assert total == sum(s.max_points for s in part_1 + part_2 + part_3) == D("10.00")
