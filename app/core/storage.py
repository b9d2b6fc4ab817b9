"""File store under the instance folder, outside the web root: uploads under random names
(`write_named`/`read_named`), question assets and older uploads by content digest (`put`/`get`)."""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import tempfile
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app.core.errors import StorageFull

FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def root() -> Path:
    """Where stored files live: LOPHOC_STORAGE_DIR, else instance/storage."""
    configured = current_app.config.get("LOPHOC_STORAGE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "storage"


def path_for(digest: str) -> Path:
    if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        raise ValueError("not a sha256 digest")
    return root() / digest[:2] / digest


def _write(target: Path, data: bytes) -> None:
    """Write through a temporary file and rename it into place; on any failure the temporary
    file is removed (nothing half-written stays), and a full disk is a StorageFull (507)."""
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if exc.errno in FULL:
            current_app.logger.error("File store full writing %s: %s", target.name, exc)
            raise StorageFull(
                _(
                    "Máy chủ hết chỗ lưu tệp; tệp chưa được lưu. "
                    "Hãy báo quản trị viên của trường và thử lại sau."
                )
            ) from exc
        raise


def new_name() -> str:
    """A random storage name (128 bits from `secrets`), unguessable and unrelated to content."""
    return secrets.token_hex(16)


def named_path(name: str) -> Path:
    if len(name) != 32 or not all(c in "0123456789abcdef" for c in name):
        raise ValueError("not a storage name")
    return root() / "blobs" / name[:2] / name


def write_named(name: str, data: bytes) -> None:
    """Write bytes under a name from `new_name()`; atomic (a reader never sees half a file)."""
    _write(named_path(name), data)


def read_named(name: str) -> bytes:
    return named_path(name).read_bytes()


def put(data: bytes) -> str:
    """Store bytes once (by SHA-256) and return the digest; writing is atomic."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if not target.exists():
        _write(target, data)
    return digest


def get(digest: str) -> bytes:
    return path_for(digest).read_bytes()
