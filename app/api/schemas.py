"""Marshmallow schemas shared by API resources (validation and the OpenAPI document)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.core.pagination import MAX_PAGE, MAX_PER_PAGE


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict()


class Error(Schema):
    error = fields.Nested(ErrorBody, required=True)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class PageMeta(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


def page_of(item_schema: type[Schema], name: str) -> type[Schema]:
    """A `{"items": [...], "page", "per_page", "total"}` schema for `item_schema`."""
    return type(
        name, (PageMeta,), {"items": fields.List(fields.Nested(item_schema), required=True)}
    )


class School(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class User(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    role = fields.String()
    student_code = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    is_active = fields.Boolean()
    school_code = fields.Function(lambda u: u.school.code if u.school else None, allow_none=True)


class Me(User):
    language = fields.String()
    school = fields.Nested(School, allow_none=True)
    last_login_at = fields.AwareDateTime(allow_none=True)
    children = fields.List(fields.Nested(User))


class SchoolClass(Schema):
    id = fields.Integer()
    name = fields.String()
    grade = fields.Integer()
    school_year = fields.Function(lambda c: c.school_year.name)
    homeroom_teacher_id = fields.Integer(allow_none=True)
    is_active = fields.Boolean()


class Course(Schema):
    id = fields.Integer()
    title = fields.String()
    class_id = fields.Integer()
    class_name = fields.Function(lambda c: c.school_class.name)
    subject = fields.Function(lambda c: c.subject.name)
    teacher = fields.Function(lambda c: c.teacher.full_name)
    school_year = fields.Function(lambda c: c.school_class.school_year.name)
