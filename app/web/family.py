"""Pages for parents about their children."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from app.models import Role
from app.services import family, gradebook_release
from app.web.guards import roles_required

bp = Blueprint("family", __name__, url_prefix="/children")


@bp.get("/<student_code>")
@roles_required(Role.PARENT)
def child(student_code: str):
    return render_template(
        "family/child.html",
        overview=family.child_overview(current_user, student_code),
        scores=gradebook_release.child_scores(current_user, student_code),
    )
