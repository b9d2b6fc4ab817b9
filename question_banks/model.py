"""Shared plain dataclasses for question banks: what importers return and exporters take."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class QuestionType(StrEnum):
    """Question types LopHoc stores; the values are the API's `type` strings (CONTRACT.md)."""

    SINGLE_CHOICE = "single_choice"
    MULTIPLE_RESPONSE = "multiple_response"
    TRUE_FALSE = "true_false"
    TRUE_FALSE_CLUSTER = "true_false_cluster"
    SHORT_ANSWER = "short_answer"
    NUMERIC = "numeric"
    MATCHING = "matching"
    ORDERING = "ordering"
    ESSAY = "essay"
    CLOZE = "cloze"
    DESCRIPTION = "description"


class Level(StrEnum):
    """Cognitive level (mức độ nhận thức) used by exam blueprints (ma trận đề)."""

    NHAN_BIET = "nhan_biet"
    THONG_HIEU = "thong_hieu"
    VAN_DUNG = "van_dung"
    VAN_DUNG_CAO = "van_dung_cao"


@dataclass
class Option:
    """A choice, a statement of a true/false cluster, a matching pair or an item to order.

    `key` is stable inside its question ("A", "B", ... or the source's identifier) so that
    answers are stored by option, never by position. For matching, `html` is the left side
    and `match_html` the right side (a right side with empty `html` is a distractor). For
    ordering, options are listed in the correct order. For a true/false cluster `is_correct`
    says whether the statement is true.
    """

    key: str
    html: str
    is_correct: bool = False
    fraction: Decimal = Decimal(0)
    feedback_html: str = ""
    match_html: str = ""


@dataclass
class TextAnswer:
    """An accepted short-answer text; `fraction` is the share of the points it earns."""

    text: str
    fraction: Decimal = Decimal(1)
    feedback_html: str = ""


@dataclass
class NumericAnswer:
    """An accepted number with an absolute tolerance; `fraction` is the share of points."""

    value: Decimal
    tolerance: Decimal = Decimal(0)
    fraction: Decimal = Decimal(1)
    feedback_html: str = ""


@dataclass
class Gap:
    """One blank of a cloze question, marked `{{n}}` (1-based) in the stem."""

    number: int
    type: QuestionType  # single_choice, short_answer or numeric
    points: Decimal = Decimal(1)
    options: list[Option] = field(default_factory=list)
    text_answers: list[TextAnswer] = field(default_factory=list)
    numeric_answers: list[NumericAnswer] = field(default_factory=list)


@dataclass
class Asset:
    """A file a question refers to (image, audio).

    HTML refers to it as `@@ASSET@@/<name>` (e.g. `<img src="@@ASSET@@/hinh1.png">`); the
    service that stores the question swaps that prefix for the asset's real URL.
    """

    name: str
    data: bytes
    mime_type: str = "application/octet-stream"


@dataclass
class Question:
    """One question in LopHoc's internal form, independent of any file format."""

    type: QuestionType
    stem_html: str
    title: str = ""
    points: Decimal = Decimal(1)
    options: list[Option] = field(default_factory=list)
    text_answers: list[TextAnswer] = field(default_factory=list)
    numeric_answers: list[NumericAnswer] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    answer_bool: bool | None = None  # true_false: the right answer
    is_case_sensitive: bool = False  # short_answer
    is_accent_sensitive: bool = True  # short_answer: "Hà Nội" vs "Ha Noi"
    explanation_html: str = ""  # general feedback, "Lời giải", "Hướng dẫn giải"
    grader_info_html: str = ""  # essay: notes for the grader
    category: str = ""  # path, "/"-separated, e.g. "Toán 10/Chương 1"
    level: Level | None = None
    subject: str = ""
    grade: int | None = None
    topic: str = ""
    tags: list[str] = field(default_factory=list)
    source_id: str = ""  # identifier in the source file, if any
    assets: list[Asset] = field(default_factory=list)


@dataclass
class ImportIssue:
    """A problem found in a file: `where` names the place ("Câu 12", "dòng 7", an item id)."""

    where: str
    message: str


@dataclass
class ParseResult:
    """What an importer returns: the questions it could read and what it had to skip."""

    questions: list[Question] = field(default_factory=list)
    skipped: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)


class BankFormatError(ValueError):
    """The file cannot be read at all (not this format, malformed XML, unsafe archive)."""

    def __init__(self, message: str, where: str = ""):
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message
