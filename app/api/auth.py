"""POST /api/v1/auth/token: a bearer token for a username and password."""

from __future__ import annotations

from typing import ClassVar

from flask import current_app
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.api.schemas import Error
from app.core.errors import Forbidden, NotAuthenticated
from app.extensions import limiter
from app.services import identity, two_factor

PREFIX = "/auth"
blp = Blueprint("api_auth", __name__, description="Đăng nhập và mã truy cập")


class Credentials(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    otp = fields.String(
        load_default="",
        validate=validate.Length(max=40),
        metadata={"description": "mã xác thực hai lớp (hoặc mã khôi phục) khi tài khoản đã bật"},
    )


class Token(Schema):
    token = fields.String(required=True)
    expires_at = fields.AwareDateTime(required=True)


@blp.route("/token")
class TokenResource(MethodView):
    decorators: ClassVar[list] = [limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])]

    @blp.arguments(Credentials)
    @blp.response(200, Token)
    @blp.alt_response(401, schema=Error, description="Sai tên đăng nhập hoặc mật khẩu")
    @blp.alt_response(403, schema=Error, description="Tài khoản đã bị khoá")
    @blp.alt_response(429, schema=Error, description="Quá nhiều lần thử")
    def post(self, body):
        """Đổi tên đăng nhập + mật khẩu lấy mã truy cập (Bearer)."""
        user = identity.authenticate(body["username"], body["password"])
        if two_factor.must_enrol(user):
            raise Forbidden(
                _("Trường yêu cầu xác thực hai lớp: hãy thiết lập trên trang web trước."),
                code="two_factor_setup_required",
            )
        if two_factor.is_enabled(user) and not two_factor.verify(user, body["otp"]):
            raise NotAuthenticated(
                _("Cần mã xác thực hai lớp đúng (trường otp)."), code="two_factor_required"
            )
        issued = identity.issue_session_token(user, current_app.config["API_TOKEN_HOURS"])
        return {"token": issued.token, "expires_at": issued.expires_at}
