"""In a real Chromium on a 375-px phone: a parent opens an announcement from the bell (the
teacher then sees the read receipt) and replies in a thread the teacher started."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.services import announcements, messaging

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 740}


def _sign_in(tab, url, username, password="matkhau123"):
    tab.goto(f"{url}/login")
    tab.fill("#username", username)
    tab.fill("#password", password)
    tab.click("#login-form button[type=submit]")
    tab.wait_for_load_state()


def test_parent_reads_announcement_and_replies_on_a_phone(world, page, browser, live_url, tmp_path):
    w = world
    item = announcements.create(
        w.lan,
        title="Họp phụ huynh thứ bảy",
        body_html="<p>Lúc <b>8 giờ</b>, phòng 12.</p>",
        target_kind="course",
        target_id=w.course.id,
    )
    [thread] = messaging.start_by_teacher(w.lan, [w.an.id], "Về bài kiểm tra", "Cháu An làm tốt.")

    phone = browser.new_context(
        viewport=PHONE, is_mobile=True, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    parent = phone.new_page()
    try:
        _sign_in(parent, live_url, "me")
        assert parent.inner_text("#unread-count") == "2"  # the announcement and the message
        parent.click("#nav-notifications")
        notice = parent.locator(".notification.unread", has_text="Thông báo: Họp phụ huynh thứ bảy")
        notice.locator("button[name=open]").click()
        parent.wait_for_selector("text=phòng 12")
        assert f"/announcements/{item.id}" in parent.url
        assert parent.locator("#receipts").count() == 0  # receipts are the author's
        assert parent.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        parent.goto(f"{live_url}/messages")
        parent.click(f"[data-thread='{thread.id}']")
        parent.wait_for_selector("text=Cháu An làm tốt.")
        parent.fill("#reply-body", "Cảm ơn cô, gia đình sẽ nhắc cháu ôn thêm.")
        parent.click("#send-reply")
        parent.wait_for_selector("text=Cảm ơn cô, gia đình sẽ nhắc cháu ôn thêm.")
        assert parent.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot = Path(os.environ.get("LOPHOC_ARTIFACTS", tmp_path)) / "notices_parent_phone.png"
        parent.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 0
    finally:
        phone.close()

    _sign_in(page, live_url, "gv.lan")
    page.goto(f"{live_url}/announcements/{item.id}")
    assert page.inner_text("#read-count") == "1"
    assert "Mẹ An Chi" in page.inner_text("#read-list")
    assert "Mẹ An Chi" not in page.inner_text("#unread-list")
    assert page.inner_text("#unread-messages") == "1"
    page.goto(f"{live_url}/messages/{thread.id}")
    assert "gia đình sẽ nhắc cháu" in page.inner_text("#thread-messages")
    assert page.problems == []
