"""Progress pages outside /children: the student's own, the printable report card, the
homeroom teacher's class overview and the school's family-view setting."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.models import Role
from app.services import homeroom, progress_pages, progress_records
from app.services.gradebook_views import homeroom_classes
from app.web.guards import admin_required, roles_required

bp = Blueprint("progress", __name__)
staff_required = roles_required(Role.TEACHER, Role.ADMIN, Role.SYSTEM_ADMIN)


@bp.get("/me/progress")
@roles_required(Role.STUDENT)
def mine():
    return render_template(
        "family/child.html",
        view=progress_pages.student_overview(current_user, None, request.args.get("month")),
        code=None,
    )


@bp.get("/me/progress/subjects/<int:course_id>")
@roles_required(Role.STUDENT)
def my_subject(course_id: int):
    return render_template(
        "family/subject.html",
        view=progress_pages.subject_progress(
            current_user, None, course_id, request.args.get("month")
        ),
        code=None,
    )


@bp.get("/students/<int:student_id>/report-card")
@login_required
def report_card(student_id: int):
    card = progress_records.report_card(current_user, student_id, request.args.get("period", "1"))
    return render_template("family/report_card.html", card=card)


@bp.get("/homeroom")
@staff_required
def homeroom_index():
    return render_template("family/homeroom_index.html", classes=homeroom_classes(current_user))


@bp.get("/homeroom/classes/<int:class_id>")
@staff_required
def homeroom_class(class_id: int):
    overview = homeroom.class_overview(current_user, class_id, request.args.get("semester"))
    return render_template("family/homeroom.html", overview=overview)


@bp.route("/admin/school/family-view", methods=["GET", "POST"])
@admin_required
def settings():
    if request.method == "POST":
        progress_pages.set_shows_class_average(
            current_user, request.form.get("shows_class_average") == "1"
        )
        flash(_("Đã lưu cài đặt trang phụ huynh."), "success")
        return redirect(url_for("progress.settings"))
    school_id = current_user.school_id
    shown = progress_pages.shows_class_average(school_id) if school_id else True
    return render_template("family/settings.html", shows_class_average=shown)
