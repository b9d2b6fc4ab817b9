"""`lophoc export`, `sync`, `students` and `exams`: the commands about a school's records
(registered on the main group by app.cli, before the modules that add to these groups)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext


def register(main: click.Group, domain_command) -> None:
    from app.cli import _emit

    @main.group("export")
    def export_group() -> None:
        """Xuất dữ liệu ra tệp."""


    @export_group.command("gradebook")
    @click.option("--school", "school_code", required=True)
    @click.option("--year", required=True, help="Năm học, ví dụ 2026-2027")
    @click.option("--semester", required=True, help="1, 2 hoặc year (cả năm)")
    @click.option("--format", "fmt", required=True, help="csv | xlsx | smas | vnedu | oneroster")
    @click.option("--class", "class_name", default=None, help="Chỉ một lớp")
    @click.option("--subject", default=None, help="Chỉ một môn")
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def export_gradebook(school_code, year, semester, fmt, class_name, subject, output, as_json):
        """Xuất sổ điểm của trường theo mã học sinh."""
        from app.services.gradebook_export import GradeQuery
        from app.services.gradebook_files import export_to_file

        query = GradeQuery(year, semester, class_name, subject)
        summary = export_to_file(school_code, query, fmt, output)
        _emit(
            as_json,
            summary.as_dict(),
            f"Đã ghi {summary.rows} dòng ({summary.format}) vào {summary.path}",
        )


    @export_group.command("teaching-record")
    @click.option("--course", "course_id", required=True, type=int, help="Mã số (id) môn học")
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def export_teaching_record(course_id: int, output: Path, as_json: bool) -> None:
        """Xuất hồ sơ dạy học (XLSX) của một môn học: tiết dạy, học liệu, bài tập, điểm danh."""
        from app.services.teaching_record import export_to_file

        summary = export_to_file(course_id, output)
        _emit(as_json, summary, f"Đã ghi {summary['rows']} dòng vào {summary['path']}")


    @export_group.command("smas-columns")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--school", "school_code", required=True)
    @with_appcontext
    @domain_command
    def export_smas_columns(file: Path, school_code: str) -> None:
        """Đặt bảng cột SMAS của trường từ tệp JSON [[tiêu đề, trường], ...]."""
        from app.services.gradebook_files import load_smas_columns

        columns = load_smas_columns(school_code, file)
        click.echo("Cột SMAS: " + ", ".join(header for header, _name in columns))


    @main.group("sync")
    def sync_group() -> None:
        """Đồng bộ điểm sang hệ thống quản lý trường."""


    @sync_group.command("run")
    @click.option("--once", is_flag=True, help="Gửi mọi thay đổi đến hạn rồi dừng.")
    @click.option("--every", type=float, default=5.0, help="Nghỉ N giây giữa hai lượt.")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def sync_run(once: bool, every: float, as_json: bool) -> None:
        """Gửi các thay đổi điểm đang chờ tới SIS_PUSH_URL (thử lại, giãn cách tăng dần)."""
        import time

        from app.services.grade_push import push_url
        from app.services.grade_push_delivery import deliver_pending

        if not push_url():
            click.echo("Lỗi: chưa đặt SIS_PUSH_URL; không có nơi để gửi điểm.", err=True)
            sys.exit(1)
        while True:
            result = deliver_pending()
            if once or result.delivered or result.retried or result.failed:
                _emit(
                    as_json,
                    result.as_dict(),
                    f"Đã gửi {result.delivered}, chờ gửi lại {result.retried}, "
                    f"lỗi {result.failed}.",
                )
            if once:
                return
            time.sleep(max(every, 0.5))


    @main.group("students")
    def students_group() -> None:
        """Học sinh."""


    @students_group.command("change-code")
    @click.argument("old_code")
    @click.argument("new_code")
    @click.option("--school", "school_code", required=True)
    @click.option("--reason", default="", help="Lý do (ghi vào nhật ký)")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def change_code(old_code: str, new_code: str, school_code: str, reason: str, as_json: bool):
        """Đổi mã học sinh (điểm giữ nguyên; mã cũ vẫn nhận được khi nhập điểm)."""
        from app.services.student_codes import change_student_code

        student = change_student_code(None, school_code, old_code, new_code, reason)
        _emit(
            as_json,
            {"student_code": student.student_code, "previous": old_code},
            f"{student.full_name}: {old_code} → {student.student_code}",
        )


    @main.group("exams")
    def exams_group() -> None:
        """Bài kiểm tra."""


    @exams_group.command("close-expired")
    @click.option("--every", type=float, default=0, help="Lặp lại mỗi N giây (0: chạy một lần).")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def close_expired(every: float, as_json: bool) -> None:
        """Nộp bài (thay học sinh) mọi bài làm đã hết giờ, kể cả khi trình duyệt đã đóng."""
        import time

        from app.services.exam_attempts import close_expired as close

        while True:
            closed = close()
            _emit(as_json, {"closed": closed}, f"Đã đóng {closed} bài làm hết giờ.")
            if every <= 0:
                return
            time.sleep(every)
