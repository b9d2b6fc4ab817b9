"""Notifications API (the mobile app): the caller's notices, unread count, mark read."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.services import notifications

PREFIX = "/notifications"
blp = Blueprint("api_notifications", __name__, description="Thông báo")


class Notification(schemas.Schema):
    id = fields.Integer()
    kind = fields.String(
        metadata={
            "description": "homework_new|homework_due|feedback|material_review|material_decision"
        }
    )
    title = fields.String()
    body = fields.String()
    link = fields.String(metadata={"description": "đường dẫn trong ứng dụng, ví dụ /homework/5"})
    created_at = fields.AwareDateTime()
    read_at = fields.AwareDateTime(allow_none=True)


class NotificationPage(schemas.PageMeta):
    items = fields.List(fields.Nested(Notification), required=True)
    unread = fields.Integer(required=True)


class ReadAll(schemas.Schema):
    marked = fields.Integer()


@blp.route("")
class NotificationsResource(MethodView):
    @authenticated()
    @blp.arguments(schemas.PageArgs, location="query")
    @blp.response(200, NotificationPage)
    def get(self, args):
        """Thông báo của người gọi, mới nhất trước, kèm số chưa đọc."""
        page = notifications.for_user(actor(), args["page"], args["per_page"])
        return {
            "items": page.items,
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
            "unread": notifications.unread_count(actor()),
        }


@blp.route("/<int:notification_id>/read")
class ReadResource(MethodView):
    @authenticated()
    @blp.response(200, Notification)
    @blp.alt_response(404, schema=schemas.Error)
    def post(self, notification_id: int):
        """Đánh dấu một thông báo của mình là đã đọc."""
        return notifications.mark_read(actor(), notification_id)


@blp.route("/read-all")
class ReadAllResource(MethodView):
    @authenticated()
    @blp.response(200, ReadAll)
    def post(self):
        """Đánh dấu mọi thông báo của mình là đã đọc."""
        return {"marked": notifications.mark_all_read(actor())}
