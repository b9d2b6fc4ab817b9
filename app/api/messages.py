"""Parent-teacher messages API (the mobile app): threads, one thread with its messages,
start a thread, reply, close/reopen (the teacher)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.services import messaging

blp = Blueprint("api_messages", __name__, description="Tin nhắn phụ huynh – giáo viên")


class MessageOut(schemas.Schema):
    id = fields.Integer()
    author = fields.Function(lambda m: m.author.full_name if m.author else None)
    author_id = fields.Integer(allow_none=True)
    body = fields.String()
    created_at = fields.AwareDateTime()


class Thread(schemas.Schema):
    id = fields.Integer()
    subject = fields.String()
    teacher = fields.Function(lambda t: {"id": t.teacher_id, "full_name": t.teacher.full_name})
    parent = fields.Function(lambda t: {"id": t.parent_id, "full_name": t.parent.full_name})
    student = fields.Function(
        lambda t: {
            "id": t.student_id,
            "full_name": t.student.full_name,
            "student_code": t.student.student_code,
        }
    )
    is_closed = fields.Boolean()
    is_unread = fields.Function(lambda t: messaging.is_unread(actor(), t))
    last_message_at = fields.AwareDateTime()


class ThreadDetail(Thread):
    messages = fields.Function(lambda t: MessageOut(many=True).dump(t.loaded_messages))


class ThreadIn(schemas.Schema):
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=messaging.MAX_BODY))
    student_ids = fields.List(
        fields.Integer(),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "phụ huynh: đúng một con; giáo viên: các học sinh mình dạy"},
    )
    teacher_id = fields.Integer(
        load_default=None, metadata={"description": "phụ huynh: người nhận"}
    )


class ReplyIn(schemas.Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=messaging.MAX_BODY))


class StateIn(schemas.Schema):
    is_closed = fields.Boolean(required=True)


ThreadPage = schemas.page_of(Thread, "ThreadPage")


@blp.route("/messages")
class ThreadsResource(MethodView):
    @authenticated()
    @blp.arguments(schemas.PageArgs, location="query")
    @blp.response(200, ThreadPage)
    @blp.alt_response(403, schema=schemas.Error)
    def get(self, args):
        """Các cuộc trao đổi của người gọi (quản trị: của cả trường), mới nhất trước."""
        return messaging.listing(actor(), args["page"], args["per_page"])

    @authenticated()
    @blp.arguments(ThreadIn)
    @blp.response(201, ThreadPage)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    @blp.alt_response(422, schema=schemas.Error)
    def post(self, data):
        """Bắt đầu trao đổi: phụ huynh với một giáo viên của con; giáo viên với phụ huynh của
        các học sinh mình dạy (mỗi phụ huynh một cuộc)."""
        threads = messaging.start(
            actor(), data["student_ids"], data["teacher_id"], data["subject"], data["body"]
        )
        return {
            "items": threads,
            "page": 1,
            "per_page": len(threads),
            "total": len(threads),
        }


@blp.route("/messages/<int:thread_id>")
class ThreadResource(MethodView):
    @authenticated()
    @blp.response(200, ThreadDetail)
    @blp.alt_response(404, schema=schemas.Error)
    def get(self, thread_id: int):
        """Một cuộc trao đổi với các tin nhắn (được ghi là đã đọc)."""
        thread, items = messaging.open_thread(actor(), thread_id)
        thread.loaded_messages = items  # plain attribute for the response only
        return thread

    @authenticated()
    @blp.arguments(StateIn)
    @blp.response(200, Thread)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    def patch(self, data, thread_id: int):
        """Giáo viên đóng (is_closed: true) hoặc mở lại cuộc trao đổi."""
        return messaging.set_closed(actor(), thread_id, data["is_closed"])


@blp.route("/messages/<int:thread_id>/replies")
class RepliesResource(MethodView):
    @authenticated()
    @blp.arguments(ReplyIn)
    @blp.response(201, MessageOut)
    @blp.alt_response(404, schema=schemas.Error)
    @blp.alt_response(409, schema=schemas.Error)
    def post(self, data, thread_id: int):
        """Trả lời trong cuộc trao đổi (409 khi giáo viên đã đóng)."""
        return messaging.reply(actor(), thread_id, data["body"])
