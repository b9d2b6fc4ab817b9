"""Announcement pages: the list (pinned first), compose for teachers and admins, the
announcement itself (opening it records the read receipt) and its receipts for the author."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import ValidationFailed
from app.core.pagination import page_args
from app.services import announcements
from app.services.homework import parse_local

bp = Blueprint("announcements", __name__, url_prefix="/announcements")


@bp.get("")
@login_required
def index():
    page, per_page = page_args(request.args.get("page"), None, default=30)
    result = announcements.listing(current_user, page, per_page)
    can_write = current_user.role in ("teacher", "admin", "system_admin")
    return render_template(
        "notices/announcements.html",
        result=result,
        counts=announcements.read_counts(result.items) if can_write else {},
        can_write=can_write,
    )


def _form_values() -> dict:
    target = request.form.get("target", "")
    kind, _sep, target_id = target.partition(":")
    expires = request.form.get("expires_at", "").strip()
    return {
        "title": request.form.get("title", ""),
        "body_html": request.form.get("body_html", ""),
        "target_kind": kind,
        "target_id": target_id or None,
        "audience": request.form.get("audience", "both"),
        "is_pinned": bool(request.form.get("is_pinned")),
        "expires_at": parse_local(expires, _("Hết hạn")) if expires else None,
    }


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    targets = announcements.targets_for(current_user)
    if request.method == "POST":
        try:
            item = announcements.create(current_user, **_form_values())
        except ValidationFailed as exc:
            flash(exc.message, "danger")
            return render_template(
                "notices/announcement_form.html", targets=targets, form=request.form
            ), 422
        flash(_("Đã gửi thông báo."), "success")
        return redirect(url_for("announcements.show", announcement_id=item.id))
    return render_template("notices/announcement_form.html", targets=targets, form={})


@bp.get("/<int:announcement_id>")
@login_required
def show(announcement_id: int):
    item = announcements.open_announcement(current_user, announcement_id)
    can_receipts = announcements.can_see_receipts(current_user, item)
    return render_template(
        "notices/announcement.html",
        item=item,
        receipts=announcements.receipts(current_user, item.id) if can_receipts else None,
    )
