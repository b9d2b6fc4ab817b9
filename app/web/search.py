"""The search page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.models import Role
from app.services.search import search as run_search
from app.web.guards import roles_required

bp = Blueprint("search", __name__)


@bp.get("/search")
@roles_required(Role.TEACHER, Role.ADMIN, Role.SYSTEM_ADMIN)
def search():
    return render_template(
        "search.html", results=run_search(current_user, request.args.get("q", ""))
    )
