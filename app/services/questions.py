"""Question banks: creating banks, importing files, finding and exporting questions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, false, func, or_, select

import question_banks
from app.core import storage
from app.core.clock import now_utc
from app.core.errors import BadInput, Conflict, Forbidden, NotFound, TooLarge, ValidationFailed
from app.core.pagination import Page, paginate
from app.core.text import clean_line, fold, like_pattern
from app.extensions import db
from app.models import (
    Course,
    Question,
    QuestionAsset,
    QuestionBank,
    QuestionCategory,
    QuestionVersion,
    Role,
    Subject,
    User,
)
from app.services import audit, question_types
from app.services.access import acting_school_id, get_scoped, require_role
from app.services.question_content import (
    duplicate_key,
    sanitised,
    search_text,
    store_assets,
    with_asset_links,
    with_assets_attached,
)
from question_banks import BankFormatError
from question_banks.json_codec import fingerprint, from_json, to_json
from question_banks.model import Question as QuestionData

STAFF = (Role.TEACHER, Role.ADMIN, Role.SYSTEM_ADMIN)
MAX_BANK_FILE_BYTES = 50 * 1024 * 1024
IDENTIFYING_FORMATS = frozenset({"gift", "moodlexml", "xlsx"})


@dataclass
class ImportSummary:
    """The `--json` line of `lophoc import questions` (CONTRACT.md)."""

    bank_id: int
    format: str
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _visible_banks(actor: User):
    """Admins see every bank of the school; a teacher sees their own, the school's shared
    ones, and those shared with the subject group of a subject they teach."""
    stmt = select(QuestionBank).where(QuestionBank.school_id == acting_school_id(actor))
    if actor.is_admin:
        return stmt
    taught = {
        fold(s)
        for s in db.session.scalars(
            select(Subject.name)
            .join(Course, Course.subject_id == Subject.id)
            .where(Course.teacher_id == actor.id)
        )
    }
    return stmt.where(
        or_(
            QuestionBank.created_by_id == actor.id,
            QuestionBank.shared_with == "school",
            and_(QuestionBank.shared_with == "subject", QuestionBank.subject_key.in_(taught))
            if taught
            else false(),
        )
    )


def list_banks(actor: User) -> list[QuestionBank]:
    """The banks the actor may use (see `_visible_banks`)."""
    require_role(actor, *STAFF)
    stmt = _visible_banks(actor).where(QuestionBank.is_archived.is_(False))
    return list(db.session.scalars(stmt.order_by(QuestionBank.name)))


def get_bank(actor: User, bank_id: int, *, for_change: bool = False) -> QuestionBank:
    """A bank the actor may use; changing it (import, edit, share) is for its owner and admins.

    Raises NotFound for banks the actor cannot see, Forbidden for changes they may not make."""
    require_role(actor, *STAFF)
    bank = db.session.scalar(_visible_banks(actor).where(QuestionBank.id == bank_id))
    if bank is None:
        raise NotFound(_("Không tìm thấy ngân hàng câu hỏi."))
    if for_change and not can_change(actor, bank):
        raise Forbidden(_("Chỉ người tạo ngân hàng hoặc quản trị mới được thay đổi."))
    return bank


def can_change(actor: User, bank: QuestionBank) -> bool:
    """Its owner and the school's admins change a bank; others only use it."""
    return actor.is_admin or bank.created_by_id == actor.id


def share_bank(actor: User, bank_id: int, shared_with: str) -> QuestionBank:
    """Share a bank with nobody, the subject group, or the whole school (audited)."""
    if shared_with not in ("none", "subject", "school"):
        raise ValidationFailed(_("Kiểu chia sẻ không hợp lệ."))
    bank = get_bank(actor, bank_id, for_change=True)
    changes = audit.diff(bank, {"shared_with": shared_with})
    if changes:
        audit.record(actor, "bank.share", bank, changes)
    db.session.commit()
    return bank


def ensure_bank(
    actor: User | None, school_id: int, name: str, subject: str = "", grade: int | None = None
) -> QuestionBank:
    """The bank of that name in the school, created when missing (flush only)."""
    name = clean_line(name)
    if not name or len(name) > 200:
        raise ValidationFailed(_("Tên ngân hàng câu hỏi không hợp lệ."))
    bank = db.session.scalar(
        select(QuestionBank).where(QuestionBank.school_id == school_id, QuestionBank.name == name)
    )
    if bank is None:
        bank = QuestionBank(
            school_id=school_id,
            name=name,
            subject=clean_line(subject),
            subject_key=fold(subject),
            grade=grade,
            search_text=fold(f"{name} {subject}"),
            created_by_id=actor.id if actor else None,
            # A bank made by the command line belongs to the school.
            shared_with="subject" if actor else "school",
        )
        db.session.add(bank)
        db.session.flush()
        audit.record(actor, "bank.create", bank, {"name": [None, name]})
    return bank


def create_bank(
    actor: User, name: str, subject: str = "", grade: int | None = None
) -> QuestionBank:
    """A teacher or admin creates a bank. Raises Conflict if the name is taken."""
    require_role(actor, *STAFF)
    school_id = acting_school_id(actor)
    if db.session.scalar(
        select(QuestionBank.id).where(
            QuestionBank.school_id == school_id, QuestionBank.name == clean_line(name)
        )
    ):
        raise Conflict(_("Đã có ngân hàng “%(n)s”.", n=clean_line(name)))
    bank = ensure_bank(actor, school_id, name, subject, grade)
    db.session.commit()
    return bank


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
        _Store(actor, bank, fmt).run(good, summary)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return summary


class _Store:
    """Writes parsed questions into one bank, recognising ones it already holds."""

    def __init__(self, actor: User | None, bank: QuestionBank, fmt: str):
        self.actor, self.bank, self.fmt = actor, bank, fmt
        rows = db.session.scalars(select(Question).where(Question.bank_id == bank.id)).all()
        self.by_fingerprint = {q.fingerprint: q for q in rows}
        # Only ids an author gives on purpose (GIFT [id:], Moodle idnumber, the XLSX id column)
        # identify a question across files; QTI item ids like "Q01" repeat from file to file.
        self.uses_ids = fmt in IDENTIFYING_FORMATS
        self.by_source = {
            q.source_id: q for q in rows if q.source_id and q.source_format == fmt and self.uses_ids
        }
        self.categories = {
            c.path: c
            for c in db.session.scalars(
                select(QuestionCategory).where(QuestionCategory.bank_id == bank.id)
            )
        }
        self.created: set[Question] = set()

    def run(self, questions: list[QuestionData], summary: ImportSummary) -> None:
        for parsed in questions:
            clean = sanitised(parsed)
            stored = store_assets(self.bank.school_id, self.bank.id, clean)
            content = with_asset_links(clean, stored)
            print_ = fingerprint(content)
            existing = self.by_fingerprint.get(print_) or (
                self.by_source.get(content.source_id)
                if self.uses_ids and content.source_id
                else None
            )
            if existing is not None and existing in self.created:
                summary.skipped += 1
                summary.warnings.append(
                    {
                        "where": parsed.title or parsed.source_id or "?",
                        "message": _("Trùng với một câu hỏi khác trong tệp."),
                    }
                )
            elif existing is not None and existing.fingerprint == print_:
                summary.unchanged += 1
            elif existing is not None:
                self._new_version(existing, content, print_)
                summary.updated += 1
            else:
                self.create(content, print_)
                summary.imported += 1

    def category(self, path: str) -> QuestionCategory | None:
        path = "/".join(p.strip() for p in (path or "").split("/") if p.strip())[:500]
        if not path:
            return None
        if path not in self.categories:
            category = QuestionCategory(
                school_id=self.bank.school_id,
                bank_id=self.bank.id,
                path=path,
                search_text=fold(path),
            )
            db.session.add(category)
            self.categories[path] = category
        return self.categories[path]

    def fields_for(self, content: QuestionData, print_: str) -> dict:
        return {
            "type": content.type.value,
            "level": content.level.value if content.level else None,
            "points": content.points,
            "title": clean_line(content.title)[:255],
            "subject": clean_line(content.subject)[:120],
            "grade": content.grade,
            "topic": clean_line(content.topic)[:255],
            "tags": ", ".join(content.tags)[:500],
            "search_text": search_text(content),
            "fingerprint": print_,
            "duplicate_key": duplicate_key(content),
            "category": self.category(content.category or content.topic),
        }

    def create(self, content: QuestionData, print_: str) -> Question:
        question = Question(
            school_id=self.bank.school_id,
            bank_id=self.bank.id,
            source_format=self.fmt,
            source_id=content.source_id[:255],
            author_id=self.actor.id if self.actor else None,
            **self.fields_for(content, print_),
        )
        question.versions.append(
            QuestionVersion(
                school_id=self.bank.school_id,
                number=1,
                content=to_json(content),
                created_by_id=question.author_id,
            )
        )
        db.session.add(question)
        self.created.add(question)
        self.by_fingerprint[print_] = question
        if content.source_id:
            self.by_source[content.source_id] = question
        return question

    def _new_version(self, question: Question, content: QuestionData, print_: str) -> None:
        save_version(self.actor, question, content, print_, self.fields_for(content, print_))


def save_version(
    actor: User | None, question: Question, content: QuestionData, print_: str, fields: dict
) -> QuestionVersion:
    """Change a question's content: in place while unused, as a new version once an exam used
    it (attempts keep the version they saw). Flush only."""
    current = question.versions[-1]
    if current.is_used:
        current = QuestionVersion(
            school_id=question.school_id,
            number=current.number + 1,
            content=to_json(content),
            created_by_id=actor.id if actor else None,
        )
        question.versions.append(current)
    else:
        current.content = to_json(content)
    for key, value in fields.items():
        setattr(question, key, value)
    question.current_version = current.number
    question.updated_at = now_utc()
    db.session.flush()
    audit.record(actor, "question.update", question, {"version": [None, current.number]})
    return current


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
    store = _Store(actor, bank, "manual")
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
    store = _Store(actor, bank, "")
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
