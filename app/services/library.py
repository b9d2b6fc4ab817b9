"""The school library: a teacher offers a lesson, the subject's lead approves or rejects it
with a comment, approved materials are searched (subject, grade, topic, accent-insensitive
text) and copied into any teacher's own course (files shared by digest, not duplicated)."""

from __future__ import annotations

import re

import bleach
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.clock import now_utc
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.sanitize import clean_html
from app.core.text import clean_line, fold, like_pattern
from app.extensions import db
from app.models import (
    Course,
    CourseSection,
    Lesson,
    LessonFile,
    LessonLink,
    LibraryItem,
    Role,
    Subject,
    User,
)
from app.services import audit, library_leads, notifications
from app.services.access import acting_school_id, get_scoped, require_role
from app.services.courses import editable_course
from app.services.uploads import read_blob

STAFF = (Role.TEACHER, Role.ADMIN, Role.SYSTEM_ADMIN)
DECISIONS = ("approve", "reject")


def _text_of(html: str) -> str:
    return re.sub(r"\s+", " ", bleach.clean(html or "", tags=set(), strip=True)).strip()


def offer(actor: User, lesson_id: object) -> LibraryItem:
    """The course's teacher offers a lesson (its text, files and links as they are now) to the
    school library; the subject's lead (else the school admins) is notified.
    Raises Conflict (already waiting for review), Forbidden, NotFound. One transaction."""
    lesson = get_scoped(Lesson, lesson_id, actor)
    course = editable_course(actor, lesson.course_id)
    waiting = db.session.scalar(
        select(LibraryItem.id).where(
            LibraryItem.lesson_id == lesson.id, LibraryItem.status == "pending"
        )
    )
    if waiting:
        raise Conflict(_("Bài học này đang chờ tổ trưởng duyệt."))
    topic = lesson.section.title
    subject = db.session.get(Subject, course.subject_id)
    item = LibraryItem(
        school_id=lesson.school_id,
        lesson_id=lesson.id,
        subject_id=course.subject_id,
        grade=course.school_class.grade,
        topic=topic,
        topic_folded=fold(topic)[:200],
        title=lesson.title,
        body_html=clean_html(lesson.body_html),
        files=[
            {
                "filename": f.filename,
                "mime_type": f.mime_type,
                "size_bytes": f.size_bytes,
                "sha256": f.sha256,
            }
            for f in lesson.files
        ],
        links=[{"url": link.url, "label": link.label} for link in lesson.links],
        search_text=fold(f"{lesson.title} {topic} {subject.name} {_text_of(lesson.body_html)}")[
            :700
        ],
        status="pending",
        submitted_by_id=actor.id,
    )
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "library.offer", item, {"title": [None, item.title]})
    for reviewer in library_leads.reviewers(item.school_id, item.subject_id):

        def render(item=item, subject=subject):
            return (
                _("Học liệu chờ duyệt: %(t)s", t=item.title),
                _(
                    "%(p)s đề nghị đưa “%(t)s” (môn %(s)s, khối %(g)s) vào thư viện của trường.",
                    p=actor.full_name,
                    t=item.title,
                    s=subject.name,
                    g=item.grade,
                ),
            )

        notifications.notify(reviewer, "material_review", render, "/library/review")
    db.session.commit()
    return item


def pending_reviews(actor: User) -> list[LibraryItem]:
    """Materials waiting for the actor's decision (as lead, or as an admin)."""
    require_role(actor, *STAFF)
    stmt = select(LibraryItem).where(
        LibraryItem.school_id == acting_school_id(actor), LibraryItem.status == "pending"
    )
    return [
        item
        for item in db.session.scalars(stmt.order_by(LibraryItem.created_at))
        if library_leads.can_review(actor, item.school_id, item.subject_id)
    ]


def review(actor: User, item_id: object, decision: str, comment: str = "") -> LibraryItem:
    """Approve or reject a waiting material; a rejection needs a comment. The teacher who
    offered it is notified. Raises ValidationFailed, Conflict (already decided), Forbidden."""
    item = get_scoped(LibraryItem, item_id, actor)
    if not library_leads.can_review(actor, item.school_id, item.subject_id):
        raise Forbidden(_("Chỉ tổ trưởng chuyên môn của môn này mới duyệt được."))
    if decision not in DECISIONS:
        raise ValidationFailed(_("Hãy chọn duyệt hoặc không duyệt."))
    if item.status != "pending":
        raise Conflict(_("Học liệu này đã được xử lý."))
    comment = clean_line(comment)[:2000]
    if decision == "reject" and not comment:
        raise ValidationFailed(_("Hãy ghi lý do không duyệt để giáo viên sửa lại."))
    item.status = "approved" if decision == "approve" else "rejected"
    item.reviewer_id, item.review_comment, item.reviewed_at = actor.id, comment, now_utc()
    audit.record(actor, f"library.{decision}", item, {"status": ["pending", item.status]})
    teacher = db.session.get(User, item.submitted_by_id) if item.submitted_by_id else None
    if teacher is not None:

        def render():
            if item.status == "approved":
                title = _("Học liệu được duyệt: %(t)s", t=item.title)
            else:
                title = _("Học liệu chưa được duyệt: %(t)s", t=item.title)
            body = _("Nhận xét của %(r)s: %(c)s", r=actor.full_name, c=comment) if comment else ""
            return title, body

        notifications.notify(teacher, "material_decision", render, "/library/mine")
    db.session.commit()
    return item


def search(
    actor: User,
    query: str = "",
    subject_id: object = None,
    grade: object = None,
    topic: str = "",
    limit: int = 50,
) -> list[LibraryItem]:
    """Approved materials of the actor's school (teachers and admins), by subject, grade,
    topic and text, with or without Vietnamese accents ("ham so" finds "Hàm số")."""
    require_role(actor, *STAFF)
    stmt = select(LibraryItem).where(
        LibraryItem.school_id == acting_school_id(actor), LibraryItem.status == "approved"
    )
    if fold(query):
        stmt = stmt.where(LibraryItem.search_text.like(like_pattern(query), escape="\\"))
    if str(subject_id or "").isdigit() and int(subject_id) < 2**31:
        stmt = stmt.where(LibraryItem.subject_id == int(subject_id))
    if str(grade or "").isdigit() and int(grade) < 2**31:
        stmt = stmt.where(LibraryItem.grade == int(grade))
    if fold(topic):
        stmt = stmt.where(LibraryItem.topic_folded.like(_contains(fold(topic)), escape="\\"))
    return list(db.session.scalars(stmt.order_by(LibraryItem.reviewed_at.desc()).limit(limit)))


def _contains(folded: str) -> str:
    """A LIKE pattern matching `folded` anywhere, its wildcards taken literally."""
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def facets(actor: User) -> dict:
    """Subjects and grades that have approved materials, for the search filters."""
    require_role(actor, *STAFF)
    school_id = acting_school_id(actor)
    approved = (LibraryItem.school_id == school_id) & (LibraryItem.status == "approved")
    subjects = db.session.execute(
        select(Subject.id, Subject.name)
        .join(LibraryItem, LibraryItem.subject_id == Subject.id)
        .where(approved)
        .group_by(Subject.id, Subject.name)
        .order_by(Subject.name)
    ).all()
    grades = db.session.scalars(
        select(func.distinct(LibraryItem.grade)).where(approved).order_by(LibraryItem.grade)
    ).all()
    return {"subjects": subjects, "grades": list(grades)}


def get_item(actor: User, item_id: object) -> LibraryItem:
    """An approved material for the school's staff; a waiting or rejected one only for the
    teacher who offered it and its reviewers. NotFound otherwise."""
    require_role(actor, *STAFF)
    item = get_scoped(LibraryItem, item_id, actor)
    if item.status == "approved" or item.submitted_by_id == actor.id:
        return item
    if library_leads.can_review(actor, item.school_id, item.subject_id):
        return item
    raise NotFound(_("Không tìm thấy học liệu."))


def get_item_file(actor: User, item_id: object, index: object) -> tuple[dict, bytes]:
    """One file of a material the actor may see, by its position; NotFound otherwise."""
    item = get_item(actor, item_id)
    try:
        entry = item.files[int(index)]
    except (ValueError, TypeError, IndexError):
        raise NotFound(_("Không tìm thấy.")) from None
    return entry, read_blob(item.school_id, entry["sha256"])


def mine(actor: User) -> list[LibraryItem]:
    """What the actor has offered, newest first, with its status and the lead's comment."""
    require_role(actor, *STAFF)
    return list(
        db.session.scalars(
            select(LibraryItem)
            .where(LibraryItem.submitted_by_id == actor.id)
            .order_by(LibraryItem.created_at.desc())
        )
    )


def copy_to(actor: User, item_id: object, section_id: object) -> Lesson:
    """Copy an approved material into a section of a course the actor may edit, as a new,
    independent lesson; its files point at the same stored bytes. Raises NotFound, Forbidden,
    Conflict (not approved). Changes: a lesson with its files and links, one audit row."""
    item = get_item(actor, item_id)
    if item.status != "approved":
        raise Conflict(_("Chỉ sao chép được học liệu đã duyệt."))
    section = get_scoped(CourseSection, section_id, actor)
    course: Course = editable_course(actor, section.course_id)
    lesson = Lesson(
        school_id=course.school_id,
        section_id=section.id,
        course_id=course.id,
        position=len(section.lessons) + 1,
        title=item.title,
        body_html=clean_html(item.body_html),
        files=[
            LessonFile(
                school_id=course.school_id,
                filename=f["filename"],
                mime_type=f["mime_type"],
                size_bytes=f["size_bytes"],
                sha256=f["sha256"],
            )
            for f in item.files
        ],
        links=[
            LessonLink(school_id=course.school_id, url=link["url"], label=link["label"])
            for link in item.links
        ],
    )
    db.session.add(lesson)
    db.session.flush()
    audit.record(actor, "library.copy", lesson, {"library_item_id": [None, item.id]})
    db.session.commit()
    return lesson
