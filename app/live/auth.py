"""Who opens a Socket.IO connection: the Flask-Login session cookie of the web pages, or
`auth: {"token": ...}` with an API token (identity's session tokens). Shared by every
namespace (/live, /proctor)."""

from __future__ import annotations

from flask_login import current_user

from app.core.errors import NotAuthenticated
from app.models import User
from app.services import identity


def authenticate_connection(auth: object) -> User | None:
    """The signed-in user of a connection attempt, or None (refuse the connection).

    A token in `auth` wins over the cookie; integration tokens are for machines, not for
    people in a room, and are refused."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if token is not None:
        if not isinstance(token, str) or not token or len(token) > 200:
            return None
        try:
            user, row = identity.user_for_token(token.strip())
        except NotAuthenticated:
            return None
        return None if row.kind == "integration" else user
    if current_user.is_authenticated and current_user.is_active:
        return current_user._get_current_object()
    return None
