"""Turning a question drafted from a DOCX (stem, options, key hints) into a Question."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ._vn_text import parse_tolerance, text_to_html
from .docx_answers import AnswerKey, choice_letters, truth_values
from .docx_lines import MARKS, Piece, content_marks, render, render_table
from .docx_reader import Line, Table
from .model import (
    Asset,
    ImportIssue,
    Level,
    NumericAnswer,
    Option,
    Question,
    QuestionType,
    TextAnswer,
)

NO_KEY = "không tìm thấy đáp án đúng (gạch chân, tô đỏ, in đậm, dấu * hoặc bảng đáp án)"
_CHOOSE = re.compile(r"(?i)\b(?:chọn|chon)\s*(?:đáp án|dap an|phương án|phuong an)?\s*([A-J])\b")
_OLE_PREVIEWS = ("image/wmf", "image/emf", "image/x-wmf", "image/x-emf")


class Skip(Exception):
    """The draft cannot become a question; the message (Vietnamese) says why."""


@dataclass
class Draft:
    """What the document says about one question, before its key is decided."""

    where: str
    number: int
    part: int | None
    mode: str  # "auto", "choice", "cluster", "short" or "essay"
    points: Decimal | None = None
    level: Level | None = None
    stem: list[Line | Table] = field(default_factory=list)
    pieces: list[Piece] = field(default_factory=list)
    key_text: str = ""
    explanation: list[Line | Table] = field(default_factory=list)
    section: str = "stem"  # where the next plain line goes: stem, options or explanation


def _revealing(pieces: list[Piece], correct: set[str]) -> frozenset[str]:
    """Bold/underline that only correct options carry would give the answer away: hide it."""
    hide = set()
    for name, has in (("bold", lambda p: p.bold), ("underline", lambda p: "underline" in p.marks)):
        carriers = {p.letter.upper() for p in pieces if has(p)}
        if carriers and carriers <= correct:
            hide.add(name)
    return frozenset(hide)


def _blocks_html(blocks: list[Line | Table], assets: dict[str, Asset]) -> str:
    out = []
    for block in blocks:
        if isinstance(block, Table):
            out.append(render_table(block, assets))
        elif markup := render(block.segs, assets):
            out.append(f"<p>{markup}</p>")
    return "".join(out)


def _plain(blocks: list[Line | Table]) -> str:
    return "\n".join(b.plain for b in blocks if isinstance(b, Line))


class Builder:
    """Decides the type and key of a draft, using the answer key found after the questions."""

    def __init__(self, draft: Draft, answers: AnswerKey):
        self.d = draft
        self.table_key = answers.lookup(draft.part, draft.number) or ""
        self.solution = answers.solutions.get((draft.part, draft.number), [])
        self.assets: dict[str, Asset] = {}
        self.warnings: list[ImportIssue] = []

    def build(self) -> Question:
        """The Question; raises Skip when no key (or no options where needed) is found."""
        d = self.d
        if d.mode == "essay":
            question = Question(QuestionType.ESSAY, "")
            question.grader_info_html = text_to_html(d.key_text)
        elif d.pieces and (d.mode == "cluster" or self._auto_cluster()):
            question = self._cluster()
        elif d.pieces:
            question = self._choice()
        elif d.mode == "choice":
            raise Skip("không tìm thấy các phương án A, B, C, D của câu trắc nghiệm")
        else:
            question = self._short()
        question.stem_html = _blocks_html(d.stem, self.assets)
        question.explanation_html = _blocks_html(d.explanation or self.solution, self.assets)
        question.points = d.points or Decimal(1)
        question.level, question.source_id = d.level, d.where
        question.assets = list(self.assets.values())
        self._ole_warning(question)
        return question

    def _auto_cluster(self) -> bool:
        lower = all(p.letter.islower() for p in self.d.pieces)
        key = self.table_key or self.d.key_text
        return self.d.mode == "auto" and lower and truth_values(key, len(self.d.pieces)) is not None

    @staticmethod
    def _marked(pieces: list[Piece]) -> set[str]:
        """The letters of the options marked as correct."""
        marked: set[str] = set()
        for mark in MARKS:
            flagged = {p.letter for p in pieces if mark in p.marks}
            # A mark every option carries is decoration (e.g. all labels underlined).
            if 0 < len(flagged) < len(pieces):
                marked |= flagged
        bold = [p.letter for p in pieces if p.bold]
        if not marked and len(bold) == 1 and len(pieces) > 1:
            marked = {bold[0]}
        return marked

    def _choice(self) -> Question:
        pieces = self.d.pieces
        for piece in pieces:
            content_marks(piece)
        marked = self._marked(pieces)
        explicit = choice_letters(self.table_key) or choice_letters(self.d.key_text)
        chosen = _CHOOSE.findall(_plain(self.d.explanation or self.solution))[-1:]
        keys = explicit or sorted(m.upper() for m in marked) or [c.upper() for c in chosen]
        if not keys:
            raise Skip(NO_KEY)
        if explicit and marked and set(explicit) != {m.upper() for m in marked}:
            message = (
                f"đáp án ghi ở bảng/dòng 'Đáp án' ({','.join(explicit)}) khác phương án được đánh "
                f"dấu ({','.join(sorted(m.upper() for m in marked))}); đã dùng {','.join(explicit)}"
            )
            self.warnings.append(ImportIssue(self.d.where, message))
        letters = [p.letter.upper() for p in pieces]
        unknown = [k for k in keys if k not in letters]
        if unknown:
            raise Skip(f"đáp án {','.join(unknown)} không khớp phương án nào của câu hỏi")
        share = (Decimal(1) / len(keys)).quantize(Decimal("0.0000001")).normalize()
        hide = _revealing(pieces, set(keys))
        options = [
            Option(
                p.letter.upper(),
                render(p.segs, self.assets, hide),
                p.letter.upper() in keys,
                share if p.letter.upper() in keys else Decimal(0),
            )
            for p in pieces
        ]
        kind = QuestionType.SINGLE_CHOICE if len(keys) == 1 else QuestionType.MULTIPLE_RESPONSE
        return Question(kind, "", options=options)

    def _cluster(self) -> Question:
        pieces = self.d.pieces
        for piece in pieces:
            content_marks(piece)
        count = len(pieces)
        truth = truth_values(self.table_key, count) or truth_values(self.d.key_text, count)
        if truth is None:
            all_bold = all(p.bold for p in pieces)
            flagged = [bool(p.marks) or (p.bold and not all_bold) for p in pieces]
            truth = flagged if any(flagged) else None
        if truth is None:
            raise Skip(NO_KEY)
        hide = _revealing(
            pieces, {p.letter.upper() for p, ok in zip(pieces, truth, strict=True) if ok}
        )
        options = [
            Option(p.letter.lower(), render(p.segs, self.assets, hide), ok)
            for p, ok in zip(pieces, truth, strict=True)
        ]
        return Question(QuestionType.TRUE_FALSE_CLUSTER, "", options=options)

    def _short(self) -> Question:
        value = (self.table_key or self.d.key_text).strip()
        if not value:
            raise Skip(NO_KEY)
        number = parse_tolerance(value)
        if number is not None:
            answer = NumericAnswer(number[0], number[1])
            return Question(QuestionType.NUMERIC, "", numeric_answers=[answer])
        variants = [v.strip() for v in value.split("|") if v.strip()]
        answers = [TextAnswer(v) for v in variants]
        return Question(QuestionType.SHORT_ANSWER, "", text_answers=answers)

    def _ole_warning(self, question: Question) -> None:
        previews = [a.name for a in question.assets if a.mime_type in _OLE_PREVIEWS]
        if previews:
            message = (
                f"ảnh {', '.join(previews)} ở định dạng WMF/EMF (thường là công thức MathType) "
                "có thể không hiển thị trên trình duyệt; nên chuyển sang công thức Equation của "
                "Word hoặc ảnh PNG"
            )
            self.warnings.append(ImportIssue(self.d.where, message))
