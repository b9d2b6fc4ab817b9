"""Word .docx exams in Vietnamese teachers' layout ("Câu 1.", "A. ... D.", "PHẦN I/II/III")."""

from __future__ import annotations

import re

from ._safe_zip import SafeZip, is_ole, is_zip
from ._vn_text import fold, parse_decimal, parse_level
from .docx_answers import AnswerKey, is_answer_heading, looks_like_key
from .docx_build import Builder, Draft, Skip
from .docx_lines import Piece, label_at_start, slice_segs, split_options
from .docx_reader import DocxReader, Line, Seg, Table
from .model import BankFormatError, ImportIssue, ParseResult

_QUESTION = re.compile(
    r"(?i)^\s*(câu|cau|bài|bai|question)\s*(\d{1,3})\s*(?:\(([^)]{0,40})\)|\[([^\]]{0,40})\])?"
    r"\s*(?:[.:)]|(?=\s)|$)"
)
_PART = re.compile(r"(?i)^\s*(?:phần|phan)\s+(iv|i{1,3}|[1-4])\b\s*[.:\-–]?\s*(.*)$")
_ROMAN = re.compile(r"(?i)^\s*(iv|i{1,3})\s*[.:\-–]\s*(.*)$")
_EXPLANATION = re.compile(
    r"(?i)^\s*(lời giải|loi giai|hướng dẫn giải|huong dan giai|hướng dẫn chấm|giải thích"
    r"|giai thich|hướng dẫn|huong dan|giải|giai|hdg|hd)(\s+chi tiết)?\s*(?:[:.]|$)"
)
_KEY_LINE = re.compile(
    r"(?i)^\s*(đáp án|dap an|đáp số|dap so|đa|key|answer)\s*(đúng)?\s*[:.]\s*(\S.*)$"
)
_POINTS = re.compile(r"(?i)(\d+(?:[.,]\d+)?)\s*(?:điểm|diem|đ)\b")
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
ROMAN_NAMES = {1: "I", 2: "II", 3: "III", 4: "IV"}
_MODE_WORDS = (("dung sai", "cluster"), ("tra loi ngan", "short"), ("tu luan", "essay"))
_MODE_WORDS += (("doc hieu", "essay"), ("lam van", "essay"), ("nghi luan", "essay"))
_MODE_WORDS += (("trac nghiem", "choice"), ("lua chon", "choice"))
_NUMBER_MODES = {1: "choice", 2: "cluster", 3: "short", 4: "essay"}


def sniff(data: bytes, filename: str = "") -> bool:
    """True for a Word .docx document (a zip with word/document.xml)."""
    if not is_zip(data):
        return False
    try:
        return SafeZip(data).find("word/document.xml") is not None
    except BankFormatError:
        return False


def part_header(text: str) -> tuple[int, str] | None:
    """(part number, mode) for "PHẦN II. Câu trắc nghiệm đúng sai" or "I. TRẮC NGHIỆM"."""
    match = _PART.match(text)
    bare = _ROMAN.match(text) if match is None else None
    if match is None and bare is None:
        return None
    number_text, rest = (match or bare).group(1, 2)
    folded = fold(rest)
    mode = next((m for words, m in _MODE_WORDS if words in folded), "")
    if bare is not None and not mode:
        return None  # "I. Lý thuyết" is a heading of the stem, not an exam part
    number = ROMAN[number_text.lower()]
    return number, mode or _NUMBER_MODES[number]


class Walker:
    """Reads the document top to bottom, drafting questions and collecting the answer key."""

    def __init__(self) -> None:
        self.part: int | None = None
        self.mode = "auto"
        self.draft: Draft | None = None
        self.drafts: list[Draft] = []
        self.answers = AnswerKey()
        self.in_answers = False
        self.answer_part: int | None = None

    def walk(self, blocks: list[Line | Table]) -> None:
        """Feed every block; the last draft is closed at the end."""
        for index, block in enumerate(blocks):
            if isinstance(block, Table):
                self._table(block)
            else:
                following = blocks[index + 1] if index + 1 < len(blocks) else None
                self._line(block, following if isinstance(following, Line) else None, blocks, index)
        self._close()

    def _close(self) -> None:
        if self.draft is not None:
            self.drafts.append(self.draft)
        self.draft = None

    def _line(
        self, line: Line, following: Line | None, blocks: list[Line | Table], index: int
    ) -> None:
        text = line.text.strip()
        if not text:
            return
        header = part_header(text)
        if header and self.in_answers and not _questions_ahead(blocks, index):
            self.answer_part = header[0]  # "PHẦN II" inside the answer key
        elif header:
            self._close()
            self.in_answers = False
            self.part, self.mode = header
        elif is_answer_heading(text):
            self._close()
            named = re.search(r"(?i)\b(?:phần|phan)\s+(iv|i{1,3}|[1-4])\b", text)
            self.in_answers = True
            self.answer_part = ROMAN[named.group(1).lower()] if named else None
        elif self.in_answers:
            self.answers.add_line(self.answer_part, line)
        elif match := _QUESTION.match(text):
            self._start(line, match)
        elif self.draft is not None:
            self._content(line, following)

    def _start(self, line: Line, match: re.Match[str]) -> None:
        self._close()
        word, number = match.group(1).capitalize(), int(match.group(2))
        word = {"Cau": "Câu", "Bai": "Bài"}.get(word, word)
        where = f"{word} {number}"
        if self.part is not None:
            where = f"Phần {ROMAN_NAMES[self.part]}, {where}"
        self.draft = Draft(where, number, self.part, self.mode)
        note = match.group(3) or match.group(4) or ""
        points = _POINTS.search(note)
        self.draft.points = parse_decimal(points.group(1)) if points else None
        self.draft.level = parse_level(note) if note and not points else None
        start = len(line.text) - len(line.text.lstrip()) + match.end()
        rest = Line(slice_segs(line.segs, start, len(line.text)))
        if rest.text.strip():
            self._content(rest, None)

    def _content(self, line: Line, following: Line | None) -> None:
        draft = self.draft
        assert draft is not None
        text = line.text.strip()
        if match := _EXPLANATION.match(text):
            draft.section = "explanation"
            offset = len(line.text) - len(line.text.lstrip())
            rest = Line(slice_segs(line.segs, offset + match.end(), len(line.text)))
            if rest.text.strip():
                draft.explanation.append(rest)
        elif (match := _KEY_LINE.match(line.plain)) and draft.section != "explanation":
            draft.key_text = match.group(3).strip()
        elif draft.section == "explanation":
            draft.explanation.append(line)
        elif not self._options(line, following):
            if draft.section == "options":
                draft.pieces[-1].segs.extend([Seg("", html="<br>"), *line.segs])
            else:
                draft.stem.append(line)

    def _options(self, line: Line, following: Line | None) -> bool:
        draft = self.draft
        if draft is None or draft.mode in ("short", "essay"):
            return False
        for upper in _cases(draft):
            expected = _expected(draft.pieces, upper)
            label = label_at_start(line, upper)
            if label is None or label.group(2) != expected:
                continue
            after = label_at_start(following, upper) if following is not None else None
            pieces = split_options(line, upper, after.group(2) if after else "")
            draft.pieces.extend(pieces)
            draft.section = "options"
            return True
        return False

    def _table(self, table: Table) -> None:
        if self.in_answers:
            self.answers.add_table(self.answer_part, table)
            return
        draft = self.draft
        cells = [cell for row in table.rows for cell in row]
        has_options = draft is not None and any(
            cell and label_at_start(cell[0], upper) for cell in cells for upper in (True, False)
        )
        if has_options and draft.mode not in ("short", "essay"):
            for line in (line for cell in cells for line in cell):
                self._line(line, None, [], 0)
        elif _answer_grid(table):
            self.answers.add_table(self.part, table)
        elif draft is None:
            return  # tables above the first question: school header, exam code...
        elif draft.section == "explanation":
            draft.explanation.append(table)
        else:
            draft.stem.append(table)


def _cases(draft: Draft) -> tuple[bool, ...]:
    if draft.pieces:
        return (draft.pieces[0].letter.isupper(),)
    return (False, True) if draft.mode == "cluster" else (True, False)


def _expected(pieces: list[Piece], upper: bool) -> str:
    letter = chr(ord(pieces[-1].letter) + 1) if pieces else "A"
    return letter.upper() if upper else letter.lower()


def _answer_grid(table: Table) -> bool:
    """A table of question numbers with keys below or beside them (even without a heading)."""
    texts = [" ".join(line.plain for line in cell).strip() for row in table.rows for cell in row]
    numbers = sum(1 for t in texts if t.isdigit() and len(t) <= 3)
    keys = sum(1 for t in texts if re.fullmatch(r"[A-Ja-j]|[ĐđSs ]{1,9}", t))
    return numbers >= 3 and keys >= 3


def _questions_ahead(blocks: list[Line | Table], index: int) -> bool:
    """After a PHẦN header inside an answer section: do real questions follow (not keys)?"""
    for block in blocks[index + 1 : index + 6]:
        if isinstance(block, Line) and (match := _QUESTION.match(block.plain)):
            rest = block.plain[match.end() :].strip()
            return len(rest) > 20 and not looks_like_key(rest)
    return False


def _check(data: bytes) -> SafeZip:
    if is_ole(data):
        raise BankFormatError(
            "Đây là tệp Word 97-2003 (.doc); hãy mở bằng Word và lưu lại dưới dạng .docx."
        )
    if not is_zip(data):
        raise BankFormatError("Tệp không phải là tài liệu Word .docx.")
    archive = SafeZip(data)
    if archive.find("word/document.xml") is None:
        raise BankFormatError("Tệp .zip này không phải là tài liệu Word .docx.")
    return archive


def parse(data: bytes, filename: str = "") -> ParseResult:
    """Questions of a .docx exam; questions without a recognisable key are skipped."""
    archive = _check(data)
    try:
        walker = Walker()
        walker.walk(DocxReader(archive).blocks())
    except RecursionError as exc:
        raise BankFormatError("Cấu trúc tài liệu lồng nhau quá sâu, không đọc được.") from exc
    result = ParseResult()
    for draft in walker.drafts:
        builder = Builder(draft, walker.answers)
        try:
            result.questions.append(builder.build())
        except Skip as skip:
            result.skipped.append(ImportIssue(draft.where, str(skip)))
        result.warnings.extend(builder.warnings)
    if not walker.drafts:
        message = "không tìm thấy câu hỏi nào; mỗi câu cần bắt đầu bằng 'Câu 1.', 'Câu 2:'..."
        result.warnings.append(ImportIssue("tài liệu", message))
    return result
