"""Exams over /api/v1: students take them (start, save, submit, events); teachers create them
and read results. The exam page in the browser makes exactly these calls."""

from __future__ import annotations

from datetime import datetime

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.api import schemas
from app.api.auth_context import actor, authenticated, authenticated_caller, single_statement
from app.core.errors import ValidationFailed
from app.core.request_context import client_ip
from app.services import exam_answers, exam_attempts, exam_results, exam_start, exams

PREFIX = ""
blp = Blueprint("api_exams", __name__, description="Bài kiểm tra trên máy tính")


class ExamItem(schemas.Schema):
    id = fields.Integer()
    title = fields.String()
    course_id = fields.Integer()
    opens_at = fields.AwareDateTime()
    closes_at = fields.AwareDateTime(allow_none=True)
    duration_minutes = fields.Integer()
    max_attempts = fields.Integer()
    access_code_required = fields.Boolean()
    is_published = fields.Boolean()
    question_count = fields.Function(lambda e: len([q for q in e.questions if not q.is_dropped]))
    max_points = fields.Decimal(as_string=True)


class ExamList(schemas.Schema):
    items = fields.List(fields.Nested(ExamItem), required=True)


START_CODE_MAX = 100


class StartArgs(schemas.Schema):
    access_code = fields.String(load_default=None, validate=validate.Length(max=START_CODE_MAX))


class AttemptView(schemas.Schema):
    id = fields.Integer(required=True)
    exam_id = fields.Integer()
    title = fields.String()
    status = fields.String()
    started_at = fields.AwareDateTime()
    deadline = fields.AwareDateTime()
    server_now = fields.AwareDateTime()
    seconds_left = fields.Integer()
    paused = fields.Boolean()
    offline_accepted = fields.Boolean()
    variant_code = fields.Integer(allow_none=True)
    fullscreen = fields.Boolean()
    navigation = fields.String()
    one_per_page = fields.Boolean()
    questions = fields.List(fields.Dict(), metadata={"description": "Không bao giờ có đáp án"})
    answers = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True))
    seqs = fields.Dict(keys=fields.String(), values=fields.Integer())
    result = fields.Dict()


ANSWER_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["answer", "seq"],
                "properties": {
                    "answer": {"description": "Mã phương án, danh sách, số hoặc văn bản"},
                    "seq": {"type": "integer", "minimum": 0, "maximum": 2**62},
                },
            }
        }
    },
}


class Saved(schemas.Schema):
    saved = fields.Boolean(required=True)
    seq = fields.Integer(required=True)


class Result(schemas.Schema):
    id = fields.Integer()
    status = fields.String()
    submitted_at = fields.AwareDateTime(allow_none=True)
    released = fields.Boolean()
    score = fields.String(allow_none=True)
    max_score = fields.String(allow_none=True)
    score10 = fields.String(allow_none=True)
    needs_grading = fields.Boolean(allow_none=True)


class EventArgs(schemas.Schema):
    kind = fields.String(required=True, validate=validate.Length(max=32))
    detail = fields.Dict(load_default=dict)


class BlueprintLine(schemas.Schema):
    category = fields.String(load_default="")
    level = fields.String(load_default=None, allow_none=True)
    type = fields.String(load_default=None, allow_none=True)
    count = fields.Integer(required=True)
    points = fields.Raw(load_default=None, allow_none=True)


class ExamCreate(schemas.Schema):
    title = fields.String(required=True)
    bank_id = fields.Integer(load_default=None, allow_none=True)
    blueprint = fields.List(fields.Nested(BlueprintLine), load_default=None, allow_none=True)
    question_ids = fields.List(fields.Integer(), load_default=None, allow_none=True)
    duration_minutes = fields.Integer(load_default=45)
    opens_at = fields.String(load_default=None, allow_none=True)
    closes_at = fields.String(load_default=None, allow_none=True)
    max_attempts = fields.Integer(load_default=1)
    attempt_policy = fields.String(load_default="best")
    shuffle_questions = fields.Boolean(load_default=True)
    shuffle_options = fields.Boolean(load_default=True)
    one_per_page = fields.Boolean(load_default=False)
    navigation = fields.String(load_default="free")
    access_code = fields.String(load_default="")
    allowed_ips = fields.String(load_default="")
    release = fields.String(load_default="after_close")
    review = fields.String(load_default="score")
    gradebook_column = fields.String(load_default="none")
    score_decimals = fields.Integer(load_default=2)
    published = fields.Boolean(load_default=False)
    variant_count = fields.Integer(
        load_default=0,
        metadata={"description": "Số mã đề cố định (101, 102, ...); 0: mỗi em một đề"},
    )
    fullscreen = fields.Boolean(load_default=False)


class ResultRow(schemas.Schema):
    student_code = fields.String(allow_none=True)
    full_name = fields.String()
    attempts = fields.Integer()
    status = fields.String()
    score = fields.String(allow_none=True)
    score10 = fields.String(allow_none=True)
    needs_grading = fields.Boolean()


class Results(schemas.Schema):
    exam = fields.Nested(ExamItem)
    rows = fields.List(fields.Nested(ResultRow))
    histogram = fields.List(fields.Integer())
    summary = fields.Dict()
    items = fields.List(fields.Dict())


ERRORS = (403, 404, 409, 422)


def _alt(view):
    for status in ERRORS:
        view = blp.alt_response(status, schema=schemas.Error)(view)
    return view


@blp.route("/exams")
class ExamsResource(MethodView):
    @authenticated()
    @blp.response(200, ExamList)
    def get(self):
        """Bài kiểm tra đang mở (hoặc sắp mở) cho học sinh gọi."""
        return {"items": exams.exams_open_to(actor())}


@blp.route("/exams/<int:exam_id>/attempts")
class StartResource(MethodView):
    # A school starts at the same minute: as for the save below, webargs + marshmallow cost
    # more CPU than the start's own work, so the plain body is read and the reply built by hand;
    # the schemas document both and still refuse any other body, worded as always.
    @authenticated_caller
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": StartArgs}}})
    @blp.alt_response(201, schema=AttemptView, success=True)
    @blp.alt_response(200, schema=AttemptView, description="Bài làm đang dở")
    @blp.alt_response(503, schema=schemas.Error, description="Hàng đợi vào phòng thi đầy")
    @_alt
    def post(self, exam_id: int):
        """Bắt đầu (hoặc tiếp tục) bài làm; biến thể đề cố định từ lúc bắt đầu."""
        attempt, created = exam_start.start_attempt(
            actor(),
            exam_id,
            access_code=_access_code(),
            ip=client_ip.get() or "",
            session_key=request.headers.get("X-Exam-Session", ""),
        )
        view = exam_attempts.attempt_view(attempt, new=created)
        return _dumped(view), 201 if created else 200


def _access_code() -> str | None:
    """StartArgs' access_code: a JSON object with at most a short access code (what the exam
    page sends) is taken as it is; any other body goes through the schema, which refuses it."""
    body = blp.ARGUMENTS_PARSER.load_json(request, StartArgs)
    if isinstance(body, dict) and body.keys() <= {"access_code"}:
        code = body.get("access_code")
        if code is None or (isinstance(code, str) and len(code) <= START_CODE_MAX):
            return code
    return blp.ARGUMENTS_PARSER.parse(StartArgs, request, location="json")["access_code"]


def _dumped(view: dict) -> dict:
    """AttemptView's dump of attempt_view(), whose other values are already plain JSON."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in view.items()}


@blp.route("/attempts/<int:attempt_id>")
class AttemptResource(MethodView):
    @authenticated()
    @blp.response(200, AttemptView)
    @_alt
    def get(self, attempt_id: int):
        """Trạng thái, câu trả lời đã lưu và số giây còn lại (theo đồng hồ máy chủ)."""
        return exam_attempts.attempt_view(exam_attempts.get_attempt(actor(), attempt_id))


@blp.route("/attempts/<int:attempt_id>/answers/<int:question_id>")
class AnswerResource(MethodView):
    # The hot path of an exam: the body is read by hand and the reply is a plain dict, since
    # webargs + marshmallow cost more CPU than the save itself; the schemas only document it.
    @single_statement
    @authenticated_caller
    @blp.doc(requestBody=ANSWER_BODY)
    @blp.alt_response(200, schema=Saved, success=True)
    @blp.alt_response(413, schema=schemas.Error)
    @_alt
    def put(self, attempt_id: int, question_id: int):
        """Lưu một câu trả lời; 200 chỉ sau khi đã ghi bền vững. seq nhỏ hơn bị bỏ qua."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or "answer" not in body or "seq" not in body:
            raise ValidationFailed(_("Cần gửi JSON có answer và seq."), code="invalid_body")
        if len(body) > 2:  # a field that does not belong (school_id, role...): as the schemas do
            extra = sorted(set(body) - {"answer", "seq"})
            raise ValidationFailed(
                _("Cần gửi JSON có answer và seq."),
                details={"errors": {"json": {key: ["Unknown field."] for key in extra}}},
            )
        return exam_answers.save_answer(
            actor(),
            attempt_id,
            question_id,
            body["answer"],
            body["seq"],
            ip=client_ip.get() or "",
        )


@blp.route("/attempts/<int:attempt_id>/submit")
class SubmitResource(MethodView):
    @authenticated()
    @blp.response(200, Result)
    @_alt
    def post(self, attempt_id: int):
        """Nộp bài (gọi lại cho cùng kết quả)."""
        return exam_attempts.submit(actor(), attempt_id)


@blp.route("/attempts/<int:attempt_id>/events")
class EventResource(MethodView):
    @authenticated()
    @blp.arguments(EventArgs)
    @blp.response(204)
    @_alt
    def post(self, args, attempt_id: int):
        """Ghi sự kiện giám sát (rời cửa sổ, sao chép, dán…)."""
        exam_attempts.record_event(
            actor(), attempt_id, args["kind"], args["detail"], ip=client_ip.get() or ""
        )


@blp.route("/courses/<int:course_id>/exams")
class CourseExamsResource(MethodView):
    @authenticated()
    @blp.response(200, ExamList)
    @_alt
    def get(self, course_id: int):
        """Bài kiểm tra của một lớp học phần (giáo viên)."""
        return {"items": exams.exams_of_course(actor(), course_id)}

    @authenticated()
    @blp.arguments(ExamCreate)
    @blp.response(201, ExamItem)
    @_alt
    def post(self, args, course_id: int):
        """Tạo bài kiểm tra từ ma trận đề (blueprint) hoặc danh sách câu hỏi."""
        if args.get("blueprint") is None:
            args.pop("blueprint", None)
        return exams.create_exam(actor(), course_id, args)


@blp.route("/exams/<int:exam_id>/results")
class ResultsResource(MethodView):
    @authenticated()
    @blp.response(200, Results)
    @_alt
    def get(self, exam_id: int):
        """Kết quả cả lớp, phổ điểm và phân tích câu hỏi (giáo viên)."""
        return exam_results.results(actor(), exam_id)


class GradeArgs(schemas.Schema):
    points = fields.Raw(required=True, metadata={"description": 'Số hoặc chuỗi, "8,5" cũng được'})
    comment = fields.String(load_default="")


@blp.route("/attempts/<int:attempt_id>/responses/<int:question_id>/grade")
class GradeResource(MethodView):
    @authenticated()
    @blp.arguments(GradeArgs)
    @blp.response(200, Result)
    @_alt
    def put(self, args, attempt_id: int, question_id: int):
        """Giáo viên chấm câu tự luận; bài làm được tính lại điểm."""
        from app.services import exam_scoring

        attempt = exam_scoring.grade_response(
            actor(), attempt_id, question_id, args["points"], args["comment"]
        )
        return exam_scoring.result_for_staff(attempt)
