"""GET /api/v1/children: a parent's linked children, and a child's progress (released scores)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.models import Role
from app.services.access import require_role
from app.services.gradebook_release import child_scores
from app.services.people import children_of

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


class ChildProgress(ScoreReport):
    scores = fields.List(
        fields.Nested(ReleasedSubject),
        metadata={"description": "Điểm đã công bố, theo môn (giống subjects)"},
    )


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
        """Kết quả học tập của con: điểm và trung bình môn đã được giáo viên công bố."""
        report = child_scores(actor(), student_code).as_dict()
        report["scores"] = report["subjects"]
        return report
