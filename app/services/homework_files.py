"""Files a teacher attaches to a homework: add, remove, list, and download for the course's
students and staff only (checked by size, school policy and real content type)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import NotFound
from app.extensions import db
from app.models import AssignmentFile, User
from app.services import audit
from app.services.access import get_scoped
from app.services.courses import can_edit, editable_course, is_student_of
from app.services.homework import get_assignment
from app.services.uploads import read_blob, stored_file


def attach(actor: User, assignment_id: object, filename: str, data: bytes) -> AssignmentFile:
    """Store a file with a homework. Raises ValidationFailed (0 bytes), TooLarge (over the
    school's limit), BadInput (not an accepted kind), Forbidden, NotFound.
    Changes: one attachment row (bytes stored once by digest), one audit row."""
    assignment = get_assignment(actor, assignment_id)
    editable_course(actor, assignment.course_id)
    row = stored_file(
        AssignmentFile, assignment.school_id, filename, data, assignment_id=assignment.id
    )
    audit.record(actor, "homework.file_add", row, {"filename": [None, row.filename]})
    db.session.commit()
    return row


def remove(actor: User, file_id: object) -> int:
    """Take an attachment off its homework; returns the homework's id."""
    row = get_scoped(AssignmentFile, file_id, actor)
    assignment = get_assignment(actor, row.assignment_id)
    editable_course(actor, assignment.course_id)
    audit.record(actor, "homework.file_remove", row, {"filename": [row.filename, None]})
    db.session.delete(row)
    db.session.commit()
    return assignment.id


def attachments(assignment_id: int) -> list[AssignmentFile]:
    return list(
        db.session.scalars(
            select(AssignmentFile)
            .where(AssignmentFile.assignment_id == assignment_id)
            .order_by(AssignmentFile.id)
        )
    )


def get_attachment(actor: User, file_id: object) -> tuple[AssignmentFile, bytes]:
    """An attachment and its bytes for the course's students (once the homework is open) and
    staff; NotFound for anyone else (other classes, parents, other schools)."""
    row = get_scoped(AssignmentFile, file_id, actor)
    try:
        assignment = get_assignment(actor, row.assignment_id)
    except NotFound:
        raise NotFound(_("Không tìm thấy.")) from None
    course = assignment.course
    if not (can_edit(actor, course) or is_student_of(actor, course)):
        raise NotFound(_("Không tìm thấy."))
    return row, read_blob(row.school_id, row.sha256)
