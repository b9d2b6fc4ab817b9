"""Questions of a bank: saving, archiving, bulk changes, finding them and their assets."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.errors import NotFound, ValidationFailed
from app.core.pagination import Page, paginate
from app.core.text import clean_line, like_pattern
from app.extensions import db
from app.models import Question, QuestionAsset, QuestionBank, QuestionCategory, User
from app.services import audit, question_types
from app.services.access import get_scoped
from app.services.question_bank_access import get_bank
from app.services.question_content import sanitised
from app.services.question_store import QuestionStore, save_version
from question_banks.json_codec import fingerprint, from_json
from question_banks.model import Question as QuestionData


def save_question(
    actor: User, bank_id: int, content: QuestionData, question_id: int | None = None
) -> Question:
    """Create a question in a bank, or change one (a new version once an exam used it).

    Raises ValidationFailed listing every problem (e.g. no correct option), Forbidden when the
    actor may not change the bank, NotFound for other banks' questions."""
    bank = get_bank(actor, bank_id, for_change=True)
    content = sanitised(content)
    problems = question_types.validate(content)
    if problems:
        raise ValidationFailed(
            "; ".join(problems),
            code="invalid_question",
            details={"errors": [{"where": "", "message": p} for p in problems]},
        )
    store = QuestionStore(actor, bank, "manual")
    print_ = fingerprint(content)
    if question_id is None:
        question = store.create(content, print_)
        db.session.flush()
        audit.record(actor, "question.create", question, {"type": [None, question.type]})
    else:
        question = get_question(actor, question_id)
        if question.bank_id != bank.id:
            raise NotFound(_("Không tìm thấy câu hỏi."))
        save_version(actor, question, content, print_, store.fields_for(content, print_))
    db.session.commit()
    return question


def archive_question(actor: User, bank_id: int, question_id: int) -> Question:
    """Hide a question from the bank and from new exams; attempts that used it keep it."""
    bank = get_bank(actor, bank_id, for_change=True)
    question = get_question(actor, question_id)
    if question.bank_id != bank.id:
        raise NotFound(_("Không tìm thấy câu hỏi."))
    changes = audit.diff(question, {"is_archived": True})
    if changes:
        audit.record(actor, "question.archive", question, changes)
    db.session.commit()
    return question


def get_question(actor: User, question_id: int) -> Question:
    """A question of a bank the actor may see; raises NotFound otherwise."""
    question = get_scoped(Question, question_id, actor)
    get_bank(actor, question.bank_id)
    return question


def get_asset(actor: User, asset_id: int) -> QuestionAsset:
    """An image/sound of a bank the actor may see; raises NotFound otherwise."""
    asset = get_scoped(QuestionAsset, asset_id, actor)
    get_bank(actor, asset.bank_id)
    return asset


def bulk_update(
    actor: User,
    bank_id: int,
    question_ids: list[int],
    *,
    category_path: str | None = None,
    add_tag: str | None = None,
) -> int:
    """Move questions to a category and/or add a tag, all in one transaction; returns count."""
    bank = get_bank(actor, bank_id, for_change=True)
    rows = db.session.scalars(
        select(Question).where(Question.bank_id == bank.id, Question.id.in_(question_ids))
    ).all()
    if not rows:
        raise ValidationFailed(_("Hãy chọn ít nhất một câu hỏi."))
    store = QuestionStore(actor, bank, "")
    category = store.category(category_path) if category_path else None
    tag = clean_line(add_tag or "").replace(",", " ")[:60]
    for question in rows:
        changes = {}
        if category is not None:
            db.session.flush()
            changes |= audit.diff(question, {"category_id": category.id})
        if tag and tag not in [t.strip() for t in question.tags.split(",")]:
            changes |= audit.diff(question, {"tags": ", ".join(filter(None, [question.tags, tag]))})
        if changes:
            audit.record(actor, "question.bulk_update", question, changes)
    db.session.commit()
    return len(rows)


def question_content(question: Question) -> QuestionData:
    """The current version's content as the shared dataclass."""
    return from_json(question.versions[-1].content)


@dataclass(frozen=True)
class QuestionFilter:
    """Bank search: free text (accent-insensitive) and exact filters; empty means any."""

    query: str = ""
    level: str | None = None
    qtype: str | None = None
    category_id: int | None = None
    subject: str = ""
    grade: int | None = None
    tag: str = ""
    duplicates_only: bool = False


def list_questions(
    actor: User,
    bank_id: int,
    filters: QuestionFilter | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Questions of a bank, filtered; search ignores accents and matches stems and options."""
    bank = get_bank(actor, bank_id)
    f = filters or QuestionFilter()
    stmt = select(Question).where(Question.bank_id == bank.id, Question.is_archived.is_(False))
    if f.query:
        stmt = stmt.where(Question.search_text.like(like_pattern(f.query), escape="\\"))
    for column, value in (
        (Question.level, f.level),
        (Question.type, f.qtype),
        (Question.category_id, f.category_id),
        (Question.grade, f.grade),
    ):
        if value:
            stmt = stmt.where(column == value)
    if f.subject:
        stmt = stmt.where(func.lower(Question.subject) == f.subject.lower())
    if f.tag:
        stmt = stmt.where(Question.tags.like(f"%{f.tag.replace('%', '')}%"))
    if f.duplicates_only:
        repeated = (
            select(Question.duplicate_key)
            .where(Question.bank_id == bank.id, Question.is_archived.is_(False))
            .group_by(Question.duplicate_key)
            .having(func.count() > 1)
        )
        stmt = stmt.where(Question.duplicate_key.in_(repeated))
        return paginate(
            db.session, stmt.order_by(Question.duplicate_key, Question.id), page, per_page
        )
    return paginate(db.session, stmt.order_by(Question.id), page, per_page)


def categories(bank: QuestionBank) -> list[QuestionCategory]:
    stmt = (
        select(QuestionCategory)
        .where(QuestionCategory.bank_id == bank.id)
        .order_by(QuestionCategory.path)
    )
    return list(db.session.scalars(stmt))
