"""GET /api/v1/children: a parent's linked children, a child's progress (released scores,
homework, attendance, exam results) and the JSON export of everything the parent can see."""

from __future__ import annotations

import re

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.models import Role
from app.services.access import require_role
from app.services.people import children_of
from app.services.progress_records import child_export, progress_summary
from app.web.downloads import content_disposition

PREFIX = "/children"
blp = Blueprint("api_children", __name__, description="Con của phụ huynh")


class ChildList(schemas.Schema):
    items = schemas.fields.List(schemas.fields.Nested(schemas.User), required=True)


class ReleasedSemester(schemas.Schema):
    semester = fields.Integer()
    released = fields.Boolean(metadata={"description": "Giáo viên đã công bố điểm học kỳ này"})
    tx = fields.List(fields.String(allow_none=True))
    gk = fields.String(allow_none=True)
    ck = fields.String(allow_none=True)
    average = fields.String(allow_none=True, metadata={"description": "ĐTBmhk khi đủ điểm"})
    result = fields.String(
        allow_none=True, metadata={"description": "dat / chua_dat; tiểu học: T / H / C"}
    )
    status = fields.String(allow_none=True, metadata={"description": "complete / incomplete"})


class ReleasedSubject(schemas.Schema):
    course_id = fields.Integer()
    subject = fields.String()
    assessment = fields.String()
    teacher = fields.String()
    semesters = fields.List(fields.Nested(ReleasedSemester))


class ScoreReport(schemas.Schema):
    student_code = fields.String()
    full_name = fields.String()
    class_name = fields.String(data_key="class", attribute="class", allow_none=True)
    school_year = fields.String(allow_none=True)
    subjects = fields.List(fields.Nested(ReleasedSubject))


class FamilyHomeworkStatus(schemas.Schema):
    assignment_id = fields.Integer()
    title = fields.String()
    subject = fields.String()
    due_at = fields.DateTime()
    state = fields.String(metadata={"description": "due / missing / submitted / late / returned"})
    submitted_at = fields.DateTime(allow_none=True)
    score = fields.String(allow_none=True, metadata={"description": "Khi giáo viên đã trả bài"})
    max_score = fields.String(allow_none=True)
    comment = fields.String(allow_none=True, metadata={"description": "Nhận xét của giáo viên"})


class FamilyHomeworkSummary(schemas.Schema):
    due = fields.Integer()
    missing = fields.Integer()
    late = fields.Integer()
    completion_rate = fields.Integer(
        allow_none=True, metadata={"description": "% bài đã đến hạn (hoặc đã nộp) được nộp"}
    )
    items = fields.List(fields.Nested(FamilyHomeworkStatus))


class FamilyAttendanceCounts(schemas.Schema):
    present = fields.Integer()
    late = fields.Integer()
    excused = fields.Integer()
    unexcused = fields.Integer()


class FamilyAttendanceEntry(schemas.Schema):
    starts_at = fields.DateTime()
    subject = fields.String()
    status = fields.String(metadata={"description": "present / late / excused / unexcused"})
    note = fields.String()


class FamilyWeekAttendance(schemas.Schema):
    lessons = fields.Integer()
    attended = fields.Integer()
    late = fields.Integer()
    absent = fields.Integer()
    not_taken = fields.Integer()


class FamilyAttendanceSummary(schemas.Schema):
    counts = fields.Nested(FamilyAttendanceCounts)
    this_week = fields.Nested(FamilyWeekAttendance)
    records = fields.List(fields.Nested(FamilyAttendanceEntry))


class FamilyExamResult(schemas.Schema):
    exam_id = fields.Integer()
    attempt_id = fields.Integer()
    title = fields.String()
    subject = fields.String()
    number = fields.Integer()
    submitted_at = fields.DateTime(allow_none=True)
    released = fields.Boolean(metadata={"description": "Bài kiểm tra đã công bố kết quả"})
    score = fields.String(allow_none=True)
    max_score = fields.String(allow_none=True)
    score10 = fields.String(allow_none=True, metadata={"description": "Điểm thang 10"})
    review = fields.String(
        allow_none=True, metadata={"description": "score / answers / keys / explanations"}
    )


class FamilyUpcomingExam(schemas.Schema):
    exam_id = fields.Integer(attribute="id")
    title = fields.String()
    subject = fields.String(attribute="course.subject.name")
    opens_at = fields.DateTime()
    closes_at = fields.DateTime(allow_none=True)
    duration_minutes = fields.Integer()


class ChildProgress(ScoreReport):
    scores = fields.List(
        fields.Nested(ReleasedSubject),
        metadata={"description": "Điểm đã công bố, theo môn (giống subjects)"},
    )
    homework = fields.Nested(FamilyHomeworkSummary)
    attendance = fields.Nested(FamilyAttendanceSummary)
    exams = fields.List(
        fields.Nested(FamilyExamResult),
        metadata={"description": "Bài đã nộp; điểm chỉ khi công bố"},
    )
    upcoming_exams = fields.List(fields.Nested(FamilyUpcomingExam))


class ChildExport(schemas.Schema):
    """The family's copy of the child's data (format lophoc.family-export.v1)."""

    format = fields.String()
    exported_at = fields.String()
    student = fields.Dict()
    scores = fields.List(fields.Dict())
    homework = fields.List(fields.Dict())
    homework_completion_rate = fields.Integer(allow_none=True)
    attendance = fields.Dict()
    class_averages = fields.List(fields.Dict())
    exams = fields.List(fields.Dict())
    upcoming_exams = fields.List(fields.Dict())


@blp.route("")
class ChildrenResource(MethodView):
    @authenticated()
    @blp.response(200, ChildList)
    @blp.alt_response(403, schema=schemas.Error)
    def get(self):
        """Các con được liên kết với phụ huynh đang gọi API."""
        require_role(actor(), Role.PARENT)
        return {"items": children_of(actor())}


@blp.route("/<student_code>/progress")
class ChildProgressResource(MethodView):
    @authenticated()
    @blp.response(200, ChildProgress)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    def get(self, student_code: str):
        """Kết quả học tập của con: điểm và trung bình môn đã được giáo viên công bố, bài tập
        về nhà, chuyên cần, kết quả bài kiểm tra đã công bố và bài kiểm tra sắp tới."""
        return progress_document(actor(), student_code)


@blp.route("/<student_code>/export")
class ChildExportResource(MethodView):
    @authenticated()
    @blp.response(200, ChildExport)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    def get(self, student_code: str):
        """Bản sao dữ liệu của con (JSON): mọi thứ phụ huynh xem được, để tải về."""
        require_role(actor(), Role.PARENT)
        document = child_export(actor(), student_code)
        filename = "lophoc-" + re.sub(r"[^A-Za-z0-9_-]", "_", student_code) + ".json"
        return document, 200, {"Content-Disposition": content_disposition(filename)}


def progress_document(user, student_code: str | None) -> dict:
    """The progress answer for a parent's child or (student_code None) the calling student."""
    if student_code is not None:
        require_role(user, Role.PARENT)
    return progress_summary(user, student_code)
