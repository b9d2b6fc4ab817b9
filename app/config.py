"""Configuration from the environment (CONTRACT.md names); production needs a SECRET_KEY."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

INSTANCE_DIR = Path(os.environ.get("LOPHOC_INSTANCE_DIR", Path.cwd() / "instance"))


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Defaults for a single school's lab server: SQLite under instance/, no Redis."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'lophoc.sqlite3'}"
    )
    # Idle connections are pinged before use (app.extensions._ping_if_idle), busy ones are not.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": False}
    # PostgreSQL connections kept open per process (app._engine_options). A request past them
    # opens an overflow connection, closed again on return: under an exam's load that churn
    # (a new server backend per request) cost more CPU than the saves themselves. Keep
    # processes x (size + overflow) under the server's max_connections (100 by default).
    LOPHOC_DB_POOL_SIZE = int(os.environ.get("LOPHOC_DB_POOL_SIZE", "16"))
    LOPHOC_DB_MAX_OVERFLOW = int(os.environ.get("LOPHOC_DB_MAX_OVERFLOW", "8"))
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # Socket.IO concurrency: "auto" is gevent when the process was monkey-patched by gevent
    # (gunicorn -k gevent, bench/live_server.py --async-mode gevent), else threading.
    SOCKETIO_ASYNC_MODE = os.environ.get("LOPHOC_SOCKETIO_ASYNC_MODE", "auto")
    LOPHOC_TIMEZONE = os.environ.get("LOPHOC_TIMEZONE", "Asia/Ho_Chi_Minh")
    LOPHOC_LANGUAGE = os.environ.get("LOPHOC_LANGUAGE", "vi")
    # Answer saves written at the WSGI door (app/api/answer_lane.py); 0 sends every save
    # through the full Flask request path.
    LOPHOC_ANSWER_LANE = _bool("LOPHOC_ANSWER_LANE", True)
    LANGUAGES = ("vi", "en")
    BABEL_DEFAULT_LOCALE = LOPHOC_LANGUAGE
    BABEL_DEFAULT_TIMEZONE = LOPHOC_TIMEZONE
    MAX_CONTENT_LENGTH = int(os.environ.get("LOPHOC_MAX_UPLOAD_MB", "50")) * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("LOPHOC_SECURE_COOKIES", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    API_TOKEN_HOURS = 12
    LOGIN_RATE_LIMIT = os.environ.get("LOPHOC_LOGIN_RATE_LIMIT", "10 per minute")
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "lophoc@localhost")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "20"))
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))
    MAIL_RETRY_SECONDS = int(os.environ.get("MAIL_RETRY_SECONDS", "60"))
    # Links in e-mails must be absolute; where the school reaches this server.
    LOPHOC_BASE_URL = os.environ.get("LOPHOC_BASE_URL", "http://127.0.0.1:5000")
    SIS_PUSH_URL = os.environ.get("SIS_PUSH_URL", "")
    SIS_PUSH_SECRET = os.environ.get("SIS_PUSH_SECRET", "")
    # Background gradebook exports run in `lophoc worker`; in development, with no worker,
    # a thread of the web process runs them instead (docs/grade-export.md).
    LOPHOC_EXPORT_IN_PROCESS = _bool("LOPHOC_EXPORT_IN_PROCESS", True)
    # flask-smorest: the OpenAPI document is generated from the API blueprints.
    API_TITLE = "LopHoc API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    TESTING = False
    DEBUG = False


class ProductionConfig(Config):
    """Production: a real SECRET_KEY is required and cookies are sent over HTTPS only."""

    SESSION_COOKIE_SECURE = _bool("LOPHOC_SECURE_COOKIES", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    LOPHOC_EXPORT_IN_PROCESS = _bool("LOPHOC_EXPORT_IN_PROCESS", False)


class TestingConfig(Config):
    """Tests: CSRF still on (tests send the token), fast hashing not needed, memory limiter."""

    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    RATELIMIT_STORAGE_URI = "memory://"
    LOPHOC_EXPORT_IN_PROCESS = False


def load_config(name: str | None) -> type[Config]:
    """Pick the config class; production refuses to start with the development key."""
    name = name or os.environ.get("LOPHOC_ENV", "development")
    cls = {"production": ProductionConfig, "testing": TestingConfig}.get(name, Config)
    if cls is ProductionConfig and not os.environ.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in production (LOPHOC_ENV=production).")
    return cls
