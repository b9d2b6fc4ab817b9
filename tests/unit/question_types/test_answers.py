"""normalise_answer: the CONTRACT.md answer shapes are kept, malformed answers are refused."""

import pytest

from app.services import question_types as qt
from question_banks.model import Question, QuestionType

T = QuestionType
Samples = dict[QuestionType, Question]


def matching_ids(question: Question) -> dict[str, str]:
    """Left key -> the id of its right-hand choice, read from the public view."""
    by_html = {c["html"]: c["id"] for c in qt.public_view(question)["choices"]}
    return {o.key: by_html[o.match_html] for o in question.options if o.html}


@pytest.mark.parametrize(
    ("question_type", "raw", "stored"),
    [
        (T.SINGLE_CHOICE, "B", "B"),
        (T.MULTIPLE_RESPONSE, ["C", "A"], ["A", "C"]),
        (T.MULTIPLE_RESPONSE, [], []),
        (T.TRUE_FALSE, False, False),
        (T.TRUE_FALSE_CLUSTER, {"C": False, "A": True}, {"A": True, "C": False}),
        (T.TRUE_FALSE_CLUSTER, {"A": True, "B": None}, {"A": True}),
        (T.SHORT_ANSWER, "  Hà Nội ", "  Hà Nội "),
        (T.NUMERIC, "3,5", "3,5"),
        (T.NUMERIC, "ba phẩy năm", "ba phẩy năm"),
        (T.ORDERING, ["D", "C", "B", "A"], ["D", "C", "B", "A"]),
        (T.ORDERING, ["B"], ["B"]),
        (T.ESSAY, "Bài làm", "Bài làm"),
        (T.CLOZE, {"1": "B", 3: "3,5"}, {"1": "B", "3": "3,5"}),
        (T.CLOZE, {"2": None}, {}),
    ],
)
def test_well_formed_answers_are_kept_in_one_stored_form(
    samples: Samples, question_type: QuestionType, raw: object, stored: object
) -> None:
    question = samples[question_type]
    assert qt.normalise_answer(question, raw) == stored
    assert qt.normalise_answer(question, stored) == stored


@pytest.mark.parametrize("question_type", list(QuestionType))
def test_null_means_no_answer_for_every_type(samples: Samples, question_type: QuestionType) -> None:
    assert qt.normalise_answer(samples[question_type], None) is None


def test_matching_answer_is_left_id_to_right_choice_id(samples: Samples) -> None:
    question = samples[T.MATCHING]
    ids = matching_ids(question)
    assert qt.normalise_answer(question, {"B": ids["A"], "A": None}) == {"B": ids["A"]}


@pytest.mark.parametrize(
    ("question_type", "raw", "message"),
    [
        (T.SINGLE_CHOICE, "Z", "Không có phương án 'Z'"),
        (T.SINGLE_CHOICE, 1, "phải là chuỗi"),
        (T.SINGLE_CHOICE, ["A"], "phải là chuỗi"),
        (T.MULTIPLE_RESPONSE, "A", "danh sách"),
        (T.MULTIPLE_RESPONSE, ["A", "A"], "được chọn hai lần"),
        (T.MULTIPLE_RESPONSE, ["A", "Z"], "Không có phương án 'Z'"),
        (T.TRUE_FALSE, "true", "true \\(Đúng\\) hoặc false"),
        (T.TRUE_FALSE, 1, "true \\(Đúng\\) hoặc false"),
        (T.TRUE_FALSE_CLUSTER, ["A"], "đối tượng"),
        (T.TRUE_FALSE_CLUSTER, {"E": True}, "Không có phương án 'E'"),
        (T.TRUE_FALSE_CLUSTER, {"A": "Đúng"}, "Ý A"),
        (T.TRUE_FALSE_CLUSTER, {"A": 1}, "Ý A"),
        (T.SHORT_ANSWER, 35, "chuỗi ký tự"),
        (T.SHORT_ANSWER, "x" * 1001, "quá dài"),
        (T.NUMERIC, 3.5, "chuỗi ký tự"),
        (T.MATCHING, {"A": "A"}, "Vế trái A"),
        (T.MATCHING, {"C": "x"}, "Không có phương án 'C'"),  # C is a distractor, not a left item
        (T.MATCHING, "A", "đối tượng"),
        (T.ORDERING, ["A", "B", "A"], "được chọn hai lần"),
        (T.ORDERING, {"A": 1}, "danh sách"),
        (T.ESSAY, "x" * 20_001, "tối đa 20000"),
        (T.ESSAY, {"html": "x"}, "chuỗi ký tự"),
        (T.CLOZE, {"9": "x"}, "Không có ô trống '9'"),
        (T.CLOZE, {"1": "Z"}, "Ô trống 1: Không có phương án 'Z'"),
        (T.CLOZE, {"2": 5}, "Ô trống 2: Câu trả lời phải là một chuỗi"),
        (T.CLOZE, ["x"], "đối tượng"),
        (T.DESCRIPTION, "x", "không nhận câu trả lời"),
    ],
)
def test_malformed_answers_are_refused_with_a_vietnamese_reason(
    samples: Samples, question_type: QuestionType, raw: object, message: str
) -> None:
    with pytest.raises(qt.AnswerError, match=message):
        qt.normalise_answer(samples[question_type], raw)


def test_an_answer_error_becomes_a_422_in_the_api() -> None:
    error = qt.AnswerError("Không có phương án 'Z' trong câu hỏi này")
    assert (error.status, error.code, isinstance(error, ValueError)) == (
        422,
        "invalid_answer",
        True,
    )


def test_an_essay_at_the_limit_is_accepted(samples: Samples) -> None:
    assert len(qt.normalise_answer(samples[T.ESSAY], "ư" * 20_000)) == 20_000
