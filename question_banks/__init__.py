"""Question-bank file formats: a registry of importers and exporters sharing one model."""

from __future__ import annotations

import importlib
from types import ModuleType

from question_banks.model import BankFormatError, ParseResult, Question

# CONTRACT.md format names -> modules, in the order formats are tried when guessing.
FORMATS: dict[str, str] = {
    "xlsx": "question_banks.xlsx",
    "docx": "question_banks.docx",
    "qti": "question_banks.qti21",
    "moodlexml": "question_banks.moodle_xml",
    "gift": "question_banks.gift",
    "aiken": "question_banks.aiken",
}
LABELS = {"xlsx": "LopHoc XLSX", "docx": "Word (.docx)", "qti": "IMS QTI 2.1",
          "moodlexml": "Moodle XML", "gift": "GIFT", "aiken": "Aiken"}
EXTENSIONS = {"xlsx": "xlsx", "docx": "docx", "qti": "zip", "moodlexml": "xml", "gift": "gift.txt",
              "aiken": "txt"}


def format_module(name: str) -> ModuleType:
    """The module of a format name; raises BankFormatError for an unknown name."""
    if name not in FORMATS:
        raise BankFormatError(f"Định dạng “{name}” không được hỗ trợ; chọn một trong: "
                              f"{', '.join(FORMATS)}.")
    return importlib.import_module(FORMATS[name])


def exporters() -> list[str]:
    """Format names that can also be written."""
    return [name for name in FORMATS if hasattr(format_module(name), "dump")]


def detect_format(data: bytes, filename: str = "") -> str:
    """Guess the format from the content (and the file name where content is ambiguous)."""
    for name in FORMATS:
        if format_module(name).sniff(data, filename):
            return name
    raise BankFormatError(
        "Không nhận ra định dạng tệp câu hỏi. Hãy dùng GIFT, Moodle XML, Aiken, QTI 2.1, "
        "mẫu XLSX của LopHoc hoặc Word .docx (hoặc chỉ rõ --format).")


def parse(data: bytes, format: str | None = None, filename: str = "") -> ParseResult:
    """Read a bank file into questions; raises BankFormatError if it cannot be read at all."""
    return format_module(format or detect_format(data, filename)).parse(data, filename)


def dump(questions: list[Question], format: str) -> bytes:
    module = format_module(format)
    if not hasattr(module, "dump"):
        raise BankFormatError(f"Không xuất được sang định dạng “{format}”.")
    return module.dump(questions)


__all__ = ["FORMATS", "BankFormatError", "ParseResult", "detect_format", "dump", "exporters",
           "format_module", "parse"]
