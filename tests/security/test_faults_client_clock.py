"""Fault: the student's device clock is wrong by hours. The page's Date is moved by +/-3 hours
(add_init_script, before any page script runs) in a real headless Chromium; the countdown
still shows the server's time left and the page still submits by itself at the server's
deadline, not at the device's."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models import Attempt
from tests.browser.test_exam_browser import _card, _exam, _sign_in

pytestmark = [pytest.mark.security, pytest.mark.browser]

SHIFTED_DATE = """
(() => {
  const shift = %d;
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + shift);
      else super(...args);
    }
    static now() { return RealDate.now() + shift; }
  }
  window.Date = ShiftedDate;
})();
"""


def _seconds(timer: str) -> int:
    parts = [int(p) for p in timer.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    h, m, s = parts
    return h * 3600 + m * 60 + s


@pytest.mark.parametrize("hours", [3, -3], ids=["device-3h-ahead", "device-3h-behind"])
def test_a_wrong_device_clock_does_not_move_the_exam_timer(page, live_url, make, school, hours):
    start = datetime.now(UTC).replace(microsecond=0)
    clock.freeze(start)
    exam, _student = _exam(make, school)  # 30 minutes
    page.add_init_script(SHIFTED_DATE % (hours * 3600 * 1000))
    _sign_in(page, live_url)
    page.goto(f"{live_url}/exams/{exam.id}/take")
    page.wait_for_selector(".exam-q")
    device_now = page.evaluate("() => Date.now()")
    assert abs(device_now / 1000 - (start.timestamp() + hours * 3600)) < 120  # shifted indeed
    page.wait_for_function(
        "() => /^\\d+:\\d\\d(:\\d\\d)?$/.test(document.getElementById('exam-timer').textContent)"
    )
    left = _seconds(page.inner_text("#exam-timer"))
    assert 29 * 60 - 30 <= left <= 30 * 60, page.inner_text("#exam-timer")
    _card(page, 1).get_by_label("4", exact=True).check()
    page.wait_for_selector('.exam-q[data-number="1"] .exam-q-status[data-state="saved"]')
    attempt_id = db.session.scalar(select(Attempt.id))
    assert page.locator("#exam-result").is_hidden()
    db.session.rollback()
    assert db.session.get(Attempt, attempt_id).status == "in_progress"

    # Two seconds before the server's deadline; the page learns it on its next refresh and
    # submits by itself at 0:00 of the server's time.
    clock.freeze(start + timedelta(minutes=30) - timedelta(seconds=2))
    page.context.set_offline(True)
    page.context.set_offline(False)
    page.wait_for_selector("#exam-result:not([hidden])", timeout=15000)
    assert "Hết giờ" in page.inner_text("#exam-notice")
    assert re.fullmatch(r"0:00", page.inner_text("#exam-timer"))
    db.session.rollback()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status == "submitted"
    assert page.problems == []
