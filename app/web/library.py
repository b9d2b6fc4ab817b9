"""School library pages: search approved materials, copy one into a course, offer a lesson,
the lead's review queue, and a teacher's own offers."""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.services import courses, library
from app.web.downloads import safe_name
from app.web.guards import flash_or_refuse

bp = Blueprint("library", __name__, url_prefix="/library")


def _target_sections() -> list[tuple]:
    """(course, sections) the current user may copy a material into."""
    return [
        (course, courses.sections(course))
        for course in courses.my_courses(current_user)
        if courses.can_edit(current_user, course)
    ]


@bp.get("")
@login_required
def index():
    args = request.args
    items = library.search(
        current_user,
        args.get("q", ""),
        args.get("subject"),
        args.get("grade"),
        args.get("topic", ""),
    )
    return render_template(
        "library/index.html", items=items, facets=library.facets(current_user), args=args
    )


@bp.get("/<int:item_id>")
@login_required
def show(item_id: int):
    item = library.get_item(current_user, item_id)
    return render_template("library/item.html", item=item, targets=_target_sections())


@bp.get("/<int:item_id>/files/<int:index>")
@login_required
def file(item_id: int, index: int):
    entry, data = library.get_item_file(current_user, item_id, index)
    response = send_file(
        io.BytesIO(data),
        mimetype=entry["mime_type"],
        as_attachment=True,
        download_name=safe_name(entry["filename"]),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/<int:item_id>/copy")
@login_required
def copy(item_id: int):
    try:
        lesson = library.copy_to(current_user, item_id, request.form.get("section_id"))
    except DomainError as exc:
        flash(exc.message, "danger")
        item = library.get_item(current_user, item_id)
        return render_template("library/item.html", item=item, targets=_target_sections()), (
            exc.status
        )
    flash(_("Đã sao chép “%(t)s” vào khoá học.", t=lesson.title), "success")
    return redirect(url_for("courses.course", course_id=lesson.course_id) + f"#lesson-{lesson.id}")


@bp.post("/offer/<int:lesson_id>")
@login_required
def offer(lesson_id: int):
    lesson = courses.get_lesson(current_user, lesson_id)
    try:
        library.offer(current_user, lesson_id)
    except DomainError as exc:
        flash_or_refuse(exc)
    else:
        flash(_("Đã gửi “%(t)s” cho tổ trưởng chuyên môn duyệt.", t=lesson.title), "success")
    return redirect(url_for("courses.course", course_id=lesson.course_id))


@bp.get("/review")
@login_required
def review_queue():
    return render_template("library/review.html", items=library.pending_reviews(current_user))


@bp.post("/<int:item_id>/review")
@login_required
def review(item_id: int):
    form = request.form
    try:
        library.review(current_user, item_id, form.get("decision", ""), form.get("comment", ""))
    except DomainError as exc:
        flash(exc.message, "danger")
        page = render_template("library/review.html", items=library.pending_reviews(current_user))
        return page, exc.status
    flash(_("Đã ghi quyết định."), "success")
    return redirect(url_for("library.review_queue"))


@bp.get("/mine")
@login_required
def mine():
    return render_template("library/mine.html", items=library.mine(current_user))
