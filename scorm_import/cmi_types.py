"""SCORM run-time data types: decimals, durations, times, identifiers and their checks."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

# SCORM 1.2 CMITimespan: HHHH:MM:SS.SS (2-4 hour digits, optional 1-2 decimals of a second).
# Minutes and seconds are "2 digits" in the spec, with no upper bound stated; players
# (scorm-again included) accept 00-99, so do we, and simply add them up.
_TIMESPAN_12 = re.compile(r"^(\d{2,4}):(\d{2}):(\d{2})(\.\d{1,2})?$")
# SCORM 1.2 CMITime (interaction time of day): HH:MM:SS(.SS).
_TIME_12 = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,2})?$")
# SCORM 2004 timeinterval (second,10,2): ISO 8601 duration. Only seconds may carry a
# fraction; weeks are not in the SCORM profile but are valid ISO 8601 and harmless.
_DURATION_2004 = re.compile(
    r"^P(?=\d|T\d)(?:(\d{1,9})Y)?(?:(\d{1,9})M)?(?:(\d{1,9})W)?(?:(\d{1,9})D)?"
    r"(?:T(?=\d)(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9}(?:\.\d{1,9})?)S)?)?$"
)
# SCORM 2004 time (second,10,0): YYYY[-MM[-DD[Thh[:mm[:ss[.s[TZD]]]]]]], years 1970-2038.
_TIME_2004 = re.compile(
    r"^(19[7-9]\d|20[0-2]\d|203[0-8])"
    r"(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])"
    r"(T([01]\d|2[0-3])(:[0-5]\d(:[0-5]\d(\.\d{1,2})?)?)?"
    r"(Z|[+-]([01]\d|2[0-3])(:[0-5]\d)?)?)?)?)?$"
)
_DECIMAL = re.compile(r"^-?(\d{1,20}(\.\d{0,20})?|\.\d{1,20})$")
_INTEGER = re.compile(r"^-?\d{1,9}$")
_LANG = re.compile(r"^([A-Za-z]{2,3}|i|x)(-[A-Za-z0-9-]{1,8})*$")
_LANG_PREFIX = re.compile(r"^\{lang=([^}]*)\}")

# ISO 8601 leaves years and months undefined in seconds; these are the usual LMS
# approximations (also scorm-again's) and only matter for absurd session times.
_DAYS_PER_YEAR = 365
_DAYS_PER_MONTH = 30


def parse_decimal(text: str) -> Decimal | None:
    """A plain decimal number ('85', '-0.5', '.5'); None when it is not one.

    Exponents, '+', spaces, 'NaN' and 'Infinity' are refused: the SCORM types are decimal
    strings, and Decimal('NaN') would poison every comparison made later.
    """
    if not isinstance(text, str) or not _DECIMAL.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex already excludes these
        return None


def parse_integer(text: str) -> int | None:
    """A signed integer of at most 9 digits; None when it is not one."""
    if not isinstance(text, str) or not _INTEGER.match(text):
        return None
    return int(text)


def parse_timespan_12(text: str) -> timedelta | None:
    """SCORM 1.2 CMITimespan 'HHHH:MM:SS.SS' as a timedelta; None when malformed."""
    match = _TIMESPAN_12.match(text) if isinstance(text, str) else None
    if not match:
        return None
    hours, minutes, seconds, fraction = match.groups()
    total = Decimal(seconds) + Decimal(fraction or "0")
    return timedelta(hours=int(hours), minutes=int(minutes), seconds=float(total))


def parse_duration_2004(text: str) -> timedelta | None:
    """SCORM 2004 timeinterval 'P[nY][nM][nD][T[nH][nM][n[.n]S]]'; None when malformed."""
    match = _DURATION_2004.match(text) if isinstance(text, str) else None
    if not match:
        return None
    years, months, weeks, days, hours, minutes, seconds = (g or "0" for g in match.groups())
    total_days = (
        int(years) * _DAYS_PER_YEAR + int(months) * _DAYS_PER_MONTH + int(weeks) * 7 + int(days)
    )
    try:
        return timedelta(
            days=total_days, hours=int(hours), minutes=int(minutes), seconds=float(seconds)
        )
    except OverflowError:  # nine-digit fields can exceed timedelta's 999,999,999 days
        return None


def is_time_12(text: str) -> bool:
    """SCORM 1.2 CMITime 'HH:MM:SS.SS' (a time of day)."""
    return bool(_TIME_12.match(text))


def is_time_2004(text: str) -> bool:
    """SCORM 2004 time (second,10,0), an ISO 8601 timestamp between 1970 and 2038."""
    return bool(_TIME_2004.match(text))


def is_identifier_12(text: str) -> bool:
    """SCORM 1.2 CMIIdentifier: 1-255 printable characters without white space."""
    return 0 < len(text) <= 255 and all(33 <= ord(ch) <= 126 for ch in text)


def is_long_identifier(text: str, limit: int = 4000) -> bool:
    """SCORM 2004 long_identifier_type: a URI-like string without white space."""
    return 0 < len(text) <= limit and not any(ch.isspace() for ch in text)


def is_language(text: str) -> bool:
    """RFC 1766 language code as SCORM 2004 uses it ('' is allowed: unknown)."""
    return text == "" or bool(_LANG.match(text))


def strip_lang_prefix(text: str) -> tuple[str | None, str]:
    """Split a localized_string '{lang=vi}Xin chào' into ('vi', 'Xin chào')."""
    match = _LANG_PREFIX.match(text)
    if not match:
        return None, text
    return match.group(1), text[match.end() :]
