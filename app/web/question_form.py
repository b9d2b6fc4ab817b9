"""Reading the question editor form into the shared Question dataclass (input parsing only)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.core.errors import ValidationFailed
from app.core.text import clean_line
from question_banks.model import Level, NumericAnswer, Option, Question, QuestionType, TextAnswer

MAX_OPTIONS = 10
EDITABLE_TYPES = (
    "single_choice",
    "multiple_response",
    "true_false",
    "true_false_cluster",
    "short_answer",
    "numeric",
    "matching",
    "ordering",
    "essay",
)


def decimal_field(raw: str | None, label: str, default: Decimal | None = None) -> Decimal | None:
    """ "0,25" and "0.25" are the same number; empty gives `default`."""
    text = (raw or "").strip().replace(",", ".")
    if not text:
        return default
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(_("%(f)s: “%(v)s” không phải là số.", f=label, v=raw)) from None
    if not value.is_finite():
        raise ValidationFailed(_("%(f)s: “%(v)s” không phải là số.", f=label, v=raw))
    return value


def _keys(qtype: str, count: int, existing: list[str]) -> list[str]:
    if qtype == "true_false_cluster":
        fresh = [chr(ord("a") + i) for i in range(MAX_OPTIONS)]
    elif qtype == "matching":
        fresh = [f"L{i + 1}" for i in range(MAX_OPTIONS)]
    else:
        fresh = [chr(ord("A") + i) for i in range(MAX_OPTIONS)]
    free = [k for k in fresh if k not in existing]
    return [existing[i] if i < len(existing) and existing[i] else free.pop(0) for i in range(count)]


def _options(form: MultiDict, qtype: str) -> list[Option]:
    rows = []
    for i in range(MAX_OPTIONS):
        text = (form.get(f"option_{i}") or "").strip()
        match = (form.get(f"match_{i}") or "").strip()
        if text or match:
            rows.append((text, match, form.get(f"correct_{i}") == "1", form.get(f"key_{i}", "")))
    keys = _keys(qtype, len(rows), [r[3] for r in rows])
    # Matching rows are pairs, so each is "correct"; for choices the checkbox says so.
    return [
        Option(
            key=key,
            html=text,
            match_html=match,
            is_correct=qtype == "matching" or correct,
            fraction=Decimal(1) if correct else Decimal(0),
        )
        for key, (text, match, correct, _key) in zip(keys, rows, strict=True)
    ]


def question_from_form(form: MultiDict) -> Question:
    """The editor's fields as a Question. Raises ValidationFailed for unreadable values."""
    qtype = form.get("type", "")
    if qtype not in EDITABLE_TYPES:
        raise ValidationFailed(_("Loại câu hỏi không hợp lệ."))
    level = form.get("level") or None
    grade = form.get("grade", "").strip()
    question = Question(
        type=QuestionType(qtype),
        stem_html=form.get("stem_html", "").strip(),
        points=decimal_field(form.get("points"), _("Điểm"), Decimal(1)),
        level=Level(level) if level in {lv.value for lv in Level} else None,
        category=clean_line(form.get("category")),
        topic=clean_line(form.get("topic")),
        subject=clean_line(form.get("subject")),
        grade=int(grade) if grade.isdigit() else None,
        tags=[t.strip() for t in form.get("tags", "").split(",") if t.strip()],
        explanation_html=form.get("explanation_html", "").strip(),
        grader_info_html=form.get("grader_info_html", "").strip(),
        is_case_sensitive=form.get("is_case_sensitive") == "1",
        is_accent_sensitive=form.get("is_accent_insensitive") != "1",
        title=clean_line(form.get("title")),
    )
    if question.points is None or question.points <= 0:
        raise ValidationFailed(_("Điểm phải lớn hơn 0."))
    if qtype == "true_false":
        question.answer_bool = {"true": True, "false": False}.get(form.get("answer_bool", ""))
    elif qtype == "short_answer":
        question.text_answers = [
            TextAnswer(line.strip())
            for line in form.get("text_answers", "").splitlines()
            if line.strip()
        ]
    elif qtype == "numeric":
        value = decimal_field(form.get("numeric_value"), _("Đáp án số"))
        tolerance = decimal_field(form.get("numeric_tolerance"), _("Sai số"), Decimal(0))
        question.numeric_answers = [NumericAnswer(value, tolerance)] if value is not None else []
    elif qtype != "essay":
        question.options = _options(form, qtype)
    return question
