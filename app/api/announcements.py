"""Announcements API: the caller's announcements, publish one (teachers, admins), open one
(records the read receipt) and its read receipts (the author, admins)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.services import announcements

blp = Blueprint("api_announcements", __name__, description="Thông báo của trường, lớp")


class Announcement(schemas.Schema):
    id = fields.Integer()
    title = fields.String()
    body_html = fields.String(metadata={"description": "HTML đã được làm sạch (bleach)"})
    audience = fields.String(metadata={"description": "students|parents|both"})
    course_id = fields.Integer(allow_none=True)
    class_id = fields.Integer(allow_none=True, metadata={"description": "trống: toàn trường"})
    author = fields.Function(lambda a: a.author.full_name if a.author else None)
    is_pinned = fields.Boolean()
    expires_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()


class AnnouncementIn(schemas.Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body_html = fields.String(required=True)
    target = fields.String(
        required=True,
        validate=validate.OneOf(["school", "class", "course"]),
        metadata={"description": "school (quản trị), class hoặc course"},
    )
    target_id = fields.Integer(load_default=None, metadata={"description": "id lớp hoặc môn"})
    audience = fields.String(load_default="both", validate=validate.OneOf(announcements.AUDIENCES))
    is_pinned = fields.Boolean(load_default=False)
    expires_at = fields.AwareDateTime(load_default=None)


class ClassCount(schemas.Schema):
    class_ = fields.String(data_key="class", attribute="class")
    total = fields.Integer()
    read = fields.Integer()


class Unread(schemas.Schema):
    user_id = fields.Integer()
    full_name = fields.String()
    role = fields.String()
    student = fields.String(allow_none=True, metadata={"description": "con (với phụ huynh)"})
    class_ = fields.String(data_key="class", attribute="class")


class Receipts(schemas.Schema):
    announcement_id = fields.Integer()
    total = fields.Integer()
    read = fields.Integer()
    per_class = fields.List(fields.Nested(ClassCount))
    unread = fields.List(fields.Nested(Unread))


AnnouncementPage = schemas.page_of(Announcement, "AnnouncementPage")


@blp.route("/announcements")
class AnnouncementsResource(MethodView):
    @authenticated()
    @blp.arguments(schemas.PageArgs, location="query")
    @blp.response(200, AnnouncementPage)
    def get(self, args):
        """Thông báo người gọi nhận được hoặc đã viết: ghim trước, mới nhất trước."""
        return announcements.listing(actor(), args["page"], args["per_page"])

    @authenticated()
    @blp.arguments(AnnouncementIn)
    @blp.response(201, Announcement)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(422, schema=schemas.Error)
    def post(self, data):
        """Gửi thông báo (giáo viên: lớp/môn mình dạy; quản trị: toàn trường hoặc một lớp);
        người nhận được báo trong ứng dụng và qua thư."""
        return announcements.create(
            actor(),
            title=data["title"],
            body_html=data["body_html"],
            target_kind=data["target"],
            target_id=data["target_id"],
            audience=data["audience"],
            is_pinned=data["is_pinned"],
            expires_at=data["expires_at"],
        )


@blp.route("/announcements/<int:announcement_id>")
class AnnouncementResource(MethodView):
    @authenticated()
    @blp.response(200, Announcement)
    @blp.alt_response(404, schema=schemas.Error)
    def get(self, announcement_id: int):
        """Một thông báo; lần mở đầu tiên của người nhận được ghi là đã đọc."""
        return announcements.open_announcement(actor(), announcement_id)


@blp.route("/announcements/<int:announcement_id>/receipts")
class ReceiptsResource(MethodView):
    @authenticated()
    @blp.response(200, Receipts)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    def get(self, announcement_id: int):
        """Ai đã đọc: tổng số, theo lớp, danh sách chưa đọc (người gửi và quản trị)."""
        return announcements.receipts(actor(), announcement_id)
