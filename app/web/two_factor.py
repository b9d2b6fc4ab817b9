"""Two-factor pages: the second sign-in step, the setup page (QR code, recovery codes), turning
it off; and the rule that a school which requires it sends its teachers and admins to set up."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from app.core.errors import DomainError, Forbidden
from app.extensions import db, limiter
from app.models import User
from app.services import two_factor

bp = Blueprint("two_factor", __name__)
PENDING = "pending_2fa"
SETUP = "totp_setup"
PENDING_SECONDS = 300
# What a teacher or admin who must still set up a second factor may open.
_OPEN_WHILE_ENROLLING = {
    "two_factor.setup",
    "two_factor.enable",
    "auth.logout",
    "auth.language",
    "static",
    "home.favicon",
    "home.healthz",
}


def begin(user: User, remember: bool, next_path: str):
    """After a right password for an account with a second factor: a fresh session that only
    remembers who is half-way through signing in, and the code page."""
    session.clear()
    session[PENDING] = {
        "id": user.id,
        "v": user.session_version,
        "at": int(time.time()),
        "remember": remember,
        "next": next_path,
    }
    return redirect(url_for("two_factor.login"))


def _pending_user() -> tuple[User | None, dict]:
    pending = session.get(PENDING) or {}
    user = db.session.get(User, pending["id"]) if pending.get("id") else None
    fresh = time.time() - pending.get("at", 0) < PENDING_SECONDS
    if user is None or not fresh or user.session_version != pending.get("v"):
        return None, {}
    return user, pending


@bp.get("/login/two-factor")
def login():
    user, _pending = _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    return render_template("auth/two_factor_login.html")


@bp.post("/login/two-factor")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def login_post():
    from app.web.auth import safe_next

    user, pending = _pending_user()
    if user is None:
        flash(_("Phiên đăng nhập đã hết hạn; hãy đăng nhập lại."), "warning")
        return redirect(url_for("auth.login"))
    try:
        is_right = two_factor.verify(user, request.form.get("code", ""))
    except DomainError as exc:
        session.pop(PENDING, None)
        flash(exc.message, "danger")
        return render_template("auth/two_factor_login.html"), exc.status
    if not is_right:
        flash(_("Mã xác thực không đúng."), "danger")
        return render_template("auth/two_factor_login.html"), 401
    session.clear()  # a new session for the signed-in user: no fixation
    login_user(user, remember=bool(pending.get("remember")))
    return redirect(safe_next(pending.get("next")))


def _teachers_and_admins_only() -> None:
    if not two_factor.may_use(current_user):
        raise Forbidden(_("Chỉ giáo viên và quản trị viên dùng xác thực hai lớp."))


@bp.get("/account/two-factor")
@login_required
def setup():
    _teachers_and_admins_only()
    user = current_user._get_current_object()
    if two_factor.is_enabled(user):
        return render_template(
            "auth/two_factor.html", left=two_factor.recovery_codes_left(user), setup=None
        )
    secret = session.get(SETUP) or two_factor.new_secret()
    session[SETUP] = secret
    uri = two_factor.provisioning_uri(user, secret)
    info = {"secret": secret, "uri": uri, "qr": two_factor.qr_data_uri(uri)}
    return render_template("auth/two_factor.html", setup=info, required=two_factor.must_enrol(user))


@bp.post("/account/two-factor")
@login_required
def enable():
    _teachers_and_admins_only()
    secret = session.get(SETUP)
    if not secret:
        return redirect(url_for("two_factor.setup"))
    try:
        codes = two_factor.enable(current_user, secret, request.form.get("code", ""))
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("two_factor.setup")), 303
    session.pop(SETUP, None)
    return render_template("auth/recovery_codes.html", codes=codes)


@bp.post("/account/two-factor/disable")
@login_required
def disable():
    _teachers_and_admins_only()
    try:
        two_factor.disable_own(current_user, request.form.get("code", ""))
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("two_factor.setup")), 303
    flash(_("Đã tắt xác thực hai lớp."), "success")
    return redirect(url_for("two_factor.setup")), 303


@bp.before_app_request
def _enrol_first():
    """A school that requires a second factor: its teachers and admins set it up before
    anything else (API clients get their refusal at token sign-in)."""
    if (
        request.endpoint not in _OPEN_WHILE_ENROLLING
        and not request.path.startswith(("/api/", "/ims/", "/static/"))
        and current_user.is_authenticated
        and two_factor.must_enrol(current_user)
    ):
        flash(_("Trường yêu cầu xác thực hai lớp: hãy thiết lập trước khi tiếp tục."), "warning")
        return redirect(url_for("two_factor.setup"))
    return None
