"""Results of an exam for its teacher: the class table (by the exam's attempt policy), the
score histogram and item analysis (difficulty, discrimination, option choices), XLSX export."""

from __future__ import annotations

import io
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Attempt, ClassMembership, Response, User
from app.services import exam_attempts, exam_content, exams

HIST_BINS = 10
CENT = Decimal("0.01")


def _counted(attempts: list[Attempt], policy: str) -> Decimal | None:
    """The score that counts for a student: best, last or average of submitted attempts."""
    scores = [a.score10 for a in attempts if a.status == "submitted" and a.score10 is not None]
    if not scores:
        return None
    if policy == "last":
        return scores[-1]
    if policy == "average":
        return (sum(scores) / len(scores)).quantize(CENT, rounding=ROUND_HALF_UP)
    return max(scores)


def results(actor: User, exam_id: int) -> dict:
    """Everything the results page and GET /exams/{id}/results show (closes expired attempts
    first, so a student whose browser vanished is counted)."""
    exam = exams.get_exam_for_staff(actor, exam_id)
    exam_attempts.close_expired(exam.id)
    students = db.session.scalars(
        select(User)
        .join(ClassMembership, ClassMembership.student_id == User.id)
        .where(ClassMembership.class_id == exam.course.class_id)
        .order_by(User.full_name, User.id)
    ).all()
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id).order_by(Attempt.number)
    ).all()
    by_student: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_student.setdefault(attempt.student_id, []).append(attempt)
    rows = []
    for student in students:
        own = by_student.get(student.id, [])
        counted = _counted(own, exam.attempt_policy)
        status = "missing" if not own else own[-1].status
        rows.append(
            {
                "student_id": student.id,
                "student_code": student.student_code,
                "full_name": student.full_name,
                "attempts": len(own),
                "status": status,
                "score": str(own[-1].score) if own and own[-1].score is not None else None,
                "score10": str(counted) if counted is not None else None,
                "needs_grading": any(a.needs_grading for a in own),
                "attempt_id": own[-1].id if own else None,
            }
        )
    scores = [Decimal(r["score10"]) for r in rows if r["score10"] is not None]
    return {
        "exam": exam,
        "rows": rows,
        "histogram": histogram(scores),
        "summary": summary(scores, len(students)),
        "items": item_analysis(exam, [a for a in attempts if a.status == "submitted"]),
    }


def histogram(scores: list[Decimal]) -> list[int]:
    """Counts in [0,1), [1,2), ... [9,10] on the 10-point scale."""
    bins = [0] * HIST_BINS
    for score in scores:
        bins[min(int(score), HIST_BINS - 1)] += 1
    return bins


def summary(scores: list[Decimal], class_size: int) -> dict:
    if not scores:
        return {"submitted": 0, "class_size": class_size}
    ordered = sorted(scores)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {
        "submitted": len(scores),
        "class_size": class_size,
        "mean": str((sum(scores) / len(scores)).quantize(CENT, rounding=ROUND_HALF_UP)),
        "median": str(Decimal(median).quantize(CENT, rounding=ROUND_HALF_UP)),
        "min": str(ordered[0]),
        "max": str(ordered[-1]),
        "at_least_5": sum(1 for s in scores if s >= 5),
    }


def item_analysis(exam, attempts: list[Attempt]) -> list[dict]:
    """Per question: difficulty p (mean share of points), discrimination D (p of the top
    27 % minus p of the bottom 27 % by total score), and how often each option was chosen."""
    if not attempts:
        return []
    ranked = sorted(attempts, key=lambda a: a.score or 0, reverse=True)
    group = max(1, round(len(ranked) * 0.27))
    top = {a.id for a in ranked[:group]}
    bottom = {a.id for a in ranked[-group:]}
    responses: dict[int, dict[int, Response]] = {}
    for response in db.session.scalars(
        select(Response).where(Response.attempt_id.in_([a.id for a in attempts]))
    ):
        responses.setdefault(response.question_id, {})[response.attempt_id] = response
    items = []
    for item in exam.questions:
        content = exam_content.content_of(item)
        answered = responses.get(item.question_id, {})
        shares = {a.id: _share(answered.get(a.id), item.points) for a in attempts}
        p = sum(shares.values()) / len(shares)
        p_top = sum(shares[i] for i in top) / len(top)
        p_bottom = sum(shares[i] for i in bottom) / len(bottom)
        choices = Counter()
        for response in answered.values():
            for key in _chosen(response.answer):
                choices[key] += 1
        items.append(
            {
                "question_id": item.question_id,
                "position": item.position,
                "type": content.type.value,
                "dropped": item.is_dropped,
                "difficulty": round(p, 2),
                "discrimination": round(p_top - p_bottom, 2),
                "answered": len(answered),
                "options": [
                    {"id": o.key, "correct": o.is_correct, "chosen": choices.get(o.key, 0)}
                    for o in content.options
                ],
                "flag": _flag(p, p_top - p_bottom),
            }
        )
    return items


def _share(response: Response | None, points: Decimal) -> float:
    if response is None or response.points is None or not points:
        return 0.0
    return float(response.points / points)


def _chosen(answer) -> list[str]:
    if isinstance(answer, str):
        return [answer]
    if isinstance(answer, list):
        return [a for a in answer if isinstance(a, str)]
    if isinstance(answer, dict):
        return [k for k, v in answer.items() if v is True]
    return []


def _flag(p: float, d: float) -> str:
    """A hint for the teacher: questions worth a second look."""
    if d < 0:
        return "negative_discrimination"
    if p < 0.2:
        return "too_hard"
    if p > 0.95:
        return "too_easy"
    if d < 0.2:
        return "weak_discrimination"
    return ""


def results_xlsx(actor: User, exam_id: int) -> tuple[bytes, str]:
    """The class results as an XLSX file keyed by student code; returns (bytes, file name)."""
    from openpyxl import Workbook

    data = results(actor, exam_id)
    exam = data["exam"]
    book = Workbook()
    sheet = book.active
    sheet.title = "Kết quả"
    sheet.append([exam.title])
    sheet.append(["STT", "Mã học sinh", "Họ và tên", "Số lần làm", "Trạng thái", "Điểm (thang 10)"])
    for number, row in enumerate(data["rows"], start=1):
        score = float(row["score10"]) if row["score10"] is not None else None
        sheet.append(
            [number, row["student_code"], row["full_name"], row["attempts"], row["status"], score]
        )
    items = book.create_sheet("Phân tích câu hỏi")
    items.append(["Câu", "Mã câu hỏi", "Loại", "Độ khó p", "Độ phân biệt D", "Số bài trả lời"])
    for item in data["items"]:
        items.append(
            [
                item["position"],
                item["question_id"],
                item["type"],
                item["difficulty"],
                item["discrimination"],
                item["answered"],
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), f"ket-qua-bai-kiem-tra-{exam.id}.xlsx"


def feed_gradebook(actor: User, exam_id: int, reason: str = "") -> int:
    """Write each student's counted score into the gradebook column the exam feeds (one
    transaction). Returns how many cells changed. Raises ValidationFailed (no column chosen,
    no free regular column), Conflict (the semester is locked and no reason given)."""
    from flask_babel import gettext as _

    from app.core.errors import ValidationFailed
    from app.services import audit, gradebook

    data = results(actor, exam_id)
    exam = data["exam"]
    if exam.gradebook_column == "none":
        raise ValidationFailed(_("Bài kiểm tra này không ghi vào sổ điểm."), code="no_column")
    scores = [
        (row["student_id"], Decimal(row["score10"]))
        for row in data["rows"]
        if row["score10"] is not None
    ]
    changed = gradebook.feed_scores(
        actor, exam.course_id, scores, exam.gradebook_column, "exam", exam.id, reason
    )
    audit.record(actor, "exam.feed_gradebook", exam, {"cells": [None, changed]}, reason=reason)
    db.session.commit()
    return changed
