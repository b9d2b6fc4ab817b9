"""Question bank files: checking, previewing and importing an upload; exporting a bank."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

import question_banks
from app.core import storage
from app.core.errors import BadInput, TooLarge, ValidationFailed
from app.core.text import fold
from app.extensions import db
from app.models import Question, QuestionBank, User
from app.services import question_types
from app.services.question_bank_access import get_bank
from app.services.question_content import with_assets_attached
from app.services.question_store import ImportSummary, QuestionStore
from app.services.questions import question_content
from question_banks import BankFormatError

MAX_BANK_FILE_BYTES = 50 * 1024 * 1024


@dataclass
class ImportPreview:
    """What a file would import, shown before anything is saved."""

    format: str
    valid: int
    by_type: dict[str, int]
    by_level: dict[str, int]
    problems: list[dict]
    warnings: list[dict]
    token: str  # the stored upload, to import after the teacher confirms


def _read(data: bytes, filename: str, fmt: str | None):
    if len(data) > MAX_BANK_FILE_BYTES:
        raise TooLarge(_("Tệp câu hỏi quá lớn (tối đa %(mb)s MB).", mb=MAX_BANK_FILE_BYTES >> 20))
    try:
        fmt = fmt or question_banks.detect_format(data, filename)
        result = question_banks.parse(data, fmt, filename)
    except BankFormatError as exc:
        raise BadInput(f"{filename}: {exc}", code="unreadable_file") from exc
    good, problems = [], [{"where": i.where, "message": i.message} for i in result.skipped]
    for index, question in enumerate(result.questions, start=1):
        issues = question_types.validate(question)
        if issues:
            where = question.title or question.source_id or _("Câu %(n)s", n=index)
            problems.extend({"where": where, "message": m} for m in issues)
        else:
            good.append(question)
    warnings = [{"where": i.where, "message": i.message} for i in result.warnings]
    return fmt, good, problems, warnings


def preview_file(
    actor: User, bank: QuestionBank, data: bytes, filename: str, fmt: str | None = None
) -> ImportPreview:
    """Read and check a file without saving questions; the upload is kept for the confirm."""
    get_bank(actor, bank.id, for_change=True)
    fmt, good, problems, warnings = _read(data, filename, fmt)
    by_type: dict[str, int] = {}
    by_level: dict[str, int] = {}
    for question in good:
        by_type[question.type.value] = by_type.get(question.type.value, 0) + 1
        level = question.level.value if question.level else ""
        by_level[level] = by_level.get(level, 0) + 1
    return ImportPreview(fmt, len(good), by_type, by_level, problems, warnings, storage.put(data))


def import_previewed(
    actor: User, bank: QuestionBank, token: str, filename: str, fmt: str
) -> ImportSummary:
    """Import the upload a preview kept. Raises BadInput if it is gone or not ours to read."""
    get_bank(actor, bank.id, for_change=True)
    try:
        data = storage.get(token)
    except (ValueError, OSError):
        raise BadInput(_("Tệp đã hết hạn; hãy tải lên lại."), code="upload_expired") from None
    return import_file(actor, bank, data, filename, fmt)


def import_file(
    actor: User | None, bank: QuestionBank, data: bytes, filename: str, fmt: str | None = None
) -> ImportSummary:
    """Import a bank file into `bank` in one transaction.

    Questions the file repeats (same content, or same source id) are not duplicated; a changed
    one gets a new version. Raises BadInput (unreadable file), TooLarge, or ValidationFailed
    when no question in it is valid; nothing is written on error."""
    fmt, good, problems, warnings = _read(data, filename, fmt)
    if not good:
        raise ValidationFailed(
            _("%(f)s: không có câu hỏi hợp lệ nào (%(n)s câu lỗi).", f=filename, n=len(problems)),
            code="no_valid_question",
            details={"errors": problems},
        )
    summary = ImportSummary(
        bank_id=bank.id, format=fmt, skipped=len(problems), errors=problems, warnings=warnings
    )
    try:
        QuestionStore(actor, bank, fmt).run(good, summary)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return summary


def export_bank(actor: User, bank_id: int, fmt: str) -> tuple[bytes, str]:
    """The bank's current questions as a GIFT/Moodle XML/QTI/XLSX file: (bytes, file name)."""
    bank = get_bank(actor, bank_id)
    if fmt not in question_banks.exporters():
        raise ValidationFailed(_("Không xuất được sang định dạng “%(f)s”.", f=fmt))
    rows = db.session.scalars(
        select(Question)
        .where(Question.bank_id == bank.id, Question.is_archived.is_(False))
        .order_by(Question.id)
    ).all()
    contents = [with_assets_attached(question_content(q), bank.id) for q in rows]
    safe_name = "".join(c if c.isalnum() else "_" for c in fold(bank.name)) or "bank"
    return question_banks.dump(contents, fmt), f"{safe_name}.{question_banks.EXTENSIONS[fmt]}"
