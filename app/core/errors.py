"""Domain errors raised by services; one handler turns each into a status code and message."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every expected failure; `code` is the API's snake_case error code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class ValidationFailed(DomainError):
    """Input is well-formed but not acceptable (a wrong date, an unknown class)."""

    status = 422
    code = "invalid"


class BadInput(DomainError):
    """Input cannot be read at all (wrong file type, unreadable encoding)."""

    status = 400
    code = "bad_request"


class NotAuthenticated(DomainError):
    """No valid credentials were given."""

    status = 401
    code = "not_authenticated"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """The record does not exist, or does not exist for this caller (no leaking across schools)."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The action clashes with the current state (duplicate code, already deactivated)."""

    status = 409
    code = "conflict"


class TooLarge(DomainError):
    """An upload or request body is over the configured limit."""

    status = 413
    code = "too_large"


class StorageFull(DomainError):
    """The file store cannot take the bytes (disk or quota full): nothing was kept."""

    status = 507
    code = "storage_full"
