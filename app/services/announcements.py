"""Announcements (thông báo): a teacher to a class or course of theirs, an admin to a class or
the whole school; recipients are students and/or their parents, notified in-app and by e-mail
in the same transaction; read receipts for the author."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import bleach
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.core.clock import now_utc
from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.core.pagination import Page, paginate
from app.core.sanitize import clean_html
from app.extensions import db
from app.models import (
    Announcement,
    AnnouncementRecipient,
    ClassMembership,
    Course,
    Notification,
    Role,
    SchoolClass,
    SchoolYear,
    User,
)
from app.services import audit, notifications
from app.services.access import acting_school_id, get_scoped, require_role

AUDIENCES = ("students", "parents", "both")
# bleach strips the tags but keeps their text: a pasted <script> would leave its code visible.
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Target:
    """Where an announcement can go: ("course", id), ("class", id) or ("school", None)."""

    kind: str
    id: int | None
    label: str


def _course_label(course: Course) -> str:
    return f"{course.subject.name} – {course.school_class.name}"


def targets_for(actor: User) -> list[Target]:
    """The audiences the actor may write to: admins the school and its classes; a teacher the
    courses they teach and the classes they teach or lead (homeroom)."""
    require_role(actor, Role.TEACHER, Role.ADMIN, Role.SYSTEM_ADMIN)
    school_id = acting_school_id(actor)
    current = select(SchoolYear.id).where(
        SchoolYear.school_id == school_id, SchoolYear.is_archived.is_(False)
    )
    classes = select(SchoolClass).where(
        SchoolClass.school_id == school_id,
        SchoolClass.is_active.is_(True),
        SchoolClass.school_year_id.in_(current),
    )
    result: list[Target] = []
    if actor.is_admin:
        result.append(Target("school", None, _("Toàn trường")))
    else:
        courses = db.session.scalars(
            select(Course)
            .where(Course.teacher_id == actor.id, Course.is_active.is_(True))
            .order_by(Course.id)
        ).all()
        result += [Target("course", c.id, _course_label(c)) for c in courses]
        taught = {c.class_id for c in courses}
        classes = classes.where(
            or_(SchoolClass.homeroom_teacher_id == actor.id, SchoolClass.id.in_(taught or {0}))
        )
    for school_class in db.session.scalars(classes.order_by(SchoolClass.name)):
        result.append(Target("class", school_class.id, _("Lớp %(c)s", c=school_class.name)))
    return result


def _resolve_target(actor: User, kind: str, target_id: object) -> Target:
    for target in targets_for(actor):
        if target.kind == kind and (target.id is None or str(target.id) == str(target_id)):
            return target
    raise Forbidden(_("Bạn không thể gửi thông báo cho lớp hoặc khoá học này."))


def _students_of(school_id: int, class_id: int | None) -> list[tuple[User, int]]:
    """(student, class id) of a class, or of every current class of the school."""
    stmt = (
        select(User, ClassMembership.class_id)
        .join(ClassMembership, ClassMembership.student_id == User.id)
        .join(SchoolClass, SchoolClass.id == ClassMembership.class_id)
        .join(SchoolYear, SchoolYear.id == SchoolClass.school_year_id)
        .where(User.school_id == school_id, User.is_active.is_(True))
        .where(SchoolYear.is_archived.is_(False))
        .order_by(User.id)
    )
    if class_id is not None:
        stmt = stmt.where(ClassMembership.class_id == class_id)
    return [(user, cid) for user, cid in db.session.execute(stmt)]


def plain_text(html: str, limit: int = 600) -> str:
    """The announcement's text without markup (for e-mail and the bell)."""
    text = bleach.clean(html.replace("</p>", "</p>\n"), tags=set(), strip=True)
    text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_fields(title: str, body_html: str, audience: str, expires_at: datetime | None):
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("Hãy nhập tiêu đề thông báo."), code="title_required")
    if len(title) > 200:
        raise ValidationFailed(_("Tiêu đề dài quá 200 ký tự."), code="title_too_long")
    body = clean_html(_SCRIPT_RE.sub("", body_html or ""))
    if not plain_text(body):
        raise ValidationFailed(_("Hãy nhập nội dung thông báo."), code="body_required")
    if audience not in AUDIENCES:
        raise ValidationFailed(
            _("Người nhận phải là học sinh, phụ huynh hoặc cả hai."), code="bad_audience"
        )
    if expires_at is not None and expires_at <= now_utc():
        raise ValidationFailed(_("Ngày hết hạn phải ở tương lai."), code="expires_in_past")
    return title, body


def create(
    actor: User,
    *,
    title: str,
    body_html: str,
    target_kind: str,
    target_id: object = None,
    audience: str = "both",
    is_pinned: bool = False,
    expires_at: datetime | None = None,
) -> Announcement:
    """Publish an announcement and notify every recipient (in-app, and e-mail unless they
    turned it off) in one transaction. Raises Forbidden for a target the actor may not
    address, ValidationFailed for an empty title/body, a bad audience or a past expiry."""
    target = _resolve_target(actor, target_kind, target_id)
    title, body = _check_fields(title, body_html, audience, expires_at)
    school_id = acting_school_id(actor)
    course = db.session.get(Course, target.id) if target.kind == "course" else None
    class_id = course.class_id if course else target.id
    item = Announcement(
        school_id=school_id,
        author_id=actor.id,
        course_id=course.id if course else None,
        class_id=class_id,
        title=title,
        body_html=body,
        audience=audience,
        is_pinned=is_pinned,
        expires_at=expires_at,
    )
    db.session.add(item)
    db.session.flush()
    _deliver(item, school_id, class_id, target.label)
    audit.record(actor, "announcement.create", item, {"title": [None, title]})
    db.session.commit()
    return item


def _deliver(item: Announcement, school_id: int, class_id: int | None, label: str) -> None:
    students = _students_of(school_id, class_id)
    recipients: dict[int, tuple[User, int, int]] = {}
    if item.audience in ("students", "both"):
        for student, cid in students:
            recipients[student.id] = (student, student.id, cid)
    if item.audience in ("parents", "both"):
        parents = notifications.parents_of([s.id for s, _cid in students])
        for student, cid in students:
            for parent in parents[student.id]:
                recipients.setdefault(parent.id, (parent, student.id, cid))
    text = plain_text(item.body_html)
    author = item.author.full_name if item.author else ""
    for user, student_id, cid in recipients.values():
        db.session.add(
            AnnouncementRecipient(
                school_id=school_id,
                announcement_id=item.id,
                user_id=user.id,
                student_id=student_id,
                class_id=cid,
            )
        )
        notifications.notify(
            user,
            "announcement",
            lambda: (
                _("Thông báo: %(t)s", t=item.title),
                _("%(a)s gửi %(w)s:", a=author, w=label) + "\n\n" + text,
            ),
            f"/announcements/{item.id}",
            f"announcement:{item.id}",
        )


def _visible(actor: User):
    """Announcements the actor received, or wrote (admins: every one of their school)."""
    stmt = select(Announcement).where(Announcement.school_id == acting_school_id(actor))
    if actor.is_admin:
        return stmt
    received = select(AnnouncementRecipient.announcement_id).where(
        AnnouncementRecipient.user_id == actor.id
    )
    return stmt.where(or_(Announcement.author_id == actor.id, Announcement.id.in_(received)))


def listing(actor: User, page: int = 1, per_page: int = 30, include_expired: bool = False) -> Page:
    """The actor's announcements: pinned first, then newest; expired ones hidden from
    recipients (the author and admins still see them)."""
    stmt = _visible(actor)
    if not include_expired and not actor.is_admin and actor.role != Role.TEACHER:
        stmt = stmt.where(
            or_(Announcement.expires_at.is_(None), Announcement.expires_at > now_utc())
        )
    stmt = stmt.order_by(
        Announcement.is_pinned.desc(), Announcement.created_at.desc(), Announcement.id.desc()
    )
    return paginate(db.session, stmt, page, per_page)


def receipt_of(actor: User, item: Announcement) -> AnnouncementRecipient | None:
    return db.session.scalar(
        select(AnnouncementRecipient).where(
            AnnouncementRecipient.announcement_id == item.id,
            AnnouncementRecipient.user_id == actor.id,
        )
    )


def get(actor: User, announcement_id: object) -> Announcement:
    """One announcement the actor may see. Raises NotFound otherwise (no leaks)."""
    item = get_scoped(Announcement, announcement_id, actor)
    if db.session.scalar(_visible(actor).where(Announcement.id == item.id)) is None:
        raise NotFound(_("Không tìm thấy thông báo này."))
    return item


def can_see_receipts(actor: User, item: Announcement) -> bool:
    return actor.is_admin or item.author_id == actor.id


def open_announcement(actor: User, announcement_id: object) -> Announcement:
    """Show an announcement: a recipient's first opening records the read receipt (and marks
    its bell notice read). Raises NotFound for one the actor did not receive or write."""
    item = get(actor, announcement_id)
    receipt = receipt_of(actor, item)
    if receipt is not None and receipt.read_at is None:
        now = now_utc()
        receipt.read_at = now
        note = db.session.scalar(
            select(Notification).where(
                Notification.user_id == actor.id,
                Notification.dedupe_key == f"announcement:{item.id}",
                Notification.read_at.is_(None),
            )
        )
        if note is not None:
            note.read_at = now
        db.session.commit()
    return item


def receipts(actor: User, announcement_id: object) -> dict:
    """Who has read it: totals, counts per class, and the list of who has not read yet.
    Only the author and the school's admins; others get Forbidden (recipients) or NotFound."""
    item = get(actor, announcement_id)
    if not can_see_receipts(actor, item):
        raise Forbidden(_("Chỉ người gửi và quản trị của trường xem được ai đã đọc."))
    rows = db.session.execute(
        select(AnnouncementRecipient, SchoolClass.name)
        .outerjoin(SchoolClass, SchoolClass.id == AnnouncementRecipient.class_id)
        .where(AnnouncementRecipient.announcement_id == item.id)
    ).all()
    per_class: dict[str, dict] = {}
    unread = []
    for receipt, class_name in rows:
        bucket = per_class.setdefault(class_name or "", {"class": class_name or "", "total": 0})
        bucket["total"] += 1
        bucket["read"] = bucket.get("read", 0) + (receipt.read_at is not None)
        if receipt.read_at is None:
            unread.append(
                {
                    "user_id": receipt.user_id,
                    "full_name": receipt.user.full_name,
                    "role": receipt.user.role,
                    "student": receipt.student.full_name
                    if receipt.student and receipt.student_id != receipt.user_id
                    else None,
                    "class": class_name or "",
                }
            )
    unread.sort(key=lambda r: (r["class"], r["role"], r["full_name"]))
    read = sum(1 for r, _n in rows if r.read_at is not None)
    return {
        "announcement_id": item.id,
        "total": len(rows),
        "read": read,
        "per_class": sorted(per_class.values(), key=lambda b: b["class"]),
        "unread": unread,
        "read_list": sorted(
            (
                {"full_name": r.user.full_name, "role": r.user.role, "read_at": r.read_at}
                for r, _n in rows
                if r.read_at is not None
            ),
            key=lambda r: r["read_at"],
        ),
    }


def read_counts(items: list[Announcement]) -> dict[int, tuple[int, int]]:
    """{announcement id: (read, total)} for a page of announcements."""
    if not items:
        return {}
    rows = db.session.execute(
        select(
            AnnouncementRecipient.announcement_id,
            func.count(AnnouncementRecipient.read_at),
            func.count(AnnouncementRecipient.id),
        )
        .where(AnnouncementRecipient.announcement_id.in_([i.id for i in items]))
        .group_by(AnnouncementRecipient.announcement_id)
    )
    return {aid: (read, total) for aid, read, total in rows}


def received_between(parent: User, start: datetime, end: datetime) -> list[Announcement]:
    """Announcements a person received in [start, end) (the weekly digest)."""
    return list(
        db.session.scalars(
            select(Announcement)
            .join(AnnouncementRecipient, AnnouncementRecipient.announcement_id == Announcement.id)
            .where(
                AnnouncementRecipient.user_id == parent.id,
                Announcement.created_at >= start,
                Announcement.created_at < end,
            )
            .order_by(Announcement.created_at)
        )
    )
