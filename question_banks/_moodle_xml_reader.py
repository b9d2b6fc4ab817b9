"""Reading one Moodle XML <question> element into a Question, one function per qtype."""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Callable
from decimal import Decimal
from xml.etree.ElementTree import Element

from ._moodle_cloze import parse_embedded
from ._moodle_conventions import (
    choice_key,
    fraction_from_percent,
    parse_decimal,
    plugin_to_asset_refs,
)
from ._plaintext import nfc, text_to_html
from .model import Asset, Gap, NumericAnswer, Option, Question, QuestionType, TextAnswer

_PLACEHOLDER = re.compile(r"\[\[(\d{1,6})\]\]")
_TRUE = {"1", "true", "yes"}


class CannotImport(ValueError):
    """This question cannot be imported; the message is for the teacher."""


class QuestionReader:
    """Field access for one <question>, collecting its embedded files and warnings."""

    def __init__(self, element: Element):
        self.element = element
        self.assets: list[Asset] = []
        self.notes: list[str] = []
        self.html_seen: list[str] = []
        # Read in document order, so assets keep the order Moodle wrote them in.
        self.stem = self.field("questiontext")
        self.explanation = self.field("generalfeedback")

    def text(self, path: str, default: str = "") -> str:
        value = self.element.findtext(path)
        return default if value is None else nfc(value).strip()

    def rich(self, node: Element | None) -> str:
        """A text field as HTML; its <file> children become assets."""
        if node is None:
            return ""
        text = nfc(node.findtext("text") or "").strip()
        html = text if node.get("format", "html") == "html" else text_to_html(text)
        for file in node.findall("file"):
            self._add_file(file)
        html = plugin_to_asset_refs(html)
        self.html_seen.append(html)
        return html

    def field(self, tag: str) -> str:
        return self.rich(self.element.find(tag))

    def fraction(self, answer: Element) -> Decimal:
        fraction = fraction_from_percent(answer.get("fraction", "0"))
        if fraction is None:
            raise CannotImport(f"Điểm của đáp án không hợp lệ: '{answer.get('fraction')}'.")
        return fraction

    def fill_common(self, question: Question) -> None:
        question.title = self.text("name/text")
        question.explanation_html = self.explanation
        question.source_id = self.text("idnumber")
        question.tags = [nfc(t).strip() for t in self._all_text("tags/tag/text") if t.strip()]
        question.assets = self.assets

    def points(self, default: Decimal = Decimal(1)) -> Decimal:
        value = parse_decimal(self.text("defaultgrade"))
        return default if value is None else value

    def _all_text(self, path: str) -> list[str]:
        return [node.text or "" for node in self.element.findall(path)]

    def _add_file(self, file: Element) -> None:
        name = nfc(file.get("name", "")).strip()
        folder = nfc(file.get("path", "/")).strip("/")
        name = f"{folder}/{name}" if folder else name
        try:
            data = base64.b64decode(file.text or "")
        except ValueError:  # binascii.Error, or non-ASCII characters in the data
            self.notes.append(f"Tệp '{name}' không giải mã được (base64 hỏng), đã bỏ qua.")
            return
        same = [a for a in self.assets if a.name == name]
        if same and same[0].data != data:
            self.notes.append(f"Có hai tệp cùng tên '{name}' khác nội dung; giữ tệp đầu tiên.")
        if name and not same:
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.assets.append(Asset(name, data, mime))


def _choices(reader: QuestionReader, single: bool) -> list[Option]:
    options: list[Option] = []
    for answer in reader.element.findall("answer"):
        html = reader.rich(answer)
        if not html:  # Moodle's form exports its unused blank answer slots
            continue
        fraction = reader.fraction(answer)
        correct = fraction == 1 if single else fraction > 0
        feedback = reader.rich(answer.find("feedback"))
        key = choice_key(len(options))
        options.append(Option(key, html, correct, fraction, feedback_html=feedback))
    return options


def _multichoice(reader: QuestionReader) -> Question:
    single = reader.text("single", "true").lower() in _TRUE
    options = _choices(reader, single)
    if len(options) < 2:
        raise CannotImport("Câu hỏi nhiều lựa chọn cần ít nhất 2 phương án.")
    if not any(o.is_correct for o in options):
        raise CannotImport("Không có phương án nào đúng.")
    kind = QuestionType.SINGLE_CHOICE if single else QuestionType.MULTIPLE_RESPONSE
    return Question(type=kind, stem_html=reader.stem, points=reader.points(), options=options)


def _truefalse(reader: QuestionReader) -> Question:
    best: tuple[Decimal, bool] | None = None
    for answer in reader.element.findall("answer"):
        value = (answer.findtext("text") or "").strip().lower()
        if value in ("true", "false") and (best is None or reader.fraction(answer) > best[0]):
            best = (reader.fraction(answer), value == "true")
        if (answer.findtext("feedback/text") or "").strip():
            note = "Phản hồi riêng cho đáp án Đúng/Sai chưa được lưu, đã bỏ qua."
            reader.notes += [] if note in reader.notes else [note]
    if best is None or best[0] <= 0:
        raise CannotImport("Không xác định được đáp án đúng của câu Đúng/Sai.")
    return Question(
        type=QuestionType.TRUE_FALSE,
        stem_html=reader.stem,
        points=reader.points(),
        answer_bool=best[1],
    )


def _shortanswer(reader: QuestionReader) -> Question:
    found = []
    for answer in reader.element.findall("answer"):
        text = nfc(answer.findtext("text") or "").strip()
        if text:
            feedback = reader.rich(answer.find("feedback"))
            found.append(TextAnswer(text, reader.fraction(answer), feedback))
    if not found:
        raise CannotImport("Câu trả lời ngắn không có đáp án nào.")
    case = reader.text("usecase", "0").lower() in _TRUE
    return Question(
        type=QuestionType.SHORT_ANSWER,
        stem_html=reader.stem,
        points=reader.points(),
        text_answers=found,
        is_case_sensitive=case,
    )


def _numerical(reader: QuestionReader) -> Question:
    found = []
    for answer in reader.element.findall("answer"):
        text = (answer.findtext("text") or "").strip()
        if text == "*":
            reader.notes.append(
                "Đáp án '*' (mọi số khác) của câu hỏi số chưa được hỗ trợ, đã bỏ qua."
            )
            continue
        value = parse_decimal(text)
        tolerance = parse_decimal(answer.findtext("tolerance") or "0")
        if value is None or tolerance is None:
            raise CannotImport(f"Đáp số không hợp lệ: '{text}'.")
        feedback = reader.rich(answer.find("feedback"))
        found.append(NumericAnswer(value, abs(tolerance), reader.fraction(answer), feedback))
    if not found:
        raise CannotImport("Câu hỏi số không có đáp số nào.")
    if reader.element.find("units/unit") is not None:
        reader.notes.append("Đơn vị đo của câu hỏi số chưa được hỗ trợ; chỉ lấy phần số.")
    return Question(
        type=QuestionType.NUMERIC,
        stem_html=reader.stem,
        points=reader.points(),
        numeric_answers=found,
    )


def _matching(reader: QuestionReader) -> Question:
    options: list[Option] = []
    for sub in reader.element.findall("subquestion"):
        left = reader.rich(sub)
        right = text_to_html(nfc(sub.findtext("answer/text") or "").strip())
        if left or right:  # an empty left side is a distractor answer
            options.append(Option(f"L{len(options) + 1}", left, match_html=right))
    if sum(1 for o in options if o.html) < 2:
        raise CannotImport("Câu hỏi ghép đôi cần ít nhất 2 cặp.")
    return Question(
        type=QuestionType.MATCHING, stem_html=reader.stem, points=reader.points(), options=options
    )


def _essay(reader: QuestionReader) -> Question:
    grader = reader.field("graderinfo")
    return Question(
        type=QuestionType.ESSAY,
        stem_html=reader.stem,
        points=reader.points(),
        grader_info_html=grader,
    )


def _description(reader: QuestionReader) -> Question:
    return Question(
        type=QuestionType.DESCRIPTION, stem_html=reader.stem, points=reader.points(Decimal(0))
    )


def _cloze(reader: QuestionReader) -> Question:
    stem, gaps, case = parse_embedded(reader.stem, reader.notes)
    if not gaps:
        raise CannotImport("Câu hỏi Cloze không có ô trống nào.")
    # Moodle ignores <defaultgrade> here: a cloze is worth the sum of its gap weights.
    points = sum((g.points for g in gaps), Decimal(0))
    return Question(
        type=QuestionType.CLOZE, stem_html=stem, points=points, gaps=gaps, is_case_sensitive=case
    )


def _select_gaps(reader: QuestionReader) -> Question:
    """gapselect / ddwtos: `[[n]]` is a gap whose right answer is choice n, chosen in n's group."""
    drag = reader.element.get("type", "").strip().lower() == "ddwtos"
    choices = []
    for node in reader.element.findall("dragbox" if drag else "selectoption"):
        text = nfc(node.findtext("text") or "").strip()
        choices.append(
            ((node.findtext("group") or "1").strip(), text if drag else text_to_html(text))
        )
    gaps: list[Gap] = []

    def to_marker(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if not 1 <= number <= len(choices):
            raise CannotImport(f"Ô trống [[{number}]] không có lựa chọn tương ứng.")
        group = choices[number - 1][0]
        same_group = [i for i, c in enumerate(choices) if c[0] == group]
        options = [
            Option(choice_key(k), choices[i][1], i == number - 1, Decimal(int(i == number - 1)))
            for k, i in enumerate(same_group)
        ]
        gaps.append(Gap(len(gaps) + 1, QuestionType.SINGLE_CHOICE, options=options))
        return f"{{{{{len(gaps)}}}}}"

    stem = _PLACEHOLDER.sub(to_marker, reader.stem)
    if not gaps:
        raise CannotImport("Câu hỏi chọn từ điền chỗ trống không có ô [[n]] nào.")
    return Question(type=QuestionType.CLOZE, stem_html=stem, points=reader.points(), gaps=gaps)


def read_types() -> dict[str, Callable[[QuestionReader], Question]]:
    return {
        "multichoice": _multichoice,
        "truefalse": _truefalse,
        "shortanswer": _shortanswer,
        "numerical": _numerical,
        "matching": _matching,
        "match": _matching,
        "essay": _essay,
        "description": _description,
        "cloze": _cloze,
        "multianswer": _cloze,
        "gapselect": _select_gaps,
        "ddwtos": _select_gaps,
    }
