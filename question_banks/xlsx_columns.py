"""The columns and type names of LopHoc's XLSX question template, and how headers are matched."""

from __future__ import annotations

import re

from ._vn_text import fold
from .model import QuestionType

OPTION_LETTERS = "ABCDEFGHIJ"
TEMPLATE_OPTIONS = 6  # the template shows A-F; more columns are added only when needed

# key, Vietnamese header, column width, other accepted headers (already folded)
BASE_COLUMNS: list[tuple[str, str, int, tuple[str, ...]]] = [
    ("stt", "STT", 6, ("so thu tu", "no", "no.", "#", "number", "tt")),
    ("type", "Loại câu hỏi", 18, ("loai", "kieu cau hoi", "type", "question type", "dang")),
    ("stem", "Nội dung câu hỏi", 50, ("noi dung", "cau hoi", "de bai", "question", "stem")),
    ("answer", "Đáp án", 14, ("dap an dung", "answer", "correct answer", "key", "correct")),
    ("points", "Điểm", 8, ("so diem", "points", "point", "score", "mark", "marks")),
    ("level", "Mức độ", 14, ("muc do nhan thuc", "level", "cognitive level", "do kho")),
    ("subject", "Môn", 12, ("mon hoc", "subject")),
    ("grade", "Khối", 8, ("lop", "khoi lop", "grade", "class")),
    ("topic", "Chủ đề/Chương", 22, ("chu de", "chuong", "chu de chuong", "topic", "chapter")),
    ("explanation", "Lời giải", 36, ("huong dan giai", "giai thich", "explanation", "solution")),
    ("tags", "Thẻ", 16, ("tags", "tag", "nhan", "tu khoa")),
]
_EXTRA_ALIASES = {"question text": "stem", "noi dung cau hoi": "stem", "text": "stem"}

TYPE_NAMES: dict[QuestionType, str] = {
    QuestionType.SINGLE_CHOICE: "Một lựa chọn",
    QuestionType.MULTIPLE_RESPONSE: "Nhiều lựa chọn",
    QuestionType.TRUE_FALSE: "Đúng/Sai",
    QuestionType.TRUE_FALSE_CLUSTER: "Đúng/Sai 4 ý",
    QuestionType.SHORT_ANSWER: "Trả lời ngắn",
    QuestionType.NUMERIC: "Số",
    QuestionType.MATCHING: "Ghép đôi",
    QuestionType.ORDERING: "Sắp xếp",
    QuestionType.ESSAY: "Tự luận",
    QuestionType.CLOZE: "Điền khuyết",
    QuestionType.DESCRIPTION: "Đoạn mô tả",
}
_TYPE_ALIASES = {
    QuestionType.SINGLE_CHOICE: ("trac nghiem", "1 lua chon", "mot dap an", "chon 1", "mc"),
    QuestionType.MULTIPLE_RESPONSE: ("nhieu dap an", "chon nhieu", "nhieu dap an dung"),
    QuestionType.TRUE_FALSE: ("dung sai", "d/s", "true/false", "true false", "tf"),
    QuestionType.TRUE_FALSE_CLUSTER: ("dung sai 4 y", "dung/sai nhieu y", "dung sai nhieu y"),
    QuestionType.SHORT_ANSWER: ("tra loi ngan (chu)", "dien tu", "short answer"),
    QuestionType.NUMERIC: ("tra loi ngan (so)", "dien so", "number", "numerical"),
    QuestionType.MATCHING: ("ghep", "noi", "ghep noi", "noi cot"),
    QuestionType.ORDERING: ("thu tu", "sap xep thu tu", "order"),
    QuestionType.ESSAY: ("tu luan ngan", "viet", "essay"),
    QuestionType.CLOZE: ("dien vao cho trong", "cloze"),
    QuestionType.DESCRIPTION: ("mo ta", "doan van", "description"),
}
_PARENS = re.compile(r"\(.*?\)|\[.*?\]")


def header_key(text: str) -> str:
    """Normalise a header cell: accents, case, notes in brackets and trailing marks ignored."""
    return fold(_PARENS.sub("", text)).strip(" :*.")


def _header_aliases() -> dict[str, str]:
    aliases = dict(_EXTRA_ALIASES)
    for key, header, _width, others in BASE_COLUMNS:
        for name in (header, key, *others):
            aliases[header_key(name)] = key
    for letter in OPTION_LETTERS:
        low = letter.lower()
        for name in ("phuong an", "pa", "lua chon", "dap an", "option", "choice", "cau"):
            aliases[f"{name} {low}"] = f"opt_{letter}"
        aliases[low] = f"opt_{letter}"
    return aliases


HEADER_ALIASES = _header_aliases()


def _type_aliases() -> dict[str, QuestionType]:
    found: dict[str, QuestionType] = {}
    for kind, name in TYPE_NAMES.items():
        for alias in (name, kind.value, *_TYPE_ALIASES[kind]):
            found[fold(alias)] = kind
    return found


TYPE_ALIASES = _type_aliases()


def parse_type(text: str) -> QuestionType | None:
    """ "Một lựa chọn", "mot lua chon", "single_choice" ... -> QuestionType."""
    key = fold(text)
    return TYPE_ALIASES.get(key) or TYPE_ALIASES.get(key.replace(" / ", "/"))


def columns(n_options: int) -> list[tuple[str, str, int]]:
    """(key, header, width) in sheet order: STT, type, stem, options, then the rest."""
    base = [(k, h, w) for k, h, w, _ in BASE_COLUMNS]
    options = [(f"opt_{c}", f"Phương án {c}", 22) for c in OPTION_LETTERS[:n_options]]
    return base[:3] + options + base[3:]
