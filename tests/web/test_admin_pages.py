"""School administration pages: people, classes, roster upload, audit, and who may see them."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, User


def _admin(make, school, web):
    admin = make.user(school, "admin", username="ad", full_name="Quản Trị")
    web.login("ad")
    return admin


def test_admin_lists_and_finds_people_without_accents(client, web, make, school):
    _admin(make, school, web)
    make.user(school, "student", full_name="Nguyễn Văn Dũng")
    make.user(school, "student", full_name="Trần Thị Lan")
    page = client.get("/admin/users?q=nguyen+van+dung").get_data(as_text=True)
    assert "Nguyễn Văn Dũng" in page and "Trần Thị Lan" not in page


def test_admin_creates_a_student_in_a_class_with_audit(client, web, make, school):
    admin = _admin(make, school, web)
    make.school_class(school, "10A1")
    response = web.post_form(
        "/admin/users/new",
        {
            "full_name": "Phạm  Minh Châu",
            "username": "chau",
            "role": "student",
            "student_code": "HS77",
            "class_name": "10a1",
            "date_of_birth": "2010-04-05",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "chau"))
    assert user.full_name == "Phạm Minh Châu"
    entry = db.session.scalar(
        select(AuditLog).where(AuditLog.action == "user.create", AuditLog.entity_id == user.id)
    )
    assert entry.actor_id == admin.id and entry.ip == "127.0.0.1"


def test_duplicate_student_code_gets_a_409_with_message(client, web, make, school):
    _admin(make, school, web)
    make.user(school, "student", student_code="HS77")
    response = web.post_form(
        "/admin/users/new",
        {"full_name": "Ai Đó", "username": "aido", "role": "student", "student_code": "HS77"},
    )
    assert response.status_code == 409
    assert "Mã học sinh “HS77” đã tồn tại" in response.get_data(as_text=True)


def test_deactivate_then_user_cannot_sign_in(client, web, other_browser, make, school):
    _admin(make, school, web)
    student = make.user(school, "student", username="hs")
    response = web.post_form(f"/admin/users/{student.id}/active", {"is_active": "0"})
    assert response.status_code == 302
    assert other_browser.login("hs").status_code == 403


def test_reset_password_shows_it_once_and_it_works(client, web, other_browser, make, school):
    _admin(make, school, web)
    student = make.user(school, "student", username="hs", password_hash=None)
    page = web.post_form(f"/admin/users/{student.id}/password").get_data(as_text=True)
    import re

    password = re.search(r'id="issued-password">([^<]+)<', page)[1]
    assert other_browser.login("hs", password).status_code == 302


def test_admin_of_another_school_gets_404_for_our_people(client, web, make, school):
    other = make.school("KHAC", "Trường khác")
    make.user(other, "admin", username="ad2")
    ours = make.user(school, "student")
    web.login("ad2")
    assert client.get(f"/admin/users/{ours.id}").status_code == 404
    response = web.post_form(f"/admin/users/{ours.id}/active", {"is_active": "0"})
    assert response.status_code == 404
    assert db.session.get(User, ours.id).is_active


def test_teacher_student_and_parent_cannot_open_admin_pages(client, web, make, school):
    for role in ("teacher", "student", "parent"):
        make.user(school, role, username=f"u.{role}")
        web.login(f"u.{role}")
        assert client.get("/admin/users").status_code == 403
        web.post_form("/logout")


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_classes_page_creates_and_lists_classes(client, web, make, school):
    _admin(make, school, web)
    web.post_form("/admin/classes", {"name": "11b2"})
    page = client.get("/admin/classes").get_data(as_text=True)
    assert "11B2" in page
    again = web.post_form("/admin/classes", {"name": "11B2"}, follow_redirects=True)
    assert "đã có trong năm học" in again.get_data(as_text=True)


def test_roster_upload_reports_summary_and_bad_rows(client, web, make, school):
    _admin(make, school, web)
    good = "Mã học sinh,Họ và tên,Lớp\nHS1,Đỗ Thu Hà,10A1\n".encode()
    response = web.post_form(
        "/admin/roster", {"file": (io.BytesIO(good), "ds.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert "Đã nhập: 1 mới" in response.get_data(as_text=True)
    bad = "Mã học sinh,Họ và tên,Ngày sinh\nHS2,Hồ Hiếu,32/01/2010\n".encode()
    response = web.post_form(
        "/admin/roster", {"file": (io.BytesIO(bad), "ds.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "Dòng 2, cột Ngày sinh" in response.get_data(as_text=True)


def test_oversized_upload_is_a_413_with_a_message(app, client, web, make, school):
    _admin(make, school, web)
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        # A raw body: the announced size alone must be refused, before anything is parsed.
        response = client.post(
            "/admin/roster",
            data=b"x" * (2 * 1024 * 1024),
            content_type="multipart/form-data; boundary=zz",
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 50 * 1024 * 1024
    assert response.status_code == 413
    assert "quá lớn" in response.get_data(as_text=True)


def test_oversized_api_body_is_a_json_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post(
            "/api/v1/auth/token", data=b"{" + b" " * 4096 + b"}", content_type="application/json"
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 50 * 1024 * 1024
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_audit_page_shows_changes_of_this_school_only(client, web, make, school):
    _admin(make, school, web)
    web.post_form("/admin/classes", {"name": "12A9"})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "class.create" in page and "12A9" in page


def test_search_page_for_teacher_finds_students_and_classes(client, web, make, school):
    make.user(school, "teacher", username="gv")
    make.user(school, "student", full_name="Lê Hoàng Đức")
    make.school_class(school, "10A1")
    web.login("gv")
    page = client.get("/search?q=hoang duc").get_data(as_text=True)
    assert "Lê Hoàng Đức" in page
    assert "10A1" in client.get("/search?q=10a").get_data(as_text=True)


def test_students_cannot_search_people(client, web, make, school):
    make.user(school, "student", username="hs")
    web.login("hs")
    assert client.get("/search?q=abc").status_code == 403


def test_admin_creates_uses_and_revokes_an_integration_token(client, web, make, school):
    import re

    _admin(make, school, web)
    page = web.post_form(
        "/admin/tokens", {"name": "SMAS", "scopes": ["roster:read"], "days": "30"}
    ).get_data(as_text=True)
    token = re.search(r'<code class="user-select-all">([^<]+)</code>', page)[1]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/classes", headers=headers).status_code == 200
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert "SMAS" in listing and token not in listing  # shown once, never again
    from app.models import ApiToken

    token_row = db.session.scalar(select(ApiToken).where(ApiToken.kind == "integration"))
    assert token_row.last_used_at is not None
    web.post_form(f"/admin/tokens/{token_row.id}/revoke")
    assert client.get("/api/v1/classes", headers=headers).status_code == 401


def test_token_without_scope_is_refused_with_a_message(client, web, make, school):
    _admin(make, school, web)
    page = web.post_form("/admin/tokens", {"name": "X"}, follow_redirects=True)
    assert "Phạm vi không hợp lệ" in page.get_data(as_text=True)


def test_admin_edits_a_person_and_the_change_is_audited(client, web, make, school):
    _admin(make, school, web)
    student = make.user(school, "student", full_name="Lê Văn A", student_code="HS1")
    response = web.post_form(
        f"/admin/users/{student.id}/edit",
        {
            "full_name": "Lê Văn Ân",
            "role": "student",
            "student_code": "HS1",
            "email": "an@truong.edu.vn",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, student.id).full_name == "Lê Văn Ân"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.update"))
    assert entry.changes["full_name"] == ["Lê Văn A", "Lê Văn Ân"]


def test_role_change_is_audited_and_student_code_clash_is_409(
    client, web, other_browser, make, school
):
    _admin(make, school, web)
    make.user(school, "student", student_code="HS1")
    teacher = make.user(school, "teacher", username="gv")
    clash = web.post_form(
        f"/admin/users/{teacher.id}/edit",
        {"full_name": "GV", "role": "student", "student_code": "HS1"},
    )
    assert clash.status_code == 409
    other_browser.login("gv")
    ok = web.post_form(
        f"/admin/users/{teacher.id}/edit", {"full_name": "GV", "role": "admin", "student_code": ""}
    )
    assert ok.status_code == 302
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "user.role_change"))
    assert other_browser.client.get("/profile").status_code == 302  # old session ended
