"""GET /api/v1/children: a parent's linked children."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.models import Role
from app.services.access import require_role
from app.services.people import children_of

PREFIX = "/children"
blp = Blueprint("api_children", __name__, description="Con của phụ huynh")


class ChildList(schemas.Schema):
    items = schemas.fields.List(schemas.fields.Nested(schemas.User), required=True)


@blp.route("")
class ChildrenResource(MethodView):
    @authenticated()
    @blp.response(200, ChildList)
    @blp.alt_response(403, schema=schemas.Error)
    def get(self):
        """Các con được liên kết với phụ huynh đang gọi API."""
        require_role(actor(), Role.PARENT)
        return {"items": children_of(actor())}
