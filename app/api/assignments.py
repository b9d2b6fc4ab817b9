"""Homework API (the mobile-app surface): to-do, submissions, setting and grading homework."""

from __future__ import annotations

import io

from flask import request, send_file
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import fields

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.core.errors import BadInput
from app.services import homework, homework_files
from app.web.downloads import safe_name

PREFIX = ""
blp = Blueprint("api_assignments", __name__, description="Bài tập về nhà")


class Assignment(schemas.Schema):
    id = fields.Integer()
    course_id = fields.Integer()
    title = fields.String()
    instructions_html = fields.String()
    opens_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime()
    late_policy = fields.String()
    late_penalty_percent = fields.Integer()
    submission_type = fields.String()
    # Sent as a string ("10.00", exact); documented so, not as the JSON number it is not.
    max_score = fields.Decimal(as_string=True, metadata={"type": "string", "example": "10.00"})
    gradebook_column = fields.String()
    attachments = fields.Method(
        "_attachments",
        metadata={"description": "[{id, filename, size_bytes, url}] tệp giáo viên đính kèm"},
    )

    def _attachments(self, assignment) -> list[dict]:
        return [
            {
                "id": f.id,
                "filename": f.filename,
                "size_bytes": f.size_bytes,
                "url": f"/api/v1/attachments/{f.id}",
            }
            for f in homework_files.attachments(assignment.id)
        ]


class AssignmentIn(schemas.Schema):
    title = fields.String(required=True)
    instructions = fields.String(load_default="")
    opens_at = fields.String(load_default=None, metadata={"description": "ISO 8601"})
    due_at = fields.String(
        required=True, metadata={"description": "ISO 8601; không có múi giờ: giờ Việt Nam"}
    )
    late_policy = fields.String(load_default="flag")
    late_penalty_percent = fields.Integer(load_default=0)
    submission_type = fields.String(load_default="both")
    max_score = fields.String(load_default="10")
    gradebook_column = fields.String(load_default="tx")


class FileOut(schemas.Schema):
    id = fields.Integer()
    filename = fields.String()
    size_bytes = fields.Integer()


class Submission(schemas.Schema):
    id = fields.Integer()
    assignment_id = fields.Integer()
    student_code = fields.Function(lambda s: s.student.student_code)
    student_name = fields.Function(lambda s: s.student.full_name)
    text_html = fields.String()
    submitted_at = fields.AwareDateTime(allow_none=True)
    is_late = fields.Boolean()
    score = fields.Decimal(as_string=True, allow_none=True)
    comment = fields.String()
    returned_at = fields.AwareDateTime(allow_none=True)
    files = fields.List(fields.Nested(FileOut))


class TodoItem(schemas.Schema):
    state = fields.String(metadata={"description": "due_soon|open|overdue|submitted|returned"})
    assignment = fields.Nested(Assignment)
    score = fields.Function(
        lambda i: (
            str(i["submission"].score)
            if i["state"] == "returned" and i["submission"].score is not None
            else None
        )
    )
    comment = fields.Function(
        lambda i: i["submission"].comment if i["state"] == "returned" else None
    )


class RosterRow(schemas.Schema):
    student_code = fields.Function(lambda r: r["student"].student_code)
    full_name = fields.Function(lambda r: r["student"].full_name)
    status = fields.String(metadata={"description": "submitted|late|missing"})
    submission = fields.Nested(Submission, allow_none=True)


class GradeIn(schemas.Schema):
    score = fields.Raw(required=True, metadata={"description": 'số, hoặc chuỗi như "8,5"'})
    comment = fields.String(load_default="")


TodoPage = schemas.page_of(TodoItem, "TodoPage")
RosterPage = schemas.page_of(RosterRow, "SubmissionPage")


def _page(items: list, args: dict) -> dict:
    start = (args["page"] - 1) * args["per_page"]
    return {
        "items": items[start : start + args["per_page"]],
        "page": args["page"],
        "per_page": args["per_page"],
        "total": len(items),
    }


@blp.route("/todo")
class TodoResource(MethodView):
    @authenticated()
    @blp.arguments(schemas.PageArgs, location="query")
    @blp.response(200, TodoPage)
    def get(self, args):
        """Bài tập của học sinh trên mọi môn: sắp đến hạn, quá hạn, đã nộp, đã trả."""
        return _page(homework.todo(actor()), args)


@blp.route("/courses/<int:course_id>/assignments")
class CourseAssignmentsResource(MethodView):
    @authenticated()
    @blp.arguments(AssignmentIn)
    @blp.response(201, Assignment)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    @blp.alt_response(422, schema=schemas.Error)
    def post(self, data, course_id: int):
        """Giáo viên giao bài tập cho một môn học."""
        return homework.create_assignment(actor(), course_id, data)


@blp.route("/assignments/<int:assignment_id>/submissions")
class SubmissionsResource(MethodView):
    @authenticated()
    @blp.arguments(schemas.PageArgs, location="query")
    @blp.response(200, RosterPage)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    def get(self, args, assignment_id: int):
        """Bảng bài nộp (giáo viên): mọi học sinh của lớp với trạng thái."""
        _assignment, rows, _counts = homework.roster(actor(), assignment_id)
        return _page(rows, args)

    @authenticated()
    @blp.doc(
        requestBody={
            "content": {
                "application/json": {
                    "schema": {"type": "object", "properties": {"text": {"type": "string"}}}
                },
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "text": {"type": "string"},
                            "files": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            },
                        },
                    }
                },
            }
        }
    )
    @blp.response(201, Submission)
    @blp.alt_response(404, schema=schemas.Error)
    @blp.alt_response(409, schema=schemas.Error)
    @blp.alt_response(413, schema=schemas.Error)
    @blp.alt_response(422, schema=schemas.Error)
    def post(self, assignment_id: int):
        """Học sinh nộp (hoặc nộp lại) bài: chữ và/hoặc tệp (multipart, trường files)."""
        if request.mimetype == "multipart/form-data":
            text = request.form.get("text", "")
            files = []
            for upload in request.files.getlist("files"):
                try:
                    files.append((upload.filename or "", upload.read()))
                finally:
                    upload.close()
        else:
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                raise BadInput(_("Gửi JSON có trường text, hoặc multipart/form-data."))
            text, files = str(body.get("text") or ""), []
        return homework.submit(actor(), assignment_id, text, files)


@blp.route("/submissions/<int:submission_id>/grade")
class GradeResource(MethodView):
    @authenticated()
    @blp.arguments(GradeIn)
    @blp.response(200, Submission)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    @blp.alt_response(422, schema=schemas.Error)
    def put(self, data, submission_id: int):
        """Giáo viên chấm điểm và nhận xét một bài nộp."""
        return homework.grade(actor(), submission_id, data["score"], data["comment"])


@blp.route("/attachments/<int:file_id>")
class AttachmentResource(MethodView):
    @authenticated()
    @blp.response(200, content_type="application/octet-stream")
    @blp.alt_response(404, schema=schemas.Error)
    def get(self, file_id: int):
        """Tải tệp giáo viên đính kèm bài tập (học sinh của lớp, giáo viên của môn)."""
        row, data = homework_files.get_attachment(actor(), file_id)
        response = send_file(
            io.BytesIO(data),
            mimetype=row.mime_type,
            as_attachment=True,
            download_name=safe_name(row.filename),
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
