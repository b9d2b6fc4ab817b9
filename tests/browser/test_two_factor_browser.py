"""Two-factor setup and sign-in in a real Chromium: the QR code shows under the CSP, the code
from the secret on the page turns it on, and the next sign-in asks for a code."""

from __future__ import annotations

import time

import pyotp
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.security]


def _sign_in(page, live_url, username, password="matkhau123"):
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")


def _fresh_code(secret: str) -> str:
    """A code with a few seconds left in its 30-second window (the server takes one code once)."""
    if 30 - time.time() % 30 < 3:
        time.sleep(3.5)
    return pyotp.TOTP(secret).now()


def test_teacher_sets_up_two_factor_and_signs_in_with_a_code(page, live_url, make, school):
    make.user(school, "teacher", username="gv.hoa")
    _sign_in(page, live_url, "gv.hoa")
    page.wait_for_url(f"{live_url}/")
    page.goto(f"{live_url}/profile")
    page.click("#two-factor")
    page.wait_for_selector("#totp-qr")
    width = page.eval_on_selector("#totp-qr", "img => img.complete ? img.naturalWidth : 0")
    assert width > 100  # the SVG data: URI rendered (img-src allows data:)
    secret = page.inner_text("#totp-secret").strip()
    page.fill("#code", _fresh_code(secret))
    page.click("#totp-enable-form button[type=submit]")
    page.wait_for_selector("#recovery-codes")
    assert len(page.query_selector_all("#recovery-codes li")) == 10

    page.context.clear_cookies()
    _sign_in(page, live_url, "gv.hoa")
    page.wait_for_url(f"{live_url}/login/two-factor")
    time.sleep(30 - time.time() % 30 + 0.5)  # the next window: a code not used yet
    page.fill("#code", _fresh_code(secret))
    page.click("#otp-form button[type=submit]")
    page.wait_for_url(f"{live_url}/")
    assert page.problems == []
