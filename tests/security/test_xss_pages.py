"""XSS, server side: every payload of tests/security/xss.py in every text field of the world,
every page (every GET route of the app, filled with the world's ids) loaded as the student,
the parent, the teacher and the admin; no page may carry markup that could run a payload.

And CSP: every HTML response of that walk carries a Content-Security-Policy whose script-src
has neither 'unsafe-inline' nor 'unsafe-eval' (nor a wildcard or data:)."""

from __future__ import annotations

import pytest

from app.core.sanitize import clean_html
from tests.conftest import Browserless
from tests.security.world import fill
from tests.security.xss import PAYLOADS, executable_markup
from tests.security.xss_world import ALL, FIELDS, build_xss_world

pytestmark = pytest.mark.security

ROLES = ("student", "parent", "teacher", "admin")
# Pages that sign the caller out or only redirect elsewhere teach nothing here.
# /scorm/run serves the package's own pages from a separate, cookie-free origin (sandboxed).
SKIP = ("/logout", "/static/", "/scorm/run/", "/api/", "/ims/")


def _get_rules(app) -> list[str]:
    rules = [
        r.rule
        for r in app.url_map.iter_rules()
        if "GET" in r.methods and not r.rule.startswith(SKIP) and r.endpoint != "static"
    ]
    return sorted(set(rules))


def _callers(app, world) -> dict[str, Browserless]:
    callers = {}
    for role in ROLES:
        browser = Browserless(app.test_client())
        assert browser.login(world.users[role].username).status_code == 302
        callers[role] = browser
    return callers


def _script_src(csp: str) -> str:
    for directive in csp.split(";"):
        parts = directive.split()
        if parts and parts[0] == "script-src":
            return " ".join(parts[1:])
    for directive in csp.split(";"):  # falls back to default-src
        parts = directive.split()
        if parts and parts[0] == "default-src":
            return " ".join(parts[1:])
    return ""


UNFILLED: set[str] = set()


def walk(app, world, callers, visit) -> int:
    pages = 0
    for rule in _get_rules(app):
        try:
            path = fill(rule, world)
        except KeyError:
            UNFILLED.add(rule)
            continue
        for role, browser in callers.items():
            response = browser.client.get(path)
            assert response.status_code != 500, f"500 on {path} as {role}"
            if response.mimetype == "text/html" and response.status_code < 300:
                visit(role, path, response)
                pages += 1
            response.close()
    return pages


def test_rich_text_is_cleaned_by_every_payload_on_the_way_in():
    for payload in PAYLOADS:
        assert not executable_markup(clean_html(payload)), payload
    assert not executable_markup(clean_html(ALL))


def test_no_page_carries_an_executable_payload_and_every_page_has_a_strict_csp(app, make, fixtures):
    xss = build_xss_world(make, fixtures)
    callers = _callers(app, xss.world)
    findings: list[str] = []
    csp_problems: list[str] = []
    seen_payload: set[str] = set()

    def visit(role, path, response):
        html = response.get_data(as_text=True)
        for found in executable_markup(html):
            findings.append(f"{path} as {role}: {found}")
        if "__xss" in html:
            seen_payload.add(path)
        csp = response.headers.get("Content-Security-Policy", "")
        script_src = _script_src(csp)
        if not script_src or any(
            bad in script_src for bad in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:")
        ):
            csp_problems.append(f"{path} as {role}: {csp!r}")

    pages = 0
    for round_no in range(xss.rounds):
        xss.poison(round_no)
        pages += walk(app, xss.world, callers, visit)
    print("\nroutes without an object:", sorted(UNFILLED))
    assert not findings, f"{len(findings)} executable payloads:\n" + "\n".join(findings[:40])
    assert not csp_problems, "pages without a strict CSP:\n" + "\n".join(csp_problems[:40])
    # The walk really showed the payloads (as text) on the pages that display these fields.
    assert len(seen_payload) >= 25, sorted(seen_payload)
    assert pages >= 100 * xss.rounds
    print(
        f"\nXSS: {len(PAYLOADS)} payloads x {len(FIELDS)} fields, {xss.rounds} rounds, "
        f"{pages} page loads, {len(seen_payload)} pages showing payloads"
    )
