"""School administration pages: people, classes, roster import, audit log."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.errors import DomainError, ValidationFailed
from app.core.pagination import page_args
from app.models import Role, SchoolClass, User
from app.services import audit_queries, identity, lockout, people, school, two_factor
from app.services.access import get_scoped
from app.services.roster import import_roster
from app.web.guards import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@admin_required
def users():
    page, per_page = page_args(request.args.get("page"), request.args.get("per_page"))
    result = people.list_users(
        current_user,
        query=request.args.get("q", ""),
        role=request.args.get("role") or None,
        page=page,
        per_page=per_page,
    )
    return render_template("admin/users.html", result=result, roles=list(Role))


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    if request.method == "GET":
        return render_template("admin/user_new.html", form={})
    form = request.form
    try:
        data = people.NewUser(
            username=form.get("username", ""),
            full_name=form.get("full_name", ""),
            role=form.get("role", ""),
            password=form.get("password") or None,
            student_code=form.get("student_code") or None,
            email=form.get("email") or None,
            phone=form.get("phone") or None,
            date_of_birth=_date(form.get("date_of_birth")),
            class_name=form.get("class_name") or None,
            child_codes=[c for c in form.get("child_codes", "").replace(",", " ").split() if c],
        )
        user = people.create_user(current_user, data)
    except DomainError as exc:
        flash(exc.message, "danger")
        return render_template("admin/user_new.html", form=form), exc.status
    flash(_("Đã tạo tài khoản %(u)s.", u=user.username), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


def _date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(_("Ngày sinh không hợp lệ.")) from None


@bp.get("/users/<int:user_id>")
@admin_required
def user_detail(user_id: int):
    user = get_scoped(User, user_id, current_user)
    return render_template(
        "admin/user_detail.html",
        user=user,
        children=people.children_of(user),
        history=audit_queries.for_entity(current_user, user),
        locked=lockout.seconds_locked(user),
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = get_scoped(User, user_id, current_user)
    if request.method == "GET":
        return render_template("admin/user_edit.html", user=user, form=None)
    form = request.form
    try:
        people.update_user(
            current_user,
            user_id,
            {
                "full_name": form.get("full_name", ""),
                "role": form.get("role", user.role),
                "student_code": form.get("student_code", ""),
                "email": form.get("email", ""),
                "phone": form.get("phone", ""),
                "gender": form.get("gender") or None,
                "date_of_birth": _date(form.get("date_of_birth")),
            },
        )
    except DomainError as exc:
        flash(exc.message, "danger")
        return render_template("admin/user_edit.html", user=user, form=form), exc.status
    flash(_("Đã lưu thay đổi."), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/active")
@admin_required
def user_active(user_id: int):
    is_active = request.form.get("is_active") == "1"
    identity.set_active(current_user, user_id, is_active)
    flash(_("Đã mở khoá tài khoản.") if is_active else _("Đã khoá tài khoản."), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/unlock")
@admin_required
def user_unlock(user_id: int):
    lockout.unlock(current_user, user_id)
    flash(_("Đã mở khoá đăng nhập."), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/two-factor/reset")
@admin_required
def user_two_factor_reset(user_id: int):
    two_factor.reset_for(current_user, user_id)
    flash(_("Đã đặt lại xác thực hai lớp."), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.route("/security", methods=["GET", "POST"])
@admin_required
def security():
    if request.method == "POST":
        two_factor.set_school_requirement(current_user, request.form.get("required") == "1")
        flash(_("Đã lưu."), "success")
        return redirect(url_for("admin.security"))
    return render_template("admin/security.html", school=current_user.school)


@bp.post("/users/<int:user_id>/password")
@admin_required
def user_password(user_id: int):
    password = identity.reset_password(current_user, user_id)
    user = get_scoped(User, user_id, current_user)
    return render_template("admin/password_issued.html", user=user, password=password)


@bp.get("/classes")
@admin_required
def classes():
    page, per_page = page_args(request.args.get("page"), request.args.get("per_page"), 100)
    result = school.list_classes(
        current_user,
        query=request.args.get("q", ""),
        page=page,
        per_page=per_page,
        include_inactive=request.args.get("all") == "1",
    )
    return render_template("admin/classes.html", result=result)


@bp.post("/classes")
@admin_required
def create_class():
    grade = request.form.get("grade", "")
    try:
        school_class = school.create_class(
            current_user, request.form.get("name", ""), int(grade) if grade.isdigit() else None
        )
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("admin.classes"))
    flash(_("Đã tạo lớp %(n)s.", n=school_class.name), "success")
    return redirect(url_for("admin.classes"))


@bp.get("/classes/<int:class_id>")
@admin_required
def class_detail(class_id: int):
    school_class = get_scoped(SchoolClass, class_id, current_user)
    return render_template(
        "admin/class_detail.html",
        school_class=school_class,
        students=school.class_students(school_class),
    )


@bp.post("/classes/<int:class_id>/active")
@admin_required
def class_active(class_id: int):
    is_active = request.form.get("is_active") == "1"
    school.set_class_active(current_user, class_id, is_active)
    flash(_("Đã cập nhật lớp."), "success")
    return redirect(url_for("admin.classes"))


@bp.route("/roster", methods=["GET", "POST"])
@admin_required
def roster():
    if request.method == "GET":
        return render_template("admin/roster.html")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Hãy chọn tệp CSV hoặc XLSX."), "danger")
        return render_template("admin/roster.html"), 400
    try:
        summary = import_roster(current_user, current_user.school, upload.read(), upload.filename)
    except DomainError as exc:
        return render_template("admin/roster.html", error=exc), exc.status
    return render_template("admin/roster.html", summary=summary)


@bp.get("/audit")
@admin_required
def audit_log():
    page, per_page = page_args(request.args.get("page"), request.args.get("per_page"))
    return render_template(
        "admin/audit.html", result=audit_queries.recent(current_user, page, per_page)
    )


@bp.get("/tokens")
@admin_required
def tokens():
    return render_template(
        "admin/tokens.html",
        tokens=identity.integration_tokens(current_user),
        scopes=sorted(identity.INTEGRATION_SCOPES),
    )


@bp.post("/tokens")
@admin_required
def create_token():
    days = request.form.get("days", "")
    try:
        issued = identity.create_integration_token(
            current_user,
            request.form.get("name", ""),
            request.form.getlist("scopes"),
            int(days) if days.isdigit() else None,
        )
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("admin.tokens"))
    return render_template(
        "admin/tokens.html",
        tokens=identity.integration_tokens(current_user),
        scopes=sorted(identity.INTEGRATION_SCOPES),
        issued=issued,
    )


@bp.post("/tokens/<int:token_id>/revoke")
@admin_required
def revoke_token(token_id: int):
    identity.revoke_token(current_user, token_id)
    flash(_("Đã thu hồi mã truy cập."), "success")
    return redirect(url_for("admin.tokens"))
