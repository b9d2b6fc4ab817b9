"""Parent-teacher messaging pages: the thread list (unread marked, count in the nav), compose
(a parent to a child's teacher; a teacher to the parents of `?student=` ids), a thread with its
replies, and close/reopen for the teacher."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from app.core.errors import Forbidden, ValidationFailed
from app.core.pagination import page_args
from app.extensions import db
from app.services import messaging

bp = Blueprint("messages", __name__, url_prefix="/messages")


@bp.app_context_processor
def unread_badge() -> dict:
    def unread_messages() -> int:
        if not current_user.is_authenticated or current_user.school_id is None:
            return 0
        try:
            return messaging.unread_count(current_user)
        except SQLAlchemyError:
            db.session.rollback()
            return 0

    return {"unread_messages": unread_messages}


@bp.get("")
@login_required
def index():
    page, per_page = page_args(request.args.get("page"), None, default=30)
    result = messaging.listing(current_user, page, per_page)
    unread = {t.id for t in result.items if messaging.is_unread(current_user, t)}
    return render_template("notices/threads.html", result=result, unread_ids=unread)


def _student_ids() -> list[str]:
    source = request.form if request.method == "POST" else request.args
    return source.getlist("student")


def _compose_context() -> dict:
    if current_user.role == "teacher" and not _student_ids():
        return {"picker": messaging.students_taught(current_user)}
    if current_user.role == "teacher":
        return {"targets": messaging.compose_for_teacher(current_user, _student_ids())}
    if current_user.role == "parent":
        children = messaging.children_of(current_user)
        return {"choices": [(c, messaging.teachers_of(c)) for c in children]}
    raise Forbidden(_("Chỉ phụ huynh và giáo viên gửi được tin nhắn."))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    context = _compose_context()
    if "picker" in context:
        return render_template("notices/pick_students.html", **context)
    if request.method == "POST":
        form = request.form
        try:
            if current_user.role == "teacher":
                threads = messaging.start_by_teacher(
                    current_user,
                    form.getlist("student"),
                    form.get("subject", ""),
                    form.get("body", ""),
                )
            else:
                child, _sep, teacher = form.get("to", "").partition(":")
                threads = [
                    messaging.start_by_parent(
                        current_user, child, teacher, form.get("subject", ""), form.get("body", "")
                    )
                ]
        except ValidationFailed as exc:
            flash(exc.message, "danger")
            return render_template("notices/compose.html", form=form, **context), 422
        flash(_("Đã gửi %(n)s tin nhắn.", n=len(threads)), "success")
        if len(threads) == 1:
            return redirect(url_for("messages.show", thread_id=threads[0].id))
        return redirect(url_for("messages.index"))
    return render_template("notices/compose.html", form={}, **context)


@bp.get("/<int:thread_id>")
@login_required
def show(thread_id: int):
    thread, items = messaging.open_thread(current_user, thread_id)
    return render_template("notices/thread.html", thread=thread, items=items)


@bp.post("/<int:thread_id>/reply")
@login_required
def reply(thread_id: int):
    try:
        messaging.reply(current_user, thread_id, request.form.get("body", ""))
    except ValidationFailed as exc:
        flash(exc.message, "danger")
    return redirect(url_for("messages.show", thread_id=thread_id) + "#reply")


@bp.post("/<int:thread_id>/close")
@login_required
def close(thread_id: int):
    is_closed = request.form.get("reopen") is None
    messaging.set_closed(current_user, thread_id, is_closed)
    flash(_("Đã đóng cuộc trao đổi.") if is_closed else _("Đã mở lại cuộc trao đổi."), "success")
    return redirect(url_for("messages.show", thread_id=thread_id))
