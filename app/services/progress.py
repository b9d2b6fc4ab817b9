"""What families see of a student's progress: the home cards (one per child, or the student's
own), built for several students at once in a constant number of queries. Reads only: the
gradebook release rules, homework, attendance and exams stay the source of truth."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, select

from app.core.clock import local_today, now_utc
from app.extensions import db
from app.models import (
    Assignment,
    AttendanceRecord,
    Course,
    Exam,
    Role,
    Submission,
    TimetableSlot,
    User,
)
from app.services.access import require_role
from app.services.gradebook_release import StudentReport, released_reports
from app.services.gradebook_values import display
from app.services.people import children_of

UPCOMING_DAYS = 14
LATEST_SCORES = 4
LATEST_COMMENTS = 3
COLUMN_LABELS = {"gk": "GK", "ck": "CK", "xl": "XL"}


def column_label(column: str) -> str:
    """ "tx2" -> "TX2", "gk" -> "GK"."""
    return COLUMN_LABELS.get(column, column.upper())


def timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("LOPHOC_TIMEZONE") or "Asia/Ho_Chi_Minh")


def local_bounds(first_day, days: int) -> tuple[datetime, datetime]:
    """UTC [start, end) of `days` local days from `first_day`."""
    tz = timezone()
    start = datetime.combine(first_day, datetime.min.time(), tz)
    return start.astimezone(ZoneInfo("UTC")), (start + timedelta(days=days)).astimezone(
        ZoneInfo("UTC")
    )


@dataclass
class HomeworkItem:
    assignment: Assignment
    course: Course
    submission: Submission | None
    state: str  # due, missing, submitted, late, returned

    @property
    def is_done(self) -> bool:
        return self.state in ("submitted", "late", "returned")

    @property
    def counts_for_rate(self) -> bool:
        return self.state != "due"

    def as_dict(self) -> dict:
        sub = self.submission
        returned = sub is not None and sub.returned_at is not None
        return {
            "assignment_id": self.assignment.id,
            "title": self.assignment.title,
            "subject": self.course.subject.name,
            "due_at": self.assignment.due_at,
            "state": self.state,
            "submitted_at": sub.submitted_at if sub else None,
            "score": display(sub.score) if returned and sub.score is not None else None,
            "max_score": display(self.assignment.max_score) if returned else None,
            "comment": sub.comment if returned and sub.comment else None,
        }


@dataclass
class Card:
    """One student's summary for a home page."""

    student: User
    report: StudentReport
    week: dict = field(default_factory=dict)  # lessons, attended, absent, late, not_taken
    homework: list[HomeworkItem] = field(default_factory=list)
    upcoming: list[Exam] = field(default_factory=list)

    @property
    def school_class(self):
        return self.report.school_class

    def homework_count(self, state: str) -> int:
        return sum(1 for h in self.homework if h.state == state)

    @property
    def completion_rate(self) -> int | None:
        return completion_rate(self.homework)

    @property
    def comments(self) -> list[HomeworkItem]:
        done = [h for h in self.homework if h.state == "returned" and h.submission.comment.strip()]
        done.sort(key=lambda h: h.submission.returned_at, reverse=True)
        return done[:LATEST_COMMENTS]

    @property
    def latest_scores(self) -> list[dict]:
        courses = {s.course.id: s.course for s in self.report.subjects}
        rows = [e for e in self.report.entries if e.score is not None or e.rating is not None]
        rows.sort(key=lambda e: (e.updated_at, e.id), reverse=True)
        return [
            {
                "subject": courses[e.course_id].subject.name,
                "column": column_label(e.column),
                "semester": e.semester,
                "value": display(e.score) if e.score is not None else e.rating,
                "at": e.updated_at,
            }
            for e in rows[:LATEST_SCORES]
            if e.course_id in courses
        ]

    @property
    def averages(self) -> list[dict]:
        """Per subject: the latest released semester with an average or a result."""
        out = []
        for subject in self.report.subjects:
            done = [s for s in subject.semesters if s.average or s.result]
            last = done[-1] if done else None
            out.append(
                {
                    "subject": subject.course.subject.name,
                    "course_id": subject.course.id,
                    "semester": last.semester if last else None,
                    "average": last.average if last else None,
                    "result": last.result if last else None,
                }
            )
        return out


def completion_rate(items: list[HomeworkItem]) -> int | None:
    """Percent of the homework already due (or handed in) that was handed in; None if none."""
    counted = [h for h in items if h.counts_for_rate]
    if not counted:
        return None
    return round(100 * sum(1 for h in counted if h.is_done) / len(counted))


def homework_state(assignment: Assignment, submission: Submission | None, now: datetime) -> str:
    if submission is not None and submission.submitted_at is not None:
        if submission.returned_at is not None:
            return "returned"
        return "late" if submission.is_late else "submitted"
    due = submission.extended_due_at if submission and submission.extended_due_at else None
    return "missing" if (due or assignment.due_at) < now else "due"


def homework_of(class_of: dict[int, int], course_id: int | None = None) -> dict[int, list]:
    """Per student id: the open homework of their class's courses with its state."""
    if not class_of:
        return {}
    now = now_utc()
    stmt = (
        select(Assignment, Course)
        .join(Course, Course.id == Assignment.course_id)
        .where(
            Course.class_id.in_(set(class_of.values())),
            Course.is_active.is_(True),
            Assignment.opens_at <= now,
        )
        .order_by(Assignment.due_at, Assignment.id)
    )
    if course_id is not None:
        stmt = stmt.where(Course.id == course_id)
    assignments = list(db.session.execute(stmt))
    subs: dict[tuple[int, int], Submission] = {}
    if assignments:
        rows = db.session.scalars(
            select(Submission).where(
                Submission.student_id.in_(list(class_of)),
                Submission.assignment_id.in_([a.id for a, _c in assignments]),
            )
        )
        subs = {(s.student_id, s.assignment_id): s for s in rows}
    out: dict[int, list[HomeworkItem]] = {sid: [] for sid in class_of}
    for assignment, course in assignments:
        for student_id, class_id in class_of.items():
            if course.class_id != class_id:
                continue
            sub = subs.get((student_id, assignment.id))
            out[student_id].append(
                HomeworkItem(assignment, course, sub, homework_state(assignment, sub, now))
            )
    return out


def week_attendance(class_of: dict[int, int]) -> dict[int, dict]:
    """Per student: this local week's lessons so far and how they attended them."""
    today = local_today(str(timezone()))
    monday = today - timedelta(days=today.weekday())
    first, end = local_bounds(monday, 7)
    now = now_utc()
    empty = {"lessons": 0, "attended": 0, "late": 0, "absent": 0, "not_taken": 0}
    out = {sid: dict(empty) for sid in class_of}
    if not class_of:
        return out
    slots = list(
        db.session.scalars(
            select(TimetableSlot).where(
                TimetableSlot.class_id.in_(set(class_of.values())),
                TimetableSlot.is_cancelled.is_(False),
                TimetableSlot.starts_at >= first,
                TimetableSlot.starts_at < min(end, now),
            )
        )
    )
    records = {}
    if slots:
        rows = db.session.scalars(
            select(AttendanceRecord).where(
                AttendanceRecord.slot_id.in_([s.id for s in slots]),
                AttendanceRecord.student_id.in_(list(class_of)),
            )
        )
        records = {(r.student_id, r.slot_id): r.status for r in rows}
    for student_id, class_id in class_of.items():
        week = out[student_id]
        for slot in slots:
            if slot.class_id != class_id:
                continue
            week["lessons"] += 1
            status = records.get((student_id, slot.id))
            if status is None:
                week["not_taken"] += 1
            elif status in ("present", "late"):
                week["attended"] += 1
                week["late"] += status == "late"
            else:
                week["absent"] += 1
    return out


def upcoming_exams(class_ids: set[int], course_id: int | None = None) -> dict[int, list[Exam]]:
    """Per class: published exams open now or opening within UPCOMING_DAYS."""
    if not class_ids:
        return {}
    now = now_utc()
    stmt = (
        select(Exam, Course.class_id)
        .join(Course, Course.id == Exam.course_id)
        .where(
            Course.class_id.in_(class_ids),
            Course.is_active.is_(True),
            Exam.is_published.is_(True),
            Exam.opens_at <= now + timedelta(days=UPCOMING_DAYS),
            or_(Exam.closes_at.is_(None), Exam.closes_at > now),
        )
        .order_by(Exam.opens_at, Exam.id)
    )
    if course_id is not None:
        stmt = stmt.where(Course.id == course_id)
    out: dict[int, list[Exam]] = {c: [] for c in class_ids}
    for exam, class_id in db.session.execute(stmt):
        out[class_id].append(exam)
    return out


def cards_for(students: list[User]) -> list[Card]:
    """The home cards of these students (no access check: callers have one)."""
    reports = released_reports(students)
    class_of = {s.id: reports[s.id].school_class.id for s in students if reports[s.id].school_class}
    homework = homework_of(class_of)
    weeks = week_attendance(class_of)
    exams = upcoming_exams(set(class_of.values()))
    return [
        Card(
            student=s,
            report=reports[s.id],
            week=weeks.get(s.id, {}),
            homework=homework.get(s.id, []),
            upcoming=exams.get(class_of.get(s.id), []),
        )
        for s in students
    ]


def family_cards(parent: User) -> list[Card]:
    """One card per linked child of the parent. Raises Forbidden for anyone else."""
    require_role(parent, Role.PARENT)
    return cards_for(children_of(parent))


def own_card(student: User) -> Card:
    """The student's own card. Raises Forbidden for anyone else."""
    require_role(student, Role.STUDENT)
    return cards_for([student])[0]
