"""schemathesis against /api/v1/openapi.json, in process on the WSGI app, signed in as a
student, a teacher and an admin (sign-in tokens): generated calls to every operation give no
500 and no response that breaks the documented schema (issue 11). The operations are walked one
by one inside one test, so the test database is shared and the run is bounded: EXAMPLES per
operation and role (about 1,600 calls, ~30 s). For a longer run:
`LOPHOC_SCHEMA_EXAMPLES=200 pytest tests/security/test_api_schema.py -s`."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.security

EXAMPLES = int(os.environ.get("LOPHOC_SCHEMA_EXAMPLES", "8"))
CHECKS = [not_a_server_error, response_schema_conformance]


def _walk(schema, headers: dict, statuses: dict, failures: list) -> int:
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            deadline=timedelta(seconds=5),
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            try:
                case.validate_response(response, checks=CHECKS)
            except (AssertionError, Failure, BaseExceptionGroup) as exc:  # collect, fail once
                failures.append(f"{case.operation.label}: {str(exc)[:600]}")

        run()
    return operations


def test_api_gives_no_500_and_keeps_its_schema(app, make, school, web):
    course, teacher, (pupil, _other) = make.gradebook_course(school, students=2)
    make.assignment(course)
    admin = make.user(school, "admin", username="qt.schema")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    statuses: dict[int, int] = {}
    failures: list[str] = []
    operations = 0
    for user in (pupil, teacher, admin):
        operations = _walk(schema, web.bearer(user.username), statuses, failures)
    calls = sum(statuses.values())
    print(f"schemathesis: {operations} operations x 3 roles, {calls} calls, "
          f"statuses {dict(sorted(statuses.items()))}")  # fmt: skip
    assert operations > 10 and calls >= operations * 3
    assert statuses.get(200, 0) > operations  # signed in: real answers, not only refusals
    assert 500 not in statuses
    assert not failures, "\n\n".join(dict.fromkeys(failures))


def test_the_checks_catch_a_response_outside_the_schema(app, web, make, school):
    """The checks above can fail: a list answer with the wrong shape is caught."""
    teacher = make.user(school, "teacher", username="gv.schema")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema["/api/v1/courses"]["GET"]
    case = operation.Case()
    response = case.call(headers=web.bearer(teacher.username))
    assert response.status_code == 200
    case.validate_response(response, checks=CHECKS)
    broken = Response(
        status_code=200,
        headers=response.headers,
        content=b'{"items": "not a list", "page": "one"}',
        request=response.request,
        elapsed=response.elapsed,
        verify=response.verify,
    )
    with pytest.raises((AssertionError, Failure, BaseExceptionGroup)):
        case.validate_response(broken, checks=CHECKS)


def test_a_page_number_past_64_bits_is_refused_not_a_500(make, school, web):
    """schemathesis found /api/v1/notifications?page=1.8e29 answering 500 (OverflowError)."""
    user = make.user(school, "student", username="hs.trang")
    headers = web.bearer(user.username)
    huge = 10**29
    for path in ("/api/v1/notifications", "/api/v1/messages", "/api/v1/announcements"):
        response = web.client.get(f"{path}?page={huge}", headers=headers)
        assert response.status_code == 422, (path, response.status_code)
    assert web.client.get("/api/v1/notifications?page=1000000", headers=headers).status_code == 200
    web.login(user.username)
    page = web.client.get(f"/notifications?page={huge}")
    assert page.status_code == 422 and "1.000.000" in page.get_data(as_text=True)
