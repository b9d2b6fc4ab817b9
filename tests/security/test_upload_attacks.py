"""Hostile uploads (issue 11, files): polyglots (a GIF or PDF that is also an HTML page), SVG
with script, HTML under an image name, uploaded as lesson files, homework attachments,
submissions, question-bank assets and live slides; and request bodies over the server's limit.

A file is either refused or, when its bytes really are an accepted kind, served so that a
browser cannot run it as a page: `Content-Disposition: attachment` (stored files) or its image
type, with `nosniff` and a `sandbox` CSP. Nothing is written for a refused upload."""

from __future__ import annotations

import base64
import io
import socket
import threading
import time

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.extensions import db
from app.models import AssignmentFile, LessonFile, LiveSlide, QuestionAsset, SubmissionFile
from app.services import live, question_bank_access, question_files
from tests.web.test_upload_limits import _post_big

pytestmark = pytest.mark.security

SCRIPT = b"<html><body><script>document.title='pwned'</script><img src=x onerror=alert(1)>"
# Real GIF/PDF headers followed by a page: the magic says image/pdf, a sniffing browser says HTML.
GIF_HTML = b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00;*/=1;" + SCRIPT + b"</body></html>"
PDF_HTML = b"%PDF-1.4\n" + SCRIPT + b"</body></html>\n%%EOF\n"
SVG_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML = b"<!doctype html>" + SCRIPT
ACCEPTED = {"gif-html.gif": GIF_HTML, "pdf-html.pdf": PDF_HTML}
REFUSED = {
    "svg-script.svg": SVG_SCRIPT,
    "svg-script.png": SVG_SCRIPT,
    "page.html": HTML,
    "page.pdf": HTML,
    "page.gif": HTML,
    "script.js": b"alert(1)",
    "tricky.png.html": HTML,
}
TRIED: list[str] = []


@pytest.fixture
def place(make, school, frozen_now):
    course, teacher, (pupil, _other) = make.gradebook_course(school, students=2)
    lesson = make.lesson(make.section(course))
    return {
        "course": course,
        "teacher": teacher,
        "pupil": pupil,
        "lesson": lesson,
        "assignment": make.assignment(course),
    }


def _post(browser, path: str, field: str, name: str, data: bytes, **extra):
    form = {field: (io.BytesIO(data), name), **extra}
    return browser.post_form(path, form, content_type="multipart/form-data")


def _assert_not_runnable(response, mimetype: str) -> None:
    assert response.status_code == 200
    assert response.mimetype == mimetype and "html" not in response.mimetype
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def _assert_attachment(response, mimetype: str) -> None:
    _assert_not_runnable(response, mimetype)
    assert response.headers["Content-Disposition"].startswith("attachment")


def _stored_files(app) -> set[str]:
    from pathlib import Path

    root = Path(app.config["LOPHOC_STORAGE_DIR"])
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_polyglots_are_served_as_attachments_and_scripts_are_refused(
    app, web, other_browser, place
):
    course, lesson, assignment = place["course"], place["lesson"], place["assignment"]
    web.login(place["teacher"].username)
    other_browser.login(place["pupil"].username)
    routes = [
        (web, f"/courses/{course.id}/lessons/{lesson.id}/files", "file", LessonFile,
         "/courses/files/{}"),
        (web, f"/homework/{assignment.id}/attachments", "file", AssignmentFile,
         "/homework/attachments/{}"),
        (other_browser, f"/homework/{assignment.id}/submit", "files", SubmissionFile,
         "/homework/files/{}"),
    ]  # fmt: skip
    for browser, path, field, model, download in routes:
        for name, data in REFUSED.items():
            before = _stored_files(app)
            response = _post(browser, path, field, name, data)
            TRIED.append(name)
            assert response.status_code == 400, (path, name, response.status_code)
            assert "không phải PDF, ảnh" in response.get_data(as_text=True)
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, (path, name)
            assert _stored_files(app) == before, f"{name} left bytes on disk"
        for name, data in ACCEPTED.items():
            response = _post(browser, path, field, name, data)
            TRIED.append(name)
            assert response.status_code in (200, 302), (path, name, response.status_code)
            row = db.session.scalars(select(model).order_by(model.id.desc())).first()
            assert row.filename == name
            expected = "image/gif" if name.endswith(".gif") else "application/pdf"
            served = browser.client.get(download.format(row.id))
            _assert_attachment(served, expected)
            assert served.data == data


def test_question_assets_are_stored_only_when_their_bytes_are_images(web, place):
    bank = question_bank_access.create_bank(place["teacher"], "Ngân hàng thử")

    def moodle(name: str, data: bytes) -> bytes:
        encoded = base64.b64encode(data).decode()
        return f"""<?xml version="1.0" encoding="UTF-8"?><quiz><question type="essay">
<name><text>Câu {name}</text></name><questiontext format="html"><text><![CDATA[
<p>Xem hình</p><img src="@@PLUGINFILE@@/{name}">]]></text>
<file name="{name}" path="/" encoding="base64">{encoded}</file></questiontext>
</question></quiz>""".encode()

    for name, data in {**REFUSED, "page-as.png": HTML, "gif-html.gif": GIF_HTML}.items():
        question_files.import_file(place["teacher"], bank, moodle(name, data), f"{name}.xml")
        TRIED.append(f"asset:{name}")
    rows = db.session.scalars(select(QuestionAsset)).all()
    assert [(r.name, r.mime_type) for r in rows] == [("gif-html.gif", "image/gif")]
    web.login(place["teacher"].username)
    _assert_not_runnable(web.client.get(f"/banks/assets/{rows[0].id}"), "image/gif")


def test_live_slides_refuse_scripts_and_serve_a_polyglot_gif_as_an_image(web, place):
    session = live.start_session(place["teacher"], place["course"].id)
    web.login(place["teacher"].username)

    def upload(name: str, data: bytes):
        token = web.csrf(f"/live/{session.id}")
        return web.client.post(
            f"/live/{session.id}/slides",
            data={"file": (io.BytesIO(data), name), "csrf_token": token},
            content_type="multipart/form-data",
        )

    for name, data in REFUSED.items():
        TRIED.append(f"slide:{name}")
        response = upload(name, data)
        assert response.status_code == 400 and response.get_json()["error"]["code"] == (
            "not_an_image"
        )
    assert db.session.scalar(select(func.count()).select_from(LiveSlide)) == 0
    TRIED.append("slide:gif-html.gif")
    added = upload("gif-html.gif", GIF_HTML)
    assert added.status_code == 201
    _assert_not_runnable(
        web.client.get(f"/live/slides/{added.get_json()['added'][0]}"), "image/gif"
    )


def test_a_body_over_the_server_limit_is_413_and_writes_nothing(app, web, place):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        web.login(place["teacher"].username)
        before = _stored_files(app)
        path = f"/courses/{place['course'].id}/lessons/{place['lesson'].id}/files"
        big = b"%PDF-1.4\n" + b"0" * (1536 * 1024)
        response = _post_big(app, web, path, {"file": (io.BytesIO(big), "lớn.pdf")})
        TRIED.append("oversized.pdf")
        assert response.status_code == 413
        assert "quá lớn (tối đa 1 MB)" in response.get_data(as_text=True)
        assert db.session.scalar(select(func.count()).select_from(LessonFile)) == 0
        assert _stored_files(app) == before
        api = _post_big(
            app,
            web,
            f"/api/v1/assignments/{place['assignment'].id}/submissions",
            {"files": (io.BytesIO(big), "b.pdf")},
            headers=web.bearer(place["pupil"].username),
        )
        assert api.status_code == 413 and api.get_json()["error"]["code"] == "too_large"
        assert db.session.scalar(select(func.count()).select_from(SubmissionFile)) == 0
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 50 * 1024 * 1024


def test_a_slow_upload_does_not_block_other_requests_in_the_threaded_server(app):
    """A client that sends its body a few bytes at a time holds only its own thread; the
    production stack also has nginx buffer whole bodies first (docs/security.md)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.socket.getsockname()[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    slow = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        slow.sendall(
            b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
            b"\r\nContent-Length: 100000\r\n\r\nusername="
        )
        for _ in range(3):
            slow.sendall(b"a")
            time.sleep(0.05)
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as quick:
            quick.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = quick.recv(200)
        assert answer.startswith(b"HTTP/1.1 200"), answer
        assert time.monotonic() - started < 2
    finally:
        slow.close()
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_report_attack_files_tried():
    print(f"upload attack files tried: {len(TRIED)}")
