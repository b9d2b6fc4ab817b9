"""The registry of question types: each type module registers its handler with @register."""

from __future__ import annotations

from typing import TypeVar

from question_banks.model import QuestionType

from .base import Handler

TYPES: dict[QuestionType, Handler] = {}
H = TypeVar("H", bound=type[Handler])


def register(handler_class: H) -> H:
    """Class decorator: one handler instance per type; registering a type twice is a bug."""
    if handler_class.type in TYPES:
        raise RuntimeError(f"question type {handler_class.type} registered twice")
    TYPES[handler_class.type] = handler_class()
    return handler_class


def get(question_type: QuestionType | str) -> Handler:
    """The handler of a type (enum member or its API string); KeyError when none exists."""
    try:
        return TYPES[QuestionType(question_type)]
    except (ValueError, KeyError):
        raise KeyError(f"Loại câu hỏi không được hỗ trợ: {question_type}") from None
