"""Exam pages: the student's list and exam page, the teacher's create form, results and the
logged changes during an exam (extend, release, drop a question)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.models import Role
from app.services import (
    exam_changes,
    exam_paper,
    exam_results,
    exam_scoring,
    exam_start,
    exams,
    question_bank_access,
)
from app.services.school import courses_for
from app.web.downloads import content_disposition
from app.web.guards import flash_or_refuse, roles_required

bp = Blueprint("exams", __name__, url_prefix="/exams")
staff_required = roles_required(Role.TEACHER, Role.ADMIN, Role.SYSTEM_ADMIN)
BLUEPRINT_ROWS = 6


@bp.get("")
@login_required
def index():
    if current_user.role == Role.STUDENT:
        return render_template("exams/index.html", open_exams=exams.exams_open_to(current_user))
    courses = courses_for(current_user)
    listed = {
        c.id: exams.exams_of_course(current_user, c.id)
        for c in courses
        if current_user.is_admin or c.teacher_id == current_user.id
    }
    return render_template("exams/index.html", courses=courses, listed=listed)


@bp.get("/<int:exam_id>/take")
@roles_required(Role.STUDENT)
def take(exam_id: int):
    return render_template("exams/take.html", exam=exam_start.student_exam(current_user, exam_id))


@bp.route("/new/<int:course_id>", methods=["GET", "POST"])
@staff_required
def new(course_id: int):
    course = exams.get_course_for_staff(current_user, course_id)
    banks = question_bank_access.list_banks(current_user)
    if request.method == "POST":
        try:
            exam = exams.create_exam(current_user, course.id, _form_data(request.form))
        except DomainError as exc:
            flash(exc.message, "danger")
            return render_template(
                "exams/new.html", course=course, banks=banks, form=request.form, rows=BLUEPRINT_ROWS
            ), exc.status
        flash(_("Đã tạo bài kiểm tra."), "success")
        return redirect(url_for("exams.results", exam_id=exam.id))
    return render_template(
        "exams/new.html", course=course, banks=banks, form={}, rows=BLUEPRINT_ROWS
    )


def _form_data(form) -> dict:
    lines = []
    for i in range(BLUEPRINT_ROWS):
        count = form.get(f"count_{i}", "").strip()
        if count:
            lines.append(
                {
                    "category": form.get(f"category_{i}", ""),
                    "level": form.get(f"level_{i}") or None,
                    "count": count,
                    "points": form.get(f"points_{i}") or None,
                }
            )
    data = {
        key: form.get(key)
        for key in (
            "title",
            "duration_minutes",
            "opens_at",
            "closes_at",
            "max_attempts",
            "release",
            "review",
            "gradebook_column",
            "access_code",
            "allowed_ips",
            "navigation",
            "variant_count",
        )
    }
    data |= {
        key: key in form
        for key in (
            "shuffle_questions", "shuffle_options", "one_per_page", "fullscreen", "published"
        )
    }
    data["bank_id"] = form.get("bank_id", type=int)
    data["blueprint"] = lines
    return data


@bp.get("/<int:exam_id>/results")
@staff_required
def results(exam_id: int):
    return render_template("exams/results.html", data=exam_results.results(current_user, exam_id))


@bp.get("/<int:exam_id>/proctor")
@staff_required
def proctor(exam_id: int):
    exam = exams.get_exam_for_staff(current_user, exam_id)
    return render_template("exams/proctor.html", exam=exam)


@bp.get("/<int:exam_id>/paper")
@staff_required
def paper(exam_id: int):
    """The printable question papers of the fixed variants, with their answer keys."""
    return render_template(
        "exams/paper.html", data=exam_paper.papers(current_user, exam_id, request.args)
    )


@bp.get("/<int:exam_id>/results.xlsx")
@staff_required
def results_xlsx(exam_id: int):
    body, name = exam_results.results_xlsx(current_user, exam_id)
    return Response(
        body,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": content_disposition(name)},
    )


@bp.post("/<int:exam_id>/actions")
@staff_required
def action(exam_id: int):
    form = request.form
    kind = form.get("action")
    try:
        if kind == "extend":
            moved = exam_changes.extend_time(
                current_user,
                exam_id,
                form.get("minutes", type=int) or 0,
                form.get("reason", ""),
                student_id=form.get("student_id", type=int),
            )
            flash(_("Đã thêm giờ cho %(n)s bài đang làm.", n=moved), "success")
        elif kind == "gradebook":
            changed = exam_results.feed_gradebook(current_user, exam_id, form.get("reason", ""))
            flash(_("Đã ghi %(n)s điểm vào sổ điểm.", n=changed), "success")
        elif kind == "release":
            exams.release_results(current_user, exam_id)
            flash(_("Đã công bố kết quả."), "success")
        elif kind in ("publish", "unpublish"):
            exams.set_published(current_user, exam_id, kind == "publish")
            flash(_("Đã cập nhật."), "success")
        elif kind == "drop":
            exam_changes.drop_question(
                current_user,
                exam_id,
                form.get("question_id", type=int) or 0,
                form.get("reason", ""),
            )
            flash(_("Đã bỏ câu hỏi và chấm lại."), "success")
        else:
            flash(_("Thao tác không hợp lệ."), "danger")
    except DomainError as exc:
        flash_or_refuse(exc)
    return redirect(url_for("exams.results", exam_id=exam_id))


@bp.route("/<int:exam_id>/grading", methods=["GET", "POST"])
@staff_required
def grading(exam_id: int):
    exam = exams.get_exam_for_staff(current_user, exam_id)
    if request.method == "POST":
        try:
            exam_scoring.grade_response(
                current_user,
                request.form.get("attempt_id", type=int) or 0,
                request.form.get("question_id", type=int) or 0,
                request.form.get("points", ""),
                request.form.get("comment", ""),
            )
            flash(_("Đã lưu điểm."), "success")
        except DomainError as exc:
            flash(exc.message, "danger")
        return redirect(url_for("exams.grading", exam_id=exam.id))
    return render_template("exams/grading.html", exam=exam, queue=exam_scoring.grading_queue(exam))


@bp.get("/attempts/<int:attempt_id>/review")
@roles_required(Role.STUDENT)
def review(attempt_id: int):
    return render_template("exams/review.html", data=exam_scoring.review(current_user, attempt_id))
