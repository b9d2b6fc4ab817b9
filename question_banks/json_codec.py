"""Question <-> plain JSON (what the database keeps per version); assets travel separately."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from decimal import Decimal
from typing import Any

from question_banks.model import (
    Gap,
    Level,
    NumericAnswer,
    Option,
    Question,
    QuestionType,
    TextAnswer,
)

_NESTED = {"options": Option, "text_answers": TextAnswer, "numeric_answers": NumericAnswer}
_DECIMALS = {"points", "fraction", "value", "tolerance"}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, QuestionType | Level):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def to_json(question: Question) -> dict:
    """Everything but the asset bytes; assets are kept as their names."""
    data = _plain(dataclasses.replace(question, assets=[]))
    data["assets"] = [asset.name for asset in question.assets]
    return data


def _build(cls: type, data: dict) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    values = {k: (Decimal(v) if k in _DECIMALS and v is not None else v)
              for k, v in data.items() if k in names}
    for key, nested in _NESTED.items():
        if key in values:
            values[key] = [_build(nested, item) for item in values[key]]
    return cls(**values)


def from_json(data: dict) -> Question:
    """The inverse of to_json (asset bytes are not restored)."""
    data = dict(data)
    data.pop("assets", None)
    data["type"] = QuestionType(data["type"])
    data["level"] = Level(data["level"]) if data.get("level") else None
    gaps = [dict(g, type=QuestionType(g["type"])) for g in data.pop("gaps", [])]
    question = _build(Question, data)
    question.gaps = [_build(Gap, g) for g in gaps]
    return question


def fingerprint(question: Question) -> str:
    """A stable hash of the content, to recognise a question imported twice."""
    data = to_json(question)
    for key in ("category", "source_id", "tags"):
        data.pop(key, None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
