"""Paper copies of an exam: each fixed variant ("mã đề" 101, 102, ...) as the students see it
on screen (same seed, same order), lettered A, B, C, D for an answer sheet, and the answer
key per variant for the teacher. An exam without fixed variants prints in authored order."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from app.core.errors import ValidationFailed
from app.extensions import db
from app.models import School, User
from app.services import exam_content, exams

_TAGS = re.compile(r"<[^>]+>")
LETTERED = {"single_choice", "multiple_response", "ordering"}


def papers(actor: User, exam_id: int, args) -> dict:
    """{"exam", "variants": [{"code", "questions", "keys"}], "with_keys"}; `args` may name
    one `variant` and ask for `keys`."""
    exam = exams.get_exam_for_staff(actor, exam_id)
    codes: list[int | None] = exam_content.variant_codes(exam.variant_count) or [None]
    wanted = args.get("variant")
    if wanted:
        if not str(wanted).isdigit() or int(wanted) not in codes:
            raise ValidationFailed(
                _("Không có mã đề %(c)s.", c=str(wanted)[:10]), code="unknown_variant"
            )
        codes = [int(wanted)]
    items = exam_content.exam_items(exam.id)
    variants = []
    for code in codes:
        seed = exam_content.variant_seed(exam.id, code) if code else 0
        ordered = exam_content.question_order(items, seed, bool(code) and exam.shuffle_questions)
        questions, keys = [], []
        for number, item in enumerate(ordered, start=1):
            view = exam_content.public_question(
                item, number, seed, bool(code) and exam.shuffle_options
            )
            questions.append(view)
            keys.append({"number": number, "key": _key(item.content, view)})
        variants.append({"code": code, "questions": questions, "keys": keys})
    school = db.session.get(School, exam.school_id)
    return {
        "exam": exam,
        "school_name": school.name if school else "",
        "variants": variants,
        "with_keys": args.get("keys") == "1",
    }


def _text(html: str) -> str:
    return " ".join(_TAGS.sub(" ", html or "").split())


def _key(content, view: dict) -> str:
    """The key as a teacher marks a paper: letters in the printed order where options are
    lettered, Đ/S per statement for a true/false cluster, the accepted text otherwise."""
    kind = content.type.value
    shown = [o["id"] for o in view.get("options", [])]
    right = {o.key for o in content.options if o.is_correct}
    if kind in ("single_choice", "multiple_response"):
        return ", ".join(chr(65 + i) for i, key in enumerate(shown) if key in right) or "—"
    if kind == "ordering":
        letters = {key: chr(65 + i) for i, key in enumerate(shown)}
        return " → ".join(letters.get(o.key, "?") for o in content.options)
    if kind == "true_false_cluster":
        return " ".join(
            f"{chr(97 + i)}) {'Đ' if o.is_correct else 'S'}" for i, o in enumerate(content.options)
        )
    if kind == "true_false":
        return _("Đúng") if content.answer_bool else _("Sai")
    if kind == "matching":
        return "; ".join(
            f"{_text(o.html)} – {_text(o.match_html)}" for o in content.options if o.html
        )
    if kind in ("short_answer", "numeric", "cloze"):
        return " | ".join(_text(o.html) for o in content.options if o.is_correct) or "—"
    return _("(chấm tay)")
