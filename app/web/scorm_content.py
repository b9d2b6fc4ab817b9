"""The SCORM content origin: the run-time wrapper page and package files, cookie-free.

Package content is untrusted script. It is served from SCORM_CONTENT_ORIGIN (another origin
than the app, so the browser never sends it the session cookie) under a per-launch token
that names one attempt; requests for anything else on that origin are refused.
"""

from __future__ import annotations

import os
from urllib.parse import quote, urlsplit

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory

from app.core.errors import DomainError
from app.services import elearning, scorm_runtime

bp = Blueprint("scorm_content", __name__, url_prefix="/scorm/run")
_ALLOWED_ON_CONTENT_ORIGIN = (
    "/scorm/run/",
    "/api/v1/scorm/",
    "/static/vendor/scorm-again/",
    "/static/js/scorm_runtime.js",
    "/static/css/scorm_runtime.css",
)


def content_origin() -> str:
    """SCORM_CONTENT_ORIGIN without a trailing slash ('' serves content from the app's origin,
    for development only: see docs/scorm.md)."""
    configured = current_app.config.get("SCORM_CONTENT_ORIGIN")
    if configured is None:
        configured = os.environ.get("SCORM_CONTENT_ORIGIN", "")
    return configured.rstrip("/")


@bp.before_app_request
def _content_origin_serves_content_only():
    origin = content_origin()
    on_content_origin = bool(origin) and request.host == urlsplit(origin).netloc
    if on_content_origin and not request.path.startswith(_ALLOWED_ON_CONTENT_ORIGIN):
        abort(404)


def _session(token: str) -> scorm_runtime.Session:
    try:
        return scorm_runtime.resolve(token)
    except DomainError:
        abort(403)


def _wrapper_csp(parent: str) -> str:
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; "
        f"frame-ancestors {parent}"
    )


def package_csp(parent: str) -> str:
    """Packaged content brings its own inline scripts, styles and media, and authoring tools
    link libraries and fonts from CDNs: allow those. Requests it makes with fetch/XHR may go
    to its own origin only (the commit endpoint), and it may be framed only by the player."""
    return (
        "default-src 'self' data: blob:; "
        "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob: https:; "
        "style-src 'self' 'unsafe-inline' https:; img-src 'self' data: blob: https:; "
        "media-src 'self' data: blob: https:; font-src 'self' data: https:; "
        "connect-src 'self'; frame-src 'self' https:; object-src 'none'; "
        f"base-uri 'self'; form-action 'self'; frame-ancestors 'self' {parent}"
    )


@bp.get("/<token>/")
def wrapper(token: str):
    session = _session(token)
    config = scorm_runtime.runtime_config(token)
    path, _sep, query = config["launch_url"].partition("?")
    launch = f"{request.script_root}/scorm/run/{token}/f/{quote(path, safe='/')}"
    config["launch"] = f"{launch}?{query}" if query else launch
    config["commit_url"] = f"{request.script_root}/api/v1/scorm/commit"
    config["token"] = token
    config["parent_origin"] = session.parent_origin
    response = current_app.make_response(render_template("elearning/runtime.html", config=config))
    response.headers["Content-Security-Policy"] = _wrapper_csp(session.parent_origin)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/<token>/f/<path:path>")
def content(token: str, path: str):
    session = _session(token)
    response = send_from_directory(
        elearning.version_dir(session.attempt.version), path, max_age=3600
    )
    response.headers["Content-Security-Policy"] = package_csp(session.parent_origin)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
