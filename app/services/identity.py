"""Identity use cases: sign-in, tokens, passwords, creating and (de)activating people."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.core.clock import now_utc
from app.core.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationFailed
from app.core.security import (
    hash_password,
    new_token,
    password_problem,
    random_password,
    token_digest,
    verify_password,
)
from app.core.text import clean_line, fold
from app.extensions import db
from app.models import ApiToken, Role, User
from app.services import audit, lockout
from app.services.access import acting_school_id, get_scoped, require_school_admin

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")
INTEGRATION_SCOPES = frozenset({"grades:read", "roster:read", "roster:write"})


@dataclass(frozen=True)
class IssuedToken:
    """A token as handed to the client once; only its digest is stored."""

    token: str
    expires_at: datetime | None


ROLE_LABELS = {
    Role.SYSTEM_ADMIN: _l("Quản trị hệ thống"),
    Role.ADMIN: _l("Quản trị trường"),
    Role.TEACHER: _l("Giáo viên"),
    Role.STUDENT: _l("Học sinh"),
    Role.PARENT: _l("Phụ huynh"),
}


def role_label(role: str) -> str:
    """The role's name in the user's language (Vietnamese by default)."""
    try:
        return str(ROLE_LABELS[Role(role)])
    except ValueError:
        return role


def normalise_username(raw: str) -> str:
    """Usernames are case-insensitive and accent-free; raise ValidationFailed if unusable."""
    username = fold(raw).replace(" ", "")
    if not USERNAME_RE.match(username):
        raise ValidationFailed(
            _(
                "Tên đăng nhập “%(name)s” không hợp lệ: dùng chữ không dấu, số, dấu . _ - @.",
                name=raw,
            )
        )
    return username


def search_text_for(user: User) -> str:
    """The folded text that people search finds a user by."""
    return " ".join(filter(None, [fold(user.full_name), user.username, fold(user.student_code)]))


def authenticate(username: str, password: str) -> User:
    """Check a username and password. Raises NotAuthenticated (same message for unknown user
    and wrong password), AccountLocked (429: too many wrong passwords in a row, see lockout)
    or Forbidden for a deactivated account; records the sign-in time."""
    user = db.session.scalar(select(User).where(User.username == fold(username).replace(" ", "")))
    if user is not None and lockout.seconds_locked(user):
        verify_password(None, password)  # same time as a real check
        lockout.refuse_if_locked(user)
    if user is None or not verify_password(user.password_hash, password):
        if user is not None:
            lockout.record_failure(user)
        raise NotAuthenticated(_("Tên đăng nhập hoặc mật khẩu không đúng."), code="bad_credentials")
    if not user.is_active or (user.school is not None and not user.school.is_active):
        raise Forbidden(
            _("Tài khoản đã bị khoá. Hãy liên hệ quản trị viên của trường."),
            code="account_disabled",
        )
    if not user.totp_enabled_at:
        # With a second factor the count starts again only once the code is right too, so
        # that signing in with the password again does not buy more guesses at the code.
        lockout.record_success(user)
    user.last_login_at = now_utc()
    db.session.commit()
    return user


def issue_session_token(user: User, hours: int) -> IssuedToken:
    """A bearer token for the API after a password sign-in; expires after `hours`."""
    token = new_token()
    expires_at = now_utc() + timedelta(hours=hours)
    db.session.add(
        ApiToken(
            user_id=user.id,
            school_id=user.school_id,
            digest=token_digest(token),
            kind="session",
            expires_at=expires_at,
        )
    )
    db.session.commit()
    return IssuedToken(token, expires_at)


def create_integration_token(
    actor: User, name: str, scopes: list[str], days: int | None = None
) -> IssuedToken:
    """A long-lived scoped token for school-management integrations (admins only)."""
    require_school_admin(actor)
    unknown = set(scopes) - INTEGRATION_SCOPES
    if not scopes or unknown:
        raise ValidationFailed(
            _(
                "Phạm vi không hợp lệ: %(s)s. Chọn trong: %(all)s.",
                s=", ".join(sorted(unknown)) or "—",
                all=", ".join(sorted(INTEGRATION_SCOPES)),
            )
        )
    token = new_token()
    expires_at = now_utc() + timedelta(days=days) if days else None
    row = ApiToken(
        user_id=actor.id,
        school_id=actor.school_id,
        digest=token_digest(token),
        kind="integration",
        name=clean_line(name)[:120],
        scopes=" ".join(sorted(scopes)),
        expires_at=expires_at,
    )
    db.session.add(row)
    audit.record(actor, "token.create", row, {"scopes": [None, row.scopes]})
    db.session.commit()
    return IssuedToken(token, expires_at)


def _check_token(found, user_active: bool | None, now: datetime) -> None:
    """The one rule for a presented token (both lookups below use it)."""
    if found is None or found.revoked_at is not None or (
        found.expires_at and found.expires_at <= now
    ):
        raise NotAuthenticated(_("Mã truy cập không hợp lệ hoặc đã hết hạn."), code="invalid_token")
    if not user_active:
        raise NotAuthenticated(_("Tài khoản đã bị khoá."), code="account_disabled")


def user_for_token(token: str) -> tuple[User, ApiToken]:
    """Resolve a bearer token. Raises NotAuthenticated if unknown, expired, revoked or disabled."""
    row = db.session.scalar(  # token and user in one round trip: this runs on every API call
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.digest == token_digest(token))
    )
    now = now_utc()
    _check_token(row, row is not None and row.user.is_active, now)
    if row.kind == "integration" and (
        row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5)
    ):
        row.last_used_at = now  # coarse on purpose: one write per token per 5 minutes at most
        db.session.commit()
    return row.user, row


def _session_holds(row, version: str) -> bool:
    """The one rule for a signed-in session: the account is active and its session version is
    the one the session was issued with (a password change or "log out everywhere" bumps it)."""
    return row is not None and bool(row.is_active) and str(row.session_version) == version


def user_for_session(session_id: str) -> User | None:
    """Flask-Login's user loader: the user of a session id "user_id:session_version"."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.scalar(select(User).where(User.id == int(user_id)))
    return user if _session_holds(user, version) else None


def caller_for_session(session_id: str) -> TokenCaller | None:
    """Like user_for_session, for the hot paths: the caller's id and school, without loading
    the user; None when the session no longer holds."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit():
        return None
    row = db.session.execute(
        select(User.school_id, User.role, User.is_active, User.session_version).where(
            User.id == int(user_id)
        )
    ).first()
    if not _session_holds(row, version):
        return None
    return TokenCaller(int(user_id), row.school_id, row.role)


@dataclass(frozen=True, slots=True)
class TokenCaller:
    """Who a session bearer token belongs to, read without loading the user: what an answer
    save or an exam start needs (its id, school and role), for a tenth of the CPU of the ORM
    lookup."""

    id: int
    school_id: int | None
    role: str


def caller_for_token(token: str) -> TokenCaller:
    """Like user_for_token, for the hot paths that only need the caller's id, school and role.
    Integration tokens are refused (Forbidden): they never act as a person."""
    row = db.session.execute(
        select(
            ApiToken.user_id,
            ApiToken.kind,
            ApiToken.expires_at,
            ApiToken.revoked_at,
            User.school_id,
            User.role,
            User.is_active,
        )
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.digest == token_digest(token))
    ).first()
    _check_token(row, row is not None and row.is_active, now_utc())
    if row.kind == "integration":
        raise Forbidden(
            _("Mã truy cập tích hợp không dùng được cho thao tác này."), code="insufficient_scope"
        )
    return TokenCaller(row.user_id, row.school_id, row.role)


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password. Raises ValidationFailed; ends the user's other sessions."""
    if not verify_password(user.password_hash, current):
        raise ValidationFailed(_("Mật khẩu hiện tại không đúng."), code="wrong_password")
    problem = password_problem(new, user.username)
    if problem:
        raise ValidationFailed(problem, code="weak_password")
    _set_password(user, new)
    audit.record(user, "user.password_change", user)
    db.session.commit()


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    _end_sessions(user)


def _end_sessions(user: User) -> None:
    """Every browser session and remember-me cookie (both carry the session version) and every
    sign-in API token of the user stop working at their next request."""
    user.session_version = (user.session_version or 0) + 1
    db.session.execute(
        ApiToken.__table__.update()
        .where(
            ApiToken.user_id == user.id, ApiToken.kind == "session", ApiToken.revoked_at.is_(None)
        )
        .values(revoked_at=now_utc())
    )


def log_out_everywhere(user: User) -> None:
    """End all of the user's sessions on every device, this one included (audited; commits).
    Integration tokens are the school's, not a device's: they stay until an admin revokes them."""
    _end_sessions(user)
    audit.record(user, "user.logout_everywhere", user)
    db.session.commit()


def reset_password(actor: User, user_id: int, password: str | None = None) -> str:
    """An admin sets a new password (random when not given) and returns it to hand over."""
    require_school_admin(actor)
    user = get_scoped(User, user_id, actor)
    password = password or random_password()
    problem = password_problem(password, user.username)
    if problem:
        raise ValidationFailed(problem, code="weak_password")
    _set_password(user, password)
    audit.record(actor, "user.password_reset", user)
    db.session.commit()
    return password


def set_active(actor: User, user_id: int, is_active: bool) -> User:
    """Deactivate or reactivate an account; nobody can lock themselves out."""
    require_school_admin(actor)
    user = get_scoped(User, user_id, actor)
    if user.id == actor.id and not is_active:
        raise Conflict(_("Bạn không thể tự khoá tài khoản của mình."))
    changes = audit.diff(user, {"is_active": is_active})
    if changes:
        user.session_version += 1
        audit.record(actor, "user.activate" if is_active else "user.deactivate", user, changes)
    db.session.commit()
    return user


def set_language(user: User, language: str) -> None:
    """The user's interface language (vi or en)."""
    if language not in ("vi", "en"):
        raise ValidationFailed(_("Ngôn ngữ không được hỗ trợ."))
    user.language = language
    db.session.commit()


def integration_tokens(actor: User) -> list[ApiToken]:
    """The school's integration tokens, newest first (admins only)."""
    require_school_admin(actor)
    stmt = (
        select(ApiToken)
        .where(ApiToken.school_id == acting_school_id(actor), ApiToken.kind == "integration")
        .order_by(ApiToken.id.desc())
    )
    return list(db.session.scalars(stmt))


def revoke_token(actor: User, token_id: int) -> ApiToken:
    """Revoke an integration token of the actor's school; raises NotFound for others."""
    require_school_admin(actor)
    token = get_scoped(ApiToken, token_id, actor)
    if token.kind != "integration":
        raise NotFound(_("Không tìm thấy."))
    if token.revoked_at is None:
        token.revoked_at = now_utc()
        audit.record(actor, "token.revoke", token, {"revoked": [False, True]})
    db.session.commit()
    return token
