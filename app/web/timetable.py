"""Timetable pages: a class's week, my week, a course's lessons, slot editing, the register."""

from __future__ import annotations

import io
from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.clock import local_today, to_local
from app.core.errors import DomainError, ValidationFailed
from app.models import ATTENDANCE_STATUSES
from app.services import attendance, courses, timetable, timetable_views
from app.services import teaching_record as teaching_record_service
from app.web.downloads import safe_name
from app.web.guards import flash_or_refuse

bp = Blueprint("timetable", __name__, url_prefix="/timetable")


@bp.app_template_filter("shift_days")
def shift_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


@bp.app_template_filter("can_manage")
def can_manage(slot) -> bool:
    return courses.can_edit(current_user, slot.course)


@bp.app_template_global("weekday_name")
def weekday_name(day: date) -> str:
    names = (
        _("Thứ Hai"),
        _("Thứ Ba"),
        _("Thứ Tư"),
        _("Thứ Năm"),
        _("Thứ Sáu"),
        _("Thứ Bảy"),
        _("Chủ nhật"),
    )
    return names[day.weekday()]


def _monday(value: str | None) -> date:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationFailed(_("Ngày “%(v)s” không hợp lệ (YYYY-MM-DD).", v=value)) from None
    day = day or local_today()
    return day - timedelta(days=day.weekday())


@bp.get("/week")
@login_required
def my_week():
    monday, slots = timetable_views.my_week(current_user, _monday(request.args.get("d")))
    return render_template(
        "timetable/week.html",
        title=_("Lịch học tuần này"),
        monday=monday,
        days=timetable_views.by_local_day(slots, monday),
        school_class=None,
        editable=[],
    )


def _class_page(class_id: int, status: int = 200):
    school_class = timetable_views.viewable_class(current_user, class_id)
    monday = _monday(request.args.get("d"))
    page = timetable_views.class_timetable(
        current_user, class_id, monday, monday + timedelta(days=6)
    )
    editable = timetable_views.editable_courses_of_class(current_user, school_class)
    html = render_template(
        "timetable/week.html",
        title=_("Thời khoá biểu lớp %(c)s", c=school_class.name),
        monday=monday,
        days=timetable_views.by_local_day(page.items, monday),
        school_class=school_class,
        editable=editable,
        form=request.form,
    )
    return html, status


@bp.get("/class/<int:class_id>")
@login_required
def class_week(class_id: int):
    return _class_page(class_id)


@bp.post("/class/<int:class_id>/slots")
@login_required
def create(class_id: int):
    try:
        slots = timetable.create_slots(current_user, request.form.get("course_id"), request.form)
    except DomainError as exc:
        flash(exc.message, "danger")
        return _class_page(class_id, exc.status)
    flash(_("Đã xếp %(n)s tiết học.", n=len(slots)), "success")
    first = to_local(slots[0].starts_at).date()
    return redirect(
        url_for("timetable.class_week", class_id=slots[0].class_id, d=first.isoformat())
    )


def _edit_page(slot_id: int, status: int = 200, form=None):
    slot = timetable.editable_slot(current_user, slot_id)
    return render_template(
        "timetable/edit.html", slot=slot, sections=courses.sections(slot.course), form=form
    ), status


@bp.route("/slots/<int:slot_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slot_id: int):
    if request.method == "GET":
        return _edit_page(slot_id)
    try:
        slot = timetable.update_slot(current_user, slot_id, request.form)
    except DomainError as exc:
        flash(exc.message, "danger")
        return _edit_page(slot_id, exc.status, request.form)
    flash(_("Đã lưu tiết học."), "success")
    day = to_local(slot.starts_at).date().isoformat()
    return redirect(url_for("timetable.class_week", class_id=slot.class_id, d=day))


@bp.post("/slots/<int:slot_id>/cancel")
@login_required
def cancel(slot_id: int):
    try:
        slot = timetable.cancel_slot(current_user, slot_id, request.form.get("reason", ""))
        flash(_("Đã huỷ tiết học."), "success")
    except DomainError as exc:
        flash_or_refuse(exc)
        slot = timetable.get_slot(current_user, slot_id)
    day = to_local(slot.starts_at).date().isoformat()
    return redirect(url_for("timetable.class_week", class_id=slot.class_id, d=day))


def _register_page(slot_id: int, status: int = 200):
    slot, rows = attendance.register(current_user, slot_id)
    return render_template(
        "timetable/register.html", slot=slot, rows=rows, statuses=ATTENDANCE_STATUSES
    ), status


@bp.route("/slots/<int:slot_id>/attendance", methods=["GET", "POST"])
@login_required
def register(slot_id: int):
    if request.method == "GET":
        return _register_page(slot_id)
    slot = timetable.get_slot(current_user, slot_id)
    form = request.form
    entries = {
        key.removeprefix("status-"): {"status": value, "note": form.get(f"note-{key[7:]}", "")}
        for key, value in form.items()
        if key.startswith("status-")
    }
    try:
        result = attendance.record_attendance(slot, current_user, entries, source="manual")
    except DomainError as exc:
        flash(exc.message, "danger")
        return _register_page(slot_id, exc.status)
    flash(_("Đã lưu điểm danh (%(n)s học sinh).", n=result["saved"]), "success")
    return redirect(url_for("timetable.register", slot_id=slot_id))


@bp.get("/course/<int:course_id>")
@login_required
def course(course_id: int):
    page = timetable_views.course_timetable(current_user, course_id)
    the_course = timetable_views.viewable_course(current_user, course_id)
    summary = None
    if courses.can_edit(current_user, the_course):
        summary = attendance.course_summary(current_user, course_id)
    return render_template(
        "timetable/course.html",
        course=the_course,
        slots=page.items,
        summary=summary,
        statuses=ATTENDANCE_STATUSES,
    )


@bp.get("/course/<int:course_id>/teaching-record.xlsx")
@login_required
def teaching_record(course_id: int):
    record = teaching_record_service.build(current_user, course_id)
    response = send_file(
        io.BytesIO(record.data),
        mimetype=teaching_record_service.XLSX,
        as_attachment=True,
        download_name=safe_name(record.filename),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
