"""Question banks for teachers: GET /api/v1/banks and GET /api/v1/banks/{id}/questions."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from app.api import schemas
from app.api.auth_context import actor, authenticated
from app.services import question_bank_access, questions

PREFIX = "/banks"
blp = Blueprint("api_banks", __name__, description="Ngân hàng câu hỏi (giáo viên)")


class Bank(schemas.Schema):
    id = fields.Integer()
    name = fields.String()
    subject = fields.String()
    grade = fields.Integer(allow_none=True)


class BankList(schemas.Schema):
    items = fields.List(fields.Nested(Bank), required=True)


class QuestionQuery(schemas.PageArgs):
    q = fields.String(load_default="")
    level = fields.String(load_default=None)
    type = fields.String(load_default=None)


class QuestionItem(schemas.Schema):
    id = fields.Integer()
    type = fields.String()
    level = fields.String(allow_none=True)
    points = fields.Decimal(as_string=True)
    category = fields.Function(lambda q: q.category.path if q.category else None)
    version = fields.Integer(attribute="current_version")
    content = fields.Function(
        lambda q: q.versions[-1].content, metadata={"description": "Nội dung đầy đủ, kèm đáp án"}
    )


QuestionPage = schemas.page_of(QuestionItem, "QuestionPage")


@blp.route("")
class BanksResource(MethodView):
    @authenticated()
    @blp.response(200, BankList)
    @blp.alt_response(403, schema=schemas.Error)
    def get(self):
        """Các ngân hàng câu hỏi của trường."""
        return {"items": question_bank_access.list_banks(actor())}


@blp.route("/<int:bank_id>/questions")
class BankQuestionsResource(MethodView):
    @authenticated()
    @blp.arguments(QuestionQuery, location="query")
    @blp.response(200, QuestionPage)
    @blp.alt_response(403, schema=schemas.Error)
    @blp.alt_response(404, schema=schemas.Error)
    def get(self, args, bank_id: int):
        """Câu hỏi của một ngân hàng, kèm đáp án (chỉ giáo viên và quản trị)."""
        filters = questions.QuestionFilter(query=args["q"], level=args["level"], qtype=args["type"])
        return questions.list_questions(actor(), bank_id, filters, args["page"], args["per_page"])
