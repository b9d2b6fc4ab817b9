"""Parent-teacher messaging: threads between a parent and a teacher of their child (a teacher
of the child's courses or the homeroom teacher), kept for the school's record (never deleted,
audited), closed and reopened by the teacher; students take no part."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.core.clock import now_utc
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.pagination import Page, paginate
from app.extensions import db
from app.models import (
    ClassMembership,
    Course,
    Message,
    MessageThread,
    ParentLink,
    Role,
    SchoolClass,
    SchoolYear,
    User,
)
from app.services import audit, notifications
from app.services.access import acting_school_id, get_scoped, require_role

MAX_BODY = 5000


def current_class_ids(student_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(ClassMembership.class_id)
            .join(SchoolClass, SchoolClass.id == ClassMembership.class_id)
            .join(SchoolYear, SchoolYear.id == SchoolClass.school_year_id)
            .where(ClassMembership.student_id == student_id, SchoolYear.is_archived.is_(False))
        )
    )


def teachers_of(student: User) -> list[User]:
    """The child's teachers: of the courses of their class(es) and the homeroom teacher."""
    class_ids = current_class_ids(student.id)
    if not class_ids:
        return []
    course_teachers = select(Course.teacher_id).where(
        Course.class_id.in_(class_ids), Course.is_active.is_(True)
    )
    homeroom = select(SchoolClass.homeroom_teacher_id).where(SchoolClass.id.in_(class_ids))
    return list(
        db.session.scalars(
            select(User)
            .where(
                or_(User.id.in_(course_teachers), User.id.in_(homeroom)),
                User.is_active.is_(True),
                User.role == Role.TEACHER,
            )
            .order_by(User.full_name)
        )
    )


def teaches(teacher: User, student: User) -> bool:
    return any(t.id == teacher.id for t in teachers_of(student))


def children_of(parent: User) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(ParentLink, ParentLink.student_id == User.id)
            .where(ParentLink.parent_id == parent.id, User.is_active.is_(True))
            .order_by(User.full_name)
        )
    )


def _student(actor: User, student_id: object) -> User:
    student = get_scoped(User, student_id, actor)
    if student.role != Role.STUDENT:
        raise NotFound(_("Không tìm thấy học sinh này."))
    return student


def compose_for_teacher(teacher: User, student_ids: list[object]) -> list[dict]:
    """The parents a teacher may write to about these students: [{"student", "parents"}].
    Raises Forbidden for a student the teacher does not teach, NotFound for unknown ids."""
    require_role(teacher, Role.TEACHER)
    if not student_ids:
        raise ValidationFailed(_("Hãy chọn ít nhất một học sinh."), code="no_student")
    result = []
    for student_id in dict.fromkeys(str(s) for s in student_ids):
        student = _student(teacher, student_id)
        if not teaches(teacher, student):
            raise Forbidden(_("Bạn chỉ nhắn được cho phụ huynh của học sinh mình dạy."))
        result.append(
            {"student": student, "parents": notifications.parents_of([student.id])[student.id]}
        )
    return result


def students_taught(teacher: User) -> list[tuple[SchoolClass, list[User]]]:
    """The classes a teacher teaches or leads this year, with their students (compose picker)."""
    require_role(teacher, Role.TEACHER)
    taught = select(Course.class_id).where(
        Course.teacher_id == teacher.id, Course.is_active.is_(True)
    )
    classes = db.session.scalars(
        select(SchoolClass)
        .join(SchoolYear, SchoolYear.id == SchoolClass.school_year_id)
        .where(
            SchoolYear.is_archived.is_(False),
            or_(SchoolClass.homeroom_teacher_id == teacher.id, SchoolClass.id.in_(taught)),
        )
        .order_by(SchoolClass.name)
    ).all()
    result = []
    for school_class in classes:
        pupils = db.session.scalars(
            select(User)
            .join(ClassMembership, ClassMembership.student_id == User.id)
            .where(ClassMembership.class_id == school_class.id, User.is_active.is_(True))
            .order_by(User.full_name)
        ).all()
        result.append((school_class, list(pupils)))
    return result


def _check_text(subject: str, body: str) -> tuple[str, str]:
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise ValidationFailed(_("Hãy nhập tiêu đề."), code="subject_required")
    if not body:
        raise ValidationFailed(_("Hãy nhập nội dung tin nhắn."), code="body_required")
    if len(subject) > 200 or len(body) > MAX_BODY:
        raise ValidationFailed(
            _("Tin nhắn quá dài (tiêu đề tối đa 200, nội dung tối đa %(n)s ký tự).", n=MAX_BODY),
            code="too_long",
        )
    return subject, body


def _notify_other(thread: MessageThread, author: User, body: str) -> None:
    other = thread.parent if author.id == thread.teacher_id else thread.teacher
    notifications.notify(
        other,
        "message",
        lambda: (
            _("Tin nhắn mới: %(s)s", s=thread.subject),
            _("%(a)s (về học sinh %(c)s) viết:", a=author.full_name, c=thread.student.full_name)
            + "\n\n"
            + body,
        ),
        f"/messages/{thread.id}",
    )


def _add(thread: MessageThread, author: User, body: str) -> Message:
    now = now_utc()
    message = Message(
        school_id=thread.school_id, thread_id=thread.id, author_id=author.id, body=body
    )
    message.created_at = now
    db.session.add(message)
    thread.last_message_at = now
    # The other side's "seen" is cleared rather than compared by time: two messages in the
    # same clock tick must still count as unread.
    if author.id == thread.teacher_id:
        thread.teacher_read_at, thread.parent_read_at = now, None
    else:
        thread.parent_read_at, thread.teacher_read_at = now, None
    db.session.flush()
    _notify_other(thread, author, body)
    return message


def _new_thread(subject: str, teacher: User, parent: User, student: User, author: User):
    thread = MessageThread(
        school_id=student.school_id,
        subject=subject,
        teacher_id=teacher.id,
        parent_id=parent.id,
        student_id=student.id,
        created_by_id=author.id,
    )
    db.session.add(thread)
    db.session.flush()
    return thread


def start_by_teacher(teacher: User, student_ids: list[object], subject: str, body: str):
    """One thread per (parent, student) for the parents of these students; returns them.
    Raises Forbidden (a student not taught), ValidationFailed (empty text, no parents)."""
    subject, body = _check_text(subject, body)
    targets = compose_for_teacher(teacher, student_ids)
    threads = []
    for target in targets:
        for parent in target["parents"]:
            thread = _new_thread(subject, teacher, parent, target["student"], teacher)
            _add(thread, teacher, body)
            audit.record(teacher, "message_thread.create", thread)
            threads.append(thread)
    if not threads:
        raise ValidationFailed(
            _("Các học sinh đã chọn chưa có phụ huynh nào được liên kết."), code="no_parents"
        )
    db.session.commit()
    return threads


def start_by_parent(
    parent: User, student_id: object, teacher_id: object, subject: str, body: str
) -> MessageThread:
    """A parent writes to one of their child's teachers. Raises NotFound for a child that is
    not theirs, Forbidden for a teacher who does not teach the child."""
    require_role(parent, Role.PARENT)
    subject, body = _check_text(subject, body)
    student = _student(parent, student_id)
    if student.id not in {c.id for c in children_of(parent)}:
        raise NotFound(_("Không tìm thấy học sinh này trong danh sách con của bạn."))
    teacher = next((t for t in teachers_of(student) if str(t.id) == str(teacher_id)), None)
    if teacher is None:
        raise Forbidden(_("Bạn chỉ nhắn được cho giáo viên đang dạy con mình."))
    thread = _new_thread(subject, teacher, parent, student, parent)
    _add(thread, parent, body)
    audit.record(parent, "message_thread.create", thread)
    db.session.commit()
    return thread


def start(actor: User, student_ids: list, teacher_id: object, subject: str, body: str) -> list:
    """Start threads as the actor is: a teacher to parents of `student_ids`, a parent to
    `teacher_id` about their one child. Raises Forbidden for anyone else."""
    if actor.role == Role.TEACHER:
        return start_by_teacher(actor, student_ids, subject, body)
    if actor.role == Role.PARENT and len(student_ids) == 1:
        return [start_by_parent(actor, student_ids[0], teacher_id, subject, body)]
    raise Forbidden(_("Chỉ phụ huynh (về một con) và giáo viên gửi được tin nhắn."))


def get_thread(actor: User, thread_id: object) -> MessageThread:
    """A thread the actor takes part in, or any of their school for an admin (the record).
    Raises NotFound otherwise (students included)."""
    thread = get_scoped(MessageThread, thread_id, actor)
    if actor.is_admin or actor.id in (thread.teacher_id, thread.parent_id):
        return thread
    raise NotFound(_("Không tìm thấy cuộc trao đổi này."))


def messages_of(thread: MessageThread) -> list[Message]:
    return list(
        db.session.scalars(
            select(Message).where(Message.thread_id == thread.id).order_by(Message.id)
        )
    )


def open_thread(actor: User, thread_id: object) -> tuple[MessageThread, list[Message]]:
    """The thread and its messages; records that the participant has read them."""
    thread = get_thread(actor, thread_id)
    now = now_utc()
    if actor.id == thread.teacher_id:
        thread.teacher_read_at = now
    elif actor.id == thread.parent_id:
        thread.parent_read_at = now
    db.session.commit()
    return thread, messages_of(thread)


def reply(actor: User, thread_id: object, body: str) -> Message:
    """Add a message. Raises NotFound (not a participant), Conflict (thread closed),
    ValidationFailed (empty or too long)."""
    thread = get_thread(actor, thread_id)
    if actor.id not in (thread.teacher_id, thread.parent_id):
        raise Forbidden(_("Chỉ phụ huynh và giáo viên của cuộc trao đổi được trả lời."))
    if thread.is_closed:
        raise Conflict(_("Cuộc trao đổi đã đóng, không thể trả lời."), code="thread_closed")
    _subject, body = _check_text(thread.subject, body)
    message = _add(thread, actor, body)
    db.session.commit()
    return message


def set_closed(actor: User, thread_id: object, is_closed: bool) -> MessageThread:
    """The thread's teacher (or an admin) closes or reopens it; audited.
    Raises Forbidden for the parent, NotFound for strangers."""
    thread = get_thread(actor, thread_id)
    if not (actor.id == thread.teacher_id or actor.is_admin):
        raise Forbidden(_("Chỉ giáo viên mới đóng hoặc mở lại được cuộc trao đổi."))
    if thread.is_closed != is_closed:
        audit.record(
            actor,
            "message_thread.close" if is_closed else "message_thread.reopen",
            thread,
            {"is_closed": [thread.is_closed, is_closed]},
        )
        thread.is_closed = is_closed
        thread.closed_at = now_utc() if is_closed else None
    db.session.commit()
    return thread


def _mine(actor: User):
    stmt = select(MessageThread).where(MessageThread.school_id == acting_school_id(actor))
    if actor.is_admin:
        return stmt
    return stmt.where(
        or_(MessageThread.teacher_id == actor.id, MessageThread.parent_id == actor.id)
    )


def listing(actor: User, page: int = 1, per_page: int = 30) -> Page:
    """The actor's threads (an admin: the school's), latest activity first."""
    require_role(actor, Role.TEACHER, Role.PARENT, Role.ADMIN, Role.SYSTEM_ADMIN)
    stmt = _mine(actor).order_by(MessageThread.last_message_at.desc(), MessageThread.id.desc())
    return paginate(db.session, stmt, page, per_page)


def is_unread(actor: User, thread: MessageThread) -> bool:
    if actor.id == thread.teacher_id:
        seen = thread.teacher_read_at
    elif actor.id == thread.parent_id:
        seen = thread.parent_read_at
    else:
        return False
    return seen is None or seen < thread.last_message_at


def unread_count(actor: User) -> int:
    """Threads with a message the actor has not seen (nav badge)."""
    if actor.role not in (Role.TEACHER, Role.PARENT):
        return 0
    teacher_side = (MessageThread.teacher_id == actor.id) & (
        MessageThread.teacher_read_at.is_(None)
        | (MessageThread.teacher_read_at < MessageThread.last_message_at)
    )
    parent_side = (MessageThread.parent_id == actor.id) & (
        MessageThread.parent_read_at.is_(None)
        | (MessageThread.parent_read_at < MessageThread.last_message_at)
    )
    return db.session.scalar(
        select(func.count(MessageThread.id)).where(or_(teacher_side, parent_side))
    )
