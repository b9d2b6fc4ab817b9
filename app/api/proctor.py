"""Proctoring over /api/v1: the live view's snapshot, a proctor's action on one attempt, and
the upload of answers a device kept offline once a proctor accepted them. Pushes go over
Socket.IO (/proctor, /exam); these calls are what the pages and other clients act with."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.core.clock import now_utc
from app.core.request_context import client_ip
from app.services import exam_changes, exam_offline, exam_proctor

PREFIX = ""
blp = Blueprint("api_proctor", __name__, description="Giám thị phòng thi")


class ActionArgs(schemas.Schema):
    action = fields.String(required=True, validate=validate.OneOf(exam_proctor.ACTIONS))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))
    minutes = fields.Integer(load_default=None, allow_none=True)


class ActionResult(schemas.Schema):
    id = fields.Integer()
    status = fields.String()
    paused = fields.Boolean()
    deadline = fields.AwareDateTime()
    seconds_left = fields.Integer()
    offline_accepted = fields.Boolean()


class OfflineArgs(schemas.Schema):
    answers = fields.List(fields.Dict(), required=True, validate=validate.Length(max=500))


class Snapshot(schemas.Schema):
    exam_id = fields.Integer()
    title = fields.String()
    server_now = fields.String()
    question_count = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    rows = fields.List(fields.Dict())


class OfflineResult(schemas.Schema):
    accepted = fields.Integer()
    refused = fields.List(fields.Dict())


def _alt(view):
    for status in (403, 404, 409, 422):
        view = blp.alt_response(status, schema=schemas.Error)(view)
    return view


class ExamActionArgs(schemas.Schema):
    action = fields.String(required=True, validate=validate.OneOf(("extend",)))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))
    minutes = fields.Integer(required=True)


class ExamActionResult(schemas.Schema):
    extended = fields.Integer(metadata={"description": "Số bài đang làm được thêm giờ"})


@blp.route("/exams/<int:exam_id>/proctor")
class SnapshotResource(MethodView):
    @authenticated()
    @blp.response(200, Snapshot)
    @_alt
    def get(self, exam_id: int):
        """Ai đang làm, tiến độ, thời gian còn lại và sự kiện của từng học sinh."""
        return exam_proctor.snapshot(actor(), exam_id)

    @authenticated()
    @blp.arguments(ExamActionArgs)
    @blp.response(200, ExamActionResult)
    @_alt
    def post(self, args, exam_id: int):
        """Thêm giờ cho cả lớp (sự cố), có lý do; các trang đang mở nhận ngay."""
        moved = exam_changes.extend_time(actor(), exam_id, args["minutes"], args["reason"])
        return {"extended": moved}


@blp.route("/attempts/<int:attempt_id>/proctor")
class ActionResource(MethodView):
    @authenticated()
    @blp.arguments(ActionArgs)
    @blp.response(200, ActionResult)
    @_alt
    def post(self, args, attempt_id: int):
        """Tạm dừng, tiếp tục, thêm giờ, thu bài, mở lại, chuyển máy, nhận bài offline."""
        attempt = exam_proctor.act(
            actor(), attempt_id, args["action"], reason=args["reason"], minutes=args["minutes"]
        )
        now = now_utc()
        return {
            "id": attempt.id,
            "status": attempt.status,
            "paused": attempt.paused_at is not None,
            "deadline": attempt.deadline_at,
            "seconds_left": exam_proctor.seconds_left(attempt, now),
            "offline_accepted": bool(attempt.offline_until and attempt.offline_until > now),
        }


@blp.route("/attempts/<int:attempt_id>/offline-answers")
class OfflineResource(MethodView):
    @authenticated()
    @blp.arguments(OfflineArgs)
    @blp.response(200, OfflineResult)
    @_alt
    def post(self, args, attempt_id: int):
        """Gửi các câu trả lời máy lưu khi mất mạng (chỉ khi giám thị đã cho phép)."""
        return exam_offline.upload(actor(), attempt_id, args["answers"], ip=client_ip.get() or "")
