"""Question-bank pages for teachers: banks, import, browse, preview, export, assets."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import question_banks
from app.core.errors import DomainError
from app.core.pagination import page_args
from app.models import Role
from app.services import question_bank_access, question_files, question_types, questions
from app.web.downloads import content_disposition
from app.web.guards import flash_or_refuse, roles_required
from app.web.question_form import EDITABLE_TYPES, MAX_OPTIONS, question_from_form

bp = Blueprint("questions", __name__, url_prefix="/banks")
staff_required = roles_required(Role.TEACHER, Role.ADMIN, Role.SYSTEM_ADMIN)
LEVEL_LABELS = {
    "nhan_biet": _l("Nhận biết"),
    "thong_hieu": _l("Thông hiểu"),
    "van_dung": _l("Vận dụng"),
    "van_dung_cao": _l("Vận dụng cao"),
}

TYPE_LABELS = {
    "single_choice": _l("Một lựa chọn"),
    "multiple_response": _l("Nhiều lựa chọn"),
    "true_false": _l("Đúng/Sai"),
    "true_false_cluster": _l("Đúng/Sai 4 ý"),
    "short_answer": _l("Trả lời ngắn"),
    "numeric": _l("Trả lời số"),
    "matching": _l("Ghép đôi"),
    "ordering": _l("Sắp xếp"),
    "essay": _l("Tự luận"),
    "cloze": _l("Điền khuyết"),
    "description": _l("Đoạn mô tả"),
}


@bp.get("")
@staff_required
def banks():
    return render_template(
        "questions/banks.html",
        banks=question_bank_access.list_banks(current_user),
        formats=question_banks.LABELS,
    )


@bp.post("")
@staff_required
def create_bank():
    try:
        bank = question_bank_access.create_bank(
            current_user, request.form.get("name", ""), request.form.get("subject", "")
        )
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("questions.banks"))
    return redirect(url_for("questions.bank", bank_id=bank.id))


@bp.get("/template.xlsx")
@staff_required
def template():
    from question_banks.xlsx import template as xlsx_template

    return Response(
        xlsx_template(),
        headers={"Content-Disposition": 'attachment; filename="mau_nhap_cau_hoi.xlsx"'},
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.get("/<int:bank_id>")
@staff_required
def bank(bank_id: int):
    page, per_page = page_args(request.args.get("page"), request.args.get("per_page"))
    args = request.args
    filters = questions.QuestionFilter(
        query=args.get("q", ""),
        level=args.get("level") or None,
        qtype=args.get("type") or None,
        category_id=args.get("category", type=int),
        subject=args.get("subject", ""),
        grade=args.get("grade", type=int),
        tag=args.get("tag", ""),
        duplicates_only=args.get("duplicates") == "1",
    )
    result = questions.list_questions(current_user, bank_id, filters, page, per_page)
    the_bank = question_bank_access.get_bank(current_user, bank_id)
    return render_template(
        "questions/bank.html",
        bank=the_bank,
        result=result,
        types=TYPE_LABELS,
        categories=questions.categories(the_bank),
        levels=LEVEL_LABELS,
        formats=question_banks.LABELS,
        exporters=question_banks.exporters(),
        can_change=question_bank_access.can_change(current_user, the_bank),
    )


@bp.post("/<int:bank_id>/import")
@staff_required
def import_file(bank_id: int):
    """Step 1: read and check the file, show what it holds; nothing is saved yet."""
    the_bank = question_bank_access.get_bank(current_user, bank_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Hãy chọn tệp câu hỏi."), "danger")
        return redirect(url_for("questions.bank", bank_id=bank_id))
    try:
        preview = question_files.preview_file(
            current_user,
            the_bank,
            upload.read(),
            upload.filename,
            request.form.get("format") or None,
        )
    except DomainError as exc:
        return render_template("questions/import_result.html", bank=the_bank, error=exc), exc.status
    # The pending upload is remembered in the signed session, so a confirm can only import
    # a file this user uploaded into this bank.
    session["pending_import"] = {
        "bank_id": bank_id,
        "token": preview.token,
        "filename": upload.filename,
        "format": preview.format,
    }
    return render_template(
        "questions/import_preview.html",
        bank=the_bank,
        preview=preview,
        filename=upload.filename,
        levels=LEVEL_LABELS,
    )


@bp.post("/<int:bank_id>/import/confirm")
@staff_required
def import_confirm(bank_id: int):
    """Step 2: save the valid questions of the previewed file."""
    the_bank = question_bank_access.get_bank(current_user, bank_id)
    pending = session.pop("pending_import", None)
    if not pending or pending.get("bank_id") != bank_id:
        flash(_("Không có tệp nào đang chờ nhập; hãy tải lên lại."), "warning")
        return redirect(url_for("questions.bank", bank_id=bank_id))
    try:
        summary = question_files.import_previewed(
            current_user, the_bank, pending["token"], pending["filename"], pending["format"]
        )
    except DomainError as exc:
        return render_template("questions/import_result.html", bank=the_bank, error=exc), exc.status
    return render_template("questions/import_result.html", bank=the_bank, summary=summary)


@bp.post("/<int:bank_id>/share")
@staff_required
def share(bank_id: int):
    question_bank_access.share_bank(current_user, bank_id, request.form.get("shared_with", ""))
    flash(_("Đã cập nhật chia sẻ."), "success")
    return redirect(url_for("questions.bank", bank_id=bank_id))


@bp.post("/<int:bank_id>/bulk")
@staff_required
def bulk(bank_id: int):
    try:
        count = questions.bulk_update(
            current_user,
            bank_id,
            request.form.getlist("question_id", type=int),
            category_path=request.form.get("category_path") or None,
            add_tag=request.form.get("tag") or None,
        )
    except DomainError as exc:
        flash_or_refuse(exc)
    else:
        flash(_("Đã cập nhật %(n)s câu hỏi.", n=count), "success")
    return redirect(url_for("questions.bank", bank_id=bank_id))


@bp.get("/<int:bank_id>/export/<fmt>")
@staff_required
def export(bank_id: int, fmt: str):
    data, filename = question_files.export_bank(current_user, bank_id, fmt)
    return Response(
        data,
        mimetype="application/octet-stream",
        headers={"Content-Disposition": content_disposition(filename)},
    )


@bp.get("/<int:bank_id>/questions/<int:question_id>")
@staff_required
def question(bank_id: int, question_id: int):
    row = questions.get_question(current_user, question_id)
    if row.bank_id != bank_id:
        return redirect(url_for("questions.question", bank_id=row.bank_id, question_id=row.id))
    content = questions.question_content(row)
    return render_template(
        "questions/question.html",
        question=row,
        content=content,
        levels=LEVEL_LABELS,
        types=TYPE_LABELS,
        student_view=question_types.public_view(content),
        # get_question checked the bank, which is in the session now: no second query
        can_change=question_bank_access.can_change(current_user, row.bank),
    )


@bp.route("/<int:bank_id>/questions/new", methods=["GET", "POST"])
@staff_required
def new_question(bank_id: int):
    the_bank = question_bank_access.get_bank(current_user, bank_id, for_change=True)
    return _editor(the_bank, None)


@bp.route("/<int:bank_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_question(bank_id: int, question_id: int):
    the_bank = question_bank_access.get_bank(current_user, bank_id, for_change=True)
    return _editor(the_bank, questions.get_question(current_user, question_id))


def _editor(the_bank, row):
    content = questions.question_content(row) if row else None
    if request.method == "GET":
        return render_template(
            "questions/edit.html",
            bank=the_bank,
            question=row,
            content=content,
            form=None,
            **_editor_choices(),
        )
    try:
        data = question_from_form(request.form)
        saved = questions.save_question(current_user, the_bank.id, data, row.id if row else None)
    except DomainError as exc:
        flash(exc.message, "danger")
        return render_template(
            "questions/edit.html",
            bank=the_bank,
            question=row,
            content=content,
            form=request.form,
            **_editor_choices(),
        ), exc.status
    flash(_("Đã lưu câu hỏi."), "success")
    return redirect(url_for("questions.question", bank_id=the_bank.id, question_id=saved.id))


def _editor_choices() -> dict:
    return {
        "levels": LEVEL_LABELS,
        "types": {k: v for k, v in TYPE_LABELS.items() if k in EDITABLE_TYPES},
        "max_options": MAX_OPTIONS,
    }


@bp.post("/<int:bank_id>/questions/<int:question_id>/archive")
@staff_required
def archive_question(bank_id: int, question_id: int):
    questions.archive_question(current_user, bank_id, question_id)
    flash(_("Đã ẩn câu hỏi khỏi ngân hàng."), "success")
    return redirect(url_for("questions.bank", bank_id=bank_id))


@bp.get("/assets/<int:asset_id>")
@staff_required
def asset(asset_id: int):
    from app.core import storage

    row = questions.get_asset(current_user, asset_id)
    response = Response(storage.get(row.sha256), mimetype=row.mime_type)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
