"""Uploaded files: size limits, the real content type read from magic bytes, and their bytes
stored once per school under a random name (found again by SHA-256 digest)."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import PurePath

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core import storage
from app.core.errors import BadInput, TooLarge, ValidationFailed
from app.extensions import db
from app.models import StoredBlob

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
OOXML = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
LEGACY_OFFICE = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}


def max_bytes() -> int:
    """The per-file limit: LOPHOC_MATERIAL_MAX_MB in the configuration, else 20 MB."""
    configured = current_app.config.get("LOPHOC_MATERIAL_MAX_MB")
    return int(float(configured) * 1024 * 1024) if configured else DEFAULT_MAX_BYTES


def safe_filename(name: str) -> str:
    """The user's file name, kept readable (Vietnamese, spaces) but without any path or controls."""
    name = unicodedata.normalize("NFC", PurePath(name.replace("\\", "/")).name)
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    return name[:255] or "tep"


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def sniff(data: bytes, filename: str) -> str | None:
    """The MIME type the bytes really are, or None when they are not an accepted kind.

    Container formats (zip, OLE) are told apart by the extension only after the magic matches.
    """
    ext = _extension(filename)
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"PK\x03\x04") and ext in OOXML:
        return OOXML[ext]
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and ext in LEGACY_OFFICE:
        return LEGACY_OFFICE[ext]
    if data[4:8] == b"ftyp":
        return "video/mp4"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if data.startswith(b"ID3") or data[:2] in (b"\xff\xfb", b"\xff\xf3"):
        return "audio/mpeg"
    return None


def check_upload(filename: str, data: bytes, school_id: int | None = None) -> tuple[str, str]:
    """Return (clean file name, real MIME type), within the school's upload policy when a
    school is given. Raises ValidationFailed (empty), TooLarge (413), BadInput (wrong kind)."""
    from app.services import upload_policy

    name = safe_filename(filename or "")
    if not data:
        raise ValidationFailed(_("Tệp “%(n)s” rỗng (0 byte); hãy chọn lại tệp.", n=name))
    if school_id is None:
        limit, kinds = max_bytes(), set()
    else:
        max_mb, kinds = upload_policy.for_school(school_id)
        limit = int(max_mb * 1024 * 1024)
    if len(data) > limit:
        raise TooLarge(
            _(
                "Tệp “%(n)s” quá lớn (%(s)s MB); nhà trường cho phép tối đa %(m)s MB mỗi tệp.",
                n=name,
                s=f"{round(len(data) / 1048576, 2):g}",
                m=f"{round(limit / 1048576, 2):g}",
            )
        )
    mime = sniff(data, name)
    if mime is None:
        raise BadInput(
            _(
                "Tệp “%(n)s” không phải PDF, ảnh, tài liệu Office, video hay âm thanh; "
                "nội dung tệp không khớp loại cho phép.",
                n=name,
            ),
            code="unsupported_file_type",
        )
    if kinds and upload_policy.kind_of(mime) not in kinds:
        allowed = ", ".join(str(upload_policy.KINDS[k]) for k in kinds)
        raise BadInput(
            _(
                "Nhà trường chỉ nhận các loại tệp: %(k)s; tệp “%(n)s” không thuộc loại đó.",
                k=allowed,
                n=name,
            ),
            code="file_kind_not_allowed",
        )
    return name, mime


def store_blob(school_id: int, data: bytes) -> str:
    """Keep `data` for the school and return its SHA-256 digest, the key upload rows hold.

    Bytes already stored for the school are shared (library copies, the same file attached
    twice); new bytes get a random name from `storage.new_name()`. Flushes, never commits."""
    digest = hashlib.sha256(data).hexdigest()
    lookup = select(StoredBlob).where(
        StoredBlob.school_id == school_id, StoredBlob.sha256 == digest
    )
    blob = db.session.scalar(lookup)
    if blob is not None:
        if not storage.named_path(blob.storage_name).exists():
            storage.write_named(blob.storage_name, data)  # the file was lost: the bytes are here
        return digest
    name = storage.new_name()
    storage.write_named(name, data)
    try:
        with db.session.begin_nested():
            db.session.add(
                StoredBlob(
                    school_id=school_id, sha256=digest, storage_name=name, size_bytes=len(data)
                )
            )
    except IntegrityError:
        # Someone stored the same bytes for this school at the same moment: share theirs.
        storage.named_path(name).unlink(missing_ok=True)
    return digest


def read_blob(school_id: int, digest: str) -> bytes:
    """The bytes an upload row of the school refers to by digest. Rows from before random
    names (no stored_blobs row) are still read from the old digest-named path."""
    name = db.session.scalar(
        select(StoredBlob.storage_name).where(
            StoredBlob.school_id == school_id, StoredBlob.sha256 == digest
        )
    )
    return storage.read_named(name) if name else storage.get(digest)


def stored_file(model, school_id: int, filename: str, data: bytes, **owner):
    """Check an upload (size, real type, the school's limit), store its bytes once per school
    under a random name and add its row of `model` (LessonFile, AssignmentFile, ...), flushed,
    not committed."""
    name, mime = check_upload(filename, data, school_id)
    row = model(
        school_id=school_id,
        filename=name,
        mime_type=mime,
        size_bytes=len(data),
        sha256=store_blob(school_id, data),
        **owner,
    )
    db.session.add(row)
    db.session.flush()
    return row
