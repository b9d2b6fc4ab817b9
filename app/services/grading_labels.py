"""Codes with a Vietnamese display label: the base of every grading enum."""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A str code (stored, compared with "tot" etc.) carrying its Vietnamese label."""

    label: str

    def __new__(cls, value: str, label: str) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member
