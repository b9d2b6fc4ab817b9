"""Brute-force lockout per account: after N wrong passwords in a row the account refuses every
sign-in for a while (whatever the password), on top of the per-IP limiter; admins can unlock."""

from __future__ import annotations

import math
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from app.core.clock import now_utc
from app.core.errors import DomainError
from app.extensions import db
from app.models import User
from app.services import audit
from app.services.access import get_scoped, require_school_admin

DEFAULT_FAILURES = 5
DEFAULT_MINUTES = 15


class AccountLocked(DomainError):
    """Too many wrong passwords for this account: 429 with Retry-After."""

    status = 429
    code = "account_locked"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def _limits() -> tuple[int, timedelta]:
    config = current_app.config
    failures = int(config.get("LOGIN_LOCKOUT_FAILURES", DEFAULT_FAILURES))
    minutes = float(config.get("LOGIN_LOCKOUT_MINUTES", DEFAULT_MINUTES))
    return failures, timedelta(minutes=minutes)


def seconds_locked(user: User) -> int:
    """Seconds until the account can sign in again (0: not locked)."""
    if user.locked_until is None:
        return 0
    left = (user.locked_until - now_utc()).total_seconds()
    return max(0, math.ceil(left))


def refuse_if_locked(user: User | None) -> None:
    """Raise AccountLocked while the account is locked (checked before the password, so that a
    locked account says nothing about whether a guess was right)."""
    if user is None:
        return
    left = seconds_locked(user)
    if left:
        minutes = max(1, math.ceil(left / 60))
        raise AccountLocked(
            _(
                "Tài khoản tạm khoá do nhập sai mật khẩu nhiều lần. Hãy thử lại sau %(m)s phút "
                "hoặc nhờ quản trị viên mở khoá.",
                m=minutes,
            ),
            retry_after=left,
        )


def record_failure(user: User) -> None:
    """Count a wrong password; the Nth in a row locks the account (audited). Commits, because
    the sign-in that follows is refused and its transaction rolled back."""
    failures, duration = _limits()
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= failures:
        user.locked_until = now_utc() + duration
        user.failed_logins = 0
        audit.record(None, "user.locked", user, {"locked_until": [None, str(user.locked_until)]})
    db.session.commit()


def record_success(user: User) -> None:
    """A right password: the count starts again (the caller commits)."""
    user.failed_logins = 0
    user.locked_until = None


def unlock(actor: User, user_id: int) -> User:
    """An admin lifts a lockout at once. Raises Forbidden, NotFound. Audited; commits."""
    require_school_admin(actor)
    user = get_scoped(User, user_id, actor)
    if user.locked_until is not None or user.failed_logins:
        audit.record(actor, "user.unlock", user, {"locked_until": [str(user.locked_until), None]})
    user.locked_until = None
    user.failed_logins = 0
    db.session.commit()
    return user
