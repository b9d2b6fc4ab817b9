"""Done-when of the family area (issue 9) in a real Chromium on a 375-px phone: a parent with
two children sees both cards and the class teacher's notice on the home page, opens one child
and sees the Chart.js progress chart; the week's digest for the family is in the outbox, one
e-mail for both children, in Vietnamese. Screenshots are kept in the test's tmp dir (paths
printed)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMail, User
from app.services import announcements, weekly_digest
from tests.web.family_world import NOW, build

pytestmark = pytest.mark.browser


def _sign_in(page, live_url, username, password="matkhau123"):
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()


def test_parent_with_two_children_sees_both_cards_and_the_chart_on_a_phone(
    browser, live_url, make, school, tmp_path
):
    w = build(make, school)
    parent = db.session.scalar(select(User).where(User.username == "ph"))
    parent.email = "phuhuynh.anbinh@example.vn"
    db.session.commit()
    announcements.create(
        w.teacher,
        title="Họp phụ huynh cuối học kỳ I",
        body_html="<p>Kính mời quý phụ huynh dự họp lúc 8 giờ sáng Chủ nhật.</p>",
        target_kind="course",
        target_id=w.math.id,
        audience="parents",
    )
    phone = browser.new_context(
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    page = phone.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        _sign_in(page, live_url, "ph")
        cards = page.locator(".progress-card")
        assert cards.count() == 2
        assert cards.nth(0).is_visible() and cards.nth(1).is_visible()
        text = page.locator("#children").inner_text()
        assert "Nguyễn Văn An" in text and "Nguyễn Thị Bình" in text
        assert "Kiểm tra giữa kỳ Toán" in text
        assert "Họp phụ huynh cuối học kỳ I" in page.locator("#home-notices").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        home_shot = tmp_path / "family-home-375.png"
        page.screenshot(path=str(home_shot), full_page=True)

        page.locator(
            f'.progress-card[data-student="{w.first.student_code}"] .card-footer a'
        ).click()
        page.wait_for_selector("#subject-list")
        page.click("#subject-list a:has-text('Toán')")
        page.wait_for_function(
            "() => document.getElementById('progress-chart')?.dataset.ready === '2'"
        )
        box = page.locator("#progress-chart").bounding_box()
        assert box and box["width"] > 250 and box["height"] > 150
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        chart_shot = tmp_path / "family-chart-375.png"
        page.screenshot(path=str(chart_shot), full_page=True)
        print(f"\nscreenshots: {home_shot} {chart_shot}")
        assert not problems, problems
    finally:
        phone.close()

    counts = weekly_digest.send_week(NOW.date())
    assert counts["queued"] >= 1
    (digest,) = db.session.scalars(
        select(OutboxMail).where(
            OutboxMail.kind == "weekly_digest", OutboxMail.to_address == parent.email
        )
    ).all()
    assert digest.subject == "LopHoc – Tóm tắt tuần 23/11–29/11 của gia đình"
    for text in ("Nguyễn Văn An", "Nguyễn Thị Bình", "Họp phụ huynh cuối học kỳ I"):
        assert text in digest.body and text in digest.html_body
