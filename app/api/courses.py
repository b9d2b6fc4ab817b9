"""GET /api/v1/courses: the caller's courses."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.services.school import courses_for

PREFIX = "/courses"
blp = Blueprint("api_courses", __name__, description="Môn học (lớp x môn x giáo viên x năm)")


class CourseList(schemas.Schema):
    items = schemas.fields.List(schemas.fields.Nested(schemas.Course), required=True)


@blp.route("")
class CoursesResource(MethodView):
    @authenticated()
    @blp.response(200, CourseList)
    def get(self):
        """Môn học của người gọi: dạy (giáo viên), học (học sinh), của con (phụ huynh)."""
        return {"items": courses_for(actor())}
