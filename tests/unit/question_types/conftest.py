"""One valid question of every type, its key material marked "§KEY§" so a leak is easy to see."""

import json
from collections.abc import Callable
from decimal import Decimal

import pytest

from question_banks.model import Gap, NumericAnswer, Option, Question, QuestionType, TextAnswer

T = QuestionType
SECRET = "§KEY§"
FEEDBACK = {"feedback_html": f"{SECRET} phản hồi"}
# Every key a public view may have; anything else (is_correct, fraction, ...) is a leak.
PUBLIC_KEYS = {"type", "stem_html", "options", "choices", "gaps", "number", "id", "html"}
PUBLIC_KEYS |= {"max_length"}


def choices(correct: str, fractions: dict[str, str] | None = None) -> list[Option]:
    fractions = fractions or {}
    return [
        Option(k, f"Phương án {k}", k in correct, Decimal(fractions.get(k, "0")), **FEEDBACK)
        for k in "ABCD"
    ]


def build_samples() -> dict[QuestionType, Question]:
    secret_text = TextAnswer(f"{SECRET} Hà Nội", **FEEDBACK)
    secret_number = NumericAnswer(Decimal("987654.321"), Decimal("0.0777"), **FEEDBACK)
    pairs = [("A", "Việt Nam", "Hà Nội"), ("B", "Pháp", "Paris"), ("C", "", "Rome")]
    gaps = [
        Gap(1, T.SINGLE_CHOICE, options=choices("C")),
        Gap(2, T.SHORT_ANSWER, text_answers=[secret_text]),
        Gap(3, T.NUMERIC, numeric_answers=[secret_number]),
    ]
    common = {"explanation_html": f"{SECRET} lời giải", "grader_info_html": f"{SECRET} hướng dẫn"}
    samples = [
        Question(T.SINGLE_CHOICE, "Chọn một", options=choices("B"), **common),
        Question(
            T.MULTIPLE_RESPONSE,
            "Chọn nhiều",
            options=choices("AB", {"A": "0.5", "B": "0.5", "C": "-1"}),
            **common,
        ),
        Question(T.TRUE_FALSE, "Đúng hay sai", answer_bool=True, **common),
        Question(T.TRUE_FALSE_CLUSTER, "Bốn ý", options=choices("AC"), **common),
        Question(T.SHORT_ANSWER, "Thủ đô", text_answers=[secret_text], **common),
        Question(T.NUMERIC, "Tính", numeric_answers=[secret_number], **common),
        Question(
            T.MATCHING,
            "Ghép",
            options=[Option(k, left, match_html=right, **FEEDBACK) for k, left, right in pairs],
            **common,
        ),
        Question(T.ORDERING, "Sắp xếp", options=choices(""), **common),
        Question(T.ESSAY, "Viết bài", **common),
        Question(T.CLOZE, "Điền {{1}}, {{2}} và {{3}}", gaps=gaps, **common),
        Question(T.DESCRIPTION, "Đọc đoạn sau", **common),
    ]
    return {question.type: question for question in samples}


@pytest.fixture
def samples() -> dict[QuestionType, Question]:
    return build_samples()


def check_public(view: dict) -> None:
    """Fails when a public view carries a key field, a boolean or a marked secret."""
    text = json.dumps(view, ensure_ascii=False)  # also fails on a Decimal slipping through
    assert SECRET not in text
    assert "987654" not in text and "0.0777" not in text
    stack: list[object] = [view]
    while stack:
        node = stack.pop()
        assert not isinstance(node, bool), f"a boolean in the public view: {text}"
        if isinstance(node, dict):
            assert set(node) <= PUBLIC_KEYS, f"unexpected keys {set(node) - PUBLIC_KEYS}"
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


@pytest.fixture(scope="session")
def assert_public() -> Callable[[dict], None]:
    return check_public
