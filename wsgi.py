"""Entry point for production servers: `gunicorn wsgi:app` (see docs/deploy.md when written)."""

from __future__ import annotations

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

__all__ = ["app", "socketio"]
