"""What leaves the homework area for the school's records: every hand-in as one zip, and the
returned scores written into the gradebook's regular-assessment column."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import ValidationFailed
from app.extensions import db
from app.models import Assignment, Submission, User
from app.services import audit
from app.services.homework import effective_score, roster
from app.services.uploads import read_blob, safe_filename


def submissions_zip(actor: User, assignment_id: object) -> tuple[str, bytes]:
    """All handed-in work as one zip, a folder per student named "code - full name"."""
    assignment, rows, _counts = roster(actor, assignment_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for row in rows:
            submission = row["submission"]
            if submission is None or submission.submitted_at is None:
                continue
            student = row["student"]
            folder = safe_filename(f"{student.student_code or student.id} - {student.full_name}")
            if submission.text_html:
                archive.writestr(f"{folder}/bai_lam.html", submission.text_html)
            for n, item in enumerate(submission.files, start=1):
                archive.writestr(
                    f"{folder}/{n}_{item.filename}", read_blob(item.school_id, item.sha256)
                )
    return safe_filename(f"{assignment.title}.zip"), buffer.getvalue()


def returned_scores(course_id: int) -> list[dict]:
    """For the gradebook: returned scores of the course's `tx` homework, out of 10.

    Each item: {"student_id", "assignment_id", "score" (Decimal on a 10-point scale)}."""
    stmt = (
        select(Submission, Assignment)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(
            Assignment.course_id == course_id,
            Assignment.gradebook_column == "tx",
            Submission.returned_at.is_not(None),
            Submission.score.is_not(None),
        )
        .order_by(Assignment.due_at, Submission.student_id)
    )
    return [
        {
            "student_id": s.student_id,
            "assignment_id": a.id,
            "score": (effective_score(s, a) * 10 / a.max_score).quantize(Decimal("0.01")),
        }
        for s, a in db.session.execute(stmt)
    ]


def feed_gradebook(actor: User, assignment_id: object, reason: str = "") -> int:
    """Write this homework's returned scores (out of 10, late penalty applied) into the
    gradebook's ĐĐGtx, one transaction; the homework keeps its column when fed again.
    Raises ValidationFailed when the homework feeds no column, Conflict when locked."""
    from app.services import gradebook

    assignment, _rows, _counts = roster(actor, assignment_id)
    if assignment.gradebook_column != "tx":
        raise ValidationFailed(_("Bài tập này không ghi vào sổ điểm."), code="no_column")
    scores = [
        (row["student_id"], row["score"])
        for row in returned_scores(assignment.course_id)
        if row["assignment_id"] == assignment.id
    ]
    changed = gradebook.feed_scores(
        actor, assignment.course_id, scores, "tx", "homework", assignment.id, reason
    )
    audit.record(actor, "homework.feed_gradebook", assignment, {"cells": [None, changed]})
    db.session.commit()
    return changed
