"""Notification pages: the list with unread count, mark read, e-mail settings; the admin's
outbox (pending/sent/failed mail with a retry button)."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from app.core.pagination import page_args
from app.extensions import db
from app.services import mail_outbox, notifications
from app.web.guards import admin_required

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def unread_badge() -> dict:
    """`unread_notifications()` for the nav: counted only when a page asks for it."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated or current_user.school_id is None:
            return 0
        try:
            return notifications.unread_count(current_user)
        except SQLAlchemyError:
            # The error page itself must render when the database is what failed.
            db.session.rollback()
            return 0

    return {"unread_notifications": unread_notifications}


@bp.get("")
@login_required
def index():
    page, per_page = page_args(request.args.get("page"), None, default=30)
    return render_template(
        "notifications/index.html", result=notifications.for_user(current_user, page, per_page)
    )


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    note = notifications.mark_read(current_user, notification_id)
    target = note.link if note.link.startswith("/") and not urlparse(note.link).netloc else ""
    if request.form.get("open") and target:
        return redirect(target)
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
@login_required
def read_all():
    count = notifications.mark_all_read(current_user)
    flash(_("Đã đánh dấu %(n)s thông báo là đã đọc.", n=count), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    if request.method == "POST":
        notifications.set_preferences(current_user, set(request.form.getlist("email")))
        flash(_("Đã lưu cài đặt thông báo."), "success")
        return redirect(url_for("notifications.settings"))
    return render_template(
        "notifications/settings.html",
        preferences=notifications.preferences(current_user),
        has_email=bool(current_user.email),
    )


@bp.get("/admin/mail")
@admin_required
def mail_admin():
    page, per_page = page_args(request.args.get("page"), None)
    state = request.args.get("state") or None
    return render_template(
        "notifications/mail_admin.html",
        result=mail_outbox.listing(current_user, state, page, per_page),
        state=state,
        states=mail_outbox.STATES,
    )


@bp.post("/admin/mail/<int:mail_id>/retry")
@admin_required
def mail_retry(mail_id: int):
    mail_outbox.retry(current_user, mail_id)
    flash(_("Thư sẽ được gửi lại trong lượt gửi tới."), "success")
    return redirect(url_for("notifications.mail_admin", state=request.form.get("state") or None))
