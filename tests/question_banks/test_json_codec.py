"""The JSON form a question version is stored in round-trips exactly."""

from __future__ import annotations

from decimal import Decimal

from question_banks.json_codec import fingerprint, from_json, to_json
from question_banks.model import (
    Asset,
    Gap,
    Level,
    NumericAnswer,
    Option,
    Question,
    QuestionType,
    TextAnswer,
)


def _sample() -> Question:
    return Question(
        type=QuestionType.CLOZE, stem_html="<p>2 + 2 = {{1}}; thủ đô: {{2}}</p>",
        points=Decimal("0.25"), level=Level.THONG_HIEU, category="Toán/Chương 1",
        options=[Option("A", "x", is_correct=True, fraction=Decimal("0.5"))],
        text_answers=[TextAnswer("Hà Nội")],
        numeric_answers=[NumericAnswer(Decimal("3.5"), Decimal("0.1"))],
        gaps=[Gap(1, QuestionType.NUMERIC, numeric_answers=[NumericAnswer(Decimal(4))]),
              Gap(2, QuestionType.SHORT_ANSWER, text_answers=[TextAnswer("Hà Nội")])],
        tags=["đại số"], assets=[Asset("h.png", b"\x89PNG", "image/png")],
    )


def test_round_trip_keeps_every_field_but_asset_bytes():
    question = _sample()
    data = to_json(question)
    assert data["points"] == "0.25" and data["assets"] == ["h.png"]
    back = from_json(data)
    assert back.assets == []
    question.assets = []
    assert back == question


def test_fingerprint_ignores_category_and_tags_but_not_content():
    a, b = _sample(), _sample()
    b.category, b.tags = "Khác", []
    assert fingerprint(a) == fingerprint(b)
    b.stem_html = "<p>khác</p>"
    assert fingerprint(a) != fingerprint(b)
