"""Question types: one module per type, each registering a Handler (validate, view, score)."""

from __future__ import annotations

from decimal import Decimal

from question_banks.model import Question

# Importing a type's module registers it; a new type is one module and one line here.
from . import (  # noqa: F401
    cloze,
    description,
    essay,
    matching,
    multiple_response,
    numeric,
    ordering,
    short_answer,
    single_choice,
    true_false,
    true_false_cluster,
)
from .base import AnswerError, Handler, Json, Score
from .registry import TYPES, get, register


def validate(question: Question) -> list[str]:
    """Vietnamese problems that make the question unusable in an exam; [] when fine."""
    return get(question.type).validate(question)


def public_view(question: Question, option_order: list[str] | None = None) -> dict:
    """What a student's exam page receives for the question: never the key."""
    return get(question.type).public_view(question, option_order)


def normalise_answer(question: Question, raw: Json) -> Json:
    """The answer a client sent, checked and in stored form; raises AnswerError."""
    return get(question.type).normalise_answer(question, raw)


def score(question: Question, answer: Json, points: Decimal | None = None) -> Score:
    """The answer's Score out of `points` (default: the question's points)."""
    return get(question.type).score(question, answer, points)


__all__ = [
    "TYPES",
    "AnswerError",
    "Handler",
    "Score",
    "get",
    "normalise_answer",
    "public_view",
    "register",
    "score",
    "validate",
]
