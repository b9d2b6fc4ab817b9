"""Static URLs carry a content version and such URLs are cached for a year; others revalidate."""

from __future__ import annotations

from flask import url_for


def test_static_urls_are_versioned_by_content_and_cached_immutably(app, client):
    with app.test_request_context():
        css = url_for("static", filename="css/app.css")
        folder = url_for("static", filename="vendor/katex/")
        missing = url_for("static", filename="khong-co.js")
    assert css.startswith("/static/css/app.css?v=") and len(css.split("v=")[1]) == 12
    assert "?v=" not in folder and "?v=" not in missing
    with client.get(css) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get("/static/css/app.css") as plain:
        assert "immutable" not in plain.headers.get("Cache-Control", "")
        etag = plain.headers["ETag"]
    with client.get(css, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
