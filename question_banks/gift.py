"""GIFT, Moodle's plain-text question format: detection, import and (via _gift_writer) export."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from . import _gift_syntax as syntax
from ._gift_syntax import GAP, Skip, protect, restore
from ._gift_writer import dump
from ._moodle_conventions import category_from_moodle, missing_asset_names
from ._plaintext import decode_text, looks_binary
from .model import BankFormatError, Gap, ImportIssue, ParseResult, Question, QuestionType

__all__ = ["dump", "parse", "sniff"]

_TAG = re.compile(r"\[tag:([^\]]+)\]")
_ID = re.compile(r"\[id:([^\]]+)\]")
_STRONG_HINT = re.compile(
    r"^\s*(::.*::|\$CATEGORY:|\[(html|moodle|plain|markdown)\])|\{\s*[=~#]|\{\s*(T|F|TRUE|FALSE)\s*[#}]",
    re.MULTILINE,
)
_MARKER = re.compile(r"::|\$CATEGORY:|\[(html|moodle|plain|markdown)\]")
_GAP_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.SHORT_ANSWER, QuestionType.NUMERIC)


@dataclass
class _Block:
    """The lines of one question (or a $CATEGORY line) and their line numbers in the file."""

    lines: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return protect("\n".join(self.lines))

    @property
    def line(self) -> int:
        return self.numbers[0]

    def cut(self, index: int) -> tuple[_Block, _Block]:
        head = _Block(self.lines[:index], self.numbers[:index], self.comments)
        return head, _Block(self.lines[index:], self.numbers[index:])


def sniff(data: bytes, filename: str = "") -> bool:
    """True when the bytes look like GIFT: `::title::`, `$CATEGORY:` or `{=...}`-style syntax."""
    if looks_binary(data):
        return False
    text, _ = decode_text(data[:65536])
    if text.lstrip().startswith("<"):
        return False
    if filename.lower().endswith(".gift"):
        return True
    return bool(_STRONG_HINT.search(protect(text)))


def parse(data: bytes, filename: str = "") -> ParseResult:
    """Read every question; a question that cannot be read is skipped with its line number."""
    if looks_binary(data):
        raise BankFormatError("Tệp nhị phân, không phải văn bản GIFT.")
    text, warnings = decode_text(data)
    result = ParseResult(warnings=warnings)
    blocks = _split_blocks(text, result)
    if not (filename.lower().endswith(".gift") or any(_is_gift_like(b.text) for b in blocks)):
        raise BankFormatError("Không tìm thấy câu hỏi GIFT nào (thiếu cặp dấu { }).")
    category = ""
    for block in blocks:
        if block.text.startswith("$CATEGORY:"):
            category = category_from_moodle(restore(block.text[len("$CATEGORY:") :]))
            continue
        where = f"dòng {block.line}"
        try:
            question = _read_question(block.text, where, result)
        except Skip as skip:
            result.skipped.append(ImportIssue(where=where, message=skip.message))
            continue
        question.category = category
        _apply_comments(question, block.comments)
        for name in missing_asset_names(_html_fields(question), question.assets):
            message = f"Thiếu tệp '{name}': GIFT không chứa tệp đính kèm."
            result.warnings.append(ImportIssue(where=where, message=message))
        result.questions.append(question)
    return result


def _is_gift_like(text: str) -> bool:
    """A description-only file is still GIFT when it uses GIFT's own markers."""
    return "{" in text or "}" in text or bool(_MARKER.match(text))


def _split_blocks(text: str, result: ParseResult) -> list[_Block]:
    """Blank lines separate questions (as in Moodle); `//` lines are comments."""
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            current = None
            continue
        if current is None:
            current = _Block()
            blocks.append(current)
        if line.startswith("//"):
            current.comments.append(line)
        else:
            current.lines.append(line)
            current.numbers.append(number)
    blocks = _merge_open_braces([b for b in blocks if b.lines])
    return [part for block in blocks for part in _split_glued(block, result)]


def _merge_open_braces(blocks: list[_Block]) -> list[_Block]:
    """Tolerate blank lines inside `{...}`: join a block left open with the one closing it."""
    merged: list[_Block] = []
    for block in blocks:
        previous = merged[-1] if merged else None
        if previous and _depth(previous.text) > 0 and _closes_first(block.text):
            previous.lines += ["", *block.lines]
            previous.numbers += [block.line - 1, *block.numbers]
            previous.comments += block.comments
        else:
            merged.append(block)
    return merged


def _depth(text: str) -> int:
    return text.count("{") - text.count("}")


def _closes_first(text: str) -> bool:
    close, open_ = text.find("}"), text.find("{")
    return close >= 0 and (open_ < 0 or close < open_)


def _split_glued(block: _Block, result: ParseResult) -> list[_Block]:
    """Split off `$CATEGORY:` lines and questions written without a blank line before them."""
    parts: list[_Block] = []
    rest: _Block | None = block
    while rest is not None:  # a loop, not recursion: a file may glue thousands of questions
        head, rest = _cut_glued(rest, result)
        parts.append(head)
    return parts


def _cut_glued(block: _Block, result: ParseResult) -> tuple[_Block, _Block | None]:
    if block.lines[0].startswith("$CATEGORY:") and len(block.lines) > 1:
        head, rest = block.cut(1)
        head.comments, rest.comments = [], block.comments
        return head, rest
    depth, closed = 0, False
    for index, line in enumerate(block.text.split("\n")):
        if closed and "{" in line:
            head, rest = block.cut(index)
            message = "Thiếu dòng trống giữa hai câu hỏi; đã tách thành hai câu."
            result.warnings.append(ImportIssue(where=f"dòng {rest.line}", message=message))
            return head, rest
        depth += line.count("{") - line.count("}")
        closed = closed or (depth <= 0 and "}" in line)
    return block, None


def _read_question(text: str, where: str, result: ParseResult) -> Question:
    title, text = _split_title(text)
    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        stem = syntax.formatted(text, syntax.DEFAULT_FORMAT)
        return Question(QuestionType.DESCRIPTION, stem, title=title, points=Decimal(0))
    if start < 0 or finish < start:
        raise Skip("Thiếu dấu '{' hoặc '}' bao quanh phần đáp án.")
    body = text[start + 1 : finish].strip()
    after = text[finish + 1 :]
    missing_word = bool(after.strip())
    stem_source = text[:start] + (GAP + after if missing_word else "")
    fmt = syntax.text_format(stem_source.strip())
    body, general = syntax.split_general_feedback(body)
    question = syntax.build(body, fmt, where, result)
    question.title = title
    question.stem_html = syntax.formatted(stem_source, fmt)
    question.explanation_html = syntax.formatted(general, fmt) if general else ""
    if missing_word:
        _make_missing_word(question)
    return question


def _split_title(text: str) -> tuple[str, str]:
    if not text.startswith("::"):
        return "", text
    end = text.find("::", 2)
    if end < 0:
        return "", text[2:].strip()
    return restore(text[2:end]).strip(), text[end + 2 :].strip()


def _make_missing_word(question: Question) -> None:
    """A blank mid-sentence: one-gap cloze when the answer fits a gap, else Moodle's "_____"."""
    if question.type not in _GAP_TYPES:
        question.stem_html = question.stem_html.replace(GAP, "_____")
        return
    gap = Gap(number=1, type=question.type, points=question.points)
    gap.options, question.options = question.options, []
    gap.text_answers, question.text_answers = question.text_answers, []
    gap.numeric_answers, question.numeric_answers = question.numeric_answers, []
    question.type = QuestionType.CLOZE
    question.gaps = [gap]
    question.stem_html = question.stem_html.replace(GAP, "{{1}}")


def _apply_comments(question: Question, comments: list[str]) -> None:
    """Moodle 4 writes `// [id:...] [tag:...]` before a question; keep them."""
    for comment in comments:
        question.tags += [t.strip() for t in _TAG.findall(comment) if t.strip()]
        ids = _ID.findall(comment)
        if ids and not question.source_id:
            question.source_id = ids[0].strip()


def _html_fields(question: Question) -> list[str]:
    fields = [question.stem_html, question.explanation_html]
    options = question.options + [o for g in question.gaps for o in g.options]
    return fields + [o.html + o.feedback_html for o in options]
