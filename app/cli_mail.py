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
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def worker(every: float, as_json: bool) -> None:
        """Một vòng lặp: quét thông báo bài tập rồi gửi thư trong hàng đợi."""

        def step() -> None:
            _scan(as_json)
            __import__("app.cli_notices", fromlist=["weekly_step"]).weekly_step(as_json)
            _send(as_json)

        _loop(every, step)
