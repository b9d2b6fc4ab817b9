"""E-learning pages: SCORM upload with preview, publishing, the player, the teacher's report."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from app.core.errors import DomainError
from app.services import courses, elearning, scorm_reports, scorm_runtime
from app.web.downloads import safe_name
from app.web.guards import flash_or_refuse
from app.web.hooks import CSP
from app.web.scorm_content import content_origin

bp = Blueprint("elearning", __name__, url_prefix="/elearning")
_UPLOAD_ENDPOINTS = {"elearning.upload"}


@bp.url_value_preprocessor
def _scorm_upload_limit(endpoint, _values):
    # Runs before the app's before_request size check: SCORM zips get their own, larger limit.
    if endpoint in _UPLOAD_ENDPOINTS:
        request.max_content_length = elearning.max_upload_bytes()


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    message = elearning.too_large_message()
    return render_template("error.html", status=413, message=message), 413


def _upload_page(course, status=200, **context):
    sections = courses.sections(course)
    return render_template(
        "elearning/upload.html", course=course, sections=sections, **context
    ), status


@bp.get("/courses/<int:course_id>/upload")
@login_required
def upload_form(course_id: int):
    course = courses.editable_course(current_user, course_id)
    return _upload_page(course, package_id=request.args.get("package_id", ""))


@bp.post("/courses/<int:course_id>/upload")
@login_required
def upload(course_id: int):
    course = courses.editable_course(current_user, course_id)
    package_id = request.form.get("package_id", "")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Hãy chọn một tệp .zip chứa gói SCORM."), "danger")
        return _upload_page(course, 422, package_id=package_id)
    try:
        token, preview = elearning.stage_upload(current_user, course_id, upload.stream)
    except DomainError as exc:
        flash(exc.message, "danger")
        errors = (exc.details or {}).get("errors") or []
        return _upload_page(course, exc.status, package_id=package_id, errors=errors)
    finally:
        upload.close()
    return _upload_page(
        course, preview=preview, token=token, filename=upload.filename, package_id=package_id
    )


@bp.post("/courses/<int:course_id>/publish")
@login_required
def publish(course_id: int):
    form = request.form
    version = elearning.publish_staged(
        current_user,
        form.get("token", ""),
        course_id,
        filename=form.get("filename", ""),
        section_id=form.get("section_id"),
        title=form.get("title"),
        gradebook_column=form.get("gradebook_column", "none"),
        package_id=form.get("package_id") or None,
    )
    flash(
        _("Đã xuất bản gói SCORM “%(t)s” (phiên bản %(n)s).", t=version.title, n=version.number),
        "success",
    )
    return redirect(url_for("elearning.package", package_id=version.package_id))


@bp.get("/packages/<int:package_id>")
@login_required
def package(package_id: int):
    the_package = elearning.get_package(current_user, package_id)
    if not courses.can_edit(current_user, courses.get_course(current_user, the_package.course_id)):
        return redirect(url_for("elearning.play", package_id=package_id))
    the_package, rows = scorm_reports.report(current_user, package_id)
    return render_template("elearning/report.html", package=the_package, rows=rows)


@bp.get("/packages/<int:package_id>/attempts/<int:attempt_id>")
@login_required
def attempt(package_id: int, attempt_id: int):
    row = scorm_reports.attempt_detail(current_user, package_id, attempt_id)
    return render_template("elearning/attempt.html", attempt=row)


@bp.get("/packages/<int:package_id>/export.xlsx")
@login_required
def export(package_id: int):
    data, name = scorm_reports.export_xlsx(current_user, package_id)
    return send_file(
        io.BytesIO(data),
        as_attachment=True,
        download_name=safe_name(name),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.post("/packages/<int:package_id>/gradebook")
@login_required
def gradebook(package_id: int):
    try:
        elearning.set_gradebook_column(current_user, package_id, request.form.get("column"))
        if request.form.get("feed"):
            changed = scorm_reports.feed_gradebook(
                current_user, package_id, request.form.get("reason", "")
            )
            flash(_("Đã ghi %(n)s điểm vào sổ điểm.", n=changed), "success")
    except DomainError as exc:
        flash_or_refuse(exc)
    return redirect(url_for("elearning.package", package_id=package_id))


@bp.get("/packages/<int:package_id>/play")
@login_required
def play(package_id: int):
    parent = request.host_url.rstrip("/")
    launch = scorm_runtime.launch(current_user, package_id, request.args.get("item"), parent)
    origin = content_origin() or parent
    frame_url = f"{origin}{url_for('scorm_content.wrapper', token=launch.token)}"
    response = current_app.make_response(
        render_template(
            "elearning/player.html", launch=launch, frame_url=frame_url, content_origin=origin
        )
    )
    frame_src = "'self'" if origin == parent else f"'self' {origin}"
    csp = CSP.replace("frame-src 'self'", f"frame-src {frame_src}")
    response.headers["Content-Security-Policy"] = csp
    response.headers["Cache-Control"] = "no-store"
    return response
