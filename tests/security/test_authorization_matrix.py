"""The authorisation matrix: every route of app.url_map, every method, called as each of the nine
callers of tests/security/world.py on real objects; the status must be the one in matrix.py.

A route without an entry fails the suite by name, so a new page or endpoint cannot ship without
someone deciding who may call it. State-changing calls carry a valid CSRF token, so what they
test is authorisation, not CSRF (tests/security/test_csrf.py covers that)."""

from __future__ import annotations

import os

import pytest

from tests.conftest import Browserless
from tests.security.matrix import EXPECTED, SKIP_METHODS, body_for, parse_row
from tests.security.world import ROLES, build_world, fill

pytestmark = pytest.mark.security

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
# Last: these end the caller's session (or all of them), which every other call needs.
RUN_LAST = ("POST /account/logout-everywhere", "POST /logout")


def route_keys(app) -> list[tuple[str, str]]:
    """(method, rule) for every route, GETs first, calls that sign the caller out last."""
    keys = [
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - SKIP_METHODS)
    ]

    def order(key):
        method, rule = key
        key = f"{method} {rule}"
        last = RUN_LAST.index(key) if key in RUN_LAST else -1
        return (last, method in STATE_CHANGING, rule, method)

    return sorted(keys, key=order)


def is_api(path: str) -> bool:
    return path.startswith(("/api/", "/ims/"))


class Caller:
    """One of the nine callers: a browser (cookie session + CSRF token) and an API client."""

    def __init__(self, app, role: str, user):
        self.role = role
        self.browser = Browserless(app.test_client())
        self.api = app.test_client()
        self.headers: dict = {}
        if user is not None:
            assert self.browser.login(user.username).status_code == 302, role
            self.headers = self.browser.bearer(user.username)
            self.csrf = self.browser.csrf("/profile")
        else:
            self.csrf = self.browser.csrf("/login")

    def refresh_csrf(self) -> None:
        """A token for the session as it is now (the one before was ended by a sign-out)."""
        page = self.browser.client.get("/profile")
        self.csrf = self.browser.csrf("/profile" if page.status_code == 200 else "/login")

    def call(self, method: str, path: str, body: object):
        if is_api(path):
            body = {"json": body} if method in STATE_CHANGING else {}
            return self.api.open(path, method=method, headers=self.headers, **body)
        form = {k: str(v) for k, v in body.items()} | {"csrf_token": self.csrf}
        data = {"data": form} if method in STATE_CHANGING else {}
        return self.browser.client.open(
            path, method=method, headers={"X-CSRFToken": self.csrf}, **data
        )


def outcome(response) -> str:
    """What the matrix compares: 'ok' (2xx/3xx), 'L' (sent to the sign-in page), or the
    4xx/5xx status."""
    status = response.status_code
    location = response.headers.get("Location", "")
    response.close()
    if status in (301, 302, 303) and "/login" in location:
        return "L"
    if status < 400:
        return "ok"
    return str(status)


@pytest.fixture
def world(make, fixtures):
    return build_world(make, fixtures)


def test_every_route_has_an_entry(app):
    missing = [f"{m} {r}" for m, r in route_keys(app) if f"{m} {r}" not in EXPECTED]
    assert not missing, "routes without an entry in tests/security/matrix.py:\n" + "\n".join(
        missing
    )
    known = {f"{m} {r}" for m, r in route_keys(app)}
    stale = sorted(set(EXPECTED) - known)
    assert not stale, "matrix entries for routes that no longer exist:\n" + "\n".join(stale)


def test_every_route_answers_every_caller_as_the_matrix_says(app, world):
    callers = {role: Caller(app, role, world.users.get(role)) for role in ROLES}
    observed: dict[str, list[str]] = {}
    detail: dict[str, list[str]] = {}
    mismatches = []
    for method, rule in route_keys(app):
        key = f"{method} {rule}"
        path = fill(rule, world)
        expected = parse_row(EXPECTED[key]) if key in EXPECTED else None
        # Always the same order (outsiders before the course's teacher and admin), so that what
        # an allowed call changes (a slot cancelled, a file removed) is the same on every run.
        order = ROLES
        if key in RUN_LAST:
            for caller in callers.values():
                caller.refresh_csrf()
        body = body_for(key, world.params)
        responses = {role: callers[role].call(method, path, body) for role in order}
        detail[key] = [str(responses[r].status_code) for r in ROLES]
        got = {role: outcome(responses[role]) for role in order}
        observed[key] = [got[r] for r in ROLES]
        if expected is None:
            continue
        wrong = {r: (expected[r], got[r]) for r in ROLES if expected[r] != got[r]}
        if wrong:
            mismatches.append(
                f"{key} ({path}): "
                + ", ".join(f"{r} expected {e} got {g}" for r, (e, g) in wrong.items())
            )
    if os.environ.get("LOPHOC_MATRIX_DUMP"):
        with open(os.environ["LOPHOC_MATRIX_DUMP"], "w", encoding="utf-8") as out:
            for key, row in observed.items():
                out.write(f'    "{key}": "{" ".join(row)}",  # {" ".join(detail[key])}\n')
    server_errors = [k for k, row in observed.items() if "500" in row]
    assert not server_errors, "500 on: " + ", ".join(server_errors)
    assert not mismatches, f"{len(mismatches)} routes differ:\n" + "\n".join(mismatches)
    assert len(observed) * len(ROLES) >= 9 * 200  # the whole app was walked
