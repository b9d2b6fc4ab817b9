"""Question banks: who sees and who changes which bank, sharing, and creating banks."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, false, or_, select

from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.text import clean_line, fold
from app.extensions import db
from app.models import Course, QuestionBank, Role, Subject, User
from app.services import audit
from app.services.access import acting_school_id, require_role

STAFF = (Role.TEACHER, Role.ADMIN, Role.SYSTEM_ADMIN)


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
