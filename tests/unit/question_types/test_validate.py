"""validate(): questions that cannot be used in an exam are named with a Vietnamese reason."""

from decimal import Decimal

import pytest

from app.services import question_types as qt
from question_banks.model import Gap, NumericAnswer, Option, Question, QuestionType, TextAnswer

T = QuestionType
D = Decimal
Samples = dict[QuestionType, Question]


def problems_after(samples: Samples, question_type: QuestionType, change) -> list[str]:
    question = samples[question_type]
    change(question)
    return qt.validate(question)


def keep_first_option(question: Question) -> None:
    del question.options[1:]


def mark_nothing_right(question: Question) -> None:
    for option in question.options:
        option.is_correct, option.fraction = False, D(0)


def test_a_question_without_stem_or_with_negative_points_is_refused(samples: Samples) -> None:
    question = samples[T.ESSAY]
    question.stem_html, question.points = "  ", D(-1)
    assert qt.validate(question) == ["Câu hỏi chưa có nội dung", "Điểm của câu hỏi không được âm"]


@pytest.mark.parametrize(
    ("question_type", "change", "problem"),
    [
        (
            T.SINGLE_CHOICE,
            lambda q: setattr(q.options[0], "is_correct", True),
            "Câu hỏi một lựa chọn phải có đúng một đáp án đúng (đang có 2)",
        ),
        (
            T.SINGLE_CHOICE,
            lambda q: setattr(q.options[1], "is_correct", False),
            "Câu hỏi một lựa chọn phải có đúng một đáp án đúng (đang có 0)",
        ),
        (T.SINGLE_CHOICE, keep_first_option, "ít nhất 2 phương án"),
        (T.SINGLE_CHOICE, lambda q: setattr(q.options[3], "key", "A"), "Mã phương án bị trùng: A"),
        (T.SINGLE_CHOICE, lambda q: setattr(q.options[2], "html", " "), "Phương án C chưa có"),
        (
            T.SINGLE_CHOICE,
            lambda q: setattr(q.options[0], "fraction", D("0.5")),
            "Đáp án đúng B phải được 100% điểm",
        ),
        (
            T.MULTIPLE_RESPONSE,
            lambda q: setattr(q.options[1], "fraction", D("0.25")),
            "Tổng điểm các đáp án đúng phải là 100% (đang là 75%)",
        ),
        (
            T.MULTIPLE_RESPONSE,
            lambda q: setattr(q.options[2], "fraction", D("-2")),
            "Điểm của phương án C phải từ -100% đến 100%",
        ),
        (
            T.MULTIPLE_RESPONSE,
            mark_nothing_right,
            "Câu hỏi nhiều lựa chọn phải có ít nhất một đáp án đúng",
        ),
        (T.TRUE_FALSE, lambda q: setattr(q, "answer_bool", None), "Câu Đúng/Sai chưa có đáp án"),
        (
            T.TRUE_FALSE_CLUSTER,
            lambda q: q.options.pop(),
            "Câu Đúng/Sai 4 ý phải có đúng 4 ý (đang có 3)",
        ),
        (T.SHORT_ANSWER, lambda q: q.text_answers.clear(), "Thiếu đáp án chấp nhận"),
        (
            T.SHORT_ANSWER,
            lambda q: setattr(q.text_answers[0], "fraction", D("0.5")),
            "Cần ít nhất một đáp án được 100% điểm",
        ),
        (T.SHORT_ANSWER, lambda q: q.text_answers.append(TextAnswer(" ")), "để trống"),
        (T.NUMERIC, lambda q: q.numeric_answers.clear(), "Thiếu đáp án số"),
        (
            T.NUMERIC,
            lambda q: setattr(q.numeric_answers[0], "tolerance", D("-0.1")),
            "Sai số cho phép của đáp án 987654.321 không được âm",
        ),
        (T.NUMERIC, lambda q: setattr(q.numeric_answers[0], "value", D("NaN")), "không hợp lệ"),
        (T.MATCHING, lambda q: q.options.pop(0), "Câu ghép đôi cần ít nhất 2 cặp"),
        (
            T.MATCHING,
            lambda q: setattr(q.options[0], "match_html", ""),
            "Vế trái A chưa có vế phải",
        ),
        (
            T.MATCHING,
            lambda q: [setattr(o, "match_html", "Hà Nội") for o in q.options],
            "Câu ghép đôi cần ít nhất 2 vế phải khác nhau",
        ),
        (T.ORDERING, keep_first_option, "ít nhất 2 phương án"),
        (T.CLOZE, lambda q: q.gaps.clear(), "Câu điền khuyết chưa có ô trống nào"),
        (T.CLOZE, lambda q: setattr(q, "stem_html", "Điền {{1}} và {{2}}"), "thiếu ô trống {{3}}"),
        (
            T.CLOZE,
            lambda q: setattr(q, "stem_html", q.stem_html + " {{4}}"),
            "Nội dung có ô trống {{4}} nhưng chưa có đáp án",
        ),
        (T.CLOZE, lambda q: setattr(q.gaps[2], "number", 2), "Ô trống 2 bị khai báo hai lần"),
        (
            T.CLOZE,
            lambda q: setattr(q.gaps[0], "type", T.ESSAY),
            "Ô trống 1 có loại không dùng được cho ô trống: essay",
        ),
        (T.CLOZE, lambda q: q.gaps[2].numeric_answers.clear(), "Ô trống 3: Thiếu đáp án số"),
        (
            T.CLOZE,
            lambda q: [setattr(g, "points", D(0)) for g in q.gaps],
            "Tổng điểm các ô trống phải lớn hơn 0",
        ),
        (
            T.CLOZE,
            lambda q: setattr(q.gaps[0], "points", D(-1)),
            "Điểm của ô trống 1 không được âm",
        ),
    ],
)
def test_broken_questions_are_named(
    samples: Samples, question_type: QuestionType, change, problem: str
) -> None:
    problems = problems_after(samples, question_type, change)
    assert any(problem.lower() in p.lower() for p in problems), problems


def test_moodle_thirds_add_up_to_100_percent() -> None:
    third = D("0.3333333")
    options = [Option(k, k, True, third) for k in "ABC"] + [Option("D", "D", False, D(-1))]
    assert qt.validate(Question(T.MULTIPLE_RESPONSE, "Chọn", options=options)) == []


def test_a_numeric_gap_and_a_select_gap_make_a_valid_cloze() -> None:
    gaps = [
        Gap(1, T.NUMERIC, numeric_answers=[NumericAnswer(D(2))]),
        Gap(2, T.SINGLE_CHOICE, options=[Option("A", "a", True), Option("B", "b")]),
    ]
    assert qt.validate(Question(T.CLOZE, "{{1}} {{2}}", gaps=gaps)) == []
