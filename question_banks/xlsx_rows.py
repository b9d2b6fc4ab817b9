"""Turning one row of the LopHoc XLSX template into a Question (or a Vietnamese row error)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ._vn_text import fold, nfc, parse_decimal, parse_level, parse_tolerance, text_to_html
from .model import Gap, ImportIssue, NumericAnswer, Option, Question, QuestionType, TextAnswer
from .xlsx_columns import OPTION_LETTERS, TYPE_NAMES, parse_type

TRUE_WORDS = {"dung", "d", "true", "t", "1", "x", "co", "yes", "y"}
FALSE_WORDS = {"sai", "s", "false", "f", "0", "khong", "no", "n"}
_SEPARATORS = re.compile(r"[,;/\s&+-]+")
_STATEMENT_LABEL = re.compile(r"^\s*[a-jA-J]\s*[).:]\s*")
_KEYED_LABEL = re.compile(r"\b[a-j]\s*[):]")
_GAP = re.compile(r"\{\{(\d+)\}\}")
TYPE_LIST = ", ".join(TYPE_NAMES.values())


class RowError(Exception):
    """The row cannot be imported; the message says what is wrong and how to fix it."""


@dataclass
class Row:
    """The cells of one data row, as text, by column key."""

    cells: dict[str, str]
    where: str
    warnings: list[ImportIssue] = field(default_factory=list)

    def get(self, key: str) -> str:
        """The cell's text ("" when the column is absent or the cell empty)."""
        return self.cells.get(key, "")

    def options(self) -> list[tuple[str, str]]:
        """(letter, text) of the non-empty option cells, in column order."""
        return [(c, self.get(f"opt_{c}")) for c in OPTION_LETTERS if self.get(f"opt_{c}")]

    def is_blank(self) -> bool:
        """True for rows with nothing but (maybe) a sequence number."""
        return not any(v for k, v in self.cells.items() if k != "stt")


def letters(answer: str) -> list[str]:
    """ "A,C" / "A; C" / "AC" / "a c" -> ["A", "C"]; raises RowError on anything else."""
    found: list[str] = []
    for token in _SEPARATORS.split(nfc(answer).upper().strip(" .")):
        token = token.strip(".)")
        if token and all(c in OPTION_LETTERS for c in token):
            found.extend(c for c in token if c not in found)
        elif token:
            raise RowError(
                f"đáp án '{answer}' không hợp lệ; hãy ghi chữ cái của phương án đúng, "
                "ví dụ B (một đáp án) hoặc A,C (nhiều đáp án)"
            )
    return found


def truths(answer: str, count: int) -> list[bool]:
    """ "Đ,S,Đ,Đ" / "ĐSĐĐ" / "a) Đ b) S ..." / "True, False" -> booleans, one per statement."""
    text = _KEYED_LABEL.sub(" ", fold(answer))
    tokens = [t for t in _SEPARATORS.split(text) if t]
    if len(tokens) == 1 and len(tokens[0]) == count and tokens[0] not in TRUE_WORDS | FALSE_WORDS:
        tokens = list(tokens[0])
    if len(tokens) != count or not all(t in TRUE_WORDS | FALSE_WORDS for t in tokens):
        raise RowError(
            f"đáp án '{answer}' phải gồm {count} giá trị Đ/S theo thứ tự các ý a, b, c, d..., "
            "ví dụ Đ,S,Đ,Đ hoặc ĐSĐĐ"
        )
    return [t in TRUE_WORDS for t in tokens]


def _need_answer(row: Row, example: str) -> str:
    answer = row.get("answer")
    if not answer:
        raise RowError(f"thiếu đáp án; hãy điền cột 'Đáp án', ví dụ {example}")
    return answer


def _choice(q: Question, row: Row) -> None:
    options = row.options()
    if len(options) < 2:
        raise RowError("câu trắc nghiệm cần ít nhất 2 phương án (cột Phương án A, B, ...)")
    keys = letters(_need_answer(row, "B"))
    unknown = [k for k in keys if k not in dict(options)]
    if unknown:
        raise RowError(
            f"đáp án {', '.join(unknown)} không khớp phương án nào có nội dung; "
            "hãy kiểm tra cột Đáp án và các cột Phương án"
        )
    if q.type == QuestionType.SINGLE_CHOICE and len(keys) > 1:
        raise RowError(
            f"loại 'Một lựa chọn' chỉ có 1 đáp án nhưng ô Đáp án ghi {','.join(keys)}; nếu có "
            "nhiều đáp án đúng hãy chọn loại 'Nhiều lựa chọn'"
        )
    share = (Decimal(1) / len(keys)).quantize(Decimal("0.0000001")).normalize()
    q.options = [
        Option(k, text_to_html(t), k in keys, share if k in keys else Decimal(0))
        for k, t in options
    ]


def _true_false(q: Question, row: Row) -> None:
    [q.answer_bool] = truths(_need_answer(row, "Đúng hoặc Sai"), 1)


def _cluster(q: Question, row: Row) -> None:
    options = row.options()
    if len(options) < 2:
        raise RowError("câu Đúng/Sai nhiều ý cần các ý a), b), c), d) ở cột Phương án A, B, C, D")
    truth = truths(_need_answer(row, "Đ,S,Đ,Đ"), len(options))
    q.options = [
        Option(k.lower(), text_to_html(_STATEMENT_LABEL.sub("", t)), ok)
        for (k, t), ok in zip(options, truth, strict=True)
    ]


def _variants(answer: str) -> list[str]:
    return [v.strip() for v in answer.split("|") if v.strip()]


def _numbers(answer: str) -> list[NumericAnswer] | None:
    parsed = [parse_tolerance(v) for v in _variants(answer)]
    if not parsed or any(p is None for p in parsed):
        return None
    return [NumericAnswer(p[0], p[1]) for p in parsed if p is not None]


def _short(q: Question, row: Row) -> None:
    q.text_answers = [TextAnswer(v) for v in _variants(_need_answer(row, "Hà Nội | Ha Noi"))]


def _numeric(q: Question, row: Row) -> None:
    answer = _need_answer(row, "3,5 hoặc 3,5 ± 0,1")
    numbers = _numbers(answer)
    if numbers is None:
        raise RowError(
            f"đáp án số '{answer}' không hợp lệ; hãy ghi số như 3,5 hoặc có sai số 3,5 ± 0,1 "
            "(nhiều đáp án cách nhau bởi |)"
        )
    q.numeric_answers = numbers


def _matching(q: Question, row: Row) -> None:
    for letter, text in row.options():
        if "|" not in text:
            raise RowError(
                f"Phương án {letter} của câu ghép đôi phải có dạng 'vế trái | vế phải' "
                "(để trống vế trái nếu là phương án nhiễu: '| vế phải')"
            )
        left, right = (nfc(s).strip() for s in text.split("|", 1))
        q.options.append(Option(letter, text_to_html(left), bool(left), Decimal(0)))
        q.options[-1].match_html = text_to_html(right)
    if sum(o.is_correct for o in q.options) < 2:
        raise RowError("câu ghép đôi cần ít nhất 2 cặp 'vế trái | vế phải'")


def _ordering(q: Question, row: Row) -> None:
    options = dict(row.options())
    if len(options) < 2:
        raise RowError("câu sắp xếp cần ít nhất 2 mục ở các cột Phương án A, B, ...")
    order = letters(row.get("answer")) if row.get("answer") else list(options)
    if sorted(order) != sorted(options):
        raise RowError(
            f"thứ tự đúng '{row.get('answer')}' phải liệt kê đủ và đúng một lần các phương án "
            f"có nội dung ({','.join(options)}), ví dụ C,A,B,D"
        )
    q.options = [Option(k, text_to_html(options[k])) for k in order]


def _essay(q: Question, row: Row) -> None:
    q.grader_info_html = text_to_html(row.get("answer"))


def _cloze(q: Question, row: Row) -> None:
    markers = sorted({int(n) for n in _GAP.findall(row.get("stem"))})
    parts = _need_answer(row, "Hà Nội; 3,5").split(";")
    if markers != list(range(1, len(parts) + 1)):
        raise RowError(
            f"nội dung có các ô trống {{{{1}}}}..{{{{{len(markers)}}}}} nhưng đáp án có "
            f"{len(parts)} phần; hãy ghi đáp án từng ô cách nhau bởi dấu ;"
        )
    for number, part in enumerate(parts, 1):
        numbers = _numbers(part)
        gap = Gap(number, QuestionType.NUMERIC if numbers else QuestionType.SHORT_ANSWER)
        gap.numeric_answers = numbers or []
        gap.text_answers = [] if numbers else [TextAnswer(v) for v in _variants(part)]
        if not (gap.numeric_answers or gap.text_answers):
            raise RowError(f"ô trống {{{{{number}}}}} chưa có đáp án")
        q.gaps.append(gap)


BUILDERS: dict[QuestionType, Callable[[Question, Row], None]] = {
    QuestionType.SINGLE_CHOICE: _choice,
    QuestionType.MULTIPLE_RESPONSE: _choice,
    QuestionType.TRUE_FALSE: _true_false,
    QuestionType.TRUE_FALSE_CLUSTER: _cluster,
    QuestionType.SHORT_ANSWER: _short,
    QuestionType.NUMERIC: _numeric,
    QuestionType.MATCHING: _matching,
    QuestionType.ORDERING: _ordering,
    QuestionType.ESSAY: _essay,
    QuestionType.CLOZE: _cloze,
    QuestionType.DESCRIPTION: lambda q, row: None,
}


def _question_type(row: Row) -> QuestionType:
    text = row.get("type")
    if not text:
        if row.options() and row.get("answer"):
            # A choice row with the type left blank is by far the most common slip.
            keys = letters(row.get("answer"))
            return QuestionType.SINGLE_CHOICE if len(keys) == 1 else QuestionType.MULTIPLE_RESPONSE
        raise RowError(f"thiếu loại câu hỏi; hãy chọn một trong: {TYPE_LIST}")
    kind = parse_type(text)
    if kind is None:
        raise RowError(f"loại câu hỏi '{text}' không hợp lệ; hãy chọn một trong: {TYPE_LIST}")
    return kind


def _metadata(q: Question, row: Row) -> None:
    points = row.get("points")
    if points:
        value = parse_decimal(points)
        if value is None or value <= 0:
            raise RowError(f"điểm '{points}' không hợp lệ; hãy nhập số dương như 1 hoặc 0,25")
        q.points = value
    level = row.get("level")
    q.level = parse_level(level) if level else None
    if level and q.level is None:
        message = f"mức độ '{level}' không rõ nên bị bỏ qua; hãy dùng Nhận biết, Thông hiểu, "
        row.warnings.append(ImportIssue(row.where, message + "Vận dụng hoặc Vận dụng cao"))
    grade = re.findall(r"\d+", row.get("grade"))
    if grade and 1 <= int(grade[0]) <= 12:
        q.grade = int(grade[0])
    elif row.get("grade"):
        message = f"khối '{row.get('grade')}' không hợp lệ nên bị bỏ qua; hãy ghi số từ 1 đến 12"
        row.warnings.append(ImportIssue(row.where, message))
    q.subject, q.topic = row.get("subject"), row.get("topic")
    q.explanation_html = text_to_html(row.get("explanation"))
    tags = [t.strip() for t in re.split(r"[,;]", row.get("tags")) if t.strip()]
    q.tags = list(dict.fromkeys(tags))


def build(row: Row) -> Question:
    """The Question of a row; raises RowError (Vietnamese) when the row cannot be imported."""
    kind = _question_type(row)
    if not row.get("stem"):
        raise RowError("thiếu nội dung câu hỏi (cột 'Nội dung câu hỏi' đang trống)")
    question = Question(kind, text_to_html(row.get("stem")))
    BUILDERS[kind](question, row)
    _metadata(question, row)
    return question
