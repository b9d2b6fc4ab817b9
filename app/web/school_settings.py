"""Admin settings of a school for this area: upload limits and subject-group leads."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.errors import DomainError
from app.services import library_leads, upload_policy
from app.web.guards import admin_required

bp = Blueprint("school_settings", __name__, url_prefix="/admin/school")


@bp.route("/uploads", methods=["GET", "POST"])
@admin_required
def uploads():
    if request.method == "POST":
        try:
            upload_policy.update(
                current_user, request.form.get("max_file_mb"), request.form.getlist("kinds")
            )
        except DomainError as exc:
            flash(exc.message, "danger")
            page = render_template(
                "library/uploads.html", policy=upload_policy.current(current_user)
            )
            return page, exc.status
        flash(_("Đã lưu giới hạn tải tệp của trường."), "success")
        return redirect(url_for("school_settings.uploads"))
    return render_template("library/uploads.html", policy=upload_policy.current(current_user))


@bp.route("/subject-leads", methods=["GET", "POST"])
@admin_required
def leads():
    if request.method == "POST":
        try:
            library_leads.set_lead(
                current_user, request.form.get("subject_id"), request.form.get("teacher_id")
            )
        except DomainError as exc:
            flash(exc.message, "danger")
            return render_template(
                "library/leads.html", **library_leads.overview(current_user)
            ), exc.status
        flash(_("Đã lưu tổ trưởng chuyên môn."), "success")
        return redirect(url_for("school_settings.leads"))
    return render_template("library/leads.html", **library_leads.overview(current_user))
