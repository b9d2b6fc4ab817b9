"""Scoring attempts: close once (conditional UPDATE), score every answer by option id with the
question-type registry, scale to 10 points, regrade after a dropped question or fixed key."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select, update

from app.core.clock import now_utc
from app.extensions import db
from app.models import Attempt, Exam, Response
from app.services import exam_content, question_types

TEN = Decimal(10)


def close(attempt: Attempt, by: str) -> int:
    """Mark the attempt submitted if it still is in progress, and score it; returns 1 if this
    call closed it, 0 if another request already had (two submits, one result)."""
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == "in_progress")
        .values(status="submitted", submitted_at=now_utc(), submitted_by=by)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    if not result.rowcount:
        return 0
    score_attempt(attempt)
    return 1


def score_attempt(attempt: Attempt) -> None:
    """(Re)compute each response's points and the attempt's totals (flushes, no commit)."""
    exam = attempt.exam
    responses = {
        r.question_id: r
        for r in db.session.scalars(select(Response).where(Response.attempt_id == attempt.id))
    }
    total = Decimal(0)
    max_total = Decimal(0)
    needs_grading = False
    for item in exam.questions:
        if item.is_dropped:
            continue
        max_total += item.points
        response = responses.get(item.question_id)
        if response is None:
            continue
        score = question_types.score(exam_content.content_of(item), response.answer, item.points)
        response.is_correct = score.is_correct
        if score.is_correct is None:  # essay: the teacher's points, once given
            response.points = response.manual_points
            needs_grading = needs_grading or response.manual_points is None
        else:
            response.points = score.points
        total += response.points or 0
    attempt.score = total
    attempt.max_score = max_total
    attempt.score10 = scaled(total, max_total, exam.score_decimals)
    attempt.needs_grading = needs_grading
    db.session.flush()


def scaled(points: Decimal, max_points: Decimal, decimals: int) -> Decimal:
    """Points on the 10-point scale, rounded half up to the exam's decimals."""
    if not max_points:
        return Decimal(0)
    step = Decimal(1).scaleb(-decimals)
    return (points * TEN / max_points).quantize(step, rounding=ROUND_HALF_UP)


def regrade(exam: Exam) -> int:
    """Rescore every submitted attempt of the exam (after a drop or a key fix)."""
    from app.services.exam_answers import forget_exam

    forget_exam(exam.id)
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id, Attempt.status == "submitted")
    ).all()
    for attempt in attempts:
        score_attempt(attempt)
    return len(attempts)


def is_released(exam: Exam) -> bool:
    """Whether students may see their score now."""
    if exam.release == "immediately":
        return True
    if exam.release == "after_close":
        return exam.closes_at is not None and now_utc() >= exam.closes_at
    return exam.is_released


def result_for_student(attempt: Attempt) -> dict:
    """The submit call's answer: status, and the score when the exam releases it."""
    released = attempt.status == "submitted" and is_released(attempt.exam)
    return {
        "id": attempt.id,
        "status": attempt.status,
        "submitted_at": attempt.submitted_at,
        "released": released,
        "score": str(attempt.score) if released and attempt.score is not None else None,
        "max_score": str(attempt.max_score) if released and attempt.max_score is not None else None,
        "score10": str(attempt.score10) if released and attempt.score10 is not None else None,
        "needs_grading": attempt.needs_grading if released else None,
    }


def grade_response(actor, attempt_id: int, question_id: int, points, comment: str = "") -> Attempt:
    """A teacher's points for an essay answer (0..the question's points); rescored and
    audited. Raises NotFound, Forbidden, ValidationFailed."""
    from flask_babel import gettext as _

    from app.core.errors import NotFound, ValidationFailed
    from app.core.sanitize import clean_html
    from app.services import audit, exams
    from app.services.access import get_scoped

    attempt = get_scoped(Attempt, attempt_id, actor)
    exams.get_exam_for_staff(actor, attempt.exam_id)
    item = next((q for q in attempt.exam.questions if q.question_id == question_id), None)
    response = db.session.scalar(
        select(Response).where(
            Response.attempt_id == attempt.id, Response.question_id == question_id
        )
    )
    if item is None or response is None:
        raise NotFound(_("Bài làm không có câu trả lời cho câu hỏi này."))
    try:  # "8,5" as a Vietnamese teacher types it
        value = Decimal(str(points).strip().replace(",", "."))
    except ArithmeticError:
        value = Decimal(-1)
    if not value.is_finite() or not Decimal(0) <= value <= item.points:
        raise ValidationFailed(_("Điểm phải từ 0 đến %(m)s.", m=item.points), code="invalid_points")
    old = response.manual_points
    response.manual_points = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    response.grader_comment = clean_html(comment or "")[:5000]
    if attempt.status == "submitted":
        score_attempt(attempt)
    audit.record(
        actor, "exam.grade_essay", attempt, {f"points_{question_id}": [old, response.manual_points]}
    )
    db.session.commit()
    return attempt


def grading_queue(exam: Exam) -> list[Response]:
    """Submitted essay answers still waiting for a teacher's points."""
    return list(
        db.session.scalars(
            select(Response)
            .join(Attempt, Attempt.id == Response.attempt_id)
            .where(
                Attempt.exam_id == exam.id,
                Attempt.status == "submitted",
                Response.is_correct.is_(None),
                Response.manual_points.is_(None),
            )
            .order_by(Response.question_id, Response.attempt_id)
        )
    )


def result_for_staff(attempt: Attempt) -> dict:
    """The attempt's result as its teacher sees it (released or not)."""
    return {
        "id": attempt.id,
        "status": attempt.status,
        "submitted_at": attempt.submitted_at,
        "released": is_released(attempt.exam),
        "score": None if attempt.score is None else str(attempt.score),
        "max_score": None if attempt.max_score is None else str(attempt.max_score),
        "score10": None if attempt.score10 is None else str(attempt.score10),
        "needs_grading": attempt.needs_grading,
    }


REVIEW_LEVELS = {"score": 0, "answers": 1, "keys": 2, "explanations": 3}


def review(actor, attempt_id: int) -> dict:
    """The student's own review of a submitted attempt, as much as the exam releases:
    score only, + their answers with points, + the keys, + the explanations."""
    from flask_babel import gettext as _

    from app.core.errors import Forbidden
    from app.services.access import get_scoped

    attempt = get_scoped(Attempt, attempt_id, actor)
    if attempt.student_id != actor.id:
        raise Forbidden(_("Đây không phải bài làm của bạn."))
    exam = attempt.exam
    released = attempt.status == "submitted" and is_released(exam)
    level = REVIEW_LEVELS.get(exam.review, 0) if released else -1
    result = {
        "attempt": attempt,
        "exam": exam,
        "result": result_for_student(attempt),
        "level": level,
        "questions": [],
    }
    if level < 1:
        return result
    responses = {
        r.question_id: r
        for r in db.session.scalars(select(Response).where(Response.attempt_id == attempt.id))
    }
    items = exam_content.question_order(exam.questions, attempt.seed, exam.shuffle_questions)
    for number, item in enumerate(items, start=1):
        content = exam_content.content_of(item)
        response = responses.get(item.question_id)
        answer = response.answer if response else None
        chosen = set(answer if isinstance(answer, list) else [answer]) if answer else set()
        if isinstance(answer, dict):
            chosen = {k for k, v in answer.items() if v is True}
        result["questions"].append(
            {
                "number": number,
                "stem_html": content.stem_html,
                "points": item.points,
                "earned": response.points if response else Decimal(0),
                "options": [
                    {
                        "html": o.html,
                        "chosen": o.key in chosen,
                        "correct": o.is_correct if level >= 2 else None,
                    }
                    for o in content.options
                ],
                "text": answer if isinstance(answer, str) and not content.options else None,
                "comment": response.grader_comment if response else "",
                "explanation_html": content.explanation_html if level >= 3 else "",
            }
        )
    return result
