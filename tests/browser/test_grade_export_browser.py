"""Background export in a real Chromium: the job page polls (htmx, under the CSP) until the
worker has built the file, then offers the download without a reload."""

from __future__ import annotations

import pytest

from app.services import gradebook_jobs


@pytest.mark.browser
def test_admin_watches_the_export_finish_and_downloads_it(page, live_url, make, school):
    course, _teacher, (one, *_rest) = make.gradebook_course(school)
    make.scores(course, one, 1, ["8", "7", "9"], "7,5", "8")
    make.user(school, "admin", username="ad")
    page.goto(f"{live_url}/login")
    page.fill("#username", "ad")
    page.fill("#password", "matkhau123")
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_url}/gradebook/admin")
    page.select_option("#ex-format", "vnedu")
    page.click("#export-form button[type=submit]")
    page.wait_for_selector('#export-job[data-state="queued"]')
    assert page.locator("#export-download").count() == 0
    assert gradebook_jobs.run_pending() == {"done": 1, "failed": 0}  # the worker's turn
    page.wait_for_selector("#export-download", timeout=10_000)  # no reload: htmx polled
    assert page.get_attribute("#export-job", "data-state") == "done"
    with page.expect_download() as download:
        page.click("#export-download")
    assert download.value.suggested_filename.startswith("Điểm THPT1")
    assert download.value.suggested_filename.endswith("(vnedu).xlsx")
    assert page.problems == []
