"""The logged changes allowed while an exam runs: extend time (everyone or one student), drop
a question, fix a key. Each is audited with its reason and regrades submitted attempts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import NotFound, ValidationFailed
from app.core.text import clean_line
from app.extensions import db
from app.models import Attempt, Exam, ExamAccommodation, ExamQuestion, User
from app.services import audit, exam_content, exam_live, exams
from app.services.access import get_scoped
from app.services.exams import int_setting


def required_reason(reason: str) -> str:
    reason = clean_line(reason or "")[:500]
    if not reason:
        raise ValidationFailed(_("Hãy ghi lý do (được lưu vào nhật ký)."), code="reason_required")
    return reason


def extend_time(
    actor: User, exam_id: int, minutes: int, reason: str, student_id: int | None = None
) -> int:
    """Add minutes for everyone (an incident) or for one student (accommodation); the open
    attempts' deadlines move at once and the exam pages learn it on their next sync.

    Returns how many attempts in progress were extended. Logged with the reason."""
    exam = exams.get_exam_for_staff(actor, exam_id)
    minutes = int_setting({"m": minutes}, "m", 0, 1, 600, _("Số phút thêm"))
    reason = required_reason(reason)
    filters = [Attempt.exam_id == exam.id, Attempt.status == "in_progress"]
    if student_id is not None:
        student = get_scoped(User, student_id, actor)
        filters.append(Attempt.student_id == student.id)
        row = db.session.scalar(
            select(ExamAccommodation).where(
                ExamAccommodation.exam_id == exam.id, ExamAccommodation.student_id == student.id
            )
        )
        if row is None:
            row = ExamAccommodation(
                school_id=exam.school_id, exam_id=exam.id, student_id=student.id, extra_minutes=0
            )
            db.session.add(row)
        row.extra_minutes += minutes
    else:
        exam.duration_minutes += minutes
        if exam.closes_at is not None:
            exam.closes_at += timedelta(minutes=minutes)
    # "deadline + interval" is not portable SQL, so each open attempt is moved here.
    moved = []
    for attempt in db.session.scalars(select(Attempt).where(*filters).with_for_update()):
        attempt.deadline_at += timedelta(minutes=minutes)
        moved.append(attempt.id)
    audit.record(
        actor,
        "exam.extend",
        exam,
        {"minutes": [None, minutes], "student_id": [None, student_id]},
        reason=reason,
    )
    db.session.commit()
    if student_id is None:
        exam_live.exam_changed(exam.id, "extend")
    else:
        for attempt_id in moved:
            exam_live.attempt_changed(exam.id, attempt_id, "extend")
    return len(moved)


def drop_question(actor: User, exam_id: int, question_id: int, reason: str) -> Exam:
    """Take a faulty question out of the exam for everyone and regrade submitted attempts."""
    from app.services import exam_scoring

    exam = exams.get_exam_for_staff(actor, exam_id)
    reason = required_reason(reason)
    item = _exam_question(exam, question_id)
    item.is_dropped = True
    exam.max_points = sum((q.points for q in exam.questions if not q.is_dropped), Decimal(0))
    audit.record(
        actor, "exam.drop_question", exam, {"question_id": [None, question_id]}, reason=reason
    )
    db.session.flush()
    exam_scoring.regrade(exam)
    db.session.commit()
    exam_live.exam_changed(exam.id, "drop_question")
    return exam


def fix_key(actor: User, exam_id: int, question_id: int, correct: list[str], reason: str) -> Exam:
    """Change which options are correct in this exam (a wrong key found during the exam) and
    regrade; the bank's question is not changed. `correct` lists option ids."""
    from app.services import exam_scoring

    exam = exams.get_exam_for_staff(actor, exam_id)
    reason = required_reason(reason)
    item = _exam_question(exam, question_id)
    content = exam_content.content_of(item)
    keys = {o.key for o in content.options}
    if not correct or not set(correct) <= keys:
        raise ValidationFailed(
            _("Đáp án mới phải là các phương án của câu hỏi (%(k)s).", k=", ".join(sorted(keys))),
            code="invalid_key",
        )
    fixed = exam_content.with_key(content, set(correct))
    problems = exam_content.problems(fixed)
    if problems:
        raise ValidationFailed("; ".join(problems), code="invalid_key")
    old = sorted(o.key for o in content.options if o.is_correct)
    item.key_override = exam_content.to_json(fixed)
    audit.record(
        actor, "exam.fix_key", exam, {f"key_{question_id}": [old, sorted(correct)]}, reason=reason
    )
    db.session.flush()
    exam_scoring.regrade(exam)
    db.session.commit()
    exam_live.exam_changed(exam.id, "fix_key")
    return exam


def _exam_question(exam: Exam, question_id: int) -> ExamQuestion:
    for item in exam.questions:
        if item.question_id == question_id:
            return item
    raise NotFound(_("Câu hỏi này không có trong bài kiểm tra."))
