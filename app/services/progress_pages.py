"""A student's progress in one subject (chart with the class average, attendance calendar,
homework completion, exam history), as their parent or they themselves may see it."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.core.clock import local_today, to_local
from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import (
    Attempt,
    ClassMembership,
    Course,
    Exam,
    FamilyViewSetting,
    GradeEntry,
    Role,
    User,
)
from app.services.attendance import attendance_for_student
from app.services.exam_scoring import REVIEW_LEVELS, is_released, result_for_student
from app.services.family import child_of
from app.services.gradebook_release import SubjectScores, released_reports, released_semesters
from app.services.grading import round_score
from app.services.progress import (
    column_label,
    completion_rate,
    homework_of,
    local_bounds,
    timezone,
)

# Averages of fewer scores than this are not shown: with a small group, a family could work
# out a classmate's score from the average and their own.
MIN_GROUP = 5
COLUMN_ORDER = {"gk": 100, "ck": 101, "xl": 102}


MAX_ID = 2**31 - 1  # integer primary keys; a larger id in a URL is simply not found


def checked_id(value: object) -> int:
    """A record id from a URL, or NotFound (PostgreSQL refuses ids past its integer range)."""
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = 0
    if not 0 < number <= MAX_ID:
        raise NotFound(_("Không tìm thấy."))
    return number


def family_student(actor: User, student_code: str | None = None) -> User:
    """The student whose progress `actor` may read: a parent's linked child, or a student
    themselves. Raises NotFound (another family's code), Forbidden (other roles)."""
    if actor.role == Role.PARENT and student_code is not None:
        return child_of(actor, student_code)
    if actor.role == Role.STUDENT and actor.is_active:
        if student_code not in (None, actor.student_code):
            raise NotFound(_("Không tìm thấy học sinh này."))
        return actor
    raise Forbidden(_("Chỉ phụ huynh và học sinh xem được trang này."))


def shows_class_average(school_id: int) -> bool:
    """The school setting (default on)."""
    setting = db.session.scalar(
        select(FamilyViewSetting).where(FamilyViewSetting.school_id == school_id)
    )
    return True if setting is None else setting.shows_class_average


def set_shows_class_average(actor: User, value: bool) -> None:
    """The school's admin switches the class average on the progress pages. Commits."""
    from app.services import audit
    from app.services.access import acting_school_id, require_school_admin

    require_school_admin(actor)
    school_id = acting_school_id(actor)
    setting = db.session.scalar(
        select(FamilyViewSetting).where(FamilyViewSetting.school_id == school_id)
    )
    if setting is None:
        setting = FamilyViewSetting(school_id=school_id, shows_class_average=True)
        db.session.add(setting)
        db.session.flush()
    if setting.shows_class_average != value:
        audit.record(
            actor, "family.class_average", setting, {"shows": [setting.shows_class_average, value]}
        )
        setting.shows_class_average = value
    db.session.commit()


def class_averages(course: Course) -> dict[tuple[int, str], Decimal]:
    """(semester, column) -> the class's average of the released scores in that column, only
    where at least MIN_GROUP students of the class have one."""
    released = released_semesters([course.id])
    if not released:
        return {}
    exams = db.session.scalars(select(Exam).where(Exam.course_id == course.id))
    open_exam_ids = [e.id for e in exams if is_released(e)]
    stmt = (
        select(GradeEntry.semester, GradeEntry.column, func.sum(GradeEntry.score), func.count())
        .join(
            ClassMembership,
            (ClassMembership.student_id == GradeEntry.student_id)
            & (ClassMembership.class_id == course.class_id),
        )
        .where(
            GradeEntry.course_id == course.id,
            GradeEntry.score.is_not(None),
            or_(GradeEntry.source != "exam", GradeEntry.source_id.in_(open_exam_ids)),
        )
        .group_by(GradeEntry.semester, GradeEntry.column)
    )
    out = {}
    for semester, column, total, count in db.session.execute(stmt):
        if (course.id, semester) in released and count >= MIN_GROUP:
            out[(semester, column)] = round_score(Decimal(str(total)) / count)
    return out


def _column_key(column: str) -> int:
    return int(column[2:]) if column.startswith("tx") else COLUMN_ORDER.get(column, 200)


def chart_data(course: Course, entries: list[GradeEntry]) -> dict:
    """The student's released scores of a course in order (semester, TX1.., GK, CK), with the
    class average of each column when the school shows it (null where suppressed)."""
    own = sorted(
        (e for e in entries if e.course_id == course.id and e.score is not None),
        key=lambda e: (e.semester, _column_key(e.column)),
    )
    shown = shows_class_average(course.school_id)
    averages = class_averages(course) if shown else {}
    return {
        "labels": [f"HK{e.semester} · {column_label(e.column)}" for e in own],
        "dates": [to_local(e.updated_at, str(timezone())).strftime("%d/%m/%Y") for e in own],
        "scores": [float(e.score) for e in own],
        "class_average": [
            float(averages[(e.semester, e.column)]) if (e.semester, e.column) in averages else None
            for e in own
        ],
        "shows_class_average": shown,
        "labels_text": {"student": _("Điểm của học sinh"), "class": _("Trung bình lớp")},
    }


def parse_month(raw: object) -> date:
    """ "2026-11" -> 1/11/2026; empty: this month. Raises ValidationFailed."""
    if not raw:
        return local_today(str(timezone())).replace(day=1)
    try:
        year, month = (int(p) for p in str(raw).split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValidationFailed(_("Tháng “%(m)s” không hợp lệ; dùng dạng 2026-11.", m=raw)) from None


def attendance_calendar(student: User, month: date, course_id: int | None = None) -> dict:
    """A month grid (weeks from Monday) with each day's attendance statuses."""
    days = calendar.monthrange(month.year, month.month)[1]
    first, end = local_bounds(month, days)
    data = attendance_for_student(student, course_id, first, end - timedelta(microseconds=1))
    by_day: dict[date, list[dict]] = {}
    for slot, record in reversed(data["records"]):
        day = to_local(slot.starts_at, str(timezone())).date()
        by_day.setdefault(day, []).append(
            {"status": record.status, "subject": slot.course.subject.name}
        )
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        weeks.append(
            [
                {"day": d, "in_month": d.month == month.month, "marks": by_day.get(d, [])}
                for d in week
            ]
        )
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return {
        "month": month,
        "weeks": weeks,
        "counts": data["counts"],
        "previous": previous.strftime("%Y-%m"),
        "next": following.strftime("%Y-%m"),
    }


def exam_history(viewer: User, student: User, course_ids: list[int]) -> list[dict]:
    """The student's submitted attempts in these courses, newest first, with what the exam
    releases; the review link only for the student themself (the review page is theirs)."""
    if not course_ids:
        return []
    attempts = db.session.scalars(
        select(Attempt)
        .options(joinedload(Attempt.exam))
        .join(Exam, Exam.id == Attempt.exam_id)
        .where(
            Attempt.student_id == student.id,
            Attempt.status == "submitted",
            Exam.course_id.in_(course_ids),
        )
        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc())
    )
    out = []
    for attempt in attempts:
        result = result_for_student(attempt)
        level = REVIEW_LEVELS.get(attempt.exam.review, 0) if result["released"] else None
        out.append(
            {
                "attempt_id": attempt.id,
                "exam_id": attempt.exam_id,
                "title": attempt.exam.title,
                "subject": attempt.exam.course.subject.name,
                "number": attempt.number,
                "submitted_at": attempt.submitted_at,
                "released": result["released"],
                "score10": result["score10"],
                "score": result["score"],
                "max_score": result["max_score"],
                "review": attempt.exam.review if result["released"] else None,
                "has_review_page": viewer.id == student.id and level is not None,
            }
        )
    return out


@dataclass
class SubjectProgress:
    student: User
    subject: SubjectScores
    chart: dict
    calendar: dict
    homework: list
    completion_rate: int | None
    exams: list[dict]


def subject_progress(
    actor: User, student_code: str | None, course_id: object, month: object = None
) -> SubjectProgress:
    """One subject's progress page. Raises NotFound (not the student's course, another
    family's child), Forbidden, ValidationFailed (month)."""
    student = family_student(actor, student_code)
    report = released_reports([student])[student.id]
    subject = next((s for s in report.subjects if str(s.course.id) == str(course_id)), None)
    if subject is None:
        raise NotFound(_("Không tìm thấy môn học này của học sinh."))
    course = subject.course
    homework = homework_of({student.id: course.class_id}, course.id).get(student.id, [])
    return SubjectProgress(
        student=student,
        subject=subject,
        chart=chart_data(course, report.entries),
        calendar=attendance_calendar(student, parse_month(month), course.id),
        homework=homework,
        completion_rate=completion_rate(homework),
        exams=exam_history(actor, student, [course.id]),
    )


@dataclass
class StudentOverview:
    student: User
    card: object  # progress.Card
    calendar: dict
    exams: list[dict]
    siblings: list[User]


def student_overview(actor: User, student_code: str | None, month: object = None):
    """A child's (or the student's own) detail page: the card in full, every subject, the
    month's attendance, exam history; for parents also the other children to switch to.
    Raises NotFound, Forbidden, ValidationFailed."""
    from app.services.people import children_of
    from app.services.progress import cards_for

    student = family_student(actor, student_code)
    card = cards_for([student])[0]
    course_ids = [s.course.id for s in card.report.subjects]
    return StudentOverview(
        student=student,
        card=card,
        calendar=attendance_calendar(student, parse_month(month)),
        exams=exam_history(actor, student, course_ids),
        siblings=children_of(actor) if actor.role == Role.PARENT else [],
    )
