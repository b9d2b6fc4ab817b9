"""Live sessions API: start (teachers), end, attendance and its confirmation, session log."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app import models
from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.extensions import db
from app.services import live, live_presence

PREFIX = ""
blp = Blueprint("api_live", __name__, description="Lớp học trực tuyến")


class LiveSession(schemas.Schema):
    id = fields.Integer()
    course_id = fields.Integer()
    teacher_id = fields.Integer()
    timetable_slot_id = fields.Integer(allow_none=True)
    title = fields.String()
    started_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime(allow_none=True)
    attendance_confirmed_at = fields.AwareDateTime(allow_none=True)
    room_url = fields.Function(lambda s: url_for("live.room", session_id=s.id))
    socket_namespace = fields.Constant("/live")


class LiveSessionIn(schemas.Schema):
    timetable_slot_id = fields.Raw(
        load_default=None, metadata={"description": "mã tiết trong thời khoá biểu (tuỳ chọn)"}
    )


class AttendanceItem(schemas.Schema):
    student_id = fields.Function(lambda r: r.student.id)
    student_code = fields.Function(lambda r: r.student.student_code)
    full_name = fields.Function(lambda r: r.student.full_name)
    first_join_at = fields.AwareDateTime(allow_none=True)
    last_leave_at = fields.AwareDateTime(allow_none=True)
    minutes_present = fields.Integer()
    status = fields.String(metadata={"description": "present|late|absent"})
    is_confirmed = fields.Boolean()


class RegisterResult(schemas.Schema):
    slot_id = fields.Integer()
    saved = fields.Integer()
    changed = fields.Integer()
    kept_manual = fields.List(
        fields.Integer(),
        metadata={"description": "học sinh được điểm danh tay trong sổ, giữ nguyên"},
    )


class Attendance(schemas.Schema):
    session_id = fields.Integer()
    timetable_slot_id = fields.Integer(allow_none=True)
    is_confirmed = fields.Boolean()
    items = fields.List(fields.Nested(AttendanceItem))
    register = fields.Nested(
        RegisterResult,
        allow_none=True,
        metadata={"description": "kết quả ghi vào sổ điểm danh của tiết (khi xác nhận)"},
    )


class LiveAttendanceIn(schemas.Schema):
    statuses = fields.Dict(
        keys=fields.String(),
        values=fields.String(validate=validate.OneOf(live_presence.STATUSES)),
        load_default=dict,
        metadata={"description": "{mã học sinh (id): present|late|absent} để sửa trước khi lưu"},
    )
    replace_manual = fields.Boolean(
        load_default=False,
        metadata={"description": "ghi đè cả những học sinh đã được điểm danh tay trong sổ"},
    )


class LogItem(schemas.Schema):
    at = fields.AwareDateTime()
    kind = fields.String()
    user_id = fields.Integer(allow_none=True)
    user_name = fields.Function(lambda e: e.user.full_name if e.user else None)
    data = fields.Dict()


class SessionLog(schemas.Schema):
    session_id = fields.Integer()
    items = fields.List(fields.Nested(LogItem))


def _attendance(session_id: int, rows, register: dict | None = None) -> dict:
    session = db.session.get(models.LiveSession, session_id)
    return {
        "session_id": session_id,
        "timetable_slot_id": session.timetable_slot_id if session else None,
        "is_confirmed": bool(rows) and all(r.is_confirmed for r in rows),
        "items": rows,
        "register": register,
    }


@blp.route("/courses/<int:course_id>/live-sessions")
class CourseLiveSessions(MethodView):
    @authenticated()
    @blp.arguments(LiveSessionIn)
    @blp.response(201, LiveSession)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    @blp.alt_response(409, schema=schemas.Error)
    @blp.alt_response(422, schema=schemas.Error)
    def post(self, data, course_id: int):
        """Giáo viên mở lớp học trực tuyến ngay (có thể gắn với một tiết của thời khoá biểu)."""
        return live.start_session(actor(), course_id, data["timetable_slot_id"])


@blp.route("/live-sessions/<int:session_id>")
class LiveSessionResource(MethodView):
    @authenticated()
    @blp.response(200, LiveSession)
    @blp.alt_response(404, schema=schemas.Error)
    def get(self, session_id: int):
        """Một buổi học trực tuyến (giáo viên và học sinh của lớp)."""
        return live.get_session(actor(), session_id)


@blp.route("/live-sessions/<int:session_id>/end")
class EndLiveSession(MethodView):
    @authenticated()
    @blp.response(200, LiveSession)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    def post(self, session_id: int):
        """Giáo viên kết thúc buổi học; mọi người trong phòng được báo."""
        from app.live.room import broadcast_session_ended

        session = live.end_session(actor(), session_id)
        broadcast_session_ended(session.id)
        return session


@blp.route("/live-sessions/<int:session_id>/attendance")
class LiveAttendance(MethodView):
    @authenticated()
    @blp.response(200, Attendance)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    def get(self, session_id: int):
        """Điểm danh: giờ vào đầu tiên, giờ ra cuối cùng, số phút có mặt, trạng thái."""
        return _attendance(session_id, live_presence.attendance(actor(), session_id))

    @authenticated()
    @blp.arguments(LiveAttendanceIn)
    @blp.response(200, Attendance)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    @blp.alt_response(409, schema=schemas.Error)
    @blp.alt_response(422, schema=schemas.Error)
    def put(self, data, session_id: int):
        """Giáo viên xác nhận bảng điểm danh (sau khi kết thúc), có thể sửa trạng thái."""
        done = live_presence.confirm_attendance(
            actor(), session_id, data["statuses"], data["replace_manual"]
        )
        return _attendance(session_id, done.rows, done.register)


@blp.route("/live-sessions/<int:session_id>/log")
class LiveLog(MethodView):
    @authenticated()
    @blp.response(200, SessionLog)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    def get(self, session_id: int):
        """Nhật ký buổi học (vào, ra, câu hỏi nhanh, bảng, xác nhận điểm danh)."""
        return {"session_id": session_id, "items": live.session_log(actor(), session_id)}
