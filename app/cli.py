"""The `lophoc` command line (CONTRACT.md): a Flask CLI group whose commands call services."""

from __future__ import annotations

import json
import sys
from functools import wraps
from pathlib import Path

import click
from flask.cli import FlaskGroup, with_appcontext

from app.core.errors import DomainError


def _create_app():
    from app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """LopHoc (lớp học): quản lý học tập và thi trực tuyến."""


def _emit(as_json: bool, payload: dict, human: str) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, default=str) if as_json else human)


def domain_command(func):
    """Turn domain errors into a one-line message on stderr and exit status 1."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        from app.extensions import db

        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            db.session.rollback()
            details = exc.details.get("errors") if exc.details else None
            click.echo(f"Lỗi: {exc.message}", err=True)
            for extra in (details or [])[1:10]:
                click.echo(f"  {extra['message']}", err=True)
            sys.exit(1)

    return wrapper


@main.command("demo")
@with_appcontext
@domain_command
def demo() -> None:
    """Tạo (hoặc khôi phục) trường DEMO và in các tài khoản đăng nhập."""
    from app.services.demo import create_demo

    logins = create_demo()
    click.echo("Trường demo DEMO đã sẵn sàng. Tài khoản (mật khẩu giống nhau):")
    for login in logins:
        click.echo(f"  {login.role:<8} {login.username:<12} {login.password}  {login.full_name}")
    click.echo("Chạy `lophoc run` rồi mở http://127.0.0.1:5000")


@main.command("create-school")
@click.argument("code")
@click.argument("name")
@click.option(
    "--level",
    type=click.Choice(["tieu_hoc", "thcs", "thpt", "lien_cap"]),
    default="thpt",
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@domain_command
def create_school(code: str, name: str, level: str, as_json: bool) -> None:
    """Tạo trường CODE với tên NAME."""
    from app.services.school import create_school as create

    school = create(code, name, level)
    _emit(
        as_json,
        {"school_id": school.id, "code": school.code},
        f"Đã tạo trường {school.code}: {school.name}",
    )


@main.command("create-user")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["system_admin", "admin", "teacher", "student", "parent"]),
)
@click.option("--school", "school_code", help="Mã trường (không dùng cho system_admin)")
@click.option("--password", help="Bỏ trống để nhập (ẩn) khi chạy")
@click.option("--full-name", default="")
@click.option("--student-code")
@click.option("--class", "class_name")
@click.option("--child", "children", multiple=True, help="Mã học sinh của con (phụ huynh)")
@click.option("--email")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@domain_command
def create_user(
    username,
    role,
    school_code,
    password,
    full_name,
    student_code,
    class_name,
    children,
    email,
    as_json,
) -> None:
    """Tạo người dùng USERNAME."""
    from app.core.errors import ValidationFailed
    from app.services.people import NewUser, create_user_cli
    from app.services.school import school_by_code

    if role != "system_admin" and not school_code:
        raise ValidationFailed("Cần --school CODE cho vai trò này.")
    school = school_by_code(school_code) if school_code else None
    if password is None:
        password = click.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True)
    user = create_user_cli(
        school,
        NewUser(
            username=username,
            full_name=full_name or username,
            role=role,
            password=password,
            student_code=student_code,
            class_name=class_name,
            child_codes=list(children),
            email=email,
        ),
    )
    _emit(
        as_json,
        {"user_id": user.id, "username": user.username, "role": user.role},
        f"Đã tạo {user.role} {user.username}",
    )


@main.command("create-course")
@click.option("--school", "school_code", required=True)
@click.option("--class", "class_name", required=True)
@click.option("--subject", required=True)
@click.option("--teacher", required=True)
@click.option("--year", default=None, help="Năm học, ví dụ 2026-2027 (mặc định: năm hiện tại)")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@domain_command
def create_course(school_code, class_name, subject, teacher, year, as_json) -> None:
    """Tạo môn học của lớp (lớp x môn x giáo viên x năm)."""
    from app.services.school import create_course as create
    from app.services.school import school_by_code

    course = create(None, school_by_code(school_code), class_name, subject, teacher, year)
    _emit(as_json, {"course_id": course.id}, f"Đã tạo môn {course.title} (id {course.id})")


@main.group("import")
def import_group() -> None:
    """Nhập dữ liệu từ tệp."""


@import_group.command("roster")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--school", "school_code", required=True)
@click.option("--year", default=None, help="Năm học, ví dụ 2026-2027 (mặc định: năm hiện tại)")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@domain_command
def import_roster(file: Path, school_code: str, year: str | None, as_json: bool) -> None:
    """Nhập học sinh, lớp, giáo viên, phụ huynh từ CSV/XLSX (tất cả hoặc không gì cả)."""
    from app.services.roster import import_roster as run_import
    from app.services.school import school_by_code

    try:
        summary = run_import(None, school_by_code(school_code), file.read_bytes(), file.name, year)
    except DomainError as exc:
        exc.message = f"{file.name}: {exc.message}"
        raise
    _emit(
        as_json,
        summary.as_dict(),
        f"{file.name}: {summary.imported} mới, {summary.updated} cập nhật, "
        f"{summary.unchanged} không đổi, {summary.classes_created} lớp mới.",
    )


@import_group.command("questions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--school", "school_code", required=True)
@click.option("--bank", "bank_name", required=True, help="Tên ngân hàng (tạo mới nếu chưa có)")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["gift", "moodlexml", "aiken", "qti", "xlsx", "docx"]),
    default=None,
)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@domain_command
def import_questions(
    file: Path, school_code: str, bank_name: str, fmt: str | None, as_json: bool
) -> None:
    """Nhập câu hỏi vào ngân hàng từ GIFT, Moodle XML, Aiken, QTI 2.1, XLSX hoặc Word."""
    from app.services.question_bank_access import ensure_bank
    from app.services.question_files import import_file
    from app.services.school import school_by_code

    school = school_by_code(school_code)
    bank = ensure_bank(None, school.id, bank_name)
    summary = import_file(None, bank, file.read_bytes(), file.name, fmt)
    for error in summary.errors[:20]:
        if not as_json:
            click.echo(f"  bỏ qua {error['where']}: {error['message']}", err=True)
    _emit(
        as_json,
        summary.as_dict(),
        f"{file.name} ({summary.format}): {summary.imported} mới, {summary.updated} cập nhật, "
        f"{summary.unchanged} không đổi, {summary.skipped} bỏ qua → ngân hàng #{summary.bank_id}",
    )


@import_group.command("gradebook")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--school", "school_code", required=True)
@click.option("--year", required=True, help="Năm học, ví dụ 2026-2027")
@click.option("--semester", required=True, help="1 hoặc 2")
@click.option("--reason", default="", help="Lý do (bắt buộc khi học kỳ đã khoá sổ)")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@domain_command
def import_gradebook(file: Path, school_code, year, semester, reason, as_json) -> None:
    """Nhập điểm từ tệp csv/xlsx dạng xuất của LopHoc (theo mã học sinh; tất cả hoặc không)."""
    from app.services.gradebook_import import import_scores

    summary = import_scores(school_code, year, semester, file.read_bytes(), file.name, reason)
    _emit(
        as_json,
        summary.as_dict(),
        f"{file.name}: {summary.rows} dòng, {summary.changed} ô điểm thay đổi.",
    )


@import_group.command("scorm")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", "course_id", required=True, type=int)
@click.option("--section", "section_id", type=int, default=None, help="Chủ đề (mặc định: cuối)")
@click.option("--package", "package_id", type=int, default=None, help="Nhập làm phiên bản mới")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@domain_command
def import_scorm(file: Path, course_id: int, section_id, package_id, as_json: bool) -> None:
    """Nhập gói SCORM 1.2 / 2004 (.zip) vào khoá học, xuất bản thành một bài học."""
    from app.services.elearning import import_package

    version = import_package(
        None, course_id, file, filename=file.name, section_id=section_id, package_id=package_id
    )
    scos = sum(1 for item in version.items if item.is_sco)
    _emit(
        as_json,
        {
            "imported": 1,
            "package_id": version.package_id,
            "version_id": version.id,
            "version_number": version.number,
            "scorm_version": version.scorm_version,
            "title": version.title,
            "scos": scos,
            "warnings": len(version.warnings),
            "unsupported": version.unsupported,
        },
        f"{file.name}: SCORM {version.scorm_version} “{version.title}”, {scos} SCO "
        f"→ gói #{version.package_id} (phiên bản {version.number})",
    )


def _register_extra() -> None:
    from app import cli_mail, cli_notices, cli_ops, cli_records

    for module in (cli_records, cli_mail, cli_ops, cli_notices):
        module.register(main, domain_command)


_register_extra()

if __name__ == "__main__":
    main()
