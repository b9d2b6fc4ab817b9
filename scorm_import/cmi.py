"""Validation of run-time values a SCORM player sends back, with SCORM error codes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Literal

from .cmi_elements import (
    READ_ONLY_12,
    READ_ONLY_2004,
    READ_ONLY_PREFIXES_2004,
    WRITABLE_12,
    WRITABLE_2004,
    Check,
)
from .cmi_types import parse_duration_2004, parse_timespan_12
from .errors import CmiError

Edition = Literal["1.2", "2004"]
# Highest array index accepted (cmi.interactions.999.id). The SPMs are 250 interactions and
# 100 objectives; the cap stops a tampered request from creating unbounded rows.
MAX_INDEX = 999
_KEYWORDS = ("_children", "_count", "_version")
_INDEX = re.compile(r"^(0|[1-9]\d*)$")
_MAX_ELEMENT_CHARS = 255

# SCORM error codes by failure, per edition (1.2 has no separate range or set-failure code).
_CODES: dict[Edition, dict[str, int]] = {
    "1.2": {
        "undefined": 201,
        "index": 201,
        "keyword": 402,
        "read_only": 403,
        "type": 405,
        "range": 405,
    },
    "2004": {
        "undefined": 401,
        "index": 351,
        "keyword": 404,
        "read_only": 404,
        "type": 406,
        "range": 407,
    },
}


def edition(version: str) -> Edition:
    """'1.2' or '2004' for any package version string ('2004-3rd', '2004', '1.2')."""
    if version == "1.2":
        return "1.2"
    if version.startswith("2004"):
        return "2004"
    raise ValueError(f"Unknown SCORM version {version!r}")


def validate(version: str, element: str, value: object) -> str:
    """Check one SetValue/LMSSetValue pair; returns the value to store.

    The value is returned unchanged (SCOs read back exactly what they wrote), after
    checking it is writable and of the right type and range. Raises CmiError with the code
    the SCORM API would report for that call.
    """
    ed = edition(version)
    pattern, indices = _pattern(ed, element)
    text = _as_text(ed, element, value)
    check = _lookup(ed, element, pattern)
    if any(index > MAX_INDEX for index in indices):
        raise _error(ed, "index", element, f"chỉ số vượt quá {MAX_INDEX}")
    problem = check(text)
    if problem is not None:
        kind, reason = problem
        raise _error(ed, kind, element, f"giá trị '{_shorten(text)}' không hợp lệ: {reason}")
    return text


def is_writable(version: str, element: str) -> bool:
    """True when a SCO may set `element` (a keyword, read-only or unknown name gives False)."""
    try:
        ed = edition(version)
        _lookup(ed, element, _pattern(ed, element)[0])
    except CmiError:
        return False
    return True


def parse_duration(version: str, text: str) -> timedelta:
    """A session_time/latency value as a timedelta (1.2 CMITimespan, 2004 ISO 8601)."""
    ed = edition(version)
    value = parse_timespan_12(text) if ed == "1.2" else parse_duration_2004(text)
    if value is None:
        example = "HHHH:MM:SS.SS" if ed == "1.2" else "PT1H2M3.5S"
        raise _error(ed, "type", None, f"'{_shorten(text)}' không phải khoảng thời gian {example}")
    return value


@dataclass(frozen=True)
class CommitResult:
    """Outcome of checking a whole commit: what to store, what was refused and why."""

    accepted: dict[str, str]
    rejected: dict[str, CmiError]
    read_only: tuple[str, ...]


def validate_commit(version: str, values: Mapping[str, object]) -> CommitResult:
    """Validate every element of a commit from the player.

    Read-only elements and keywords (which players echo back with the rest of the data
    model) are listed in `read_only` rather than `rejected`, so the service can drop them
    silently while still logging real errors.
    """
    accepted: dict[str, str] = {}
    rejected: dict[str, CmiError] = {}
    read_only: list[str] = []
    codes = _CODES[edition(version)]
    for element, value in values.items():
        try:
            accepted[element] = validate(version, element, value)
        except CmiError as exc:
            if exc.code in (codes["read_only"], codes["keyword"]):
                read_only.append(element)
            else:
                rejected[element] = exc
    return CommitResult(accepted, rejected, tuple(read_only))


def _pattern(ed: Edition, element: object) -> tuple[str, list[int]]:
    """'cmi.interactions.3.id' -> ('cmi.interactions.n.id', [3])."""
    if not isinstance(element, str) or not element or len(element) > _MAX_ELEMENT_CHARS:
        raise _error(ed, "undefined", None, "tên phần tử không hợp lệ")
    parts, indices = [], []
    for part in element.split("."):
        if part.isdecimal():
            if not part.isascii() or not _INDEX.match(part):
                raise _error(ed, "undefined", element, "chỉ số mảng không hợp lệ")
            indices.append(int(part))
            part = "n"
        parts.append(part)
    return ".".join(parts), indices


def _lookup(ed: Edition, element: str, pattern: str) -> Check:
    if pattern.rsplit(".", 1)[-1] in _KEYWORDS:
        raise _error(ed, "keyword", element, "là từ khoá chỉ đọc của mô hình dữ liệu")
    if ed == "1.2":
        table, read_only = WRITABLE_12, pattern in READ_ONLY_12
    else:
        table = WRITABLE_2004
        read_only = pattern in READ_ONLY_2004 or pattern.startswith(READ_ONLY_PREFIXES_2004)
    if read_only:
        raise _error(ed, "read_only", element, "là phần tử chỉ đọc")
    check = table.get(pattern)
    if check is None:
        raise _error(ed, "undefined", element, "không có trong mô hình dữ liệu SCORM")
    return check


def _as_text(ed: Edition, element: str, value: object) -> str:
    # JSON numbers are fine (85 -> "85"); booleans, None and containers are not CMI values.
    if isinstance(value, str):
        return value
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # ints past Python's 4300-digit conversion limit
            pass
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return repr(value)
    raise _error(ed, "type", element, f"giá trị kiểu {type(value).__name__} không phải chuỗi")


def _error(ed: Edition, kind: str, element: str | None, reason: str) -> CmiError:
    code = _CODES[ed][kind]
    name = f"'{element}' " if element else ""
    return CmiError(
        f"Dữ liệu SCORM không hợp lệ: {name}{reason} (mã lỗi {code}).", code=code, element=element
    )


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
