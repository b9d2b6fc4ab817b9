"""Writing questions into a bank: recognising ones it holds, categories, new versions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.clock import now_utc
from app.core.text import clean_line, fold
from app.extensions import db
from app.models import Question, QuestionBank, QuestionCategory, QuestionVersion, User
from app.services import audit
from app.services.question_content import (
    duplicate_key,
    sanitised,
    search_text,
    store_assets,
    with_asset_links,
)
from question_banks.json_codec import fingerprint, to_json
from question_banks.model import Question as QuestionData

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


class QuestionStore:
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
