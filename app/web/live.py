"""Live room pages: start from the course page, the room (teacher and student views), the
attendance sheet, the session log export, board slides, the school's video settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.services import courses, live, live_log, live_presence, live_slides
from app.web.downloads import content_disposition
from app.web.guards import admin_required, flash_or_refuse
from app.web.hooks import CSP

bp = Blueprint("live", __name__, url_prefix="/live")


@bp.app_template_global("live_session_for")
def live_session_for(course):
    """The course's session in progress (the course page shows "join" or "start")."""
    return live.open_session_of(current_user, course)


@bp.post("/course/<int:course_id>/start")
@login_required
def start(course_id: int):
    try:
        session = live.start_session(
            current_user, course_id, request.form.get("timetable_slot_id") or None
        )
    except DomainError as exc:
        flash_or_refuse(exc)
        return redirect(url_for("courses.course", course_id=course_id)), 303
    return redirect(url_for("live.room", session_id=session.id)), 303


@bp.get("/<int:session_id>")
@login_required
def room(session_id: int):
    session = live.get_session(current_user, session_id)
    course = courses.get_course(current_user, session.course_id)
    is_teacher = live.is_room_teacher(current_user, session)
    video = live.video_url(session) if session.ended_at is None else None
    response = Response(
        render_template(
            "live/room.html",
            session=session,
            course=course,
            is_teacher=is_teacher,
            video_url=video,
        )
    )
    if video:  # the school's conference server is the one other origin the room may frame
        parts = urlsplit(video)
        origin = f"{parts.scheme}://{parts.netloc}"
        response.headers["Content-Security-Policy"] = CSP.replace(
            "frame-src 'self'", f"frame-src 'self' {origin}"
        )
    return response


@bp.post("/<int:session_id>/end")
@login_required
def end(session_id: int):
    from app.live.room import broadcast_session_ended

    live.end_session(current_user, session_id)
    broadcast_session_ended(session_id)
    flash(_("Đã kết thúc buổi học. Hãy xác nhận bảng điểm danh."), "success")
    return redirect(url_for("live.attendance", session_id=session_id)), 303


@bp.route("/<int:session_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(session_id: int):
    session = live.teacher_session(current_user, session_id)
    if request.method == "POST":
        statuses = {
            key.removeprefix("status-"): value
            for key, value in request.form.items()
            if key.startswith("status-")
        }
        try:
            done = live_presence.confirm_attendance(
                current_user, session_id, statuses, request.form.get("replace_manual") == "on"
            )
        except DomainError as exc:
            flash_or_refuse(exc)
        else:
            flash(_("Đã lưu bảng điểm danh."), "success")
            if done.register is not None:
                flash(_("Đã ghi vào sổ điểm danh của tiết học."), "success")
            if done.register and done.register["kept_manual"]:
                flash(
                    _(
                        "%(n)s học sinh đã được điểm danh tay trong sổ nên giữ nguyên; chọn "
                        "“Ghi đè điểm danh tay” rồi xác nhận lại nếu muốn thay.",
                        n=len(done.register["kept_manual"]),
                    ),
                    "warning",
                )
        return redirect(url_for("live.attendance", session_id=session_id)), 303
    rows = live_presence.attendance(current_user, session_id)
    return render_template(
        "live/attendance.html",
        session=session,
        rows=rows,
        statuses=live_presence.STATUSES,
        slot=session.timetable_slot,
    )


@bp.get("/<int:session_id>/log.csv")
@login_required
def log_csv(session_id: int):
    """The teaching record of the lesson: the lesson, attendance, log, polls, chat if kept."""
    export = live_log.session_record_csv(current_user, session_id)
    return Response(
        export.data,
        mimetype="text/csv",
        headers={"Content-Disposition": content_disposition(export.filename)},
    )


@bp.post("/<int:session_id>/slides")
@login_required
def upload_slide(session_id: int):
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    try:
        added = live_slides.add_slides(
            current_user, session_id, upload.filename if upload else "", data
        )
    except DomainError as exc:
        return {"error": {"code": exc.code, "message": exc.message}}, exc.status
    return {"slides": live_slides.slide_list(session_id), "added": [s.id for s in added]}, 201


@bp.get("/slides/<int:slide_id>")
@login_required
def slide(slide_id: int):
    row, data = live_slides.get_slide(current_user, slide_id)
    # An image shown on the board; a GIF that is also an HTML page still cannot run as one.
    headers = {
        "Cache-Control": "private",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return Response(data, mimetype=row.content_type, headers=headers)


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    if request.method == "POST":
        try:
            live.save_settings(
                current_user,
                request.form.get("video_provider", "none"),
                request.form.get("video_base_url", ""),
                request.form.get("keeps_chat_log") == "on",
            )
        except DomainError as exc:
            flash(exc.message, "danger")
        else:
            flash(_("Đã lưu cài đặt lớp học trực tuyến."), "success")
        return redirect(url_for("live.settings")), 303
    return render_template("live/settings.html", setting=live.settings_for(current_user.school_id))
