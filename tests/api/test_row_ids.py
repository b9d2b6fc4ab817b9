"""Ids past what an INTEGER key holds (in a URL or in get_scoped) name no row: 404, never a
driver error (PostgreSQL refuses to compare an INTEGER column with 99999999999)."""

from __future__ import annotations

import pytest

from app.core.errors import NotFound
from app.models import Course
from app.services import access


@pytest.mark.parametrize("number", ["2147483648", "99999999999", "0"])
def test_huge_ids_in_urls_are_not_found(web, make, school, number):
    make.user(school, "student", "hs.lon")
    headers = web.bearer("hs.lon")
    assert web.client.get(f"/api/v1/attempts/{number}", headers=headers).status_code == 404
    web.login("hs.lon")
    assert web.client.get(f"/courses/{number}").status_code == 404


def test_get_scoped_refuses_ids_out_of_range(make, school):
    admin = make.user(school, "admin", "ad.lon")
    for key in (2**31, -1, 0, "99999999999"):
        with pytest.raises(NotFound):
            access.get_scoped(Course, key, admin)
