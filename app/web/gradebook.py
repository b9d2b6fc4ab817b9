"""Gradebook pages: the teacher's score grid per course and semester, the admin's locks."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.core.errors import ValidationFailed
from app.models import Role
from app.services import (
    exports,
    grade_push,
    gradebook,
    gradebook_admin,
    gradebook_jobs,
    gradebook_qualities,
    gradebook_release,
    gradebook_views,
)
from app.services.gradebook_export import GradeQuery, school_grades
from app.services.gradebook_values import display
from app.services.grading import label
from app.services.school import courses_for
from app.web.downloads import content_disposition, safe_name
from app.web.guards import admin_required, roles_required

RATING_CELLS = {"dat": "Đ", "chua_dat": "CĐ"}
bp = Blueprint("gradebook", __name__, url_prefix="/gradebook")
staff_required = roles_required(Role.TEACHER, Role.ADMIN, Role.SYSTEM_ADMIN)


@bp.get("/")
@staff_required
def index():
    return render_template(
        "gradebook/index.html",
        courses=courses_for(current_user),
        classes=gradebook_views.homeroom_classes(current_user),
    )


@bp.get("/classes/<int:class_id>")
@staff_required
def class_page(class_id: int):
    period = request.args.get("period", "1")
    if period not in ("1", "2", "year"):
        period = "1"
    school_class, subjects, ratings = gradebook_views.class_overview(current_user, class_id, period)
    return render_template(
        "gradebook/class.html",
        school_class=school_class,
        subjects=subjects,
        ratings=ratings,
        period=period,
        value_text=value_text,
    )


@bp.route("/classes/<int:class_id>/qualities", methods=["GET", "POST"])
@staff_required
def qualities(class_id: int):
    semester = request.values.get("semester", "1")
    status = 200
    if request.method == "POST":
        typed = {}
        for key, raw in request.form.items():
            parts = key.split("-")  # q-<student id>-<item code>
            if len(parts) == 3 and parts[0] == "q" and parts[1].isdigit():
                typed[(int(parts[1]), parts[2])] = raw
        try:
            count = gradebook_qualities.save_qualities(
                current_user, class_id, semester, typed, request.form.get("reason", "")
            )
        except ValidationFailed as exc:
            for error in (exc.details or {}).get("errors", [{"message": exc.message}]):
                flash(error["message"], "danger")
            status = 422
        else:
            flash(_("Đã lưu %(n)s ô phẩm chất, năng lực.", n=count), "success")
            return redirect(url_for("gradebook.qualities", class_id=class_id, semester=semester))
    sheet = gradebook_qualities.class_qualities(current_user, class_id, semester)
    return render_template(
        "gradebook/qualities.html",
        sheet=sheet,
        items=gradebook_qualities.ITEMS,
        levels=gradebook_qualities.LEVELS,
        form=request.form if status != 200 else {},
    ), status


def value_text(value) -> str:
    """A subject result on the class page: "7,9", "Đạt", or a dash while incomplete."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return label(value)
    return str(value).replace(".", ",")


@bp.get("/courses/<int:course_id>")
@staff_required
def grid(course_id: int):
    course = gradebook_views.course_for_read(current_user, course_id)
    semester = request.args.get("semester") or gradebook.current_semester(course.school_year_id)
    book = gradebook_views.course_gradebook(current_user, course_id, semester)
    can_edit = current_user.is_admin or course.teacher_id == current_user.id
    released = gradebook_release.released_semesters([course.id])
    return render_template(
        "gradebook/grid.html",
        book=book,
        can_edit=can_edit,
        is_released=(course.id, book.semester) in released,
        cell_text=cell_text,
        result_text=result_text,
    )


def cell_text(value) -> str:
    """A cell as the teacher types it: "8,5", "Đ", "CĐ" or blank."""
    if value is None:
        return ""
    if isinstance(value, str):
        return RATING_CELLS.get(value, value)
    return display(value).replace(".", ",")


def result_text(row) -> str:
    if row.result is not None:
        return label(row.result)
    return "" if row.average is None else str(row.average).replace(".", ",")


@bp.get("/admin")
@admin_required
def admin():
    return render_template(
        "gradebook/admin.html",
        locks=gradebook_admin.lock_states(current_user),
        changes=gradebook_admin.grade_changes(current_user),
        jobs=gradebook_jobs.recent_jobs(current_user),
    )


@bp.post("/admin/exports")
@admin_required
def start_export():
    form = request.form
    query = GradeQuery(
        form.get("year") or None,
        form.get("semester") or None,
        form.get("class") or None,
        form.get("subject") or None,
    )
    school = current_user.school
    job = gradebook_jobs.start_export(
        current_user, school.code if school else "", query, form.get("format", "xlsx")
    )
    return redirect(url_for("gradebook.export_job", job_id=job.id), code=303)


@bp.get("/admin/exports/<int:job_id>")
@admin_required
def export_job(job_id: int):
    job = gradebook_jobs.get_job(current_user, job_id)
    return render_template("gradebook/export_job.html", job=job)


@bp.get("/admin/exports/<int:job_id>/status")
@admin_required
def export_status(job_id: int):
    job = gradebook_jobs.get_job(current_user, job_id)
    return render_template("gradebook/_export_job.html", job=job)


@bp.get("/admin/exports/<int:job_id>/file")
@admin_required
def export_file(job_id: int):
    job, data = gradebook_jobs.job_file(current_user, job_id)
    response = send_file(
        io.BytesIO(data),
        mimetype=job.mime_type,
        as_attachment=True,
        download_name=safe_name(job.filename),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/admin/export")
@admin_required
def export():
    args = request.args
    query = GradeQuery(
        args.get("year") or None,
        args.get("semester") or None,
        args.get("class") or None,
        args.get("subject") or None,
    )
    school = current_user.school
    result = school_grades(current_user, school.code if school else "", query)
    layout, data = exports.render(result, args.get("format", "xlsx"))
    name = f"diem-{school.code}-{result.query.year}-{result.query.period}-{layout.name}"
    return Response(
        data,
        mimetype=layout.mime_type,
        headers={"Content-Disposition": content_disposition(f"{name}.{layout.extension}")},
    )


@bp.post("/admin/locks/<int:year_id>/<int:semester>")
@admin_required
def set_lock(year_id: int, semester: int):
    is_locked = request.form.get("is_locked") == "1"
    gradebook.set_lock(current_user, year_id, semester, is_locked)
    flash(
        _("Đã khoá sổ điểm học kỳ %(s)s.", s=semester)
        if is_locked
        else _("Đã mở khoá sổ điểm học kỳ %(s)s.", s=semester),
        "success",
    )
    return redirect(url_for("gradebook.admin"))


@bp.get("/admin/sync")
@admin_required
def sync():
    return render_template(
        "gradebook/sync.html",
        summary=grade_push.push_summary(current_user),
        url=grade_push.push_url(current_user.school_id),
    )


@bp.post("/admin/sync/replay")
@admin_required
def replay():
    raw = request.form.get("push_id", "").strip()
    count = grade_push.replay(current_user, int(raw) if raw.isdigit() else None)
    flash(_("Đã đưa %(n)s thay đổi về hàng chờ gửi lại.", n=count), "success")
    return redirect(url_for("gradebook.sync"))


@bp.post("/courses/<int:course_id>/release")
@staff_required
def release(course_id: int):
    semester = request.form.get("semester", "")
    is_released = request.form.get("is_released") == "1"
    gradebook_release.set_release(current_user, course_id, semester, is_released)
    flash(
        _("Đã công bố điểm học kỳ %(s)s cho học sinh và phụ huynh.", s=semester)
        if is_released
        else _("Đã thu hồi điểm học kỳ %(s)s; học sinh và phụ huynh không còn thấy.", s=semester),
        "success",
    )
    return redirect(url_for("gradebook.grid", course_id=course_id, semester=semester))


@bp.get("/my")
@roles_required(Role.STUDENT)
def my_scores():
    return render_template("gradebook/my.html", report=gradebook_release.my_scores(current_user))
