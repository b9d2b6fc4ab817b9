"""Entry point for production servers: `gunicorn wsgi:app` (docs/deploy.md)."""

from __future__ import annotations

import gc
import os

from werkzeug.middleware.proxy_fix import ProxyFix

from app import create_app
from app.extensions import socketio

app = create_app(os.environ.get("LOPHOC_ENV", "production"))
# Behind nginx the client address comes from X-Forwarded-For; trust only as many proxies as
# are really in front (LOPHOC_PROXY_COUNT, default 1), or anyone could forge their IP.
_proxies = int(os.environ.get("LOPHOC_PROXY_COUNT", "1"))
if _proxies:
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=_proxies, x_proto=_proxies, x_host=_proxies)

# Everything loaded so far (the app, its modules, SQLAlchemy's mappers) lives as long as the
# process: keep it out of the garbage collector's full collections, which otherwise scan it
# every time. With 2,000 live clients a full collection paused the worker, and every socket
# in it, for 250-450 ms (docs/bench.md).
gc.freeze()

__all__ = ["app", "socketio"]
