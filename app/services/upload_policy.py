"""Per-school upload limits: the largest file in MB and, optionally, the kinds accepted;
set by the school's admin, applied to lesson files, homework attachments and submissions."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.errors import ValidationFailed
from app.extensions import db
from app.models import UploadPolicy, User
from app.services import audit
from app.services.access import acting_school_id, require_school_admin

DEFAULT_MB = 20
KINDS = {
    "pdf": _l("PDF"),
    "image": _l("Ảnh (PNG, JPEG, GIF, WebP)"),
    "office": _l("Tài liệu Office (Word, Excel, PowerPoint)"),
    "video": _l("Video (MP4, WebM)"),
    "audio": _l("Âm thanh (MP3)"),
}


def kind_of(mime: str) -> str:
    """The policy kind of a sniffed MIME type."""
    if mime == "application/pdf":
        return "pdf"
    major = mime.split("/", 1)[0]
    if major in ("image", "video", "audio"):
        return major
    return "office"


def default_mb() -> float:
    return float(current_app.config.get("LOPHOC_MATERIAL_MAX_MB") or DEFAULT_MB)


def request_cap_mb() -> int:
    """No school may allow more than the server accepts in one request (MAX_CONTENT_LENGTH)."""
    return int(current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024))


def for_school(school_id: int | None) -> tuple[float, set[str]]:
    """(max MB per file, allowed kinds; empty = every kind) for a school."""
    policy = None
    if school_id is not None:
        policy = db.session.scalar(select(UploadPolicy).where(UploadPolicy.school_id == school_id))
    if policy is None:
        return default_mb(), set()
    return float(policy.max_file_mb), set(policy.allowed_kinds.split())


def current(actor: User) -> dict:
    """The admin's form values: {"max_file_mb", "allowed_kinds", "kinds", "cap_mb"}."""
    require_school_admin(actor)
    max_mb, kinds = for_school(acting_school_id(actor))
    return {
        "max_file_mb": f"{max_mb:g}",
        "allowed_kinds": kinds,
        "kinds": {k: str(v) for k, v in KINDS.items()},
        "cap_mb": request_cap_mb(),
    }


def update(actor: User, max_file_mb: object, kinds: list[str]) -> UploadPolicy:
    """Set the school's limit. Raises ValidationFailed (not a whole number from 1 to the
    server's cap, unknown kind), Forbidden. Changes: the policy row, one audit row."""
    require_school_admin(actor)
    school_id = acting_school_id(actor)
    cap = request_cap_mb()
    try:
        size = int(str(max_file_mb or "").strip())
    except ValueError:
        size = 0
    if not 1 <= size <= cap:
        raise ValidationFailed(
            _("Dung lượng tối đa phải là số nguyên từ 1 đến %(c)s MB.", c=cap), code="bad_limit"
        )
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValidationFailed(_("Loại tệp không hợp lệ: %(k)s.", k=", ".join(unknown)))
    policy = db.session.scalar(select(UploadPolicy).where(UploadPolicy.school_id == school_id))
    if policy is None:
        policy = UploadPolicy(school_id=school_id)
        db.session.add(policy)
        db.session.flush()
    allowed = " ".join(k for k in KINDS if k in kinds)
    changes = audit.diff(policy, {"max_file_mb": size, "allowed_kinds": allowed})
    audit.record(actor, "school.upload_policy", policy, changes)
    db.session.commit()
    return policy
