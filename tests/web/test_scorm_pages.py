"""SCORM pages: upload with a preview, publish as a lesson, size limit, the content origin."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Lesson, ScormPackage
from app.services import elearning, scorm_runtime

CONTENT = "http://localhost:8001"
MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o1"><organization identifier="o1"><title>Video</title>
    <item identifier="i1" identifierref="r1"><title>Trang 1</title></item>
  </organization></organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html">
    <file href="index.html"/><file href="video.mp4"/></resource></resources>
</manifest>"""


@pytest.fixture
def course_setup(make, school):
    course, teacher, pupils = make.gradebook_course(school, students=1)
    make.section(course)
    return course, teacher, pupils[0]


def _upload(web, course, path, name=None, package_id=""):
    with open(path, "rb") as handle:
        data = {"file": (io.BytesIO(handle.read()), name or path.name), "package_id": package_id}
    return web.post_form(
        f"/elearning/courses/{course.id}/upload",
        data,
        content_type="multipart/form-data",
        token_page=f"/elearning/courses/{course.id}/upload",
    )


def test_upload_previews_structure_then_publishes_a_lesson(web, course_setup, fixtures):
    course, teacher, _student = course_setup
    web.login(teacher.username)
    zip_path = fixtures / "scorm2004" / "SequencingForcedSequential_SCORM20043rdEdition.zip"
    page = _upload(web, course, zip_path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Golf Explained - Sequencing Forced Order" in html
    assert 'id="scorm-preview"' in html and "2004-3rd" in html
    assert db.session.query(ScormPackage).count() == 0  # nothing before publishing
    token = html.split('name="token" value="')[1].split('"')[0]
    response = web.post_form(
        f"/elearning/courses/{course.id}/publish",
        {"token": token, "title": "Bài golf", "gradebook_column": "tx", "filename": "g.zip"},
        token_page=f"/elearning/courses/{course.id}/upload",
    )
    assert response.status_code == 302
    package = db.session.query(ScormPackage).one()
    assert package.title == "Bài golf" and package.gradebook_column == "tx"
    course_page = web.client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert f"/elearning/packages/{package.id}/play" in course_page
    report = web.client.get(f"/elearning/packages/{package.id}")
    assert report.status_code == 200 and 'id="scorm-report"' in report.get_data(as_text=True)


def test_preview_lists_unsupported_sequencing(web, course_setup, fixtures):
    course, teacher, _student = course_setup
    web.login(teacher.username)
    zip_path = fixtures / "scorm2004" / "SequencingSimpleRemediation_SCORM20043rdEdition.zip"
    html = _upload(web, course, zip_path).get_data(as_text=True)
    assert 'id="preview-unsupported"' in html and "không hỗ trợ" in html


@pytest.mark.parametrize(
    "relative",
    [
        "scorm12/MalformedXml_SCORM12.zip",
        "scorm12/invalid_badscorm_manifest_in_subdir.zip",
        "scorm12/invalid_no_manifest.zip",
    ],
)
def test_invalid_packages_are_refused_with_a_clear_message(web, course_setup, fixtures, relative):
    course, teacher, _student = course_setup
    web.login(teacher.username)
    page = _upload(web, course, fixtures / relative)
    assert page.status_code == 422
    assert "Gói SCORM không nhập được" in page.get_data(as_text=True)
    assert db.session.query(Lesson).count() == 0


def test_a_500_mb_upload_is_refused_with_413_before_it_is_read(web, course_setup):
    course, teacher, _student = course_setup
    web.login(teacher.username)
    response = web.client.post(
        f"/elearning/courses/{course.id}/upload",
        data=b"",
        environ_overrides={"CONTENT_LENGTH": str(500 * 1024 * 1024)},
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 413
    assert "Gói SCORM quá lớn: tối đa 200 MB" in response.get_data(as_text=True)


def test_students_cannot_upload(web, course_setup):
    course, _teacher, student = course_setup
    web.login(student.username)
    assert web.client.get(f"/elearning/courses/{course.id}/upload").status_code == 403


def test_the_content_origin_serves_packages_only_and_needs_the_launch_token(
    app, client, course_setup, fixtures
):
    course, teacher, student = course_setup
    version = elearning.import_package(
        teacher, course.id, fixtures / "scorm12" / "RuntimeBasicCalls_SCORM12.zip"
    )
    launch = scorm_runtime.launch(student, version.package_id, None, "http://127.0.0.1")
    app.config["SCORM_CONTENT_ORIGIN"] = CONTENT
    try:
        base = {"base_url": CONTENT}
        wrapper = client.get(f"/scorm/run/{launch.token}/", **base)
        assert wrapper.status_code == 200
        assert "frame-ancestors http://127.0.0.1" in wrapper.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in wrapper.headers["Content-Security-Policy"]
        sco = client.get(f"/scorm/run/{launch.token}/f/{launch.item.launch_url}", **base)
        assert sco.status_code == 200
        assert "script-src 'self' 'unsafe-inline'" in sco.headers["Content-Security-Policy"]
        assert "Set-Cookie" not in sco.headers
        sco.close()
        # Teacher and app routes do not exist on the content origin, whatever the cookies.
        for path in (
            f"/elearning/packages/{version.package_id}",
            "/courses",
            "/login",
            "/api/v1/me",
        ):
            assert client.get(path, **base).status_code == 404
        forged = launch.token[:-3] + "abc"
        assert client.get(f"/scorm/run/{forged}/", **base).status_code == 403
        escape = client.get(f"/scorm/run/{launch.token}/f/../../../etc/passwd", **base)
        assert escape.status_code == 404
    finally:
        app.config.pop("SCORM_CONTENT_ORIGIN", None)


def test_commit_endpoint_needs_a_launch_token_and_writes_only_its_attempt(
    app, client, make, school, course_setup, fixtures
):
    course, teacher, student = course_setup
    other = make.user(school, "student")
    version = elearning.import_package(
        teacher, course.id, fixtures / "scorm12" / "RuntimeBasicCalls_SCORM12.zip"
    )
    mine = scorm_runtime.launch(student, version.package_id, None, "http://127.0.0.1")
    body = {"cmi": {"cmi.core.lesson_location": "p9"}}
    # Without a bearer token (and no session cookie) the caller is not authenticated.
    assert client.post("/api/v1/scorm/commit", json=body).status_code == 401
    bad = client.post("/api/v1/scorm/commit", json=body, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "not_authenticated"
    ok = client.post(
        "/api/v1/scorm/commit",
        json={"cmi": {"cmi.core.lesson_location": "p9", "cmi.core.score.raw": "x"}},
        headers={"Authorization": f"Bearer {mine.token}"},
    )
    assert ok.status_code == 200
    assert ok.get_json()["errorCode"] == 405 and ok.get_json()["result"] is False
    db.session.expire_all()
    assert mine.attempt.cmi == {"cmi.core.lesson_location": "p9"}
    assert other.id not in {a.student_id for a in db.session.query(type(mine.attempt))}


def test_player_shows_contents_and_flow_navigation_per_the_manifest(web, course_setup, fixtures):
    course, teacher, student = course_setup
    multi = elearning.import_package(
        teacher, course.id, fixtures / "scorm12" / "RuntimeMinimumCalls_SCORM12.zip"
    )
    no_choice = elearning.import_package(
        teacher,
        course.id,
        fixtures / "scorm2004" / "SequencingSimpleRemediation_SCORM20043rdEdition.zip",
    )
    web.login(student.username)
    page = web.client.get(f"/elearning/packages/{multi.package_id}/play")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="scorm-toc"' in html and 'id="sco-next"' in html
    assert 'id="sco-prev"' not in html  # the first SCO
    assert "frame-src 'self'" in page.headers["Content-Security-Policy"]
    items = [i for i in multi.items if i.launch_url]
    second = web.client.get(f"/elearning/packages/{multi.package_id}/play?item={items[1].id}")
    assert 'id="sco-prev"' in second.get_data(as_text=True)
    html = web.client.get(f"/elearning/packages/{no_choice.package_id}/play").get_data(as_text=True)
    assert 'id="sco-next"' in html  # flow
    toc = html.split('id="scorm-toc"')[1].split("</nav>")[0]
    assert "<a " not in toc  # choice="false": the contents are not links
    assert web.client.get(f"/elearning/packages/{multi.package_id}").status_code == 302


def test_report_exports_xlsx_and_feeds_the_chosen_column(web, course_setup, fixtures):
    course, teacher, student = course_setup
    version = elearning.import_package(
        teacher, course.id, fixtures / "scorm12" / "RuntimeBasicCalls_SCORM12.zip"
    )
    launch = scorm_runtime.launch(student, version.package_id, None, "http://127.0.0.1")
    scorm_runtime.commit(launch.token, {"cmi.core.score.raw": "64"}, terminated=True)
    web.login(teacher.username)
    page = f"/elearning/packages/{version.package_id}"
    html = web.client.get(page).get_data(as_text=True)
    assert "6,4" in html
    xlsx = web.client.get(f"{page}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    refused = web.post_form(f"{page}/gradebook", {"column": "none", "feed": "1"}, token_page=page)
    assert refused.status_code == 302
    web.post_form(f"{page}/gradebook", {"column": "gk", "feed": "1"}, token_page=page)
    from app.models import GradeEntry

    entry = db.session.query(GradeEntry).one()
    assert (entry.column, entry.score, entry.source) == ("gk", Decimal("6.4"), "scorm")


def _upload_bytes(web, course, path):
    """A multipart body built in memory (the test client would spool a big one to a
    temporary file it never closes)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    page = f"/elearning/courses/{course.id}/upload"
    fields = {
        "csrf_token": web.csrf(page),
        "file": FileStorage(io.BytesIO(path.read_bytes()), path.name),
    }
    boundary, body = encode_multipart(fields)
    return web.client.post(
        page, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_scorm_uploads_have_their_own_limit_above_the_material_limit(
    app, web, course_setup, tmp_path
):
    import os
    import zipfile

    course, teacher, _student = course_setup
    web.login(teacher.username)
    path = tmp_path / "video.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("imsmanifest.xml", MANIFEST)
        zf.writestr("index.html", "<html></html>")
        zf.writestr("video.mp4", os.urandom(2 * 1024 * 1024))
    app.config.update(MAX_CONTENT_LENGTH=1024 * 1024, LOPHOC_SCORM_MAX_MB=3)
    try:
        first = _upload_bytes(web, course, path)
        assert first.status_code == 200, first.get_data(as_text=True)[-1500:]  # 2 MB > 1 MB
        app.config["LOPHOC_SCORM_MAX_MB"] = 1.5
        refused = _upload_bytes(web, course, path)
        assert refused.status_code == 413
        assert "tối đa 1 MB" in refused.get_data(as_text=True)
    finally:
        app.config.update(MAX_CONTENT_LENGTH=50 * 1024 * 1024, LOPHOC_SCORM_MAX_MB=None)
