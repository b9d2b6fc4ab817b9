"""Decorators that keep a page to the roles that may see it."""

from __future__ import annotations

from functools import wraps

from flask import flash
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.models import Role
from app.services.access import require_role


def roles_required(*roles: Role):
    """Signed in and one of `roles`; otherwise 401 (redirect to sign-in) or 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            require_role(current_user, *roles)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = roles_required(Role.ADMIN, Role.SYSTEM_ADMIN)


def flash_or_refuse(exc: DomainError) -> None:
    """Show a refused action's message on the next page, unless the caller was refused for who
    they are (401/403/404): that keeps its status, so a refusal never looks like a success."""
    if exc.status in (401, 403, 404):
        raise exc
    flash(exc.message, "danger")
