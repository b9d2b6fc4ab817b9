"""Entry point for production servers: `gunicorn wsgi:app` (docs/deploy.md)."""

from __future__ import annotations

import os

from werkzeug.middleware.proxy_fix import ProxyFix

from app import create_app
from app.core import gc_tuning
from app.extensions import socketio

app = create_app(os.environ.get("LOPHOC_ENV", "production"))
# Behind nginx the client address comes from X-Forwarded-For; trust only as many proxies as
# are really in front (LOPHOC_PROXY_COUNT, default 1), or anyone could forge their IP.
_proxies = int(os.environ.get("LOPHOC_PROXY_COUNT", "1"))
if _proxies:
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=_proxies, x_proto=_proxies, x_host=_proxies)

# Everything loaded so far lives as long as the process: out of the collector's scans, and
# young collections rarer, so that no collection stops the process for long (gc_tuning).
gc_tuning.settle()

__all__ = ["app", "socketio"]
