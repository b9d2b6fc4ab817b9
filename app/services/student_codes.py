"""A student's code changed in the school system: rename it here and keep the history.

Grades are stored by student id, so they stay with the student; the old code is kept in
student_code_changes so that an import or a school system still naming the old code finds
the same student (as long as no other student has been given that code since).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.models import Role, StudentCodeChange, User
from app.services import audit
from app.services.identity import search_text_for
from app.services.roster_rows import CODE_RE
from app.services.school import school_by_code


def change_student_code(
    actor: User | None, school_code: str, old_code: str, new_code: str, reason: str = ""
) -> User:
    """Give the student `old_code` of the school the code `new_code`; commits.

    `actor` None is the command line. Raises NotFound (school, or no student with the old
    code), ValidationFailed (malformed code), Conflict (the new code belongs to another).
    """
    school = school_by_code(school_code)
    old, new = (old_code or "").strip(), (new_code or "").strip()
    if not CODE_RE.match(new):
        raise ValidationFailed(_("Mã học sinh “%(c)s” chứa ký tự không hợp lệ.", c=new))
    student = _by_current_code(school.id, old)
    if student is None:
        raise NotFound(_("Trường %(s)s không có học sinh mã “%(c)s”.", s=school.code, c=old))
    if new.upper() == (student.student_code or "").upper():
        return student
    taken = _by_current_code(school.id, new)
    if taken is not None:
        raise Conflict(
            _("Mã “%(c)s” đã là của học sinh %(n)s.", c=new, n=taken.full_name),
            code="code_taken",
        )
    previous = student.student_code or ""
    db.session.add(
        StudentCodeChange(
            school_id=school.id,
            student_id=student.id,
            old_code=previous,
            new_code=new,
            changed_by_id=actor.id if actor else None,
        )
    )
    student.student_code = new
    student.search_text = search_text_for(student)
    audit.record(
        actor, "user.student_code", student, {"student_code": [previous, new]}, reason=reason
    )
    db.session.commit()
    return student


def _by_current_code(school_id: int, code: str) -> User | None:
    return db.session.scalar(
        select(User).where(
            User.school_id == school_id,
            User.role == Role.STUDENT,
            func.upper(User.student_code) == code.upper(),
        )
    )


def former_codes(student_ids: list[int]) -> dict[str, int]:
    """{OLD CODE (upper case): student id} of these students' earlier codes."""
    if not student_ids:
        return {}
    stmt = (
        select(StudentCodeChange.old_code, StudentCodeChange.student_id)
        .where(StudentCodeChange.student_id.in_(student_ids))
        .order_by(StudentCodeChange.id)
    )
    return {code.upper(): student_id for code, student_id in db.session.execute(stmt)}


def code_history(student: User) -> list[StudentCodeChange]:
    return list(
        db.session.scalars(
            select(StudentCodeChange)
            .where(StudentCodeChange.student_id == student.id)
            .order_by(StudentCodeChange.id)
        )
    )
