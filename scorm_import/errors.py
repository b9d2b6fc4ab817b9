"""Errors raised by the SCORM library, each carrying a Vietnamese message for the teacher."""

from __future__ import annotations

from collections.abc import Iterable


class ScormError(ValueError):
    """Base of every expected SCORM failure.

    `message` is shown to the user as is (Vietnamese); `where` points at the file, line or
    element at fault; `details` lists individual problems when several were found at once
    (for example every missing file), so the UI can show them as a list.
    """

    def __init__(self, message: str, *, where: str | None = None, details: Iterable[str] = ()):
        self.message = message
        self.where = where
        self.details: tuple[str, ...] = tuple(details)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = self.message
        if self.where:
            text = f"{text} (vị trí: {self.where})"
        if self.details:
            text = text + "\n" + "\n".join(f"- {d}" for d in self.details)
        return text


class ArchiveError(ScormError):
    """The upload is not a readable zip file (corrupt, truncated, not a zip at all)."""


class UnsafeArchiveError(ArchiveError):
    """The zip is readable but hostile or over a limit (zip slip, symlink, bomb, size lie)."""


class ManifestNotFoundError(ArchiveError):
    """No imsmanifest.xml where SCORM requires it (at the root of the zip)."""


class ManifestError(ScormError):
    """imsmanifest.xml is malformed, dangerous or describes an unusable package."""


class CmiError(ScormError):
    """A run-time value sent by the player breaks the SCORM data model.

    `code` is the SCORM API error code the player would have reported (1.2: 201, 402, 403,
    405; 2004: 351, 401, 404, 406, 407), so the service can log or return it unchanged.
    """

    def __init__(self, message: str, *, code: int, element: str | None = None):
        self.code = code
        self.element = element
        super().__init__(message, where=element)
