"""Sessions and accounts under attack: per-account lockout, password policy, session fixation,
log out everywhere (remember cookies too), token revocation at once, secure cookie flags, and
the TOTP second factor with recovery codes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from app.core import clock
from app.core.errors import ValidationFailed
from app.core.security import password_problem
from app.extensions import db
from app.models import AuditLog, User
from app.services import identity
from tests.conftest import PASSWORD, Browserless

pytestmark = pytest.mark.security

START = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def _code(secret: str) -> str:
    return pyotp.TOTP(secret).at(int(clock.now_utc().timestamp()))


@pytest.fixture
def people(make, school):
    return {
        "admin": make.user(school, "admin", "qt"),
        "teacher": make.user(school, "teacher", "gv.hoa"),
        "student": make.user(school, "student", "hs.an"),
    }


def _wrong(web, username, times):
    return [web.login(username, "sai-mat-khau-1").status_code for _ in range(times)]


def test_five_wrong_passwords_lock_the_account_whatever_the_password(app, web, people):
    clock.freeze(START)
    app.config.update(LOGIN_LOCKOUT_FAILURES=5, LOGIN_LOCKOUT_MINUTES=15)
    assert _wrong(web, "gv.hoa", 5) == [401] * 5
    locked = web.login("gv.hoa")  # the right password, now refused
    assert locked.status_code == 429
    assert "Tài khoản tạm khoá" in locked.get_data(as_text=True)
    api = web.client.post("/api/v1/auth/token", json={"username": "gv.hoa", "password": PASSWORD})
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "account_locked"
    assert 0 < int(api.headers["Retry-After"]) <= 15 * 60
    assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "user.locked"))
    # Another account is not affected (the lock is per account, not per address).
    assert web.login("hs.an").status_code == 302


def test_the_lock_ends_by_itself_and_a_success_resets_the_count(app, web, people):
    clock.freeze(START)
    app.config.update(LOGIN_LOCKOUT_FAILURES=3, LOGIN_LOCKOUT_MINUTES=10)
    _wrong(web, "gv.hoa", 2)
    assert web.login("gv.hoa").status_code == 302  # two wrong, then right: count reset
    web.client.post("/logout", data={"csrf_token": web.csrf("/profile")})
    _wrong(web, "gv.hoa", 2)
    assert web.login("gv.hoa").status_code == 302
    web.client.post("/logout", data={"csrf_token": web.csrf("/profile")})
    _wrong(web, "gv.hoa", 3)
    assert web.login("gv.hoa").status_code == 429
    clock.freeze(START + timedelta(minutes=11))
    assert web.login("gv.hoa").status_code == 302


def test_an_admin_unlocks_at_once_and_it_is_audited(app, web, other_browser, people):
    clock.freeze(START)
    app.config.update(LOGIN_LOCKOUT_FAILURES=3)
    _wrong(other_browser, "gv.hoa", 3)
    assert other_browser.login("gv.hoa").status_code == 429
    web.login("qt")
    teacher = people["teacher"]
    page = web.client.get(f"/admin/users/{teacher.id}").get_data(as_text=True)
    assert 'id="locked-until"' in page and 'id="unlock-login"' in page
    response = web.post_form(f"/admin/users/{teacher.id}/unlock")
    assert response.status_code == 302
    assert other_browser.login("gv.hoa").status_code == 302
    assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "user.unlock"))


def test_unknown_usernames_lock_nothing_and_say_the_same(app, web, people):
    app.config.update(LOGIN_LOCKOUT_FAILURES=2)
    assert _wrong(web, "khong.co.ai", 4) == [401] * 4
    wrong = web.login("gv.hoa", "sai-mat-khau-1").get_data(as_text=True)
    unknown = web.login("khong.co.ai", "sai-mat-khau-1").get_data(as_text=True)
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in wrong
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in unknown


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("ab1", "ít nhất 8"),
        ("abcdefghij", "chữ và số"),
        ("12345678901", "chữ và số"),
        ("Matkhau123", "phổ biến"),
        ("abc12345", "phổ biến"),
        ("P@ssw0rd", "phổ biến"),
        ("gv.hoa2026", "tên đăng nhập"),
        ("GV.HOA-abc-1", "tên đăng nhập"),
    ],
)
def test_password_policy_refuses_short_common_and_username_passwords(password, reason):
    problem = password_problem(password, "gv.hoa")
    assert problem is not None and reason in problem


def test_the_policy_applies_to_changes_resets_and_new_accounts(web, people):
    assert password_problem("Lop10A1-toan", "gv.hoa") is None
    web.login("gv.hoa")
    response = web.post_form(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "matkhau2026",
            "confirm_password": "matkhau2026",
        },
    )
    assert response.status_code == 422 and "phổ biến" in response.get_data(as_text=True)
    with pytest.raises(ValidationFailed):
        identity.reset_password(people["admin"], people["student"].id, "hs.an12345")


def test_signing_in_rotates_the_session_and_drops_what_was_planted(client, web, people):
    with client.session_transaction() as planted:
        planted["planted"] = "kẻ tấn công"
        planted["_user_id"] = "999:1"
    before = client.get_cookie("session").value
    assert web.login("hs.an").status_code == 302
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as current:
        assert "planted" not in current
        assert current["_user_id"] == f"{people['student'].id}:1"


def test_log_out_everywhere_ends_other_browsers_remember_cookies_and_tokens(app, web, people):
    other = Browserless(app.test_client())
    remembered = Browserless(app.test_client())
    other.login("gv.hoa")
    token = other.client.post(
        "/api/v1/auth/token", json={"username": "gv.hoa", "password": PASSWORD}
    )
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    csrf = remembered.csrf("/login")
    remembered.client.post(
        "/login",
        data={"username": "gv.hoa", "password": PASSWORD, "remember": "1", "csrf_token": csrf},
    )
    assert remembered.client.get_cookie("remember_token") is not None
    remembered.client.delete_cookie("session")  # only the remember cookie is left
    assert remembered.client.get("/profile").status_code == 200
    assert other.client.get("/api/v1/me", headers=bearer).status_code == 200

    web.login("gv.hoa")
    response = web.post_form("/account/logout-everywhere")
    assert response.status_code == 302 and "/login" in response.headers["Location"]

    for browser in (web, other, remembered):
        page = browser.client.get("/profile")
        assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert other.client.get("/api/v1/me", headers=bearer).status_code == 401
    assert web.login("gv.hoa").status_code == 302  # the password still works
    assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "user.logout_everywhere"))


def test_a_revoked_integration_token_is_refused_on_the_very_next_call(web, people):
    issued = identity.create_integration_token(people["admin"], "SMAS", ["roster:read"])
    headers = {"Authorization": f"Bearer {issued.token}"}
    assert web.client.get("/ims/oneroster/rostering/v1p2/users", headers=headers).status_code == 200
    token_id = identity.integration_tokens(people["admin"])[0].id
    web.login("qt")
    assert web.post_form(f"/admin/tokens/{token_id}/revoke").status_code == 302
    refused = web.client.get("/ims/oneroster/rostering/v1p2/users", headers=headers)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "invalid_token"


def test_a_password_change_revokes_sign_in_tokens_at_once(web, people):
    headers = web.bearer("hs.an")
    assert web.client.get("/api/v1/me", headers=headers).status_code == 200
    identity.reset_password(people["admin"], people["student"].id, "Lop10A1-moi")
    assert web.client.get("/api/v1/me", headers=headers).status_code == 401


PRODUCTION_PROBE = """
import json
from app import create_app
app = create_app("production")
page = app.test_client().get("/login", base_url="https://lophoc.example.vn")
keys = ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "REMEMBER_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "DEBUG")
print(json.dumps({"config": {k: app.config[k] for k in keys},
                  "cookie": page.headers.get("Set-Cookie", "")}))
"""


def test_production_cookies_are_secure_httponly_and_samesite(tmp_path):
    # Its own process: a second app in this one would rebind the shared Socket.IO server.
    env = {
        "PATH": "/usr/bin:/bin",
        "LOPHOC_ENV": "production",
        "SECRET_KEY": "a-real-secret-for-this-test",
        "LOPHOC_INSTANCE_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    config = seen["config"]
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["REMEMBER_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax" and not config["DEBUG"]
    cookie = seen["cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- TOTP second factor ------------------------------------------------------------------------


def _enrol(web, username="gv.hoa"):
    """Set up TOTP on the setup page as a person would; returns (secret, recovery codes)."""
    web.login(username)
    page = web.client.get("/account/two-factor").get_data(as_text=True)
    assert 'id="totp-qr" src="data:image/svg+xml' in page
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    assert f"otpauth://totp/LopHoc:{username}?secret={secret}" in page
    response = web.post_form(
        "/account/two-factor",
        {"code": _code(secret)},
        token_page="/account/two-factor",
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    codes = response.get_data(as_text=True).split('id="recovery-codes"')[1].split("</ul>")[0]
    codes = [c.split("</li>")[0] for c in codes.split("<li>")[1:]]
    web.client.post("/logout", data={"csrf_token": web.csrf("/profile")})
    return secret, codes


def _second_step(web, code):
    return web.client.post(
        "/login/two-factor", data={"code": code, "csrf_token": web.csrf("/login/two-factor")}
    )


def test_totp_setup_then_sign_in_needs_the_code_and_a_code_works_once(app, web, people):
    clock.freeze(START)
    secret, codes = _enrol(web)
    assert len(codes) == 10 and len(set(codes)) == 10
    teacher = db.session.get(User, people["teacher"].id)
    db.session.refresh(teacher)
    assert teacher.totp_enabled_at is not None

    first = web.login("gv.hoa")
    assert first.status_code == 302 and first.headers["Location"].endswith("/login/two-factor")
    assert web.client.get("/profile").status_code == 302  # not signed in yet
    assert _second_step(web, "000000").status_code == 401
    clock.freeze(START + timedelta(seconds=60))
    code = _code(secret)
    assert _second_step(web, code).status_code == 302
    assert web.client.get("/profile").status_code == 200

    web.client.post("/logout", data={"csrf_token": web.csrf("/profile")})
    web.login("gv.hoa")
    assert _second_step(web, code).status_code == 401  # the same code is not accepted twice


def test_recovery_codes_are_stored_hashed_and_spent_once(app, web, people):
    from app.models import RecoveryCode

    clock.freeze(START)
    _secret, codes = _enrol(web)
    digests = set(db.session.scalars(select(RecoveryCode.digest)))
    assert len(digests) == 10 and not digests & set(codes)
    web.login("gv.hoa")
    assert _second_step(web, codes[0].upper()).status_code == 302
    web.client.post("/logout", data={"csrf_token": web.csrf("/profile")})
    web.login("gv.hoa")
    assert _second_step(web, codes[0]).status_code == 401


def test_wrong_codes_count_towards_the_lockout(app, web, people):
    clock.freeze(START)
    app.config.update(LOGIN_LOCKOUT_FAILURES=3)
    secret, _codes = _enrol(web)
    web.login("gv.hoa")
    assert [_second_step(web, "123456").status_code for _ in range(3)] == [401, 401, 401]
    clock.freeze(START + timedelta(seconds=60))
    locked = _second_step(web, _code(secret))  # the right code, but the account is locked
    assert locked.status_code == 429
    assert web.client.get("/profile").status_code == 302
    assert web.login("gv.hoa").status_code == 429


def test_signing_in_again_with_the_password_buys_no_more_guesses_at_the_code(app, web, people):
    clock.freeze(START)
    app.config.update(LOGIN_LOCKOUT_FAILURES=5)
    _enrol(web)
    web.login("gv.hoa")
    assert [_second_step(web, "123456").status_code for _ in range(3)] == [401] * 3
    assert web.login("gv.hoa").headers["Location"].endswith("/login/two-factor")
    assert [_second_step(web, "654321").status_code for _ in range(2)] == [401] * 2
    assert web.login("gv.hoa").status_code == 429


def test_the_api_token_needs_the_code_once_totp_is_on(app, web, people):
    clock.freeze(START)
    secret, _codes = _enrol(web)
    body = {"username": "gv.hoa", "password": PASSWORD}
    refused = web.client.post("/api/v1/auth/token", json=body)
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "two_factor_required"
    clock.freeze(START + timedelta(seconds=90))
    code = _code(secret)
    assert web.client.post("/api/v1/auth/token", json=body | {"otp": code}).status_code == 200


def test_a_school_that_requires_it_sends_teachers_to_setup_but_not_students(app, web, people):
    web.login("qt")
    response = web.post_form("/admin/security", {"required": "1"}, token_page="/admin/security")
    assert response.status_code == 302
    db.session.refresh(people["teacher"].school)
    assert people["teacher"].school.requires_two_factor
    # The admin is now sent to set up a second factor too; that page still signs out.
    web.client.post("/logout", data={"csrf_token": web.csrf("/account/two-factor")})
    web.login("gv.hoa")
    page = web.client.get("/courses")
    assert page.status_code == 302 and page.headers["Location"].endswith("/account/two-factor")
    token = web.client.post("/api/v1/auth/token", json={"username": "gv.hoa", "password": PASSWORD})
    assert token.status_code == 403
    assert token.get_json()["error"]["code"] == "two_factor_setup_required"
    student = Browserless(app.test_client())
    student.login("hs.an")
    assert student.client.get("/courses").status_code == 200
    assert student.client.get("/account/two-factor").status_code == 403


def test_an_admin_resets_a_lost_second_factor(app, web, other_browser, people):
    clock.freeze(START)
    _enrol(other_browser)
    web.login("qt")
    teacher = people["teacher"]
    assert 'id="reset-two-factor"' in web.client.get(f"/admin/users/{teacher.id}").get_data(
        as_text=True
    )
    assert web.post_form(f"/admin/users/{teacher.id}/two-factor/reset").status_code == 302
    assert other_browser.login("gv.hoa").headers["Location"].endswith("/")
    assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "user.2fa_reset"))


def test_after_log_out_everywhere_the_live_sockets_refuse_the_old_cookie_and_token(
    app, client, web, people
):
    from app.extensions import socketio

    web.login("hs.an")
    token = identity.issue_session_token(people["student"], 1).token
    sockets = []

    def connect(**kw):
        sockets.append(socketio.test_client(app, namespace="/live", **kw))
        return sockets[-1].is_connected("/live")

    assert connect(flask_test_client=client) and connect(auth={"token": token})
    old_cookie = client.get_cookie("session").value
    assert web.post_form("/account/logout-everywhere").status_code == 302
    client.set_cookie("session", old_cookie)  # a copy of the cookie kept from before
    assert client.get("/profile").status_code == 302
    assert not connect(flask_test_client=client)
    assert not connect(auth={"token": token})
    for socket in sockets:
        if socket.is_connected("/live"):
            socket.disconnect("/live")
