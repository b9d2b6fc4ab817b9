"""IMS OneRoster 1.2 read endpoints (rostering and gradebook), for OneRoster clients."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from app.api.auth_context import actor, authenticated
from app.core.errors import ValidationFailed
from app.services import oneroster

ROSTERING = "/ims/oneroster/rostering/v1p2"
GRADEBOOK = "/ims/oneroster/gradebook/v1p2"
bp = Blueprint("oneroster", __name__)
MAX_LIMIT = 1000


def _page(name: str, items: list[dict]):
    """OneRoster paging: ?limit=&offset=, the total in X-Total-Count."""
    try:
        limit = int(request.args.get("limit", 100))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        raise ValidationFailed(_("limit và offset phải là số nguyên.")) from None
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise ValidationFailed(_("limit từ 1 đến %(n)s, offset không âm.", n=MAX_LIMIT))
    response = jsonify({name: items[offset : offset + limit]})
    response.headers["X-Total-Count"] = str(len(items))
    return response


@bp.get(f"{ROSTERING}/users")
@authenticated("roster:read")
def users():
    return _page("users", oneroster.users(actor()))


@bp.get(f"{ROSTERING}/classes")
@authenticated("roster:read")
def classes():
    return _page("classes", oneroster.classes(actor()))


@bp.get(f"{ROSTERING}/enrollments")
@authenticated("roster:read")
def enrollments():
    return _page("enrollments", oneroster.enrollments(actor()))


@bp.get(f"{GRADEBOOK}/lineItems")
@authenticated("grades:read")
def line_items():
    return _page("lineItems", oneroster.line_items(actor()))


@bp.get(f"{GRADEBOOK}/results")
@authenticated("grades:read")
def results():
    return _page("results", oneroster.results(actor()))
