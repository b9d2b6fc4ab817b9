"""Reading uploaded files from a form: name and bytes, the spooled temporary file closed."""

from __future__ import annotations


def read_upload(upload) -> tuple[str, bytes]:
    """The name and bytes of an uploaded file; its spooled temporary file is closed at once."""
    if upload is None:
        return "", b""
    try:
        return upload.filename or "", upload.read()
    finally:
        upload.close()
