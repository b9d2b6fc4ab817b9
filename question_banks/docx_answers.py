"""Answer keys of a DOCX exam: "ĐÁP ÁN" sections, answer tables, and reading key values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._vn_text import fold
from .docx_reader import Line, Seg, Table

_PAIR = re.compile(
    r"(?:^|(?<=[\s,;|]))(?:(?:câu|cau|bài|bai)\s*)?(\d{1,3})\s*"
    r"(?:[-:)–—]|\.(?=\s*[A-Za-zĐđ*]))\s*",
    re.IGNORECASE,
)
_CHOICE = re.compile(
    r"^\s*(?:(?:chọn|chon|đáp án|dap an)\s*(?:đúng)?\s*[:.]?\s*)?\*?"
    r"([A-Ja-j](?:\s*[,;&]\s*[A-Ja-j])*)(?![\wÀ-ỹ])(?!\s*\))\s*[.]?",
    re.IGNORECASE,
)
_STATEMENT_LABEL = re.compile(r"\b[a-j]\s*[):]")
_TRUTH_PREFIX = re.compile(
    r"^(?:[a-j]\s*[):]\s*)?[ĐđSs](?:\s*[,;-]?\s*(?:[a-j]\s*[):]\s*)?[ĐđSs])+(?![\wÀ-ỹ])"
)
_NUMBER_PREFIX = re.compile(r"^-?\d+(?:[.,]\d+)?(?:\s*(?:±|\+-|\+/-)\s*\d+(?:[.,]\d+)?)?")
_STATEMENT_CELL = re.compile(r"^[a-j]\s*[).]?$")
_QUESTION_WORD = re.compile(r"(?i)^\s*(câu|cau|bài|bai)\b")
_SEPARATORS = re.compile(r"[\s,;/|&+-]+")
_TRUE, _FALSE = {"d", "dung", "t", "true"}, {"s", "sai", "f", "false"}
HEADING_WORDS = {"va", "huong", "dan", "giai", "cham", "loi", "chi", "tiet", "tham", "khao"}
HEADING_WORDS |= {"de", "thi", "phan", "trac", "nghiem", "cau", "hoi", "tu", "luan", "ma", "so"}
HEADING_WORDS |= {"chinh", "thuc", "i", "ii", "iii", "iv", "&", "-", "bang", "goi", "y"}
_UPPER_HEADINGS = ("huong dan giai", "huong dan cham", "loi giai chi tiet", "loi giai")


def is_answer_heading(text: str) -> bool:
    """ "ĐÁP ÁN", "BẢNG ĐÁP ÁN", "ĐÁP ÁN VÀ HƯỚNG DẪN GIẢI", "HƯỚNG DẪN GIẢI" (in capitals)."""
    if re.search(r":\s*\S", text):
        return False  # "Đáp án: B" is a key line, not a heading
    folded = fold(text).strip(" :.")
    words = folded.replace(".", " ").split()
    if re.match(r"^(bang |goi y )?dap an\b", folded):
        return all(w in HEADING_WORDS or w.isdigit() or w in ("dap", "an") for w in words)
    letters = [c for c in text if c.isalpha()]
    capitals = bool(letters) and all(c.isupper() for c in letters)
    return capitals and folded.startswith(_UPPER_HEADINGS) and len(words) <= 8


def choice_letters(value: str) -> list[str] | None:
    """ "B", "Chọn B.", "A, C", "*c" -> ["B"] / ["A", "C"] / ["C"]; None when not letters."""
    match = _CHOICE.match(value)
    if match is None:
        return None
    return list(dict.fromkeys(c.upper() for c in re.findall(r"[A-Ja-j]", match.group(1))))


def truth_values(value: str, count: int) -> list[bool] | None:
    """ "Đ S Đ Đ" / "ĐSĐĐ" / "a) Đ b) S ..." -> booleans; None unless exactly `count` of them."""
    text = _STATEMENT_LABEL.sub(" ", fold(value))
    tokens = [t for t in _SEPARATORS.split(text) if t]
    if len(tokens) == 1 and len(tokens[0]) == count and tokens[0] not in _TRUE | _FALSE:
        tokens = list(tokens[0])
    if len(tokens) != count or not all(t in _TRUE | _FALSE for t in tokens):
        return None
    return [t in _TRUE for t in tokens]


def pairs_in(text: str) -> list[tuple[int, str]]:
    """ "1-A 2-C 3.B" / "Câu 1: a) Đ b) S" -> [(number, value text), ...] from the line start."""
    matches = list(_PAIR.finditer(text))
    if not matches or text[: matches[0].start()].strip():
        return []
    ends = [m.start() for m in matches[1:]] + [len(text)]
    spans = zip(matches, ends, strict=True)
    return [(int(m.group(1)), text[m.end() : end].strip()) for m, end in spans]


def looks_like_key(text: str) -> bool:
    """True for answer-key values ("B", "Chọn B. Vì...", "Đ S Đ Đ", "3,5"), not question text."""
    if choice_letters(text) is not None or _TRUTH_PREFIX.match(text) or _NUMBER_PREFIX.match(text):
        return True
    return any(truth_values(text, n) for n in range(2, 7))


def split_key(value: str) -> tuple[str, str]:
    """ "Chọn B. Vì ..." -> ("B", "Vì ..."); "Đ S Đ Đ" / "3,5" stay whole; prose -> (text, "")."""
    match = _CHOICE.match(value)
    if match:
        return ",".join(choice_letters(value) or []), value[match.end() :].lstrip(" .:").strip()
    for pattern in (_TRUTH_PREFIX, _NUMBER_PREFIX):
        match = pattern.match(value)
        if match:
            return match.group(0), value[match.end() :].lstrip(" .:;").strip()
    return value, ""


def _cell_text(cell: list[Line]) -> str:
    return " ".join(line.plain for line in cell).strip()


def fold_key(text: str) -> str:
    return text.strip().lower()


@dataclass
class AnswerKey:
    """Keys (and solutions) found after the questions, by (part, question number)."""

    values: dict[tuple[int | None, int], str] = field(default_factory=dict)
    solutions: dict[tuple[int | None, int], list[Line]] = field(default_factory=dict)
    current: tuple[int | None, int] | None = None  # the solution later prose belongs to

    def add_line(self, part: int | None, line: Line) -> None:
        """One line of the answer section: "1-A 2-C", "Câu 3: Chọn B. Vì...", or solution text."""
        pairs = pairs_in(line.plain)
        titled = bool(_QUESTION_WORD.match(line.plain))
        in_solution = not titled and self.current is not None
        if in_solution and not all(looks_like_key(value) for _, value in pairs):
            pairs = []  # "1) Ta có ..." inside a solution is prose, not a key
        if len(pairs) == 1 and titled:
            key, tail = split_key(pairs[0][1])
            self.current = (part, pairs[0][0])
            self.values.setdefault(self.current, key)
            solution = self.solutions.setdefault(self.current, [])
            if tail:
                solution.append(Line([Seg(tail)]))
        elif pairs:
            self.current = None
            for number, value in pairs:
                self.values.setdefault((part, number), split_key(value)[0])
        elif self.current is not None and line.text.strip():
            self.solutions[self.current].append(line)

    def add_table(self, part: int | None, table: Table) -> None:
        """An answer grid: rows of numbers with values below, or "number | value" rows."""
        rows = [[_cell_text(cell) for cell in row] for row in table.rows]
        if self._statement_grid(part, rows):
            return
        skip, last = False, None
        for n, row in enumerate(rows):
            if skip:
                skip = False
                continue
            numbers = [(c, int(v)) for c, v in enumerate(row) if v.isdigit() and len(v) <= 3]
            below = rows[n + 1] if n + 1 < len(rows) else []
            if len(numbers) >= 2 and below and len(numbers) >= len(row) - 1:
                for col, number in numbers:
                    if col < len(below) and below[col]:
                        self.values.setdefault((part, number), below[col])
                skip = True
            elif len(row) == 3 and _STATEMENT_CELL.match(row[1]) and row[2]:
                # 2025 layout: "Câu | Lệnh hỏi | Đáp án" with one statement per row
                last = int(row[0]) if row[0].isdigit() and len(row[0]) <= 3 else last
                if last is not None:
                    key = (part, last)
                    self.values[key] = (self.values.get(key, "") + " " + row[2]).strip()
            else:
                self._row_pairs(part, row)

    def _statement_grid(self, part: int | None, rows: list[list[str]]) -> bool:
        """ "Câu | a | b | c | d" then "1 | Đ | S | Đ | Đ": one true/false cluster per row."""
        header = [fold_key(c) for c in rows[0]] if rows else []
        if len(header) < 3 or not all(re.fullmatch(r"[a-h]\)?", c) for c in header[1:]):
            return False
        for row in rows[1:]:
            number = re.sub(r"(?i)^(câu|cau)\s*", "", row[0]).strip(" .:")
            if number.isdigit() and len(number) <= 3 and all(row[1:]):
                self.values.setdefault((part, int(number)), " ".join(row[1:]))
        return True

    def _row_pairs(self, part: int | None, row: list[str]) -> None:
        for col in range(0, len(row) - 1, 2):
            number = re.sub(r"(?i)^(câu|cau)\s*", "", row[col]).strip(" .:")
            if not (number.isdigit() and len(number) <= 3 and row[col + 1]):
                break
            self.values.setdefault((part, int(number)), row[col + 1])
        else:
            return
        for number_, value in pairs_in(" ".join(row)):
            self.values.setdefault((part, number_), split_key(value)[0])

    def lookup(self, part: int | None, number: int) -> str | None:
        """The key for a question: by its part, else from an answer list without parts."""
        return self.values.get((part, number)) or self.values.get((None, number))
