"""The API's sign-in, /me, error shape, pagination, scopes and its OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

from app.core import clock
from app.services import identity


def test_token_then_me_returns_the_caller(client, web, make, school):
    make.user(school, "student", username="hs.an", full_name="Nguyễn Văn An", student_code="HS01")
    headers = web.bearer("hs.an")
    body = client.get("/api/v1/me", headers=headers).get_json()
    assert body["username"] == "hs.an"
    assert body["full_name"] == "Nguyễn Văn An"
    assert body["student_code"] == "HS01"
    assert body["school"]["code"] == "THPT1"


def test_token_response_has_an_expiry_with_offset(client, make, school):
    make.user(school, "teacher", username="gv.a")
    body = client.post(
        "/api/v1/auth/token", json={"username": "gv.a", "password": "matkhau123"}
    ).get_json()
    assert body["token"].startswith("lh_")
    assert body["expires_at"].endswith("+00:00")


def test_wrong_password_is_a_json_401(client, make, school):
    make.user(school, "teacher", username="gv.a")
    response = client.post("/api/v1/auth/token", json={"username": "gv.a", "password": "x"})
    assert response.status_code == 401
    assert response.get_json() == {
        "error": {"code": "bad_credentials", "message": "Tên đăng nhập hoặc mật khẩu không đúng."}
    }


def test_missing_fields_are_a_422_naming_the_field(client):
    response = client.post("/api/v1/auth/token", json={"username": "a"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert "password" in str(error["details"])


def test_not_json_is_a_clean_error(client):
    response = client.post("/api/v1/auth/token", data="{{{", content_type="application/json")
    assert response.status_code in (400, 422)
    assert "error" in response.get_json()


def test_me_without_token_is_401_and_with_bad_token_too(client):
    assert client.get("/api/v1/me").status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer lh_nonsense"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_expired_token_is_refused(client, web, make, school):
    make.user(school, "teacher", username="gv.a")
    headers = web.bearer("gv.a")
    clock.freeze(clock.now_utc() + timedelta(hours=13))
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_deactivating_a_user_kills_their_tokens(client, web, make, school):
    admin = make.user(school, "admin", username="ad")
    user = make.user(school, "teacher", username="gv.a")
    headers = web.bearer("gv.a")
    identity.set_active(admin, user.id, False)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_parent_me_lists_their_children_only(client, web, make, school):
    child = make.user(school, "student", full_name="Con Một")
    make.user(school, "student", full_name="Con Nhà Khác")
    parent = make.user(school, "parent", username="ph.a")
    make.link(parent, child)
    body = client.get("/api/v1/me", headers=web.bearer("ph.a")).get_json()
    assert [c["full_name"] for c in body["children"]] == ["Con Một"]


def test_users_list_is_paginated_and_accent_insensitive(client, web, make, school):
    make.user(school, "admin", username="ad")
    for name in ("Nguyễn Văn Dũng", "Nguyễn Văn Đức", "Trần Thị Lan"):
        make.user(school, "student", full_name=name)
    headers = web.bearer("ad")
    body = client.get("/api/v1/users?q=nguyen van dung", headers=headers).get_json()
    assert [u["full_name"] for u in body["items"]] == ["Nguyễn Văn Dũng"]
    body = client.get("/api/v1/users?role=student&per_page=2&page=2", headers=headers).get_json()
    assert (body["page"], body["per_page"], body["total"], len(body["items"])) == (2, 2, 3, 1)
    bad = client.get("/api/v1/users?per_page=501", headers=headers)
    assert bad.status_code == 422


def test_d_matches_đ_in_search(client, web, make, school):
    make.user(school, "admin", username="ad")
    make.user(school, "student", full_name="Lê Hoàng Đức")
    body = client.get("/api/v1/users?q=duc", headers=web.bearer("ad")).get_json()
    assert [u["full_name"] for u in body["items"]] == ["Lê Hoàng Đức"]


def test_users_list_never_shows_another_school(client, web, make, school):
    other = make.school("THPT2", "Trường khác")
    make.user(school, "admin", username="ad")
    make.user(other, "student", full_name="Học sinh trường khác")
    body = client.get("/api/v1/users", headers=web.bearer("ad")).get_json()
    assert "Học sinh trường khác" not in [u["full_name"] for u in body["items"]]


def test_teacher_and_student_cannot_list_users(client, web, make, school):
    make.user(school, "teacher", username="gv")
    make.user(school, "student", username="hs")
    for who in ("gv", "hs"):
        response = client.get("/api/v1/users", headers=web.bearer(who))
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"


def test_integration_token_needs_the_right_scope(client, make, school):
    admin = make.user(school, "admin", username="ad")
    grades_only = identity.create_integration_token(admin, "SMAS", ["grades:read"])
    roster = identity.create_integration_token(admin, "vnEdu", ["roster:read"])
    denied = client.get("/api/v1/users", headers={"Authorization": f"Bearer {grades_only.token}"})
    assert denied.status_code == 403
    assert denied.get_json()["error"]["code"] == "insufficient_scope"
    allowed = client.get("/api/v1/users", headers={"Authorization": f"Bearer {roster.token}"})
    assert allowed.status_code == 200


def test_courses_lists_only_the_callers(client, web, make, school):
    teacher = make.user(school, "teacher", username="gv")
    other_teacher = make.user(school, "teacher", username="gv2")
    student = make.user(school, "student", username="hs")
    klass = make.school_class(school, "10A1")
    make.enrol(student, klass)
    make.course(school, klass, teacher, "Toán")
    make.course(school, klass, other_teacher, "Ngữ văn")
    mine = client.get("/api/v1/courses", headers=web.bearer("gv")).get_json()["items"]
    assert [c["subject"] for c in mine] == ["Toán"]
    theirs = client.get("/api/v1/courses", headers=web.bearer("hs")).get_json()["items"]
    assert sorted(c["subject"] for c in theirs) == ["Ngữ văn", "Toán"]


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_openapi_document_describes_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    documented = set(spec["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api-docs.openapi_json":
            path = rule.rule.replace("<", "{").replace(">", "}")
            path = path.replace("{int:", "{")
            assert path in documented, f"{rule.rule} is missing from openapi.json"
    token_op = spec["paths"]["/api/v1/auth/token"]["post"]
    assert "401" in token_op["responses"] and "200" in token_op["responses"]
