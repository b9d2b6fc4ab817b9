"""Flask extensions, created unbound here and bound to the app in create_app()."""

from __future__ import annotations

import sqlite3
import time

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with explicit constraint names, so migrations are stable everywhere."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
socketio = SocketIO()


def _client_key() -> str:
    return get_remote_address() or request.remote_addr or "unknown"


limiter = Limiter(key_func=_client_key, default_limits=[])


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite as a server database: WAL so readers never block the writer, FULL sync so a
    committed answer survives a power cut, and writers queue for the lock instead of failing
    at once with "database is locked" during an exam's synchronised start."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


# A pooled connection is checked with a round trip only when it sat idle this long: SQLAlchemy's
# pool_pre_ping pays that round trip on every checkout, a third of an answer save's waiting on
# PostgreSQL (and, under load, a GIL hand-off each). Connections in steady use skip it; a
# database restarted under them fails the statement in flight, which is answered 503 (retry)
# and the connection replaced (app.web.hooks).
IDLE_PING_SECONDS = 10.0


@event.listens_for(Pool, "checkin")
def _mark_idle(_dbapi_connection, record) -> None:
    if record is not None:
        record.info["idle_since"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    """Pessimistic disconnect handling for idle connections (the pool retries with a fresh
    connection when this raises DisconnectionError)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        return
    since = record.info.get("idle_since")
    if since is not None and time.monotonic() - since < IDLE_PING_SECONDS:
        return
    autocommit = getattr(dbapi_connection, "autocommit", None)
    try:
        if autocommit is False:
            dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        if autocommit is False:
            dbapi_connection.autocommit = False
    except Exception as exc:
        raise DisconnectionError(str(exc)) from exc
