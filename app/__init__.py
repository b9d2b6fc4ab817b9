"""LopHoc application factory: configuration, extensions, blueprints, error handlers, CLI."""

from __future__ import annotations

import sys

from flask import Flask
from sqlalchemy.orm import configure_mappers

from app.config import INSTANCE_DIR, load_config
from app.core.db_types import RowIdConverter


def create_app(config: str | dict | None = None) -> Flask:
    """Build the Flask app; `config` is a config name or a dict of overrides (tests)."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=False)
    app.url_map.converters["int"] = RowIdConverter  # before any route is added
    app.config.from_object(load_config(config if isinstance(config, str) else None))
    if isinstance(config, dict):
        app.config.update(config)

    from app import extensions, models  # noqa: F401 - models register their tables
    from app.api import register_api
    from app.live import register_live, route_socketio_path
    from app.web import register_web
    from app.web.hooks import register_hooks

    _ensure_sqlite_dir(app.config["SQLALCHEMY_DATABASE_URI"])
    register_live(extensions.socketio)  # before init_app, which registers the namespaces
    _init_extensions(app)
    route_socketio_path(app)
    register_hooks(app)
    register_web(app)
    register_api(app)
    # Resolve every model's relationships now, once per process, instead of inside the first
    # request (py-spy: ~0.5 s of CPU per fresh gunicorn process, which the first students after
    # a restart would wait for at an exam's start).
    configure_mappers()
    from app.api.answer_lane import AnswerLane

    app.wsgi_app = AnswerLane(app, app.wsgi_app)  # the exam's answer saves (see its docstring)
    return app


def _init_extensions(app: Flask) -> None:
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio
    from app.web.i18n import select_locale, select_timezone

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    # Redis down: the limits are counted in this process's memory until it is back, rather
    # than every limited request (sign-in) failing.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
    socketio.init_app(
        app,
        message_queue=_live_message_queue(app),
        channel=app.config.get("SOCKETIO_CHANNEL", "flask-socketio"),
        async_mode=socketio_async_mode(app.config.get("SOCKETIO_ASYNC_MODE", "auto")),
        # Above engine.io's 1 MB default, so that an oversized chat line reaches the handler
        # and is refused with an error event instead of the socket being dropped.
        max_http_buffer_size=app.config.get("SOCKETIO_MAX_MESSAGE_BYTES", 2 * 1024 * 1024),
    )


def _engine_options(app: Flask) -> dict:
    """The engine options with the pool sized for a server database (SQLite keeps its own
    pool: one file, and an in-memory database must stay on one connection)."""
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        options.setdefault("pool_size", app.config.get("LOPHOC_DB_POOL_SIZE", 16))
        options.setdefault("max_overflow", app.config.get("LOPHOC_DB_MAX_OVERFLOW", 8))
    return options


def _live_message_queue(app: Flask) -> str | None:
    """REDIS_URL as the Socket.IO message queue when Redis answers. When it does not, the live
    room runs in this process alone (a queue that cannot be reached would drop every event,
    even to clients of this process): logged as a warning and flagged for /readyz
    (`LOPHOC_LIVE_SINGLE_PROCESS`); restart the process once Redis is back."""
    url = app.config.get("REDIS_URL")
    app.config["LOPHOC_LIVE_SINGLE_PROCESS"] = False
    if not url:
        return None
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError) as exc:
        app.logger.warning(
            "Redis at REDIS_URL is unreachable (%s): the live room runs in this process only "
            "(no message queue between workers) until the process is restarted with Redis up.",
            exc,
        )
        app.config["LOPHOC_LIVE_SINGLE_PROCESS"] = True
        return None
    return url


def socketio_async_mode(wanted: str = "auto") -> str:
    """The Socket.IO async mode, threading or gevent (docs/live.md, "Concurrency"); "auto" is
    gevent only in a process that gevent monkey-patched before anything else was imported,
    since the database driver and Redis client must yield to the event loop, not block it."""
    if wanted in ("threading", "gevent"):
        return wanted
    monkey = sys.modules.get("gevent.monkey")
    return "gevent" if monkey is not None and monkey.is_module_patched("socket") else "threading"


def _ensure_sqlite_dir(uri: str) -> None:
    """`lophoc db upgrade` creates the SQLite file; its folder must exist first."""
    from pathlib import Path

    if uri.startswith("sqlite:///") and uri != "sqlite:///:memory:":
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"
