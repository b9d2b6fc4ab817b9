"""`lophoc notify weekly-digest` and the worker's weekly step: the family digest e-mail
(registered on the main group by app.cli, after app.cli_mail which creates `notify`)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext


def _digest(week: date | None, as_json: bool) -> dict:
    from app.cli import _emit
    from app.services.weekly_digest import send_week

    counts = send_week(week)
    _emit(
        as_json,
        counts,
        f"Thư tóm tắt tuần {counts['week']}: đã xếp hàng {counts['queued']}, "
        f"đã gửi trước đó {counts['already']}, bỏ qua {counts['skipped']} "
        "(không có thư điện tử hoặc đã tắt).",
    )
    return counts


def weekly_step(as_json: bool) -> None:
    """The `lophoc worker` step: on Sunday evening (local time) queue the week's digest; every
    later round that evening finds it already queued and sends nothing twice."""
    from app.services.weekly_digest import is_due

    if is_due():
        _digest(None, as_json)


def register(main: click.Group, domain_command) -> None:
    notify_group = main.commands["notify"]

    @notify_group.command("weekly-digest")
    @click.option(
        "--week",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Một ngày trong tuần cần gửi (mặc định: tuần này nếu hôm nay là Chủ nhật, "
        "nếu không thì tuần trước).",
    )
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @domain_command
    def weekly_digest(week, as_json: bool) -> None:
        """Xếp hàng thư tóm tắt tuần cho mỗi phụ huynh (một thư cho tất cả các con); chạy lại
        không gửi trùng."""
        _digest(week.date() if week else None, as_json)
