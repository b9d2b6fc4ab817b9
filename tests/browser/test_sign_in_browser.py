"""Signing in and using the admin pages in a real Chromium, on a phone-sized screen too."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _sign_in(page, live_url, username, password="matkhau123"):
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")


def test_admin_signs_in_searches_and_signs_out(page, live_url, make, school):
    make.user(school, "admin", username="ad", full_name="Quản Trị Viên")
    make.user(school, "student", full_name="Nguyễn Văn Dũng")
    _sign_in(page, live_url, "ad")
    page.wait_for_selector("#school-counts")
    assert "Trường THPT Số 1" in page.inner_text("h1")
    page.goto(f"{live_url}/admin/users?q=nguyen+van+dung")
    assert "Nguyễn Văn Dũng" in page.inner_text("#users-table")
    page.click("#user-menu")
    page.click("#logout")
    page.wait_for_url(f"{live_url}/login")
    assert "Bạn đã đăng xuất." in page.content()
    assert page.problems == []


def test_wrong_password_shows_the_message_in_vietnamese(page, live_url, make, school):
    make.user(school, "teacher", username="gv")
    _sign_in(page, live_url, "gv", "sai-mat-khau9")
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page.inner_text(".alert")
    assert page.problems == []


def test_confirm_dialog_guards_deactivation(page, live_url, make, school):
    make.user(school, "admin", username="ad")
    student = make.user(school, "student", full_name="Trần Thị Lan")
    _sign_in(page, live_url, "ad")
    page.wait_for_selector("#school-counts")
    page.goto(f"{live_url}/admin/users/{student.id}")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#toggle-active")
    assert "Đã khoá" not in page.inner_text("h1")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#toggle-active")
    page.wait_for_selector("text=Đã khoá tài khoản.")
    assert page.problems == []


def test_home_fits_a_phone_screen(browser, live_url, make, school):
    make.user(school, "student", username="hs", full_name="Võ Thị Hồng Nhung")
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        _sign_in(page, live_url, "hs")
        page.wait_for_selector("text=Xin chào, Võ Thị Hồng Nhung")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360
    finally:
        context.close()


def test_vendored_assets_load_from_the_app(page, live_url, make, school):
    make.user(school, "teacher", username="gv")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    _sign_in(page, live_url, "gv")
    page.wait_for_selector("text=Các lớp tôi dạy")
    assert requests and all(url.startswith(live_url) for url in requests)
    assert page.evaluate("typeof bootstrap") == "object"
