"""GET /api/v1/users: the school's people (admins, or tokens with roster:read)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.services import people

PREFIX = "/users"
blp = Blueprint("api_users", __name__, description="Người dùng của trường")


class UserQuery(schemas.PageArgs):
    q = fields.String(load_default="")
    role = fields.String(load_default=None)


UserPage = schemas.page_of(schemas.User, "UserPage")


@blp.route("")
class UsersResource(MethodView):
    @authenticated("roster:read")
    @blp.arguments(UserQuery, location="query")
    @blp.response(200, UserPage)
    @blp.alt_response(403, schema=schemas.Error)
    def get(self, args):
        """Danh sách người dùng, tìm không cần dấu (`q`), lọc theo vai trò, phân trang."""
        return people.list_users(
            actor(),
            query=args["q"],
            role=args["role"],
            page=args["page"],
            per_page=args["per_page"],
        )
