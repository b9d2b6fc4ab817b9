"""TOTP second factor for teachers and admins (pyotp), optional per school, with one-time
recovery codes stored as digests; the setup page shows a QR code of the otpauth URI (segno)."""

from __future__ import annotations

import secrets

import pyotp
import segno
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.clock import now_utc
from app.core.errors import Forbidden, ValidationFailed
from app.core.security import same_digest, token_digest
from app.extensions import db
from app.models import RecoveryCode, Role, School, User
from app.services import audit, lockout
from app.services.access import acting_school_id, get_scoped, require_school_admin

ISSUER = "LopHoc"
ROLES = (Role.TEACHER, Role.ADMIN, Role.SYSTEM_ADMIN)
RECOVERY_CODES = 10
_STEP = 30


def may_use(user: User) -> bool:
    """Teachers and admins can turn on a second factor; students and parents sign in without."""
    return user.role in {str(r) for r in ROLES}


def is_enabled(user: User) -> bool:
    return bool(user.totp_secret and user.totp_enabled_at)


def must_enrol(user: User) -> bool:
    """The user's school requires a second factor and this teacher/admin has none yet."""
    school = user.school
    return (
        may_use(user)
        and school is not None
        and bool(school.requires_two_factor)
        and not is_enabled(user)
    )


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads (from the QR code or typed in)."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The URI as an SVG QR code in a data: URI (allowed by the CSP's img-src)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _matching_step(secret: str, code: str, at_step: int) -> int | None:
    """The time step (now, or one step either side for clock drift) the code belongs to."""
    totp = pyotp.TOTP(secret)
    for step in (at_step, at_step - 1, at_step + 1):
        if secrets.compare_digest(totp.at(step * _STEP), code):
            return step
    return None


def _clean(code: str) -> str:
    return "".join(ch for ch in str(code or "") if ch.isalnum()).lower()


def enable(user: User, secret: str, code: str) -> list[str]:
    """Turn the second factor on after the user typed a code from the app; returns the recovery
    codes to show once. Raises Forbidden (students, parents), ValidationFailed (wrong code)."""
    if not may_use(user):
        raise Forbidden(_("Chỉ giáo viên và quản trị viên dùng xác thực hai lớp."))
    step = _matching_step(secret, _clean(code), int(now_utc().timestamp()) // _STEP)
    if step is None:
        raise ValidationFailed(
            _("Mã xác thực không đúng; hãy kiểm tra giờ trên điện thoại và nhập mã mới."),
            code="bad_otp",
        )
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, now_utc(), step
    codes = _new_recovery_codes(user)
    audit.record(user, "user.2fa_enable", user)
    db.session.commit()
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.session.add(
            RecoveryCode(user_id=user.id, school_id=user.school_id, digest=token_digest(code))
        )
    return codes


def verify(user: User, code: str) -> bool:
    """Check the second step of a sign-in: a TOTP code not used before, or an unused recovery
    code (then spent). A wrong code counts towards the account's lockout. Commits."""
    lockout.refuse_if_locked(user)
    if not is_enabled(user):
        return False
    cleaned = _clean(code)
    ok = False
    if len(cleaned) == 6 and cleaned.isdigit():
        step = _matching_step(user.totp_secret or "", cleaned, int(now_utc().timestamp()) // _STEP)
        if step is not None and step > (user.totp_last_step or 0):
            user.totp_last_step = step  # the same code cannot be replayed
            ok = True
    elif cleaned:
        ok = _spend_recovery_code(user, cleaned)
    if not ok:
        lockout.record_failure(user)
        return False
    lockout.record_success(user)
    db.session.commit()
    return True


def _spend_recovery_code(user: User, cleaned: str) -> bool:
    formatted = f"{cleaned[:8]}-{cleaned[8:]}"
    digest = token_digest(formatted)
    rows = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    for row in rows:
        if same_digest(row.digest, digest):
            row.used_at = now_utc()
            audit.record(user, "user.2fa_recovery_used", user)
            return True
    return False


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def _turn_off(user: User) -> None:
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))


def disable_own(user: User, code: str) -> None:
    """The user turns their second factor off with a current code. Raises ValidationFailed
    (wrong code), Forbidden (the school requires it). Commits."""
    if user.school is not None and user.school.requires_two_factor:
        raise Forbidden(_("Trường yêu cầu xác thực hai lớp cho giáo viên và quản trị viên."))
    if not is_enabled(user) or not verify(user, code):
        raise ValidationFailed(_("Mã xác thực không đúng."), code="bad_otp")
    _turn_off(user)
    audit.record(user, "user.2fa_disable", user)
    db.session.commit()


def reset_for(actor: User, user_id: int) -> User:
    """An admin clears a person's second factor (a lost phone); they set it up again at their
    next sign-in if the school requires it. Raises Forbidden, NotFound. Commits."""
    require_school_admin(actor)
    user = get_scoped(User, user_id, actor)
    if is_enabled(user):
        _turn_off(user)
        audit.record(actor, "user.2fa_reset", user)
    db.session.commit()
    return user


def set_school_requirement(actor: User, required: bool) -> School:
    """An admin makes the second factor required (or optional) for the school's teachers and
    admins. Audited; commits."""
    require_school_admin(actor)
    school = db.session.get(School, acting_school_id(actor))
    changes = audit.diff(school, {"requires_two_factor": bool(required)})
    if changes:
        audit.record(actor, "school.2fa_policy", school, changes)
    db.session.commit()
    return school
