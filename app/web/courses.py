"""Course pages: the list of one's courses, a course's sections and lessons, lesson files."""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.services import courses
from app.services import teaching_record_pdf as record_pdf
from app.web.downloads import safe_name
from app.web.uploads import read_upload

bp = Blueprint("courses", __name__, url_prefix="/courses")


@bp.get("")
@login_required
def index():
    return render_template("courses/index.html", courses=courses.my_courses(current_user))


@bp.get("/<int:course_id>")
@login_required
def course(course_id: int):
    the_course = courses.get_course(current_user, course_id)
    return render_template(
        "courses/course.html",
        course=the_course,
        sections=courses.sections(the_course),
        can_edit=courses.can_edit(current_user, the_course),
    )


def _back_to(course_id: int, action, *args):
    """Run a form action; a domain error is flashed and the page shown again with its status."""
    try:
        action(current_user, *args)
    except DomainError as exc:
        flash(exc.message, "danger")
        the_course = courses.get_course(current_user, course_id)
        page = render_template(
            "courses/course.html",
            course=the_course,
            sections=courses.sections(the_course),
            can_edit=courses.can_edit(current_user, the_course),
        )
        return page, exc.status
    return redirect(url_for("courses.course", course_id=course_id))


@bp.post("/<int:course_id>/sections")
@login_required
def add_section(course_id: int):
    form = request.form
    return _back_to(course_id, courses.add_section, course_id, form.get("title"), form.get("week"))


@bp.post("/<int:course_id>/sections/<int:section_id>/lessons")
@login_required
def add_lesson(course_id: int, section_id: int):
    form = request.form
    return _back_to(
        course_id, courses.add_lesson, section_id, form.get("title"), form.get("body", "")
    )


@bp.post("/<int:course_id>/lessons/<int:lesson_id>/files")
@login_required
def add_file(course_id: int, lesson_id: int):
    name, data = read_upload(request.files.get("file"))
    return _back_to(course_id, courses.attach_file, lesson_id, name, data)


@bp.post("/<int:course_id>/lessons/<int:lesson_id>/links")
@login_required
def add_link(course_id: int, lesson_id: int):
    form = request.form
    return _back_to(course_id, courses.add_link, lesson_id, form.get("url"), form.get("label"))


@bp.get("/files/<int:file_id>")
@login_required
def file(file_id: int):
    row, data = courses.get_file(current_user, file_id)
    response = send_file(
        io.BytesIO(data),
        mimetype=row.mime_type,
        as_attachment=True,
        download_name=safe_name(row.filename),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/<int:course_id>/teaching-record.pdf")
@login_required
def teaching_record_pdf(course_id: int):
    record = record_pdf.build_pdf(current_user, course_id)
    response = send_file(
        io.BytesIO(record.data),
        mimetype=record_pdf.PDF,
        as_attachment=True,
        download_name=safe_name(record.filename),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
