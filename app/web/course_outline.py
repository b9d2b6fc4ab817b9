"""Course outline pages for teachers: edit a lesson's title and text, move lessons and
sections up/down or to another section."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.services import course_order, courses

bp = Blueprint("course_outline", __name__, url_prefix="/courses")


def _outline(course_id: int, status: int = 200):
    course = courses.editable_course(current_user, course_id)
    return render_template(
        "courses/outline.html", course=course, sections=courses.sections(course)
    ), status


@bp.get("/<int:course_id>/outline")
@login_required
def outline(course_id: int):
    return _outline(course_id)


def _moved(course_id: int, action, *args):
    try:
        action(current_user, *args)
    except DomainError as exc:
        flash(exc.message, "danger")
        return _outline(course_id, exc.status)
    anchor = request.form.get("anchor", "")
    return redirect(url_for("course_outline.outline", course_id=course_id) + anchor)


@bp.post("/<int:course_id>/lessons/<int:lesson_id>/move")
@login_required
def move_lesson(course_id: int, lesson_id: int):
    section_id = request.form.get("section_id")
    if section_id:
        return _moved(course_id, course_order.move_lesson_to_section, lesson_id, section_id)
    return _moved(course_id, course_order.move_lesson, lesson_id, request.form.get("direction"))


@bp.post("/<int:course_id>/sections/<int:section_id>/move")
@login_required
def move_section(course_id: int, section_id: int):
    return _moved(course_id, course_order.move_section, section_id, request.form.get("direction"))


def _edit_page(lesson_id: int, status: int = 200, form=None):
    lesson = courses.get_lesson(current_user, lesson_id)
    course = courses.editable_course(current_user, lesson.course_id)
    return render_template(
        "courses/lesson_edit.html", course=course, lesson=lesson, form=form
    ), status


@bp.route("/<int:course_id>/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
@login_required
def edit_lesson(course_id: int, lesson_id: int):
    if request.method == "GET":
        return _edit_page(lesson_id)
    form = request.form
    try:
        lesson = courses.update_lesson(
            current_user, lesson_id, form.get("title", ""), form.get("body", "")
        )
    except DomainError as exc:
        flash(exc.message, "danger")
        return _edit_page(lesson_id, exc.status, form)
    flash(_("Đã lưu bài học."), "success")
    return redirect(url_for("courses.course", course_id=lesson.course_id) + f"#lesson-{lesson.id}")
