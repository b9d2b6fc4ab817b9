"""The browser fixtures of tests/browser (Chromium, a live server, a page that collects
problems) for the security tests that run in Chromium: defined once for the folder, since a
second session-wide Playwright in the same run refuses to start."""

from tests.browser.conftest import browser, chromium_path, live_url, page  # noqa: F401
