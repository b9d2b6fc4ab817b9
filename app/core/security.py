"""Password hashing and opaque API tokens (only their SHA-256 is ever stored)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "lh_"  # noqa: S105 - a prefix, not a secret
# A hash of a random password, checked when the user is unknown so that a wrong username
# costs the same time as a wrong password (no user enumeration by timing).
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """Hash with scrypt (Werkzeug's default: memory-hard, salted)."""
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if `password` matches; always spends the hashing time, even with no hash."""
    if not password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(password_hash, password)


# The passwords people pick first (international lists and their Vietnamese variants) that pass
# the length and mix rules: refused by name.
COMMON_PASSWORDS = frozenset(
    line.strip().casefold()
    for line in (Path(__file__).with_name("common_passwords.txt")).read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)


def password_problem(password: str, username: str | None = None) -> str | None:
    """A Vietnamese message saying why a new password is too weak, or None: too short, only
    letters or only digits, one of the common passwords, or the username itself."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự."
    if password.isdigit() or password.isalpha():
        return "Mật khẩu phải có cả chữ và số."
    lowered = password.casefold()
    if lowered in COMMON_PASSWORDS:
        return "Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác."
    name = (username or "").casefold()
    if len(name) >= 3 and name in lowered:
        return "Mật khẩu không được chứa tên đăng nhập."
    return None


def new_token() -> str:
    """A fresh opaque bearer token to hand out once."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The SHA-256 hex digest stored instead of the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_digest(a: str, b: str) -> bool:
    """Constant-time comparison of two digests."""
    return hmac.compare_digest(a, b)


def random_password(length: int = 10) -> str:
    """A readable first password: no 0/O/1/l/I look-alikes, always letters and digits."""
    letters = "abcdefghjkmnpqrstuvwxyz"
    digits = "23456789"
    core = [secrets.choice(letters + digits) for _ in range(length - 2)]
    return "".join([*core, secrets.choice(letters), secrets.choice(digits)])
