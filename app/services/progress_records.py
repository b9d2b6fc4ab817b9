"""Records a family keeps: the printable progress report per semester (the electronic report
card view) and the JSON export of everything a parent can see of a child."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.clock import as_utc, now_utc
from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import ParentLink, Role, Semester, User
from app.services.access import get_scoped
from app.services.attendance import attendance_for_student
from app.services.gradebook_release import StudentReport, released_reports
from app.services.grading import label, rate_learning, year_average
from app.services.progress import cards_for, completion_rate, local_bounds
from app.services.progress_pages import (
    checked_id,
    class_averages,
    exam_history,
    family_student,
    shows_class_average,
)

PERIODS = ("1", "2", "year")
MIN_RATED_SUBJECTS = 6


def _report_student(actor: User, student_id: object) -> tuple[User, bool]:
    """The student whose report `actor` may print, and whether `actor` is school staff
    (who see unreleased scores too). Families get NotFound for anyone not theirs."""
    student = get_scoped(User, checked_id(student_id), actor)
    if student.role != Role.STUDENT:
        raise NotFound(_("Không tìm thấy học sinh này."))
    if actor.role == Role.PARENT:
        linked = db.session.scalar(
            select(ParentLink.id).where(
                ParentLink.parent_id == actor.id, ParentLink.student_id == student.id
            )
        )
        if linked is None:
            raise NotFound(_("Không tìm thấy học sinh này trong danh sách con của bạn."))
        return student, False
    if actor.role == Role.STUDENT:
        if actor.id != student.id:
            raise NotFound(_("Không tìm thấy học sinh này."))
        return student, False
    if actor.is_admin:
        return student, True
    if actor.role == Role.TEACHER:
        report = released_reports([student])[student.id]
        if report.school_class and report.school_class.homeroom_teacher_id == actor.id:
            return student, True
    raise Forbidden(_("Chỉ giáo viên chủ nhiệm, quản trị trường và gia đình xem được phiếu này."))


@dataclass
class ReportCard:
    student: User
    report: StudentReport
    period: str
    rows: list[dict]
    attendance: dict
    completion_rate: int | None
    is_staff_view: bool
    printed_at: datetime
    rating: str | None = None  # Tốt / Khá / Đạt / Chưa đạt once every subject has a result


def _rating(report: StudentReport, rows: list[dict], period: str) -> str | None:
    """TT 22 learning rating from the visible results; None while one is missing (or for a
    primary class, which TT 27 rates without averages)."""
    klass = report.school_class
    if klass is None or klass.grade <= 5 or not rows:
        return None
    scored, comments = [], []
    for subject, row in zip(report.subjects, rows, strict=True):
        if period == "year":
            value = row["year"]
        else:
            value = row["semester"].average or row["semester"].result
        if value is None:
            return None
        if subject.course.subject.assessment == "comment":
            comments.append(value)
        else:
            scored.append(Decimal(value))
    if len(scored) < MIN_RATED_SUBJECTS:  # the TT 22 levels count six scored subjects
        return None
    return label(rate_learning(scored, comments).level.value)


def _year_row(subject) -> dict:
    first, second = subject.semesters
    row = {"sem1": first.average or first.result, "sem2": second.average or second.result}
    if first.average and second.average:
        row["year"] = str(year_average(first.average, second.average))
    else:
        row["year"] = second.result if subject.course.subject.assessment == "comment" else None
    return row


def _semester_window(report: StudentReport, period: str) -> tuple[datetime, datetime] | None:
    if report.school_class is None:
        return None
    semesters = db.session.scalars(
        select(Semester).where(Semester.school_year_id == report.school_class.school_year_id)
    ).all()
    chosen = [s for s in semesters if period == "year" or str(s.number) == period]
    if not chosen:
        return None
    first = min(s.starts_on for s in chosen)
    last = max(s.ends_on for s in chosen)
    start, _end = local_bounds(first, 1)
    _start, end = local_bounds(last, 1)
    return start, end - timedelta(microseconds=1)


def report_card(actor: User, student_id: object, period: object = "1") -> ReportCard:
    """The semester (or year) report of a student. Raises NotFound, Forbidden,
    ValidationFailed (period not 1, 2 or year)."""
    period = str(period or "1").strip().lower()
    if period not in PERIODS:
        raise ValidationFailed(_("Kỳ “%(p)s” không hợp lệ; dùng 1, 2 hoặc year.", p=period))
    student, is_staff = _report_student(actor, student_id)
    report = released_reports([student], include_unreleased=is_staff)[student.id]
    rows = []
    for subject in report.subjects:
        row = {"subject": subject.course.subject.name, "teacher": subject.course.teacher.full_name}
        if period == "year":
            row.update(_year_row(subject))
        else:
            row["semester"] = subject.semesters[int(period) - 1]
        rows.append(row)
    window = _semester_window(report, period)
    attendance = attendance_for_student(student, None, *window)["counts"] if window else {}
    card = cards_for([student])[0]
    return ReportCard(
        rating=_rating(report, rows, period),
        student=student,
        report=report,
        period=period,
        rows=rows,
        attendance=attendance,
        completion_rate=completion_rate(card.homework),
        is_staff_view=is_staff,
        printed_at=now_utc(),
    )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat()


def _attendance_export(student: User) -> dict:
    attendance = attendance_for_student(student)
    return {
        "counts": attendance["counts"],
        "records": [
            {
                "starts_at": _iso(slot.starts_at),
                "subject": slot.course.subject.name,
                "topic": slot.topic,
                "status": record.status,
                "note": record.note,
            }
            for slot, record in attendance["records"]
        ],
    }


def _class_averages_export(report: StudentReport) -> list[dict]:
    """The class averages the progress charts show (none when the school hides them)."""
    if report.school_class is None or not shows_class_average(report.student.school_id):
        return []
    rows = []
    for subject in report.subjects:
        averages = class_averages(subject.course)
        for (semester, column), average in sorted(averages.items()):
            rows.append(
                {
                    "subject": subject.course.subject.name,
                    "semester": semester,
                    "column": column,
                    "average": str(average),
                }
            )
    return rows


def child_export(actor: User, student_code: str | None = None) -> dict:
    """Everything a parent (or the student) can see of the student, as one JSON document:
    profile, released scores, homework, attendance, exams. Raises NotFound, Forbidden."""
    student = family_student(actor, student_code)
    card = cards_for([student])[0]
    report = card.report
    course_ids = [s.course.id for s in report.subjects]
    homework = []
    for item in card.homework:
        row = item.as_dict()
        row["due_at"] = _iso(row["due_at"])
        row["submitted_at"] = _iso(row["submitted_at"])
        homework.append(row)
    exams = exam_history(actor, student, course_ids)
    for row in exams:
        row["submitted_at"] = _iso(row["submitted_at"])
        row.pop("has_review_page", None)
    return {
        "format": "lophoc.family-export.v1",
        "exported_at": _iso(now_utc()),
        "student": {
            "student_code": student.student_code,
            "full_name": student.full_name,
            "date_of_birth": student.date_of_birth.isoformat() if student.date_of_birth else None,
            "school": student.school.name if student.school else None,
            "class": report.school_class.name if report.school_class else None,
            "school_year": report.school_class.school_year.name if report.school_class else None,
        },
        "scores": report.as_dict()["subjects"],
        "homework": homework,
        "homework_completion_rate": card.completion_rate,
        "attendance": _attendance_export(student),
        "class_averages": _class_averages_export(report),
        "exams": exams,
        "upcoming_exams": [
            {
                "exam_id": e.id,
                "title": e.title,
                "subject": e.course.subject.name,
                "opens_at": _iso(e.opens_at),
                "closes_at": _iso(e.closes_at),
                "duration_minutes": e.duration_minutes,
            }
            for e in card.upcoming
        ],
    }


def progress_summary(actor: User, student_code: str | None = None) -> dict:
    """GET /api/v1/children/{code}/progress (and /me/progress): released scores as before,
    plus homework status, attendance and exam results. Raises NotFound, Forbidden."""
    student = family_student(actor, student_code)
    card = cards_for([student])[0]
    document = card.report.as_dict()
    document["scores"] = document["subjects"]
    attendance = attendance_for_student(student)
    document["homework"] = {
        "due": card.homework_count("due"),
        "missing": card.homework_count("missing"),
        "late": card.homework_count("late"),
        "completion_rate": card.completion_rate,
        "items": [h.as_dict() for h in card.homework],
    }
    document["attendance"] = {
        "counts": attendance["counts"],
        "this_week": card.week,
        "records": [
            {
                "starts_at": slot.starts_at,
                "subject": slot.course.subject.name,
                "status": record.status,
                "note": record.note,
            }
            for slot, record in attendance["records"]
        ],
    }
    course_ids = [s.course.id for s in card.report.subjects]
    document["exams"] = exam_history(actor, student, course_ids)
    document["upcoming_exams"] = card.upcoming
    return document
