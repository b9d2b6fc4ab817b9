"""Pages for parents about their children: the detail behind each home card, the progress
page per subject; the JSON copy of the child's data is GET /api/v1/children/{code}/export."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.models import Role
from app.services import progress_pages
from app.web.guards import roles_required

bp = Blueprint("family", __name__, url_prefix="/children")


@bp.get("/<student_code>")
@roles_required(Role.PARENT)
def child(student_code: str):
    return render_template(
        "family/child.html",
        view=progress_pages.student_overview(current_user, student_code, request.args.get("month")),
        code=student_code,
    )


@bp.get("/<student_code>/subjects/<int:course_id>")
@roles_required(Role.PARENT)
def subject(student_code: str, course_id: int):
    return render_template(
        "family/subject.html",
        view=progress_pages.subject_progress(
            current_user, student_code, course_id, request.args.get("month")
        ),
        code=student_code,
    )
