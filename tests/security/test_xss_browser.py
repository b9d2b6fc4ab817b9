"""XSS in a real headless Chromium: the pages that show the most user text, loaded with every
payload in every field (round 0 of tests/security/xss_world.py: all payloads in long fields),
as the teacher and the student. No payload may run (`window.__xss` stays undefined, no dialog),
no script error, no CSP violation, and the payload text is shown (escaped)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.security.xss_world import build_xss_world

pytestmark = [pytest.mark.security, pytest.mark.browser]

PAGES = {
    "teacher": (
        "/courses/{course_id}",
        "/homework/{assignment_id}",
        "/questions/{bank_id}",
        "/questions/{bank_id}/questions/{question_id}",
        "/library",
        "/library/{item_id}",
        "/announcements",
        "/messages",
        "/messages/{thread_id}",
        "/notifications",
        "/exams/{exam_id}",
        "/live/{session_id}",
        "/search?q=__xss",
    ),
    "student": (
        "/courses/{course_id}",
        "/homework/{assignment_id}",
        "/announcements",
        "/messages",
        "/notifications",
        "/live/{session_id}",
    ),
}


def problems_at(url, problems):
    """Tag the problems of this page with its address (they are reported per page)."""
    new = [p for p in problems if not p.startswith("http")]
    problems[:] = [p for p in problems if p.startswith("http")]
    return new


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


def _visit(browser, live_url: str, username: str, paths, params) -> tuple[int, int]:
    """Sign in and load each page; returns (pages loaded, pages showing a payload as text)."""
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    problems: list[str] = []
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    def on_console(msg):
        if msg.type == "error" and "Failed to load resource" not in msg.text:
            problems.append(msg.text)

    page.on("console", on_console)
    _sign_in(page, live_url, username)
    visited = shown = 0
    for template in paths:
        url = live_url + template.format(**params)
        response = page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(150)
        if response is None or response.status >= 400:
            continue
        visited += 1
        problems.extend(f"{url}: {p[:80]}" for p in problems_at(url, problems))
        assert page.evaluate("() => typeof window.__xss") == "undefined", url
        if "__xss" in page.inner_text("body"):
            shown += 1
    context.close()
    assert not dialogs, dialogs
    assert not problems, f"{username}: {problems}"
    return visited, shown


def test_no_payload_runs_in_chromium(app, make, fixtures, live_url, browser):
    xss = build_xss_world(make, fixtures)
    xss.poison(0)
    visited = shown = 0
    for role, paths in PAGES.items():
        v, s = _visit(browser, live_url, xss.world.users[role].username, paths, xss.world.params)
        visited, shown = visited + v, shown + s
    assert visited >= 15
    assert shown >= 10  # the payloads were on those pages, as text
