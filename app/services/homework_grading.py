"""Grading a whole homework at once: the scores and comments typed in the submissions table,
saved together and, if the teacher asks, returned to the students in the same transaction."""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.clock import now_utc
from app.core.errors import NotFound, ValidationFailed
from app.core.text import clean_line
from app.extensions import db
from app.models import User
from app.services import audit, homework_notices
from app.services.homework import parse_score, roster


def grade_many(
    actor: User, assignment_id: object, entries: dict[str, tuple[str, str]], then_return=False
) -> dict[str, int]:
    """Record {submission id: (score, comment)} for one homework ("8,5" is 8.5); a row left
    without score and comment is skipped. With `then_return`, every graded submission not yet
    returned goes back to its student (and the family is told).

    Raises ValidationFailed naming each bad row (details["rows"]: {id: message}), NotFound
    (a submission of another homework), Forbidden. Changes, all or nothing: the scores and
    comments, returned_at, one audit row per changed submission, the notices."""
    assignment, rows, _counts = roster(actor, assignment_id)
    by_id = {str(r["submission"].id): r for r in rows if r["submission"] is not None}
    unknown = [key for key in entries if key not in by_id]
    if unknown:
        raise NotFound(_("Không tìm thấy bài nộp %(i)s trong bài tập này.", i=unknown[0]))
    problems: dict[str, str] = {}
    graded = 0
    for key, (score_text, comment_text) in entries.items():
        submission, student = by_id[key]["submission"], by_id[key]["student"]
        score_text, comment = str(score_text or "").strip(), clean_line(comment_text or "")
        if not score_text and not comment:
            continue
        who = f"{student.student_code or student.id} · {student.full_name}"
        if submission.submitted_at is None:
            problems[key] = _("%(w)s: chưa nộp bài nên chưa chấm được.", w=who)
            continue
        if not score_text:
            problems[key] = _("%(w)s: hãy nhập điểm cùng với nhận xét.", w=who)
            continue
        try:
            score = parse_score(score_text, assignment.max_score)
        except ValidationFailed as exc:
            problems[key] = f"{who}: {exc.message}"
            continue
        changes = audit.diff(submission, {"score": score, "comment": comment})
        if changes:
            audit.record(actor, "homework.grade", submission, changes)
            graded += 1
    if problems:
        raise ValidationFailed(
            _(
                "Chưa lưu điểm nào: %(n)s dòng cần sửa (tô đỏ trong bảng). %(first)s",
                n=len(problems),
                first=next(iter(problems.values())),
            ),
            details={"rows": problems},
        )
    returned = _return_graded(actor, assignment, rows) if then_return else 0
    db.session.commit()
    return {"graded": graded, "returned": returned}


def _return_graded(actor: User, assignment, rows: list[dict]) -> int:
    now, returned = now_utc(), []
    for row in rows:
        submission = row["submission"]
        if submission and submission.score is not None and submission.returned_at is None:
            submission.returned_at = now
            returned.append(submission)
    audit.record(actor, "homework.return_all", assignment, {"returned": [None, len(returned)]})
    homework_notices.feedback_returned(returned)
    return len(returned)
