"""Aiken, the one-line-per-item multiple-choice text format: detection, import and export."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ._moodle_conventions import choice_key
from ._plaintext import decode_text, html_to_text, looks_binary, text_to_html
from .model import BankFormatError, ImportIssue, Option, ParseResult, Question, QuestionType

__all__ = ["dump", "parse", "sniff"]

_OPTION = re.compile(r"^([A-Za-z])\s?[.)]\s+(\S.*)$")
# "Đáp án:" is how Vietnamese teachers write the answer line when they type Aiken by hand.
_ANSWER = re.compile(r"^(ANSWER|ĐÁP ÁN|DAP AN)\s*[:：]\s*(.*)$", re.IGNORECASE)
_LETTER = re.compile(r"^([A-Za-z])[.)]?$")
_GIFT_MARKS = re.compile(r"\{\s*[=~#]|^\s*::.*::|^\s*\$CATEGORY:", re.MULTILINE)


@dataclass
class _Draft:
    """A question being read: its first line, stem lines and (letter, text) options."""

    line: int
    stem: list[str]
    options: list[str] = field(default_factory=list)


def sniff(data: bytes, filename: str = "") -> bool:
    """True for text with `A. ...` option lines and `ANSWER: X` lines, and no GIFT syntax."""
    if looks_binary(data):
        return False
    text, _ = decode_text(data[:65536])
    lines = [line.strip() for line in text.split("\n")]
    has_answer = any(_ANSWER.match(line) and _letters(line) for line in lines)
    has_option = any(_OPTION.match(line) for line in lines)
    return has_answer and has_option and not _GIFT_MARKS.search(text)


def parse(data: bytes, filename: str = "") -> ParseResult:
    """Read every question; one without a valid ANSWER line is skipped with its line number."""
    if looks_binary(data):
        raise BankFormatError("Tệp nhị phân, không phải văn bản Aiken.")
    text, warnings = decode_text(data)
    result = ParseResult(warnings=warnings)
    lines = [line.strip() for line in text.split("\n")]
    if not any(_ANSWER.match(line) or _OPTION.match(line) for line in lines):
        raise BankFormatError(
            "Không tìm thấy câu hỏi Aiken nào (cần các dòng 'A. ...' và 'ANSWER: ...')."
        )
    draft: _Draft | None = None
    for number, line in enumerate(lines, start=1):
        if line:
            draft = _read_line(draft, line, number, result)
    if draft is not None:
        _skip(result, draft, "Thiếu dòng 'ANSWER: ...' ở cuối câu hỏi.")
    return result


def _read_line(draft: _Draft | None, line: str, number: int, result: ParseResult) -> _Draft | None:
    """Advance the reader by one non-blank line; returns the question still being read."""
    if _ANSWER.match(line):
        if draft is None:
            where = f"dòng {number}"
            result.skipped.append(ImportIssue(where, "Dòng ANSWER không thuộc câu hỏi nào."))
        else:
            _finish(draft, line, result)
        return None
    if draft is None:
        return _Draft(line=number, stem=[line])
    option = _OPTION.match(line)
    if option and option.group(1).upper() == choice_key(len(draft.options)):
        draft.options.append(option.group(2).strip())
        return draft
    if draft.options:  # a new question started before this one got its ANSWER line
        _skip(result, draft, "Thiếu dòng 'ANSWER: ...' trước câu hỏi tiếp theo.")
        return _Draft(line=number, stem=[line])
    draft.stem.append(line)
    return draft


def _letters(answer_line: str) -> list[str]:
    rest = _ANSWER.match(answer_line)
    tokens = re.split(r"[\s,;]+", rest.group(2).strip()) if rest else []
    letters = []
    for token in tokens:
        match = _LETTER.match(token)
        if not match:
            break
        letters.append(match.group(1).upper())
    return letters


def _finish(draft: _Draft, answer_line: str, result: ParseResult) -> None:
    letters = _letters(answer_line)
    keys = [choice_key(i) for i in range(len(draft.options))]
    if len(draft.options) < 2:
        return _skip(result, draft, "Câu hỏi cần ít nhất 2 phương án 'A. ...', 'B. ...'.")
    if not letters or any(letter not in keys for letter in letters):
        return _skip(
            result, draft, f"Dòng '{answer_line}' không chỉ ra phương án nào có trong câu."
        )
    share = Decimal(1) / len(set(letters))
    options = [
        Option(key, text_to_html(text), key in letters, share if key in letters else Decimal(0))
        for key, text in zip(keys, draft.options, strict=True)
    ]
    single = len(set(letters)) == 1
    kind = QuestionType.SINGLE_CHOICE if single else QuestionType.MULTIPLE_RESPONSE
    stem = "<br>".join(text_to_html(line) for line in draft.stem)
    result.questions.append(Question(type=kind, stem_html=stem, options=options))
    return None


def _skip(result: ParseResult, draft: _Draft, message: str) -> None:
    result.skipped.append(ImportIssue(where=f"dòng {draft.line}", message=message))


def dump(questions: list[Question]) -> bytes:
    """Aiken text for the single-choice questions (the only type Aiken has); others are left out."""
    chunks = []
    for question in questions:
        correct = [o.key for o in question.options if o.is_correct]
        if question.type != QuestionType.SINGLE_CHOICE or len(correct) != 1:
            continue
        if not 2 <= len(question.options) <= 26:
            continue
        lines = [_one_line(question.stem_html)]
        keys = [choice_key(i) for i in range(len(question.options))]
        lines += [f"{k}. {_one_line(o.html)}" for k, o in zip(keys, question.options, strict=True)]
        answer = keys[[o.key for o in question.options].index(correct[0])]
        chunks.append("\n".join([*lines, f"ANSWER: {answer}"]) + "\n")
    return "\n".join(chunks).encode("utf-8")


def _one_line(fragment: str) -> str:
    # Aiken has no markup and no multi-line items: flatten the HTML to one line of text.
    return " ".join(html_to_text(fragment).split())
