"""Teacher reports on a SCORM package: per student rollup, interactions, XLSX, gradebook feed."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import select

from app.core.clock import to_local
from app.core.errors import ValidationFailed
from app.extensions import db
from app.models import ClassMembership, Course, ScormAttempt, ScormItem, ScormPackage, User
from app.services import audit
from app.services.elearning import editable_package


@dataclass
class StudentRow:
    student: User
    completion: str = "not attempted"
    success: str = "unknown"
    score10: Decimal | None = None
    seconds: int = 0
    attempts: int = 0
    last_access_at: datetime | None = None
    version_number: int | None = None
    latest: list[ScormAttempt] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def rollup(attempts: list[ScormAttempt], scos: list[ScormItem]) -> tuple[str, str, Decimal | None]:
    """Completion, success and 0..1 score of a package from the latest attempt of each SCO.

    Completed when every SCO is; failed when any SCO failed, passed when all passed; the score
    is the mean of the SCOs' scaled scores weighted by objectiveMeasureWeight (default 1)."""
    latest = {a.item_id: a for a in sorted(attempts, key=lambda a: a.id)}
    if not latest:
        return "not attempted", "unknown", None
    states = [latest.get(item.id) for item in scos] or list(latest.values())
    completion = (
        "completed"
        if all(a is not None and a.completion == "completed" for a in states)
        else "incomplete"
    )
    successes = [a.success for a in states if a is not None]
    success = (
        "failed"
        if "failed" in successes
        else "passed"
        if successes and len(successes) == len(states) and set(successes) == {"passed"}
        else "unknown"
    )
    weights = {item.id: item.weight if item.weight is not None else Decimal(1) for item in scos}
    scored = [a for a in states if a is not None and a.score_scaled is not None]
    total = sum((weights.get(a.item_id, Decimal(1)) for a in scored), Decimal(0))
    score = (
        sum((a.score_scaled * weights.get(a.item_id, Decimal(1)) for a in scored), Decimal(0))
        / total
        if scored and total > 0
        else None
    )
    return completion, success, score


def _score10(scaled: Decimal | None) -> Decimal | None:
    if scaled is None:
        return None
    return (scaled * 10).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def student_rows(package: ScormPackage) -> list[StudentRow]:
    """One row per student of the course's class (and anyone else who attempted it)."""
    course = db.session.get(Course, package.course_id)
    students = list(
        db.session.scalars(
            select(User)
            .join(ClassMembership, ClassMembership.student_id == User.id)
            .where(ClassMembership.class_id == course.class_id)
            .order_by(User.full_name, User.id)
        )
    )
    attempts = list(
        db.session.scalars(
            select(ScormAttempt)
            .where(ScormAttempt.package_id == package.id)
            .order_by(ScormAttempt.id)
        )
    )
    by_student: dict[int, list[ScormAttempt]] = {}
    for attempt in attempts:
        by_student.setdefault(attempt.student_id, []).append(attempt)
    rows = []
    for student in students:
        mine = by_student.get(student.id, [])
        row = StudentRow(student=student)
        if mine:
            version = mine[-1].version
            on_version = [a for a in mine if a.version_id == version.id]
            scos = [i for i in version.items if i.launch_url]
            row.completion, row.success, scaled = rollup(on_version, scos)
            row.score10 = _score10(scaled)
            row.seconds = sum(a.total_seconds for a in mine)
            row.attempts = len(mine)
            row.last_access_at = max(a.last_access_at for a in mine)
            row.version_number = version.number
            row.latest = list({a.item_id: a for a in on_version}.values())
            row.notes = [note for a in mine for note in (a.notes or [])]
        rows.append(row)
    return rows


def report(actor: User, package_id: object) -> tuple[ScormPackage, list[StudentRow]]:
    """The teacher's report. Raises NotFound, Forbidden."""
    package = editable_package(actor, package_id)
    return package, student_rows(package)


def attempt_detail(actor: User, package_id: object, attempt_id: object) -> ScormAttempt:
    package = editable_package(actor, package_id)
    attempt = db.session.get(ScormAttempt, int(attempt_id)) if str(attempt_id).isdigit() else None
    if attempt is None or attempt.package_id != package.id:
        from app.core.errors import NotFound

        raise NotFound(_("Không tìm thấy lượt học."))
    return attempt


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def export_xlsx(actor: User, package_id: object) -> tuple[bytes, str]:
    """Two sheets: one row per student; one row per interaction answer."""
    package, rows = report(actor, package_id)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Học sinh")
    sheet.append(
        [
            _("Mã học sinh"),
            _("Họ và tên"),
            _("Hoàn thành"),
            _("Kết quả"),
            _("Điểm (thang 10)"),
            _("Thời gian"),
            _("Số lượt"),
            _("Truy cập gần nhất"),
            _("Phiên bản"),
        ]
    )
    for row in rows:
        sheet.append(
            [
                row.student.student_code,
                row.student.full_name,
                row.completion,
                row.success,
                float(row.score10) if row.score10 is not None else None,
                _duration(row.seconds),
                row.attempts,
                to_local(row.last_access_at).strftime("%d/%m/%Y %H:%M")
                if row.last_access_at
                else "",
                row.version_number,
            ]
        )
    answers = book.create_sheet(_("Câu trả lời"))
    answers.append(
        [
            _("Mã học sinh"),
            _("Mục"),
            _("Lượt"),
            _("Câu hỏi"),
            _("Loại"),
            _("Trả lời"),
            _("Đáp án đúng"),
            _("Kết quả"),
        ]
    )
    for row in rows:
        for attempt in row.latest:
            for inter in attempt.interactions:
                answers.append(
                    [
                        row.student.student_code,
                        attempt.item.title,
                        attempt.number,
                        inter.identifier,
                        inter.kind,
                        inter.learner_response,
                        inter.correct_response,
                        inter.result,
                    ]
                )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), f"scorm-{package.id}.xlsx"


def feed_gradebook(actor: User, package_id: object, reason: str = "") -> int:
    """Write each student's package score (out of 10; 10 for a completed package that reports
    no score) into the package's gradebook column. One transaction; returns cells changed.
    Raises ValidationFailed (no column chosen), Conflict (locked semester)."""
    from app.services import gradebook

    package, rows = report(actor, package_id)
    if package.gradebook_column == "none":
        raise ValidationFailed(_("Gói SCORM này chưa chọn cột sổ điểm."), code="no_column")
    scores = []
    for row in rows:
        if row.score10 is not None:
            scores.append((row.student.id, row.score10))
        elif row.completion == "completed":
            scores.append((row.student.id, Decimal(10)))
    changed = gradebook.feed_scores(
        actor, package.course_id, scores, package.gradebook_column, "scorm", package.id, reason
    )
    audit.record(actor, "scorm.feed_gradebook", package, {"cells": [None, changed]})
    db.session.commit()
    return changed
