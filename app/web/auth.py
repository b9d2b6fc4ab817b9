"""Sign-in and sign-out, own password and language."""

from __future__ import annotations

from urllib.parse import urlsplit

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
from flask_login import current_user, login_required, login_user, logout_user

from app.core.errors import DomainError
from app.extensions import limiter
from app.services import identity, two_factor
from app.web.two_factor import begin as second_step

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect after sign-in would help phishing."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("home.index")


@bp.get("/login")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    return render_template("auth/login.html", next=request.args.get("next", ""))


@bp.post("/login")
@limiter.limit(_login_limit, methods=["POST"])
def login_post():
    username = request.form.get("username", "")
    try:
        user = identity.authenticate(username, request.form.get("password", ""))
    except DomainError as exc:
        flash(exc.message, "danger")
        return render_template(
            "auth/login.html", next=request.form.get("next", ""), username=username
        ), exc.status
    remember = bool(request.form.get("remember"))
    if two_factor.is_enabled(user):
        return second_step(user, remember, request.form.get("next", ""))
    session.clear()  # a fresh session on sign-in: no fixation
    login_user(user, remember=remember)
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    identity.log_out_everywhere(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("Đã đăng xuất trên mọi thiết bị."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/account/password")
@login_required
def password():
    return render_template("auth/password.html")


@bp.post("/account/password")
@login_required
def password_post():
    form = request.form
    if form.get("new_password") != form.get("confirm_password"):
        flash(_("Mật khẩu nhập lại không khớp."), "danger")
        return render_template("auth/password.html"), 422
    try:
        identity.change_password(
            current_user, form.get("current_password", ""), form.get("new_password", "")
        )
    except DomainError as exc:
        flash(exc.message, "danger")
        return render_template("auth/password.html"), exc.status
    login_user(current_user._get_current_object())  # keep this session, others are ended
    flash(_("Đã đổi mật khẩu."), "success")
    return redirect(url_for("home.index"))


@bp.post("/language")
def language():
    lang = request.form.get("language", "vi")
    if current_user.is_authenticated:
        identity.set_language(current_user, lang)
    elif lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")))
