"""Timetable API: lessons per class and per course, timetabling, and the register of a lesson."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.core.clock import to_local
from app.models import ATTENDANCE_STATUSES
from app.services import attendance, timetable, timetable_views

PREFIX = ""
blp = Blueprint("api_timetable", __name__, description="Thời khoá biểu và điểm danh")


class Slot(schemas.Schema):
    id = fields.Integer()
    class_id = fields.Integer()
    course_id = fields.Integer()
    course_title = fields.Function(lambda s: s.course.title)
    lesson_id = fields.Integer(allow_none=True)
    lesson_title = fields.Function(lambda s: s.lesson.title if s.lesson else None, allow_none=True)
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    local_date = fields.Function(lambda s: to_local(s.starts_at).date().isoformat())
    local_start = fields.Function(lambda s: to_local(s.starts_at).strftime("%H:%M"))
    local_end = fields.Function(lambda s: to_local(s.ends_at).strftime("%H:%M"))
    topic = fields.String()
    meeting_url = fields.String(allow_none=True)
    series_key = fields.String(allow_none=True)
    is_cancelled = fields.Boolean()
    attendance_taken_at = fields.AwareDateTime(allow_none=True)


class SlotEdit(schemas.Schema):
    date = fields.String(required=True, metadata={"description": "YYYY-MM-DD, giờ Việt Nam"})
    start = fields.String(required=True, metadata={"description": "HH:MM, giờ Việt Nam"})
    end = fields.String(required=True, metadata={"description": "HH:MM, sau start"})
    lesson_id = fields.Integer(load_default=None, allow_none=True)
    topic = fields.String(load_default="")
    meeting_url = fields.String(load_default=None, allow_none=True)


class SlotIn(SlotEdit):
    repeat_until = fields.String(
        load_default=None, metadata={"description": "YYYY-MM-DD: lặp hằng tuần đến ngày này"}
    )


class WindowArgs(schemas.PageArgs):
    start = fields.String(
        data_key="from", load_default=None, metadata={"description": "YYYY-MM-DD"}
    )
    end = fields.String(data_key="to", load_default=None, metadata={"description": "YYYY-MM-DD"})


class CancelIn(schemas.Schema):
    reason = fields.String(load_default="")


class SlotList(schemas.Schema):
    items = fields.List(fields.Nested(Slot), required=True)


class AttendanceRow(schemas.Schema):
    student_id = fields.Function(lambda r: r["student"].id)
    student_code = fields.Function(lambda r: r["student"].student_code)
    full_name = fields.Function(lambda r: r["student"].full_name)
    status = fields.String(metadata={"description": "present|late|excused|unexcused"})
    note = fields.String()
    source = fields.String(allow_none=True, metadata={"description": "manual|live, null: chưa lưu"})


class Register(schemas.Schema):
    slot = fields.Nested(Slot)
    is_taken = fields.Boolean()
    items = fields.List(fields.Nested(AttendanceRow))


class AttendanceEntry(schemas.Schema):
    student_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_STATUSES))
    note = fields.String(load_default="")


class AttendanceIn(schemas.Schema):
    entries = fields.List(fields.Nested(AttendanceEntry), required=True)


class AttendanceResult(schemas.Schema):
    saved = fields.Integer()
    changed = fields.Integer()
    kept_manual = fields.List(fields.Integer())


class AttendanceCounts(schemas.Schema):
    present = fields.Integer()
    late = fields.Integer()
    excused = fields.Integer()
    unexcused = fields.Integer()


class SummaryRow(schemas.Schema):
    student_id = fields.Function(lambda r: r["student"].id)
    student_code = fields.Function(lambda r: r["student"].student_code)
    full_name = fields.Function(lambda r: r["student"].full_name)
    counts = fields.Nested(AttendanceCounts)


SlotPage = schemas.page_of(Slot, "SlotPage")
SummaryPage = schemas.page_of(SummaryRow, "AttendanceSummaryPage")
ERRORS = (403, 404, 409, 422)


def _errors(*codes):
    def decorator(view):
        for code in codes:
            view = blp.alt_response(code, schema=schemas.Error)(view)
        return view

    return decorator


@blp.route("/classes/<int:class_id>/timetable")
class ClassTimetable(MethodView):
    @authenticated()
    @blp.arguments(WindowArgs, location="query")
    @blp.response(200, SlotPage)
    @_errors(403, 404, 422)
    def get(self, args, class_id: int):
        """Các tiết học trực tuyến của một lớp từ ngày `from` đến ngày `to` (mặc định 7 ngày)."""
        first, last = timetable_views.window(args["start"], args["end"])
        return timetable_views.class_timetable(
            actor(), class_id, first, last, args["page"], args["per_page"]
        )


@blp.route("/courses/<int:course_id>/timetable")
class CourseTimetable(MethodView):
    @authenticated()
    @blp.arguments(WindowArgs, location="query")
    @blp.response(200, SlotPage)
    @_errors(403, 404, 422)
    def get(self, args, course_id: int):
        """Các tiết học của một môn (tất cả, hoặc từ `from` đến `to`)."""
        first = last = None
        if args["start"] or args["end"]:
            first, last = timetable_views.window(args["start"], args["end"])
        return timetable_views.course_timetable(
            actor(), course_id, first, last, args["page"], args["per_page"]
        )

    @authenticated()
    @blp.arguments(SlotIn)
    @blp.response(201, SlotList)
    @_errors(*ERRORS)
    def post(self, data, course_id: int):
        """Xếp một tiết (hoặc lặp hằng tuần đến `repeat_until`); trùng giờ của lớp: 409."""
        return {"items": timetable.create_slots(actor(), course_id, data)}


@blp.route("/timetable/<int:slot_id>")
class SlotResource(MethodView):
    @authenticated()
    @blp.response(200, Slot)
    @_errors(403, 404)
    def get(self, slot_id: int):
        """Một tiết học (id ổn định: phòng học trực tuyến gắn vào id này)."""
        slot = timetable.get_slot(actor(), slot_id)
        timetable_views.viewable_course(actor(), slot.course_id)
        return slot

    @authenticated()
    @blp.arguments(SlotEdit)
    @blp.response(200, Slot)
    @_errors(*ERRORS)
    def put(self, data, slot_id: int):
        """Sửa giờ, bài học, nội dung hoặc liên kết của một tiết."""
        return timetable.update_slot(actor(), slot_id, data)


@blp.route("/timetable/<int:slot_id>/cancel")
class SlotCancel(MethodView):
    @authenticated()
    @blp.arguments(CancelIn)
    @blp.response(200, Slot)
    @_errors(403, 404, 409)
    def post(self, data, slot_id: int):
        """Huỷ một tiết (vẫn giữ trong hồ sơ, có đánh dấu)."""
        return timetable.cancel_slot(actor(), slot_id, data["reason"])


@blp.route("/timetable/<int:slot_id>/attendance")
class SlotAttendance(MethodView):
    @authenticated()
    @blp.response(200, Register)
    @_errors(403, 404)
    def get(self, slot_id: int):
        """Sổ điểm danh của một tiết (chưa lưu: mọi học sinh có mặt)."""
        slot, rows = attendance.register(actor(), slot_id)
        return {"slot": slot, "is_taken": slot.attendance_taken_at is not None, "items": rows}

    @authenticated()
    @blp.arguments(AttendanceIn)
    @blp.response(200, AttendanceResult)
    @_errors(*ERRORS)
    def put(self, data, slot_id: int):
        """Lưu điểm danh (giáo viên nhập tay); học sinh không gửi: có mặt ở lần lưu đầu."""
        slot = timetable.get_slot(actor(), slot_id)
        entries = {
            e["student_id"]: {"status": e["status"], "note": e["note"]} for e in data["entries"]
        }
        return attendance.record_attendance(slot, actor(), entries, source="manual")


@blp.route("/courses/<int:course_id>/attendance")
class CourseAttendance(MethodView):
    @authenticated()
    @blp.arguments(schemas.PageArgs, location="query")
    @blp.response(200, SummaryPage)
    @_errors(403, 404)
    def get(self, args, course_id: int):
        """Tổng hợp điểm danh của môn: số tiết theo từng trạng thái cho mỗi học sinh."""
        rows = attendance.course_summary(actor(), course_id)
        start = (args["page"] - 1) * args["per_page"]
        return {
            "items": rows[start : start + args["per_page"]],
            "page": args["page"],
            "per_page": args["per_page"],
            "total": len(rows),
        }
