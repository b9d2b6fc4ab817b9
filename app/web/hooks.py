"""Request plumbing shared by pages and API: security headers, sessions, CSRF, error pages."""

from __future__ import annotations

from flask import Flask, abort, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app.core.errors import DomainError
from app.core.request_context import client_ip
from app.extensions import csrf, db, login_manager
from app.models import User
from app.services import identity
from app.web.i18n import register_filters

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self' ws: wss:; media-src 'self' blob:; object-src 'none'; "
    "frame-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
)
ERROR_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "bad_request",
    422: "invalid",
    429: "rate_limited",
}


def is_api_request() -> bool:
    return request.path.startswith(("/api/", "/ims/"))


def _has_bearer() -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def _has_nul() -> bool:
    if "%00" in request.query_string.decode("latin-1").lower() or "\x00" in request.path:
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return any("\x00" in value for value in request.form.values())
    if request.is_json:
        return "\x00" in request.get_data(as_text=True) or "\\u0000" in request.get_data(
            as_text=True
        )
    return False


def register_hooks(app: Flask) -> None:
    register_filters(app)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        return identity.user_for_session(session_id)

    @login_manager.unauthorized_handler
    def unauthorized():
        if is_api_request():
            return api_error(401, "not_authenticated", _("Cần đăng nhập."))
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def before():
        client_ip.set(request.remote_addr)
        if _has_nul():
            # PostgreSQL refuses NUL in text and SQLite's LIKE stops at it (a search for "a\0"
            # matched everything): refuse it at the door, for every page and API call.
            abort(400, description=_("Dữ liệu gửi lên có ký tự không hợp lệ (NUL)."))
        limit = request.max_content_length
        if limit is not None and (request.content_length or 0) > limit:
            # Refuse an announced oversize body before anything reads (or spools) it.
            raise RequestEntityTooLarge()
        # Cookie sessions need CSRF protection; bearer-token API calls carry no ambient
        # credentials, and the token sign-in itself has none to forge. An API call with no
        # credentials at all has nothing to forge either: it gets the API's 401, not a 400.
        if request.method not in ("GET", "HEAD", "OPTIONS") and not (
            is_api_request()
            and (
                _has_bearer()
                or request.path == "/api/v1/auth/token"
                or not current_user.is_authenticated
            )
        ):
            csrf.protect()

    @app.teardown_request
    def forget_caller(_exc):
        # `g` outlives a request when an app context was already pushed (CLI, tests, workers);
        # the caller must never leak into the next request handled in that context.
        for name in ("_login_user", "actor", "api_token", "csrf_token", "_flask_babel"):
            g.pop(name, None)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(), microphone=(self), camera=(self)"
        )
        return response

    _register_errors(app)


def api_error(status: int, code: str, message: str, details: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return jsonify(body), status


def _register_errors(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()  # nothing half-written survives a refused action
        if is_api_request():
            response = api_error(exc.status, exc.code, exc.message, exc.details)
            retry_after = getattr(exc, "retry_after", None)
            if retry_after is not None:
                response[0].headers["Retry-After"] = str(retry_after)
            return response
        return render_template(
            "error.html", status=exc.status, message=exc.message, details=exc.details
        ), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        message = _(
            "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang và thử lại."
        )
        if is_api_request():
            return api_error(400, "csrf_failed", message)
        return render_template("error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        message = _http_message(status, exc)
        if is_api_request():
            data = getattr(exc, "data", None) or {}
            details = {"errors": data["messages"]} if "messages" in data else None
            response = api_error(status, ERROR_CODES.get(status, "error"), message, details)
        else:
            response = render_template("error.html", status=status, message=message), status
        return response

    @app.errorhandler(DBAPIError)
    def database_error(exc: DBAPIError):
        if not (exc.connection_invalidated or _cannot_connect(exc)):
            return unexpected(exc)
        # The database went away under a pooled connection (a restart, a fail-over), or refuses
        # new ones while it is down: nothing was written; the client retries (Retry-After).
        # Nothing here may reach the database again: the message is translated before the
        # rollback expires the signed-in user (whose language it needs), and the page falls
        # back to plain text if rendering it needs the database.
        app.logger.warning("Database unavailable: %s", exc.orig)
        fallback = "Mất kết nối tới cơ sở dữ liệu; thao tác chưa được lưu. Đang kết nối lại…"
        try:
            message = _("Mất kết nối tới cơ sở dữ liệu; thao tác chưa được lưu. Đang kết nối lại…")
        except SQLAlchemyError:  # the user's language could not be loaded: the school's own
            message = fallback
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session.close()
        if is_api_request():
            response = api_error(503, "database_unavailable", message)
        else:
            try:
                response = render_template("error.html", status=503, message=message), 503
            except SQLAlchemyError:
                db.session.close()
                response = message, 503, {"Content-Type": "text/plain; charset=utf-8"}
        response = app.make_response(response)
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("Unhandled error")
        db.session.rollback()
        message = _("Đã có lỗi ngoài ý muốn; thao tác chưa được lưu. Hãy thử lại sau.")
        if is_api_request():
            return api_error(500, "server_error", message)
        return render_template("error.html", status=500, message=message), 500


def _cannot_connect(exc: DBAPIError) -> bool:
    """A new connection to the database failed (down, restarting, refusing connections):
    SQLAlchemy raises it with no statement, before anything was sent."""
    return isinstance(exc, OperationalError) and exc.statement is None


def _http_message(status: int, exc: HTTPException) -> str:
    messages = {
        400: _("Yêu cầu không hợp lệ."),
        401: _("Cần đăng nhập."),
        403: _("Bạn không có quyền truy cập trang này."),
        404: _("Không tìm thấy trang hoặc bản ghi."),
        405: _("Phương thức không được hỗ trợ."),
        413: _("Tệp hoặc dữ liệu gửi lên quá lớn (tối đa %(mb)s MB).", mb=_max_mb()),
        422: _("Dữ liệu không hợp lệ."),
        429: _("Bạn thao tác quá nhanh. Hãy chờ một lát rồi thử lại."),
    }
    return messages.get(status, exc.description or _("Lỗi."))


def _max_mb() -> int:
    from flask import current_app

    return (current_app.config.get("MAX_CONTENT_LENGTH") or 0) >> 20
