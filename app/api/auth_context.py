"""Who is calling the API: a bearer token or, for the app's own pages, the session cookie."""

from __future__ import annotations

from functools import wraps

from flask import g, request, session
from flask_babel import gettext as _
from flask_login import current_user

from app.core.errors import Forbidden, NotAuthenticated
from app.extensions import db
from app.models import User
from app.services import identity


def _resolve() -> User:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user, token = identity.user_for_token(header[7:].strip())
        g.api_token = token
        return user
    if current_user.is_authenticated:
        g.api_token = None
        return current_user._get_current_object()
    raise NotAuthenticated(_("Cần đăng nhập (gửi Authorization: Bearer TOKEN)."))


def single_statement(view):
    """For a request whose only write is one self-contained statement (an answer save): run
    its connection in autocommit, so the database sees SELECT token, then the UPSERT, each
    committed (and on disk) when it returns, with no BEGIN/COMMIT round trips around them.
    Must be the outermost decorator; a session already in a transaction (a test sharing its
    session with the request) keeps its transaction and the view commits as usual."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not db.session().in_transaction():
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return view(*args, **kwargs)

    return wrapped


def authenticated_caller(view):
    """Like authenticated() (no scope: integration tokens are refused), for a hot path that
    needs only the caller's id, school and role (an answer save, an exam start): a bearer
    token or the session cookie (the exam page's calls) is checked by the same rules as for
    every request (identity.caller_for_token / caller_for_session) without loading the user."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        claim = session.get("_user_id")  # Flask-Login's "id:version" of a signed-in session
        caller = None
        if header.lower().startswith("bearer "):
            caller = identity.caller_for_token(header[7:].strip())
        elif claim and "_login_user" not in g:
            caller = identity.caller_for_session(claim)
        if caller is not None:
            g.api_token = None
            g.actor = caller
        elif current_user.is_authenticated:  # e.g. signed in by the remember-me cookie
            g.api_token = None
            g.actor = current_user._get_current_object()
        else:
            raise NotAuthenticated(_("Cần đăng nhập (gửi Authorization: Bearer TOKEN)."))
        return view(*args, **kwargs)

    return wrapped


def actor() -> User:
    """The calling user (after `authenticated` ran)."""
    return g.actor


def authenticated(scope: str | None = None):
    """Require a caller; integration tokens must also carry `scope` (e.g. roster:read)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            g.actor = _resolve()
            token = g.get("api_token")
            if (
                token is not None
                and token.kind == "integration"
                and (scope is None or scope not in token.scope_set)
            ):
                message = (
                    _("Mã truy cập không có quyền %(s)s.", s=scope)
                    if scope
                    else _("Mã truy cập tích hợp không dùng được cho thao tác này.")
                )
                raise Forbidden(message, code="insufficient_scope")
            return view(*args, **kwargs)

        return wrapped

    return decorator
