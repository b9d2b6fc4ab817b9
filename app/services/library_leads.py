"""Subject-group leads (tổ trưởng chuyên môn): who reviews a subject's library materials;
set by the school admin, falling back to the school's admins when a subject has no lead."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import Role, Subject, SubjectLead, User
from app.services import audit
from app.services.access import acting_school_id, get_scoped, require_school_admin


def lead_of(school_id: int, subject_id: int) -> User | None:
    """The active lead teacher of a subject, or None."""
    return db.session.scalar(
        select(User)
        .join(SubjectLead, SubjectLead.teacher_id == User.id)
        .where(
            SubjectLead.school_id == school_id,
            SubjectLead.subject_id == subject_id,
            User.is_active.is_(True),
        )
    )


def reviewers(school_id: int, subject_id: int) -> list[User]:
    """Who decides on a material of this subject: its lead, else the school's admins."""
    lead = lead_of(school_id, subject_id)
    if lead is not None:
        return [lead]
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.school_id == school_id,
                User.role == Role.ADMIN,
                User.is_active.is_(True),
            )
            .order_by(User.id)
        )
    )


def can_review(actor: User, school_id: int, subject_id: int) -> bool:
    """The subject's lead, or an admin of the school (always, so nothing is ever stuck)."""
    if actor.is_admin and actor.is_active:
        return actor.role == Role.SYSTEM_ADMIN or actor.school_id == school_id
    lead = lead_of(school_id, subject_id)
    return lead is not None and lead.id == actor.id


def overview(actor: User) -> dict:
    """The admin's page: subjects with their lead, and the teachers to choose from."""
    require_school_admin(actor)
    school_id = acting_school_id(actor)
    subjects = list(
        db.session.scalars(
            select(Subject)
            .where(Subject.school_id == school_id, Subject.is_active.is_(True))
            .order_by(Subject.name)
        )
    )
    teachers = list(
        db.session.scalars(
            select(User)
            .where(
                User.school_id == school_id,
                User.role == Role.TEACHER,
                User.is_active.is_(True),
            )
            .order_by(User.full_name)
        )
    )
    leads = {
        row.subject_id: row.teacher_id
        for row in db.session.scalars(select(SubjectLead).where(SubjectLead.school_id == school_id))
    }
    return {"subjects": subjects, "teachers": teachers, "leads": leads}


def set_lead(actor: User, subject_id: object, teacher_id: object) -> SubjectLead | None:
    """Make a teacher of the school the lead of a subject (empty teacher: no lead).
    Raises ValidationFailed (not a teacher of the school), NotFound, Forbidden."""
    require_school_admin(actor)
    subject = get_scoped(Subject, subject_id, actor)
    row = db.session.scalar(
        select(SubjectLead).where(
            SubjectLead.school_id == subject.school_id, SubjectLead.subject_id == subject.id
        )
    )
    if teacher_id in (None, ""):
        if row is not None:
            audit.record(actor, "library.lead_remove", row, {"teacher_id": [row.teacher_id, None]})
            db.session.delete(row)
        db.session.commit()
        return None
    try:
        teacher = get_scoped(User, teacher_id, actor)
    except NotFound:
        teacher = None
    if teacher is None or teacher.role != Role.TEACHER or teacher.school_id != subject.school_id:
        raise ValidationFailed(_("Tổ trưởng phải là một giáo viên của trường."))
    if row is None:
        row = SubjectLead(school_id=subject.school_id, subject_id=subject.id, teacher_id=teacher.id)
        db.session.add(row)
        db.session.flush()
        audit.record(actor, "library.lead_set", row, {"teacher_id": [None, teacher.id]})
    else:
        audit.record(actor, "library.lead_set", row, audit.diff(row, {"teacher_id": teacher.id}))
    db.session.commit()
    return row
