"""GET and PUT /api/v1/courses/{id}/gradebook: a course's scores per student code."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.services import gradebook, gradebook_views
from app.services.gradebook_values import display

PREFIX = "/courses"
blp = Blueprint("api_gradebook", __name__, description="Sổ điểm môn học (Thông tư 22/2021)")


def _cell(value):
    return value if isinstance(value, str) or value is None else display(value)


class GradebookRow(schemas.Schema):
    student_code = fields.Function(lambda r: r.student.student_code)
    full_name = fields.Function(lambda r: r.student.full_name)
    tx = fields.Function(
        lambda r: [_cell(v) for v in r.tx],
        metadata={"description": "ĐĐGtx theo thứ tự; điểm dạng chuỗi “8.5”, null là ô trống"},
    )
    gk = fields.Function(lambda r: _cell(r.gk))
    ck = fields.Function(lambda r: _cell(r.ck))
    average = fields.Function(
        lambda r: None if r.average is None else str(r.average),
        metadata={"description": "ĐTBmhk, null khi chưa đủ điểm"},
    )
    result = fields.String(
        allow_none=True, metadata={"description": "Môn nhận xét: dat | chua_dat"}
    )
    status = fields.String(metadata={"description": "complete | incomplete"})
    missing = fields.List(fields.String())


class Gradebook(schemas.Schema):
    course_id = fields.Function(lambda g: g.course.id)
    subject = fields.Function(lambda g: g.course.subject.name)
    class_name = fields.Function(lambda g: g.course.school_class.name)
    school_year = fields.Function(lambda g: g.course.school_class.school_year.name)
    semester = fields.Integer()
    assessment = fields.Function(
        lambda g: "primary" if g.is_primary else "comment" if g.is_comment else "score",
        metadata={"description": "score | comment | primary (TT 27: xl = T/H/C, gk/ck 1-10)"},
    )
    is_locked = fields.Boolean()
    required_tx = fields.Integer()
    items = fields.List(fields.Nested(GradebookRow), attribute="rows")


class SavedGradebook(Gradebook):
    changed = fields.Integer()


class GradebookQuery(schemas.Schema):
    semester = fields.String(load_default=None, metadata={"description": "1 hoặc 2"})


class EntryIn(schemas.Schema):
    student_code = fields.String(required=True)
    column = fields.String(required=True, metadata={"description": "tx1 … tx10, gk, ck"})
    score = fields.Raw(
        required=True,
        allow_none=True,
        metadata={"description": '8.5, "8,5", "Đạt"/"Chưa đạt", hoặc null để xoá'},
    )
    reason = fields.String(load_default="")


class GradebookSave(schemas.Schema):
    semester = fields.Raw(required=True, metadata={"description": "1 hoặc 2"})
    entries = fields.List(fields.Nested(EntryIn), required=True)


def _typed(score):
    # A JSON number is taken as typed: 8.55 is refused for its two decimals, not rounded.
    if isinstance(score, int | float) and not isinstance(score, bool):
        return str(score)
    return score


@blp.route("/<int:course_id>/gradebook")
class GradebookResource(MethodView):
    @authenticated()
    @blp.arguments(GradebookQuery, location="query")
    @blp.response(200, Gradebook)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    def get(self, args, course_id: int):
        """Điểm của môn học theo mã học sinh: ĐĐGtx, ĐĐGgk, ĐĐGck, ĐTBmhk và trạng thái."""
        course = gradebook_views.course_for_read(actor(), course_id)
        semester = args["semester"] or gradebook.current_semester(course.school_year_id)
        return gradebook_views.course_gradebook(actor(), course_id, semester)

    @authenticated()
    @blp.arguments(GradebookSave)
    @blp.response(200, SavedGradebook)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    @blp.alt_response(422, schema=schemas.Error)
    def put(self, body, course_id: int):
        """Nhập điểm (tất cả hoặc không gì cả); 422 nêu từng mục sai theo mã học sinh và cột."""
        entries = [
            gradebook.EntryInput(e["student_code"], e["column"], _typed(e["score"]), e["reason"])
            for e in body["entries"]
        ]
        changed = gradebook.save_entries(actor(), course_id, body["semester"], entries)
        result = gradebook_views.course_gradebook(actor(), course_id, body["semester"])
        result.changed = changed
        return result
