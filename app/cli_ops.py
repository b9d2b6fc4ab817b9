"""Operations commands: the `lophoc worker` loop (the job registry of app.services.jobs),
`lophoc jobs ...`, `lophoc backup` / `lophoc restore`, `lophoc years archive` and
`lophoc students purge` (registered on the main group by app.cli)."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.core.errors import DomainError


class _Stop:
    """SIGTERM/SIGINT: finish the step in hand, then leave (systemd stop, Ctrl-C)."""

    def __init__(self):
        self.requested = False
        self.previous: dict = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(ValueError):  # not the main thread: no handler
                self.previous[sig] = signal.signal(sig, self._handle)

    def _handle(self, *_args) -> None:
        self.requested = True

    def restore(self) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)


def _print(as_json: bool, outcomes: dict) -> None:
    if not outcomes:
        return
    if as_json:
        click.echo(json.dumps({"steps": outcomes}, ensure_ascii=False, default=str))
        return
    for name, outcome in outcomes.items():
        click.echo(f"Bước {name}: {json.dumps(outcome, ensure_ascii=False, default=str)}")


def run_worker(every: float, as_json: bool, legacy=None, only: tuple[str, ...] = ()) -> int:
    """`lophoc worker`: every `every` seconds the legacy step() (mail, homework notices and
    whatever the other areas call there), and every registered step when it is due (checked
    each second). `every` <= 0: one round of everything, then return. Returns the number of
    steps that failed in the last round."""
    from app.services import jobs

    mode = jobs.queue_mode()
    queue = jobs.rq_queue() if mode == "rq" else None
    runner = jobs.Runner(mode=mode, queue=queue, only=set(only) or None)
    stop = _Stop()
    try:
        return _loop(every, as_json, legacy, runner, queue, stop, only)
    finally:
        stop.restore()


def _loop(every, as_json, legacy, runner, queue, stop, only) -> int:
    from app.extensions import db
    from app.services import jobs

    next_legacy = 0.0
    while True:
        failed = 0
        now = time.monotonic()
        if legacy is not None and not only and now >= next_legacy:
            next_legacy = now + max(every, 0)
            try:
                legacy()
            except DomainError as exc:
                db.session.rollback()
                click.echo(f"Lỗi: {exc.message}", err=True)
                failed += 1
            except Exception as exc:
                db.session.rollback()
                jobs.log.exception("worker step() failed")
                click.echo(f"Lỗi: {type(exc).__name__}: {exc}", err=True)
                failed += 1
        outcomes = runner.tick()
        failed += sum(1 for o in outcomes.values() if isinstance(o, dict) and "error" in o)
        _print(as_json, outcomes)
        if queue is not None:
            try:
                jobs.consume(queue, burst=True)
            except Exception as exc:  # Redis gone: the rows wait in the database
                click.echo(f"Lỗi: hàng đợi RQ: {exc}", err=True)
        if every <= 0 or stop.requested:
            return failed
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline and not stop.requested:
            time.sleep(0.1)
        if stop.requested:
            return failed


def register(main: click.Group, domain_command) -> None:
    @main.group("jobs")
    def jobs_group() -> None:
        """Các bước chạy nền của `lophoc worker`."""

    @jobs_group.command("list")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def jobs_list(as_json: bool) -> None:
        """Liệt kê các bước đã đăng ký, chu kỳ và hàng đợi đang dùng."""
        from app.services import jobs

        rows = [
            {"name": s.name, "every": s.every, "enabled": s.is_enabled()}
            for s in jobs.steps().values()
        ]
        if as_json:
            click.echo(json.dumps({"queue": jobs.queue_mode(), "steps": rows}))
            return
        click.echo(f"Hàng đợi: {jobs.queue_mode()}")
        for row in rows:
            state = "bật" if row["enabled"] else "tắt (chưa cấu hình)"
            click.echo(f"  {row['name']:<24} mỗi {row['every']:g} giây  {state}")

    @jobs_group.command("run")
    @click.argument("name")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def jobs_run(name: str, as_json: bool) -> None:
        """Chạy ngay một bước NAME trong tiến trình này."""
        from app.services import jobs

        try:
            outcome = jobs.run_now(name)
        except KeyError as exc:
            click.echo(f"Lỗi: {exc.args[0]}", err=True)
            sys.exit(1)
        _print(as_json, {name: outcome})

    @jobs_group.command("consume")
    @click.option("--burst", is_flag=True, help="Dừng khi hàng đợi trống.")
    @with_appcontext
    def jobs_consume(burst: bool) -> None:
        """Xử lý hàng đợi RQ (cần REDIS_URL và LOPHOC_QUEUE=rq); chạy thêm để tăng sức."""
        from app.services import jobs

        if jobs.queue_mode() != "rq":
            click.echo("Lỗi: cần đặt REDIS_URL và LOPHOC_QUEUE=rq để dùng hàng đợi RQ.", err=True)
            sys.exit(1)
        jobs.consume(burst=burst)

    _register_backup(main, domain_command)
    _register_lifecycle(main, domain_command)


def _register_backup(main: click.Group, domain_command) -> None:
    @main.command("backup")
    @click.option("-o", "--output", "output", type=click.Path(path_type=Path), required=True)
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def backup(output: Path, as_json: bool) -> None:
        """Sao lưu cơ sở dữ liệu, tệp tải lên và nội dung SCORM vào một tệp lưu trữ."""
        from app.cli import _emit
        from app.services.backup import create_backup

        manifest = create_backup(output)
        _emit(
            as_json,
            {"path": str(output), **manifest.summary()},
            f"Đã sao lưu vào {output}: cơ sở dữ liệu {manifest.dialect} "
            f"(phiên bản {manifest.revision}), {manifest.file_count} tệp.",
        )

    @main.command("restore")
    @click.argument("archive", type=click.Path(path_type=Path, exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="Không hỏi lại (thay toàn bộ dữ liệu hiện có).")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def restore(archive: Path, yes: bool, as_json: bool) -> None:
        """Khôi phục từ tệp sao lưu: THAY THẾ cơ sở dữ liệu và tệp hiện có. Dừng máy chủ trước."""
        from app.cli import _emit
        from app.services.backup import restore_backup, verify_backup

        manifest = verify_backup(archive)
        if not yes:
            click.confirm(
                f"Khôi phục {archive} (tạo lúc {manifest.created_at}) sẽ thay toàn bộ dữ liệu "
                "hiện có. Tiếp tục?",
                abort=True,
            )
        manifest = restore_backup(archive)
        _emit(
            as_json,
            {"restored": str(archive), **manifest.summary()},
            f"Đã khôi phục {archive}: cơ sở dữ liệu {manifest.dialect}, {manifest.file_count} tệp.",
        )


def _register_lifecycle(main: click.Group, domain_command) -> None:
    from app.cli import _emit

    @main.group("years")
    def years_group() -> None:
        """Năm học: lưu trữ (chỉ đọc) năm học đã kết thúc."""

    @years_group.command("archive")
    @click.argument("year")
    @click.option("--school", "school_code", required=True)
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def years_archive(year: str, school_code: str, as_json: bool) -> None:
        """Lưu trữ năm học YEAR (vd 2025-2026) đã kết thúc: từ đó chỉ đọc."""
        from app.services.lifecycle import archive_year

        archived = archive_year(None, school_code, year)
        _emit(
            as_json,
            {"school": school_code, "year": archived.name, "archived": True},
            f"Đã lưu trữ năm học {archived.name} của trường {school_code} (chỉ đọc).",
        )

    @years_group.command("unarchive")
    @click.argument("year")
    @click.option("--school", "school_code", required=True)
    @click.option("--reason", required=True, help="Lý do (ghi vào nhật ký)")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def years_unarchive(year: str, school_code: str, reason: str, as_json: bool) -> None:
        """Mở lại năm học đã lưu trữ (để sửa sai), có ghi lý do."""
        from app.services.lifecycle import unarchive_year

        opened = unarchive_year(None, school_code, year, reason)
        _emit(
            as_json,
            {"school": school_code, "year": opened.name, "archived": False},
            f"Đã mở lại năm học {opened.name} của trường {school_code}.",
        )

    students_group = main.commands["students"]

    @students_group.command("purge")
    @click.argument("code")
    @click.option("--school", "school_code", required=True)
    @click.option("--reason", default="", help="Lý do, ví dụ số đơn yêu cầu (ghi vào nhật ký)")
    @click.option("--yes", is_flag=True, help="Không hỏi lại.")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def students_purge(code: str, school_code: str, reason: str, yes: bool, as_json: bool):
        """Xoá dữ liệu cá nhân của học sinh CODE theo yêu cầu (không hoàn tác được); điểm số
        giữ lại dưới một mã ẩn danh để thống kê không đổi."""
        from app.services.lifecycle import purge_student

        if not yes:
            click.confirm(
                f"Xoá vĩnh viễn dữ liệu cá nhân của học sinh {code} ({school_code})?", abort=True
            )
        student = purge_student(None, school_code, code, reason)
        _emit(
            as_json,
            {"purged": code, "anonymous_code": student.student_code, "user_id": student.id},
            f"Đã xoá dữ liệu cá nhân của {code}; điểm giữ dưới mã {student.student_code}.",
        )
