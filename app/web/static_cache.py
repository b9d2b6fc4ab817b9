"""Static files cached for the long run: `url_for("static", ...)` adds `?v=<content hash>` and
such URLs are served `Cache-Control: public, max-age=<1 year>, immutable`, so a browser fetches
Bootstrap and the page scripts once; a changed file gets a new URL. Unversioned URLs (fonts
referenced from CSS) keep Flask's revalidation by ETag (a 304 without the body)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, request

YEAR = 365 * 24 * 3600


def register(app: Flask) -> None:
    static = Path(app.static_folder or "")
    versions: dict[tuple[str, int, int], str] = {}

    def version(filename: str) -> str | None:
        path = static / filename
        try:
            stat = path.stat()
        except (OSError, ValueError):
            return None
        if not path.is_file():
            return None
        key = (filename, stat.st_mtime_ns, stat.st_size)
        if key not in versions:
            versions[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        return versions[key]

    @app.url_defaults
    def versioned_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values:
            tag = version(str(values.get("filename", "")))
            if tag:
                values["v"] = tag

    @app.after_request
    def cache_versioned_static(response):
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        return response
