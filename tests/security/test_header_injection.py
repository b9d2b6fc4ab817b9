"""Header injection through file names: CR/LF, quotes, semicolons and bidi controls in every
name that ends up in a Content-Disposition (lesson files, homework attachments, submissions,
the submissions zip, library copies, exports). Every download of the app is fetched (every GET
route, as the student, the teacher and the admin): one Content-Disposition, no injected
header, an ASCII `filename` without quotes inside, and the Vietnamese name kept in
`filename*` (RFC 5987)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment, AssignmentFile, LessonFile, SubmissionFile
from app.web.downloads import content_disposition, safe_name
from tests.conftest import Browserless
from tests.security.test_xss_pages import _get_rules
from tests.security.world import build_world

pytestmark = pytest.mark.security

EVIL = 'Bài "học"\r\nX-Injected: 1\r\n\r\n<b>; filename=evil.exe \u202egpj.exe\x00%0d%0a.pdf'
# PostgreSQL cannot store NUL (and requests carrying one are refused with 400 at the door).
STORED = EVIL.replace("\x00", "")
NAMES = (
    EVIL,
    "a\rb\nc.pdf",
    '"; filename="x.exe',
    "..\\..\\etc/passwd",
    "Đề kiểm tra giữa kỳ – Toán 10.pdf",
)
# A quoted ASCII name (no quote inside) or an RFC 7230 token, then the RFC 5987 form.
PLAIN = re.compile(
    r'^attachment; filename=(?:"([\x20\x21\x23-\x7e]*)"|([!#$&+\-.^_`|~0-9A-Za-z]+))'
    r"(; filename\*=UTF-8''([!#$&+\-.^_`|~0-9A-Za-z%]+))?$"
)


@pytest.mark.parametrize("name", NAMES)
def test_content_disposition_is_one_clean_header(name):
    value = content_disposition(name)
    match = PLAIN.match(value)
    assert match, value
    assert "\r" not in value and "\n" not in value
    kept = unquote(match[4]) if match[4] else (match[1] or match[2])
    assert kept == safe_name(name)
    assert "\u202e" not in kept and "\x00" not in kept and '"' not in kept and "/" not in kept
    if "Đề" in name:
        assert kept.startswith("Đề kiểm tra giữa kỳ")


def test_every_download_of_the_app_has_a_safe_file_name(app, make, fixtures):
    world = build_world(make, fixtures)
    for model in (LessonFile, AssignmentFile, SubmissionFile):
        for row in db.session.scalars(select(model)):
            row.filename = STORED
    for row in db.session.scalars(select(Assignment)):
        row.title = STORED
    db.session.commit()
    callers = {}
    for role in ("student", "teacher", "admin"):
        callers[role] = Browserless(app.test_client())
        assert callers[role].login(world.users[role].username).status_code == 302
    downloads: list[str] = []
    vietnamese: set[str] = set()
    problems: list[str] = []

    def check(role, path, response):
        values = response.headers.getlist("Content-Disposition")
        if not values:
            return
        downloads.append(path)
        if len(values) != 1 or "X-Injected" in response.headers:
            problems.append(f"{path} as {role}: {values}")
        match = PLAIN.match(values[0])
        if not match:
            problems.append(f"{path} as {role}: {values[0]!r}")
        elif match[4] and unquote(match[4]).startswith("Bài 'học' X-Injected: 1"):
            vietnamese.add(path)

    pages_seen = walk_downloads(app, world, callers, check, _get_rules)
    assert not problems, "\n".join(problems)
    # The files named by users were among them, with their Vietnamese name kept.
    assert len(set(downloads)) >= 5, downloads
    assert len(vietnamese) >= 3, vietnamese  # lesson file, attachment, submission file
    assert pages_seen


def walk_downloads(app, world, callers, check, rules):
    """Like the XSS walk, but for every response (downloads are not HTML)."""
    from tests.security.world import fill

    seen = 0
    for rule in rules(app):
        try:
            path = fill(rule, world)
        except KeyError:
            continue
        for role, browser in callers.items():
            response = browser.client.get(path)
            assert response.status_code != 500, f"500 on {path} as {role}"
            if response.status_code == 200:
                check(role, path, response)
                seen += 1
            response.close()
    return seen
