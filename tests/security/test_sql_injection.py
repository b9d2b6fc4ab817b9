"""SQL injection attempts in every filter and search parameter: never a 500, never a row of
another school, and `%`/`_` are literal characters, not wildcards that widen a search."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.conftest import Browserless
from tests.security.world import build_world

pytestmark = pytest.mark.security

ATTEMPTS = (
    "'",
    '"',
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "1; DROP TABLE users; --",
    "' UNION SELECT username, password_hash, NULL FROM users --",
    "1 UNION ALL SELECT NULL,NULL,NULL--",
    "') OR ('a'='a",
    "/**/OR/**/1=1",
    "admin'--",
    "%",
    "_",
    "%%",
    "\\",
    "\\%",
    "a\x00b",
    "\x00",
    "1e999",
    "-1",
    "99999999999999999999",
    "' AND SLEEP(5)--",
    "'; SELECT pg_sleep(5);--",
)
# (caller, path template with {course}/{bank}/{code}, parameters to fill)
FILTERS = (
    ("student", "/search", ("q",)),
    ("teacher", "/search", ("q",)),
    ("teacher", "/library", ("q", "subject", "grade", "topic")),
    (
        "teacher",
        "/questions/{bank}",
        ("q", "level", "type", "category", "subject", "grade", "tag", "page", "per_page"),
    ),
    ("admin", "/admin/users", ("q", "role", "page", "per_page")),
    ("admin", "/admin/classes", ("q", "page", "per_page")),
    ("admin", "/notifications", ("state", "page")),
    ("admin", "/announcements", ("page",)),
    ("admin", "/gradebook/admin/export", ("year", "semester", "class", "subject", "format")),
)
API_FILTERS = (
    ("/api/v1/schools/{code}/grades", ("year", "semester", "class", "subject", "changed_since")),
    ("/api/v1/schools/{code}/grades", ("page", "per_page", "format")),
)
ROSTER = ("/ims/oneroster/rostering/v1p2/users", "/ims/oneroster/rostering/v1p2/classes")
# Whole names only ("hs.b" is also the start of school A's "hs.ban").
OUTSIDERS = re.compile(r"(?<![\w.])(hs\.b|qt\.b|gv\.b|THPTB|Trường THPT B)(?![\w.])")


@pytest.fixture
def world(make, fixtures):
    return build_world(make, fixtures)


def _check(response, label: str, problems: list[str]) -> None:
    body = response.get_data(as_text=True)
    if response.status_code >= 500:
        problems.append(f"{response.status_code} {label}")
    leaked = OUTSIDERS.findall(body)
    if leaked:
        problems.append(f"{label} shows another school's {leaked}")


def test_no_filter_or_search_parameter_can_be_injected(app, world):
    browsers = {}
    for role in ("student", "teacher", "admin"):
        browsers[role] = Browserless(app.test_client())
        assert browsers[role].login(world.users[role].username).status_code == 302
    values = {"bank": world.params["bank_id"], "code": world.params["code"]}
    problems: list[str] = []
    calls = 0
    for role, template, params in FILTERS:
        path = template.format(**values)
        for param in params:
            for attempt in ATTEMPTS:
                url = f"{path}?{param}={quote(attempt)}"
                _check(browsers[role].client.get(url), f"{url} as {role}", problems)
                calls += 1
    admin_api = browsers["admin"].bearer(world.users["admin"].username)
    for template, params in API_FILTERS:
        path = template.format(**values)
        for param in params:
            for attempt in ATTEMPTS:
                url = f"{path}?{param}={quote(attempt)}"
                _check(browsers["admin"].client.get(url, headers=admin_api), url, problems)
                calls += 1
    roster = {"Authorization": f"Bearer {world.objects['integration_token']}"}
    for path in ROSTER:
        for param in ("limit", "offset", "filter", "sort"):
            for attempt in ATTEMPTS:
                url = f"{path}?{param}={quote(attempt)}"
                _check(browsers["admin"].client.get(url, headers=roster), url, problems)
                calls += 1
    assert not problems, f"{len(problems)} of {calls} calls:\n" + "\n".join(problems[:40])
    print(f"\nSQL injection: {len(ATTEMPTS)} attempts, {calls} calls")


@pytest.mark.parametrize("wildcard", ["%", "_", "%%", "__"])
def test_like_wildcards_are_literal(app, world, wildcard):
    admin = Browserless(app.test_client())
    assert admin.login(world.users["admin"].username).status_code == 302
    everyone = admin.client.get("/admin/users").get_data(as_text=True)
    assert "hs.ban" in everyone
    found = admin.client.get(f"/admin/users?q={quote(wildcard)}")
    assert found.status_code == 200
    assert "hs.ban" not in found.get_data(as_text=True)
    search = admin.client.get(f"/search?q={quote(wildcard)}")
    assert search.status_code == 200
    assert "hs.ban" not in search.get_data(as_text=True)
