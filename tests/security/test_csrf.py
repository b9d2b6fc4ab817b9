"""CSRF on every state-changing call made with the session cookie: each POST/PUT/PATCH/DELETE
route of app.url_map, signed in, without a token (and with a wrong one) is refused with 400
before the view runs; bearer-token API calls need none (no ambient credentials to forge)."""

from __future__ import annotations

import re

import pytest

from tests.security.test_authorization_matrix import STATE_CHANGING, is_api

pytestmark = pytest.mark.security

# The token sign-in takes a password, not a cookie: nothing to forge.
EXEMPT = {"/api/v1/auth/token"}


def _state_changing_routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & set(STATE_CHANGING)):
            if rule.rule not in EXEMPT:
                path = re.sub(r"<(?:path:)?[^>]*>", "1", rule.rule)
                routes.append((method, path))
    return sorted(routes)


@pytest.fixture
def signed_in(web, make, school):
    make.user(school, "admin", "qt.csrf")
    web.login("qt.csrf")
    return web


def test_every_state_changing_cookie_call_without_a_token_is_refused(app, signed_in):
    routes = _state_changing_routes(app)
    assert len(routes) > 90  # the whole app, not a few routes
    wrong = []
    for method, path in routes:
        for headers in ({}, {"X-CSRFToken": "forged"}):
            if is_api(path):
                response = signed_in.client.open(path, method=method, json={}, headers=headers)
            else:
                data = {"csrf_token": "forged"} if headers else {}
                response = signed_in.client.open(path, method=method, data=data)
            if response.status_code != 400:
                wrong.append(f"{method} {path} {headers or 'no token'}: {response.status_code}")
            elif is_api(path):
                assert response.get_json()["error"]["code"] == "csrf_failed"
            response.close()
    assert not wrong, "accepted without a valid CSRF token:\n" + "\n".join(wrong)
    assert signed_in.client.get("/profile").status_code == 200  # still signed in: nothing ran


def test_a_valid_token_from_another_session_is_refused(app, signed_in, other_browser):
    foreign = other_browser.csrf("/login")
    response = signed_in.client.post("/language", data={"language": "en", "csrf_token": foreign})
    assert response.status_code == 400


def test_bearer_calls_need_no_csrf_token(app, web, make, school):
    make.user(school, "student", "hs.csrf")
    headers = web.bearer("hs.csrf")
    assert web.client.post("/api/v1/notifications/read-all", headers=headers).status_code == 200
