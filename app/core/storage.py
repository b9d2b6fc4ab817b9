"""Content-addressed file store under the instance folder (uploads, question assets)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app


def root() -> Path:
    """Where stored files live: LOPHOC_STORAGE_DIR, else instance/storage."""
    configured = current_app.config.get("LOPHOC_STORAGE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "storage"


def path_for(digest: str) -> Path:
    if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        raise ValueError("not a sha256 digest")
    return root() / digest[:2] / digest


def put(data: bytes) -> str:
    """Store bytes once (by SHA-256) and return the digest; writing is atomic."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, target)
    return digest


def get(digest: str) -> bytes:
    return path_for(digest).read_bytes()
