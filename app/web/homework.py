"""Homework pages: teachers set and grade homework, students see their to-do list and submit."""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.clock import to_local
from app.core.errors import DomainError
from app.extensions import db
from app.services import courses, homework, homework_files, homework_grading, homework_records
from app.web.downloads import safe_name
from app.web.uploads import read_upload

bp = Blueprint("homework", __name__, url_prefix="/homework")


@bp.app_template_filter("local_time")
def local_time(value) -> str:
    local = to_local(value)
    return local.strftime("%H:%M %d/%m/%Y") if local else ""


@bp.get("/todo")
@login_required
def todo():
    return render_template("courses/todo.html", items=homework.todo(current_user))


@bp.get("/course/<int:course_id>")
@login_required
def course_list(course_id: int):
    course = courses.get_course(current_user, course_id)
    return render_template(
        "courses/homework_list.html",
        course=course,
        assignments=homework.course_assignments(current_user, course),
        can_edit=courses.can_edit(current_user, course),
    )


@bp.post("/course/<int:course_id>")
@login_required
def create(course_id: int):
    files = [read_upload(f) for f in request.files.getlist("files")]
    try:
        assignment = homework.create_assignment(
            current_user, course_id, request.form.to_dict(), files
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return course_list(course_id), exc.status
    flash(_("Đã giao bài tập “%(t)s”.", t=assignment.title), "success")
    return redirect(url_for("homework.show", assignment_id=assignment.id))


@bp.get("/<int:assignment_id>")
@login_required
def show(assignment_id: int, typed=None, row_errors=None):
    assignment = homework.get_assignment(current_user, assignment_id)
    if courses.can_edit(current_user, assignment.course):
        assignment, rows, counts = homework.roster(current_user, assignment_id)
        return render_template(
            "courses/homework_table.html",
            assignment=assignment,
            rows=rows,
            counts=counts,
            attachments=homework_files.attachments(assignment.id),
            typed=typed or {},
            row_errors=row_errors or {},
        )
    return render_template(
        "courses/homework_student.html",
        assignment=assignment,
        submission=homework.own_submission(current_user, assignment),
        attachments=homework_files.attachments(assignment.id),
    )


def _act(assignment_id: int, action, *args):
    try:
        action(current_user, *args)
    except DomainError as exc:
        flash(exc.message, "danger")
        return show(assignment_id), exc.status
    return redirect(url_for("homework.show", assignment_id=assignment_id))


@bp.post("/<int:assignment_id>/submit")
@login_required
def submit(assignment_id: int):
    files = [read_upload(f) for f in request.files.getlist("files")]
    return _act(assignment_id, homework.submit, assignment_id, request.form.get("text", ""), files)


@bp.post("/<int:assignment_id>/grade/<int:submission_id>")
@login_required
def grade(assignment_id: int, submission_id: int):
    form = request.form
    return _act(
        assignment_id, homework.grade, submission_id, form.get("score"), form.get("comment", "")
    )


@bp.post("/<int:assignment_id>/grades")
@login_required
def grade_table(assignment_id: int):
    """The whole submissions table at once: score-<id> and comment-<id> for every row."""
    form = request.form
    entries = {
        key.removeprefix("score-"): (form.get(key, ""), form.get(f"comment-{key[6:]}", ""))
        for key in form
        if key.startswith("score-")
    }
    try:
        done = homework_grading.grade_many(
            current_user, assignment_id, entries, then_return=bool(form.get("then_return"))
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return show(assignment_id, form, exc.details.get("rows")), exc.status
    flash(_("Đã lưu %(g)s điểm, trả %(r)s bài.", g=done["graded"], r=done["returned"]), "success")
    return redirect(url_for("homework.show", assignment_id=assignment_id))


@bp.post("/<int:assignment_id>/return")
@login_required
def return_all(assignment_id: int):
    return _act(assignment_id, homework.return_all, assignment_id)


@bp.post("/<int:assignment_id>/gradebook")
@login_required
def feed_gradebook(assignment_id: int):
    return _act(assignment_id, homework_records.feed_gradebook, assignment_id)


@bp.post("/<int:assignment_id>/reopen/<int:submission_id>")
@login_required
def reopen(assignment_id: int, submission_id: int):
    return _act(assignment_id, homework.reopen, submission_id)


@bp.post("/<int:assignment_id>/extend/<int:student_id>")
@login_required
def extend(assignment_id: int, student_id: int):
    until = request.form.get("until")
    return _act(assignment_id, homework.extend, assignment_id, student_id, until)


@bp.get("/<int:assignment_id>/submissions.zip")
@login_required
def download_all(assignment_id: int):
    name, data = homework_records.submissions_zip(current_user, assignment_id)
    return send_file(
        io.BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=safe_name(name),
    )


@bp.post("/<int:assignment_id>/attachments")
@login_required
def attach(assignment_id: int):
    name, data = read_upload(request.files.get("file"))
    return _act(assignment_id, homework_files.attach, assignment_id, name, data)


@bp.post("/<int:assignment_id>/attachments/<int:file_id>/delete")
@login_required
def detach(assignment_id: int, file_id: int):
    return _act(assignment_id, homework_files.remove, file_id)


@bp.get("/attachments/<int:file_id>")
@login_required
def attachment(file_id: int):
    row, data = homework_files.get_attachment(current_user, file_id)
    return _download(row, data)


def _download(row, data: bytes):
    """A stored file as an attachment (RFC 5987 name), never rendered by the browser."""
    response = send_file(
        io.BytesIO(data),
        mimetype=row.mime_type,
        as_attachment=True,
        download_name=safe_name(row.filename),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/files/<int:file_id>")
@login_required
def file(file_id: int):
    row, data = homework.get_submission_file(current_user, file_id)
    return _download(row, data)
