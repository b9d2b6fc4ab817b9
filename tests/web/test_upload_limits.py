"""Per-school upload limits: the admin sets them; lesson files, homework attachments and
submissions over the limit get 413 with a Vietnamese message; allowed kinds are enforced."""

from __future__ import annotations

import io

import pytest
from flask.testing import EnvironBuilder
from sqlalchemy import select

from app.core.errors import BadInput, TooLarge, ValidationFailed
from app.extensions import db
from app.models import LessonFile, UploadPolicy
from app.services import upload_policy
from app.services.uploads import check_upload

PDF = b"%PDF-1.4\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def _big_pdf(mb: float) -> bytes:
    return PDF + b"0" * int(mb * 1024 * 1024)


@pytest.fixture
def setup(make, school, frozen_now):
    admin = make.user(school, "admin", username="qt")
    teacher = make.user(school, "teacher", username="gv")
    klass = make.school_class(school, "10A1")
    make.enrol(make.user(school, "student", username="hs"), klass)
    course = make.course(school, klass, teacher)
    lesson = make.lesson(make.section(course))
    return {
        "admin": admin,
        "course": course,
        "lesson": lesson,
        "assignment": make.assignment(course),
    }


def test_default_limit_applies_until_the_admin_sets_one(setup, school):
    assert upload_policy.for_school(school.id) == (20.0, set())
    upload_policy.update(setup["admin"], "2", ["pdf"])
    assert upload_policy.for_school(school.id) == (2.0, {"pdf"})
    with pytest.raises(TooLarge, match="tối đa 2 MB"):
        check_upload("lớn.pdf", _big_pdf(2.1), school.id)
    with pytest.raises(BadInput, match="chỉ nhận các loại tệp: PDF"):
        check_upload("ảnh.png", PNG, school.id)
    assert check_upload("nhỏ.pdf", PDF, school.id) == ("nhỏ.pdf", "application/pdf")


def test_another_schools_limit_does_not_apply(setup, make, school):
    upload_policy.update(setup["admin"], "1", [])
    other = make.school("THPT2", "Trường khác")
    assert check_upload("a.pdf", _big_pdf(1.5), other.id)[1] == "application/pdf"


def test_bad_limits_are_refused(setup):
    for value in ("0", "-3", "abc", "", "51", "2.5"):
        with pytest.raises(ValidationFailed):
            upload_policy.update(setup["admin"], value, [])
    with pytest.raises(ValidationFailed):
        upload_policy.update(setup["admin"], "5", ["exe"])
    assert db.session.scalar(select(UploadPolicy)) is None


def test_admin_page_sets_the_limit_and_others_may_not(web, other_browser, setup):
    web.login("qt")
    page = web.client.get("/admin/school/uploads").get_data(as_text=True)
    assert 'value="20"' in page
    response = web.post_form("/admin/school/uploads", {"max_file_mb": "1", "kinds": ["pdf"]})
    assert response.status_code == 302
    bad = web.post_form("/admin/school/uploads", {"max_file_mb": "không"})
    assert bad.status_code == 422 and "số nguyên" in bad.get_data(as_text=True)
    other_browser.login("gv")
    assert other_browser.client.get("/admin/school/uploads").status_code == 403
    assert (
        other_browser.post_form("/admin/school/uploads", {"max_file_mb": "40"}).status_code == 403
    )
    assert db.session.scalar(select(UploadPolicy.max_file_mb)) == 1


def _post_big(app, browser, path: str, data: dict, headers: dict | None = None):
    """Post a large multipart body and close the test client's temporary file for it."""
    if headers is None:
        data = {**data, "csrf_token": browser.csrf("/profile")}
    builder = EnvironBuilder(app, path=path, method="POST", data=data, headers=headers)
    environ = builder.get_environ()
    try:
        response = browser.client.open(environ)
        response.get_data()
    finally:
        environ["wsgi.input"].close()  # werkzeug's on-disk body for large uploads
        builder.close()
    return response


def test_every_upload_route_answers_413_over_the_school_limit(app, web, other_browser, setup):
    upload_policy.update(setup["admin"], "1", [])
    big = _big_pdf(1.2)
    web.login("gv")
    course, lesson, assignment = setup["course"], setup["lesson"], setup["assignment"]
    lesson_file = _post_big(
        app,
        web,
        f"/courses/{course.id}/lessons/{lesson.id}/files",
        {"file": (io.BytesIO(big), "Bài giảng lớn.pdf")},
    )
    assert lesson_file.status_code == 413
    assert "nhà trường cho phép tối đa 1 MB" in lesson_file.get_data(as_text=True)
    attachment = _post_big(
        app, web, f"/homework/{assignment.id}/attachments", {"file": (io.BytesIO(big), "Đề.pdf")}
    )
    assert attachment.status_code == 413
    other_browser.login("hs")
    submission = _post_big(
        app,
        other_browser,
        f"/homework/{assignment.id}/submit",
        {"text": "", "files": (io.BytesIO(big), "Bài làm.pdf")},
    )
    assert submission.status_code == 413
    assert "tối đa 1 MB" in submission.get_data(as_text=True)
    api = _post_big(
        app,
        other_browser,
        f"/api/v1/assignments/{assignment.id}/submissions",
        {"files": (io.BytesIO(big), "Bài làm.pdf")},
        headers=other_browser.bearer("hs"),
    )
    assert api.status_code == 413
    assert api.get_json()["error"]["code"] == "too_large"
    small = web.post_form(
        f"/courses/{course.id}/lessons/{lesson.id}/files",
        {"file": (io.BytesIO(PDF), "nhỏ.pdf")},
        content_type="multipart/form-data",
    )
    assert small.status_code == 302
    assert db.session.scalar(select(LessonFile.filename)) == "nhỏ.pdf"
