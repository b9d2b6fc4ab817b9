"""The weekly family digest: ONE e-mail per parent for all their children (attendance of the
week, homework due/late/missing, newly released scores, announcements), plain text + HTML,
queued in the outbox; idempotent per parent x week (a `weekly_digests` row per send)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from app.core.clock import now_utc, to_local
from app.extensions import db
from app.models import (
    Assignment,
    AttendanceRecord,
    Course,
    GradeEntry,
    GradeRelease,
    OutboxMail,
    ParentLink,
    Role,
    Submission,
    TimetableSlot,
    User,
    WeeklyDigest,
)
from app.services import announcements, notifications
from app.services.messaging import current_class_ids

COLUMN_LABELS = {"gk": "Giữa kì", "ck": "Cuối kì"}


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["LOPHOC_TIMEZONE"])


def week_of(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


def default_week(now: datetime | None = None) -> date:
    """The week to send: the current one on Sunday (local time), else the last full week."""
    today = (now or now_utc()).astimezone(_zone()).date()
    monday = week_of(today)
    return monday if today.weekday() == 6 else monday - timedelta(days=7)


def _bounds(monday: date) -> tuple[datetime, datetime]:
    zone = _zone()
    start = datetime.combine(monday, time(0), zone)
    end = datetime.combine(monday + timedelta(days=7), time(0), zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def _local(moment: datetime) -> str:
    return to_local(moment, current_app.config["LOPHOC_TIMEZONE"]).strftime("%H:%M %d/%m")


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}".replace(".", ",")


@dataclass
class ChildWeek:
    student: User
    attendance: dict[str, int] = field(default_factory=dict)
    absences: list[str] = field(default_factory=list)
    homework: list[dict] = field(default_factory=list)
    scores: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.attendance or self.homework or self.scores)


def _attendance(child: ChildWeek, start: datetime, end: datetime) -> None:
    rows = db.session.execute(
        select(AttendanceRecord.status, TimetableSlot.starts_at, Course)
        .join(TimetableSlot, TimetableSlot.id == AttendanceRecord.slot_id)
        .join(Course, Course.id == TimetableSlot.course_id)
        .where(
            AttendanceRecord.student_id == child.student.id,
            TimetableSlot.starts_at >= start,
            TimetableSlot.starts_at < end,
        )
        .order_by(TimetableSlot.starts_at)
    ).all()
    labels = {
        "late": _("đi muộn"),
        "excused": _("vắng có phép"),
        "unexcused": _("vắng không phép"),
    }
    for status, starts_at, course in rows:
        child.attendance[status] = child.attendance.get(status, 0) + 1
        if status in labels:
            child.absences.append(f"{_local(starts_at)} {course.subject.name}: {labels[status]}")


def _homework(child: ChildWeek, class_ids: list[int], start: datetime, end: datetime) -> None:
    """Homework due this week (handed in, late or missing) and due within the next week."""
    now = now_utc()
    rows = db.session.execute(
        select(Assignment, Course, Submission)
        .join(Course, Course.id == Assignment.course_id)
        .outerjoin(
            Submission,
            and_(
                Submission.assignment_id == Assignment.id,
                Submission.student_id == child.student.id,
            ),
        )
        .where(
            Course.class_id.in_(class_ids or [0]),
            Course.is_active.is_(True),
            Assignment.opens_at <= now,
            Assignment.due_at >= start,
            Assignment.due_at < end + timedelta(days=7),
        )
        .order_by(Assignment.due_at)
    ).all()
    for assignment, course, submission in rows:
        handed_in = submission is not None and submission.submitted_at is not None
        if handed_in:
            state = _("nộp muộn") if submission.is_late else _("đã nộp")
        elif assignment.due_at < min(now, end):
            state = _("chưa nộp (quá hạn)")
        else:
            state = _("chưa nộp")
        child.homework.append(
            {
                "title": assignment.title,
                "subject": course.subject.name,
                "due": _local(assignment.due_at),
                "state": state,
                "is_missing": not handed_in and assignment.due_at < min(now, end),
            }
        )


def _scores(child: ChildWeek, start: datetime, end: datetime) -> None:
    returned = db.session.execute(
        select(Submission, Assignment, Course)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .join(Course, Course.id == Assignment.course_id)
        .where(
            Submission.student_id == child.student.id,
            Submission.score.is_not(None),
            Submission.returned_at >= start,
            Submission.returned_at < end,
        )
        .order_by(Submission.returned_at)
    ).all()
    for submission, assignment, course in returned:
        child.scores.append(
            _(
                "%(s)s – %(t)s: %(v)s/%(m)s",
                s=course.subject.name,
                t=assignment.title,
                v=_number(submission.score),
                m=_number(assignment.max_score),
            )
        )
    entries = db.session.execute(
        select(GradeEntry, Course)
        .join(Course, Course.id == GradeEntry.course_id)
        .join(
            GradeRelease,
            and_(
                GradeRelease.course_id == GradeEntry.course_id,
                GradeRelease.semester == GradeEntry.semester,
            ),
        )
        .where(
            GradeEntry.student_id == child.student.id,
            or_(GradeEntry.score.is_not(None), GradeEntry.rating.is_not(None)),
            or_(
                and_(GradeEntry.updated_at >= start, GradeEntry.updated_at < end),
                and_(GradeRelease.released_at >= start, GradeRelease.released_at < end),
            ),
        )
        .order_by(Course.id, GradeEntry.column)
    ).all()
    for entry, course in entries:
        column = COLUMN_LABELS.get(entry.column, entry.column.upper())
        value = _number(entry.score) if entry.score is not None else entry.rating
        child.scores.append(
            _(
                "%(s)s – điểm %(c)s (học kì %(k)s): %(v)s",
                s=course.subject.name,
                c=column,
                k=entry.semester,
                v=value,
            )
        )


def build(parent: User, monday: date) -> dict:
    """Everything one parent's digest says for the week starting `monday` (no writes)."""
    start, end = _bounds(monday)
    children = list(
        db.session.scalars(
            select(User)
            .join(ParentLink, ParentLink.student_id == User.id)
            .where(ParentLink.parent_id == parent.id, User.is_active.is_(True))
            .order_by(User.full_name)
        )
    )
    weeks = []
    for student in children:
        child = ChildWeek(student)
        _attendance(child, start, end)
        _homework(child, current_class_ids(student.id), start, end)
        _scores(child, start, end)
        weeks.append(child)
    notices = [
        {
            "title": a.title,
            "at": _local(a.created_at),
            "text": announcements.plain_text(a.body_html, 300),
        }
        for a in announcements.received_between(parent, start, end)
    ]
    sunday = monday + timedelta(days=6)
    return {
        "parent": parent,
        "children": weeks,
        "announcements": notices,
        "subject": _(
            "LopHoc – Tóm tắt tuần %(a)s–%(b)s của gia đình",
            a=monday.strftime("%d/%m"),
            b=sunday.strftime("%d/%m"),
        ),
        "week_label": f"{monday:%d/%m/%Y} – {sunday:%d/%m/%Y}",
        "link": notifications.absolute_link("/"),
        "settings_link": notifications.absolute_link("/notifications/settings"),
    }


def _queue_one(parent: User, monday: date) -> bool:
    with force_locale(parent.language or "vi"):
        data = build(parent, monday)
        text = render_template("notices/digest.txt", **data)
        html = render_template("notices/digest_mail.html", **data)
    mail = OutboxMail(
        school_id=parent.school_id,
        user_id=parent.id,
        kind="weekly_digest",
        to_address=parent.email,
        subject=data["subject"][:300],
        body=text,
        html_body=html,
        next_attempt_at=now_utc(),
    )
    db.session.add(mail)
    db.session.flush()
    db.session.add(
        WeeklyDigest(
            school_id=parent.school_id,
            parent_id=parent.id,
            week_start=monday,
            outbox_mail_id=mail.id,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:  # another worker queued this parent's week first
        db.session.rollback()
        return False
    return True


def send_week(monday: date | None = None) -> dict:
    """Queue the digest of the week (Monday `monday`, default `default_week()`) for every
    active parent with an e-mail address who has children and has not turned it off; one
    commit per parent. Returns {"week", "queued", "already", "skipped"}."""
    monday = week_of(monday) if monday else default_week()
    done = select(WeeklyDigest.parent_id).where(WeeklyDigest.week_start == monday)
    with_children = select(ParentLink.parent_id)
    parents = db.session.scalars(
        select(User)
        .where(
            User.role == Role.PARENT,
            User.is_active.is_(True),
            User.id.in_(with_children),
        )
        .order_by(User.id)
    ).all()
    already = set(db.session.scalars(done))
    counts = {"week": monday.isoformat(), "queued": 0, "already": 0, "skipped": 0}
    for parent in parents:
        if parent.id in already:
            counts["already"] += 1
        elif not parent.email or not notifications.is_email_enabled(parent, "weekly_digest"):
            counts["skipped"] += 1
        elif _queue_one(parent, monday):
            counts["queued"] += 1
        else:
            counts["already"] += 1
    return counts


def is_due(now: datetime | None = None) -> bool:
    """Sunday from 18:00 local time: when the worker sends the week's digest."""
    local = (now or now_utc()).astimezone(_zone())
    return local.weekday() == 6 and local.hour >= 18
