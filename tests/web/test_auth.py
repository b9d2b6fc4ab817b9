"""Signing in and out on the web, passwords, sessions, CSRF and security headers."""

from __future__ import annotations

from app.extensions import db
from app.models import User


def test_sign_in_with_right_password_shows_role_home(client, web, make, school):
    make.user(school, "teacher", username="gv.hoa", full_name="Nguyễn Thị Hoa")
    response = web.login("gv.hoa")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Xin chào, Nguyễn Thị Hoa" in page
    assert "Các lớp tôi dạy" in page


def test_wrong_password_and_unknown_user_get_the_same_message(web, make, school):
    make.user(school, "teacher", username="gv.hoa")
    wrong = web.login("gv.hoa", "sai-mat-khau1")
    unknown = web.login("khong.ton.tai", "sai-mat-khau1")
    assert wrong.status_code == unknown.status_code == 401
    message = "Tên đăng nhập hoặc mật khẩu không đúng."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_deactivated_user_cannot_sign_in(web, make, school):
    make.user(school, "student", username="hs.khoa", is_active=False)
    response = web.login("hs.khoa")
    assert response.status_code == 403
    assert "Tài khoản đã bị khoá" in response.get_data(as_text=True)


def test_username_is_case_and_accent_insensitive(web, make, school):
    make.user(school, "teacher", username="gv.hoa")
    assert web.login("GV.Hoa").status_code == 302


def test_form_without_csrf_token_is_refused(client, make, school):
    make.user(school, "teacher", username="gv.hoa")
    response = client.post("/login", data={"username": "gv.hoa", "password": "matkhau123"})
    assert response.status_code == 400
    assert "Hãy tải lại trang" in response.get_data(as_text=True)


def test_login_is_rate_limited(app, web, make, school):
    make.user(school, "teacher", username="gv.hoa")
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [web.login("gv.hoa", "sai-mat-khau1").status_code for _ in range(4)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429


def test_next_parameter_cannot_redirect_off_site(client, web, make, school):
    make.user(school, "teacher", username="gv.hoa")
    token = web.csrf("/login")
    response = client.post(
        "/login",
        data={
            "username": "gv.hoa",
            "password": "matkhau123",
            "csrf_token": token,
            "next": "//evil.example/x",
        },
    )
    assert response.headers["Location"] == "/"


def test_logout_ends_the_session(client, web, make, school):
    make.user(school, "teacher", username="gv.hoa")
    web.login("gv.hoa")
    web.post_form("/logout")
    assert client.get("/profile").status_code == 302


def test_change_password_keeps_this_session_and_ends_others(web, other_browser, make, school):
    make.user(school, "teacher", username="gv.hoa")
    other = other_browser.client
    web.login("gv.hoa")
    other_browser.login("gv.hoa")
    assert other.get("/profile").status_code == 200
    response = web.post_form(
        "/account/password",
        {
            "current_password": "matkhau123",
            "new_password": "moi2026abc",
            "confirm_password": "moi2026abc",
        },
    )
    assert response.status_code == 302
    assert web.client.get("/profile").status_code == 200
    assert other.get("/profile").status_code == 302
    db.session.expire_all()
    web.post_form("/logout")
    assert web.login("gv.hoa", "moi2026abc").status_code == 302


def test_weak_new_password_is_refused_with_reason(web, make, school):
    make.user(school, "teacher", username="gv.hoa")
    web.login("gv.hoa")
    response = web.post_form(
        "/account/password",
        {
            "current_password": "matkhau123",
            "new_password": "12345678",
            "confirm_password": "12345678",
        },
    )
    assert response.status_code == 422
    assert "có cả chữ và số" in response.get_data(as_text=True)


def test_pages_send_a_csp_without_inline_script_and_safe_cookies(client, web, make, school):
    make.user(school, "teacher", username="gv.hoa")
    response = web.login("gv.hoa")
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_templates_have_no_inline_scripts_or_styles(app):
    import re
    from pathlib import Path

    for path in Path(app.root_path, "templates").rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert " style=" not in html and " onclick=" not in html, path


def test_english_is_available_per_user(client, web, make, school):
    user = make.user(school, "teacher", username="gv.hoa")
    web.login("gv.hoa")
    web.post_form("/language", {"language": "en"})
    assert db.session.get(User, user.id).language == "en"
    page = client.get("/").get_data(as_text=True)
    assert "Sign out" in page and "Đăng xuất" not in page
