"""SCORM 1.2 / 2004 format library: safe zip import, manifest preview, run-time data checks.

Pure Python (no Flask, no database). The service layer typically does:

    with open_archive(upload_bytes) as archive:
        package = load_package(archive)      # preview: title, version, SCOs, warnings
        archive.safe_extract(course_dir)     # after the teacher confirms

and, on each commit from the player, `validate_commit(package.version, values)` followed
by `summarise(package.version, stored_cmi, mastery_score=item.mastery_score, ...)`.
"""

from __future__ import annotations

from .archive import (
    DEFAULT_LIMITS,
    ArchiveLimits,
    ScormArchive,
    open_archive,
    safe_extract,
)
from .cmi import CommitResult, is_writable, parse_duration, validate, validate_commit
from .errors import (
    ArchiveError,
    CmiError,
    ManifestError,
    ManifestNotFoundError,
    ScormError,
    UnsafeArchiveError,
)
from .manifest import parse_manifest
from .model import (
    Item,
    Launchable,
    Metadata,
    Objective,
    Organization,
    Package,
    Resource,
    ScormVersion,
    Sequencing,
)
from .package import check_files, load_package
from .summary import Summary, summarise

__all__ = [
    "DEFAULT_LIMITS",
    "ArchiveError",
    "ArchiveLimits",
    "CmiError",
    "CommitResult",
    "Item",
    "Launchable",
    "ManifestError",
    "ManifestNotFoundError",
    "Metadata",
    "Objective",
    "Organization",
    "Package",
    "Resource",
    "ScormArchive",
    "ScormError",
    "ScormVersion",
    "Sequencing",
    "Summary",
    "UnsafeArchiveError",
    "check_files",
    "is_writable",
    "load_package",
    "open_archive",
    "parse_duration",
    "parse_manifest",
    "safe_extract",
    "summarise",
    "validate",
    "validate_commit",
]
