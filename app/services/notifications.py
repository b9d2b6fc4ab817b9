"""In-app notifications and the e-mails queued with them: write (flush only, inside the
caller's transaction), list, mark read, and each person's e-mail opt-outs per kind."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.core.clock import now_utc
from app.core.errors import NotFound
from app.core.pagination import Page, paginate
from app.extensions import db
from app.models import Notification, NotificationPreference, OutboxMail, ParentLink, User
from app.services.access import get_scoped

KINDS = {
    "homework_new": _l("Bài tập mới"),
    "homework_due": _l("Bài tập sắp đến hạn (ngày mai)"),
    "feedback": _l("Giáo viên trả bài, nhận xét"),
    "material_review": _l("Học liệu chờ duyệt"),
    "material_decision": _l("Kết quả duyệt học liệu"),
    "announcement": _l("Thông báo của giáo viên, nhà trường"),
    "message": _l("Tin nhắn mới (phụ huynh – giáo viên)"),
    "scores_released": _l("Điểm được công bố"),
    "attendance": _l("Điểm danh (vắng, đi muộn)"),
    "weekly_digest": _l("Thư tóm tắt hằng tuần của gia đình"),
}


FAMILY_KINDS = (
    "announcement",
    "homework_new",
    "homework_due",
    "feedback",
    "scores_released",
    "attendance",
)
ROLE_KINDS = {
    "parent": (*FAMILY_KINDS, "message", "weekly_digest"),
    "student": FAMILY_KINDS,
    "teacher": ("material_review", "material_decision", "message", "announcement"),
}


def kinds_for(user: User) -> tuple[str, ...]:
    """The kinds a person can receive, in the order their settings page shows them."""
    return ROLE_KINDS.get(user.role, tuple(KINDS))


def absolute_link(path: str) -> str:
    return current_app.config["LOPHOC_BASE_URL"].rstrip("/") + path


def is_email_enabled(user: User, kind: str) -> bool:
    choice = db.session.scalar(
        select(NotificationPreference.is_email_enabled).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind
        )
    )
    return choice is None or choice


def notify(
    user: User,
    kind: str,
    render: Callable[[], tuple[str, str]],
    link: str,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Queue one notification for `user`: an in-app row, and an outbox e-mail when the user has
    an address and has not turned e-mail off for `kind`. `render()` returns (title, body) and is
    called in the user's language. Returns None when `dedupe_key` was already sent to the user.
    Only flushes: the caller's commit makes it real, so a rolled-back change notifies nobody."""
    if dedupe_key is not None and db.session.scalar(
        select(Notification.id).where(
            Notification.user_id == user.id, Notification.dedupe_key == dedupe_key
        )
    ):
        return None
    with force_locale(user.language or "vi"):
        title, body = render()
    note = Notification(
        school_id=user.school_id,
        user_id=user.id,
        kind=kind,
        title=title[:300],
        body=body,
        link=link,
        dedupe_key=dedupe_key,
    )
    db.session.add(note)
    if user.email and user.is_active and is_email_enabled(user, kind):
        db.session.add(
            OutboxMail(
                school_id=user.school_id,
                user_id=user.id,
                kind=kind,
                to_address=user.email,
                subject=title[:300],
                body=f"{body}\n\n{absolute_link(link)}\n",
                next_attempt_at=now_utc(),
            )
        )
    db.session.flush()
    return note


def parents_of(student_ids: list[int]) -> dict[int, list[User]]:
    """Active parents linked to each student id."""
    result: dict[int, list[User]] = {sid: [] for sid in student_ids}
    if not student_ids:
        return result
    rows = db.session.execute(
        select(ParentLink.student_id, User)
        .join(User, User.id == ParentLink.parent_id)
        .where(ParentLink.student_id.in_(student_ids), User.is_active.is_(True))
    )
    for student_id, parent in rows:
        result[student_id].append(parent)
    return result


def for_user(actor: User, page: int = 1, per_page: int = 30) -> Page:
    """The actor's notifications, newest first."""
    stmt = (
        select(Notification)
        .where(Notification.user_id == actor.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return paginate(db.session, stmt, page, per_page)


def unread_count(actor: User) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == actor.id, Notification.read_at.is_(None)
        )
    )


def mark_read(actor: User, notification_id: object) -> Notification:
    """Mark one of the actor's own notifications read; anyone else's is NotFound."""
    note = get_scoped(Notification, notification_id, actor)
    if note.user_id != actor.id:
        raise NotFound(str(_l("Không tìm thấy.")))
    if note.read_at is None:
        note.read_at = now_utc()
    db.session.commit()
    return note


def mark_all_read(actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=now_utc())
    )
    db.session.commit()
    return result.rowcount


def preferences(actor: User) -> list[dict]:
    """Each kind with its label and whether the actor gets it by e-mail."""
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.is_email_enabled).where(
                NotificationPreference.user_id == actor.id
            )
        ).all()
    )
    return [
        {"kind": kind, "label": str(KINDS[kind]), "is_email_enabled": chosen.get(kind, True)}
        for kind in kinds_for(actor)
    ]


def set_preferences(actor: User, email_kinds: set[str]) -> None:
    """Keep e-mail on for the kinds in `email_kinds`, off for the other kinds of the actor's
    role (in-app stays on; kinds the role never receives are left as they are)."""
    existing = {
        p.kind: p
        for p in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == actor.id)
        )
    }
    for kind in kinds_for(actor):
        row = existing.get(kind)
        if row is None:
            row = NotificationPreference(school_id=actor.school_id, user_id=actor.id, kind=kind)
            db.session.add(row)
        row.is_email_enabled = kind in email_kinds
    db.session.commit()
