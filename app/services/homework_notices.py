"""Homework notifications: new homework, due tomorrow, feedback returned; students and their
linked parents. The scans are idempotent (one notice per homework x student x kind)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.clock import now_utc, to_local
from app.extensions import db
from app.models import Assignment, ClassMembership, Course, Submission, User
from app.services import notifications

NEW_WINDOW = timedelta(days=2)


def _course_label(course: Course) -> str:
    return f"{course.subject.name} – {course.school_class.name}"


def _due_text(moment: datetime) -> str:
    local = to_local(moment, current_app.config["LOPHOC_TIMEZONE"])
    return local.strftime("%H:%M %d/%m/%Y") + " " + _("(giờ Việt Nam)")


def _number(value) -> str:
    """8.50 as "8,5" (Vietnamese decimal comma)."""
    return f"{value.normalize():f}".replace(".", ",")


def _students(course: Course) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(ClassMembership, ClassMembership.student_id == User.id)
            .where(ClassMembership.class_id == course.class_id, User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def _send_family(student: User, parents: list[User], kind: str, key: str, link: str, render) -> int:
    """The student's notice and one for each parent (which names the child); returns how many."""
    sent = 0
    if notifications.notify(student, kind, lambda: render(None), link, key):
        sent += 1
    for parent in parents:
        if notifications.notify(parent, kind, lambda: render(student), link, key):
            sent += 1
    return sent


def _child_prefix(child: User | None) -> str:
    return _("Con của bạn, %(n)s: ", n=child.full_name) if child else ""


def homework_published(assignment: Assignment) -> int:
    """Tell the course's students and their parents about a homework that is open now.
    Flushes only; returns how many notices were queued."""
    course = db.session.get(Course, assignment.course_id)
    if not course.is_active or assignment.opens_at > now_utc():
        return 0
    students = _students(course)
    parents = notifications.parents_of([s.id for s in students])

    def render(child: User | None) -> tuple[str, str]:
        title = _("Bài tập mới: %(t)s", t=assignment.title)
        body = _child_prefix(child) + _(
            "Môn %(c)s có bài tập mới “%(t)s”, hạn nộp %(d)s.",
            c=_course_label(course),
            t=assignment.title,
            d=_due_text(assignment.due_at),
        )
        return title, body

    link = f"/homework/{assignment.id}"
    return sum(
        _send_family(s, parents[s.id], "homework_new", f"new:{assignment.id}:{s.id}", link, render)
        for s in students
    )


def feedback_returned(submissions: list[Submission]) -> int:
    """Tell each student (and their parents) that their work came back with a score."""
    parents = notifications.parents_of([s.student_id for s in submissions])
    sent = 0
    for submission in submissions:
        assignment = submission.assignment
        course = db.session.get(Course, assignment.course_id)

        def render(child, assignment=assignment, course=course, submission=submission):
            title = _("Đã có điểm: %(t)s", t=assignment.title)
            body = _child_prefix(child) + _(
                "Bài “%(t)s” môn %(c)s đã được trả: %(s)s/%(m)s điểm.",
                t=assignment.title,
                c=_course_label(course),
                s=_number(submission.score),
                m=_number(assignment.max_score),
            )
            if submission.comment:
                body += " " + _("Nhận xét: %(c)s", c=submission.comment)
            return title, body

        key = f"feedback:{submission.id}:{submission.returned_at:%Y%m%d%H%M%S}"
        sent += _send_family(
            submission.student,
            parents[submission.student_id],
            "feedback",
            key,
            f"/homework/{assignment.id}",
            render,
        )
    return sent


def _tomorrow_bounds(now: datetime) -> tuple[datetime, datetime]:
    zone = ZoneInfo(current_app.config["LOPHOC_TIMEZONE"])
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(0), zone)
    return start.astimezone(ZoneInfo("UTC")), (start + timedelta(days=1)).astimezone(
        ZoneInfo("UTC")
    )


def _due_tomorrow_once(now: datetime) -> int:
    start, end = _tomorrow_bounds(now)
    sent = 0
    assignments = db.session.scalars(
        select(Assignment)
        .join(Course, Course.id == Assignment.course_id)
        .where(
            Assignment.due_at >= start,
            Assignment.due_at < end,
            Assignment.opens_at <= now,
            Course.is_active.is_(True),
        )
        .order_by(Assignment.id)
    )
    for assignment in list(assignments):
        course = db.session.get(Course, assignment.course_id)
        by_student = {
            s.student_id: s
            for s in db.session.scalars(
                select(Submission).where(Submission.assignment_id == assignment.id)
            )
        }
        waiting = []
        for student in _students(course):
            submission = by_student.get(student.id)
            if submission is not None and submission.submitted_at is not None:
                continue
            extended = submission.extended_due_at if submission is not None else None
            if extended is not None and not start <= extended < end:
                continue
            waiting.append(student)
        parents = notifications.parents_of([s.id for s in waiting])

        def render(child, assignment=assignment, course=course):
            title = _("Ngày mai hết hạn: %(t)s", t=assignment.title)
            body = _child_prefix(child) + _(
                "Bài tập “%(t)s” môn %(c)s chưa nộp, hạn nộp %(d)s.",
                t=assignment.title,
                c=_course_label(course),
                d=_due_text(assignment.due_at),
            )
            return title, body

        for student in waiting:
            key = f"due:{assignment.id}:{student.id}"
            link = f"/homework/{assignment.id}"
            sent += _send_family(student, parents[student.id], "homework_due", key, link, render)
    db.session.commit()
    return sent


def due_tomorrow() -> int:
    """Remind students who have not handed in homework due tomorrow (Vietnam date), and their
    parents. Running it again sends nothing new. One transaction; returns notices queued."""
    try:
        return _due_tomorrow_once(now_utc())
    except IntegrityError:
        # Another worker ran the same scan at the same moment: its notices stand.
        db.session.rollback()
        return _due_tomorrow_once(now_utc())


def opened_since() -> int:
    """Announce homework set to open later once its opening time has come (idempotent)."""
    now = now_utc()
    assignments = list(
        db.session.scalars(
            select(Assignment).where(
                Assignment.opens_at <= now,
                Assignment.opens_at > now - NEW_WINDOW,
                Assignment.due_at > now,
            )
        )
    )
    try:
        sent = sum(homework_published(a) for a in assignments)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        sent = 0
    return sent
