"""Language and time zone choices for each request, and the date/number display filters."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import current_app, has_request_context, session
from flask_login import current_user

from app.core.clock import to_local


def select_locale() -> str:
    """The signed-in user's language, else the one chosen on the sign-in page, else Vietnamese."""
    if not has_request_context():  # the CLI, the worker, benchmarks: the school's language
        return current_app.config["LOPHOC_LANGUAGE"]
    if current_user and current_user.is_authenticated:
        return current_user.language
    lang = session.get("lang")
    return (
        lang if lang in current_app.config["LANGUAGES"] else current_app.config["LOPHOC_LANGUAGE"]
    )


def select_timezone() -> str:
    return current_app.config["LOPHOC_TIMEZONE"]


def local_datetime(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """A stored UTC time as the school sees it, e.g. 22/11/2026 21:30."""
    if value is None:
        return ""
    return to_local(value, current_app.config["LOPHOC_TIMEZONE"]).strftime(fmt)


def local_date(value, fmt: str = "%d/%m/%Y") -> str:
    return value.strftime(fmt) if value else ""


def vn_number(value: Decimal | float | int | None, places: int = 1) -> str:
    """8.5 -> "8,5": Vietnamese uses a decimal comma."""
    if value is None:
        return ""
    return f"{Decimal(value):.{places}f}".replace(".", ",")


def register_filters(app) -> None:
    from flask_babel import get_locale

    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["vn_number"] = vn_number
    app.jinja_env.filters["option_letter"] = lambda i: chr(ord("A") + i) if i < 26 else str(i + 1)
    app.jinja_env.filters["reject_page"] = lambda args: {
        k: v for k, v in args.items() if k != "page"
    }
