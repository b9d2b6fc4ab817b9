"""The browser fixtures (headless Chromium, the app on a local port) for the security tests."""

from tests.browser.conftest import browser, chromium_path, live_url  # noqa: F401
