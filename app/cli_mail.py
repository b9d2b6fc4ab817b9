"""`lophoc mail send`, `lophoc notify due-tomorrow` and `lophoc worker`: the notification
worker commands (registered on the main group by app.cli)."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext


def _loop(every: float, step) -> None:
    while True:
        step()
        if every <= 0:
            return
        time.sleep(every)


def _send(as_json: bool) -> None:
    from app.cli import _emit
    from app.services.mail_outbox import send_pending

    counts = send_pending()
    _emit(
        as_json,
        counts,
        f"Thư: đã gửi {counts['sent']}, chờ gửi lại {counts['retrying']}, "
        f"thất bại {counts['failed']}.",
    )


def _scan(as_json: bool) -> None:
    from app.cli import _emit
    from app.services.homework_notices import due_tomorrow, opened_since

    opened, due = opened_since(), due_tomorrow()
    _emit(
        as_json,
        {"homework_new": opened, "homework_due": due},
        f"Thông báo: {opened} bài tập mới mở, {due} nhắc hạn nộp ngày mai.",
    )


def _exports(as_json: bool) -> None:
    from app.cli import _emit
    from app.services import gradebook_jobs

    counts = gradebook_jobs.run_pending()
    if any(counts.values()):
        _emit(
            as_json,
            {"grade_exports": counts},
            f"Xuất điểm: {counts['done']} tệp xong, {counts['failed']} lỗi.",
        )


def register(main: click.Group, domain_command) -> None:
    @main.group("mail")
    def mail_group() -> None:
        """Thư điện tử (hàng đợi gửi thư)."""

    @mail_group.command("send")
    @click.option("--once", is_flag=True, help="Gửi một lượt rồi dừng (mặc định).")
    @click.option("--every", type=float, default=0, help="Lặp lại mỗi N giây.")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def mail_send(once: bool, every: float, as_json: bool) -> None:
        """Gửi các thư đang chờ trong hàng đợi, thử lại khi lỗi (giãn cách tăng dần)."""
        _loop(0 if once else every, lambda: _send(as_json))

    @main.group("notify")
    def notify_group() -> None:
        """Thông báo."""

    @notify_group.command("due-tomorrow")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def notify_due(as_json: bool) -> None:
        """Nhắc học sinh (và phụ huynh) bài tập hết hạn ngày mai mà chưa nộp; chạy lại không gửi
        trùng. Cũng báo bài tập hẹn giờ mở vừa mở."""
        _scan(as_json)

    @main.command("worker")
    @click.option("--every", type=float, default=60, help="Mỗi N giây (0: chạy một lượt).")
    @click.option("--only", multiple=True, help="Chỉ chạy bước này (lặp lại được).")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def worker(every: float, only: tuple[str, ...], as_json: bool) -> None:
        """Một vòng lặp: tạo các tệp xuất điểm đang chờ, quét thông báo bài tập, gửi thư trong
        hàng đợi, và mọi bước nền đã đăng ký khi đến hạn (`lophoc jobs list`; RQ khi
        LOPHOC_QUEUE=rq)."""

        def step() -> None:
            _exports(as_json)
            _scan(as_json)
            weekly_step(as_json)
            _send(as_json)

        from app.cli_notices import weekly_step
        from app.cli_ops import run_worker

        if run_worker(every, as_json, step, only) and every <= 0:
            raise SystemExit(1)
