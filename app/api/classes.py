"""GET /api/v1/classes: the school's classes."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.services import school

PREFIX = "/classes"
blp = Blueprint("api_classes", __name__, description="Lớp học")


class ClassQuery(schemas.PageArgs):
    q = fields.String(load_default="")


ClassPage = schemas.page_of(schemas.SchoolClass, "ClassPage")


@blp.route("")
class ClassesResource(MethodView):
    @authenticated("roster:read")
    @blp.arguments(ClassQuery, location="query")
    @blp.response(200, ClassPage)
    @blp.alt_response(403, schema=schemas.Error)
    def get(self, args):
        """Các lớp của trường (mọi năm học, mới nhất trước)."""
        return school.list_classes(
            actor(), query=args["q"], page=args["page"], per_page=args["per_page"]
        )
