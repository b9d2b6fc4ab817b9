"""File store under the instance folder, outside the web root: uploads under random names
(`write_named`/`read_named`), question assets and older uploads by content digest (`put`/`get`)."""

from __future__ import annotations

import hashlib
import os
import secrets
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


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, target)


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
