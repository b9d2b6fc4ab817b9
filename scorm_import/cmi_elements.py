"""The SCORM 1.2 and 2004 data-model element tables: access mode and value check of each."""

from __future__ import annotations

from collections.abc import Callable

from .cmi_types import (
    is_identifier_12,
    is_language,
    is_long_identifier,
    is_time_12,
    is_time_2004,
    parse_decimal,
    parse_duration_2004,
    parse_integer,
    parse_timespan_12,
    strip_lang_prefix,
)

# A check returns None when the value is acceptable, else (kind, reason): kind "type" for a
# malformed value, "range" for a well-formed one outside its bounds (2004 codes 406/407).
Problem = tuple[str, str] | None
Check = Callable[[str], Problem]

STATUS_12 = ("passed", "completed", "failed", "incomplete", "browsed", "not attempted")
COMPLETION_2004 = ("completed", "incomplete", "not attempted", "unknown")
SUCCESS_2004 = ("passed", "failed", "unknown")
_INTERACTION_TYPES_12 = (
    "true-false",
    "choice",
    "fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
)
_INTERACTION_TYPES_2004 = (*_INTERACTION_TYPES_12, "long-fill-in", "other")
_NAV_WORDS = (
    "continue",
    "previous",
    "exit",
    "exitAll",
    "abandon",
    "abandonAll",
    "suspendAll",
    "_none_",
)
# Longest free-text answer accepted for interaction patterns/responses: the 2004 SPMs
# (long-fill-in 4000 characters plus a {lang=} delimiter) with room for matching pairs.
_RESPONSE_LIMIT = 8000


def vocab(*words: str) -> Check:
    def check(value: str) -> Problem:
        return None if value in words else ("type", f"phải là một trong: {', '.join(words)}")

    return check


def string(limit: int) -> Check:
    def check(value: str) -> Problem:
        return None if len(value) <= limit else ("type", f"dài quá {limit} ký tự")

    return check


def decimal(low: float | None = None, high: float | None = None, blank: bool = False) -> Check:
    def check(value: str) -> Problem:
        if blank and value == "":
            return None
        number = parse_decimal(value)
        if number is None:
            return ("type", "phải là số thập phân (ví dụ 85 hoặc 0.5)")
        if (low is not None and number < low) or (high is not None and number > high):
            return ("range", f"phải nằm trong khoảng {_bound(low)}..{_bound(high)}")
        return None

    return check


def integer(low: int, high: int) -> Check:
    def check(value: str) -> Problem:
        number = parse_integer(value)
        if number is None:
            return ("type", "phải là số nguyên")
        return None if low <= number <= high else ("range", f"phải nằm trong {low}..{high}")

    return check


def _predicate(test: Callable[[str], object], reason: str) -> Check:
    def check(value: str) -> Problem:
        return None if test(value) else ("type", reason)

    return check


def _result(words: tuple[str, ...]) -> Check:
    def check(value: str) -> Problem:
        if value in words or parse_decimal(value) is not None:
            return None
        return ("type", f"phải là một trong {', '.join(words)} hoặc một số")

    return check


def _localized(limit: int) -> Check:
    def check(value: str) -> Problem:
        lang, text = strip_lang_prefix(value)
        if lang is not None and not is_language(lang):
            return ("type", f"mã ngôn ngữ '{lang}' không hợp lệ")
        return None if len(text) <= limit else ("type", f"dài quá {limit} ký tự")

    return check


def _nav_request(value: str) -> Problem:
    if value in _NAV_WORDS:
        return None
    for verb in ("choice", "jump"):
        if value.startswith("{target=") and value.endswith("}" + verb):
            target = value[len("{target=") : -len("}" + verb)]
            if is_long_identifier(target):
                return None
    return ("type", "không phải yêu cầu điều hướng SCORM 2004 hợp lệ")


def _bound(value: float | None) -> str:
    return "∞" if value is None else f"{value:g}"


TIMESPAN_12 = _predicate(parse_timespan_12, "phải có dạng HHHH:MM:SS.SS (ví dụ 0001:30:05.5)")
DURATION_2004 = _predicate(
    parse_duration_2004, "phải là khoảng thời gian ISO 8601 (ví dụ PT1H2M3.5S)"
)
_SCORE_12 = decimal(0, 100, blank=True)
_ID_12 = _predicate(is_identifier_12, "phải là định danh 1-255 ký tự, không có khoảng trắng")
_LONG_ID = _predicate(
    is_long_identifier, "phải là định danh (tối đa 4000 ký tự, không khoảng trắng)"
)
_TIME_2004 = _predicate(is_time_2004, "phải là thời điểm ISO 8601 (ví dụ 2024-05-01T08:30:00Z)")
_REAL = decimal()

WRITABLE_12: dict[str, Check] = {
    "cmi.core.lesson_location": string(255),
    "cmi.core.lesson_status": vocab(*STATUS_12[:-1]),  # the SCO may not set 'not attempted'
    "cmi.core.score.raw": _SCORE_12,
    "cmi.core.score.min": _SCORE_12,
    "cmi.core.score.max": _SCORE_12,
    "cmi.core.exit": vocab("time-out", "suspend", "logout", ""),
    "cmi.core.session_time": TIMESPAN_12,
    "cmi.suspend_data": string(4096),
    "cmi.comments": string(4096),
    "cmi.objectives.n.id": _ID_12,
    "cmi.objectives.n.score.raw": _SCORE_12,
    "cmi.objectives.n.score.min": _SCORE_12,
    "cmi.objectives.n.score.max": _SCORE_12,
    "cmi.objectives.n.status": vocab(*STATUS_12),
    "cmi.student_preference.audio": integer(-1, 100),
    "cmi.student_preference.language": string(255),
    "cmi.student_preference.speed": integer(-100, 100),
    "cmi.student_preference.text": integer(-1, 1),
    "cmi.interactions.n.id": _ID_12,
    "cmi.interactions.n.objectives.n.id": _ID_12,
    "cmi.interactions.n.time": _predicate(is_time_12, "phải có dạng HH:MM:SS"),
    "cmi.interactions.n.type": vocab(*_INTERACTION_TYPES_12),
    "cmi.interactions.n.correct_responses.n.pattern": string(255),
    "cmi.interactions.n.weighting": decimal(),
    "cmi.interactions.n.student_response": string(255),
    "cmi.interactions.n.result": _result(("correct", "wrong", "unanticipated", "neutral")),
    "cmi.interactions.n.latency": TIMESPAN_12,
}
READ_ONLY_12 = frozenset(
    {
        "cmi.core.student_id",
        "cmi.core.student_name",
        "cmi.core.credit",
        "cmi.core.entry",
        "cmi.core.total_time",
        "cmi.core.lesson_mode",
        "cmi.launch_data",
        "cmi.comments_from_lms",
        "cmi.student_data.mastery_score",
        "cmi.student_data.max_time_allowed",
        "cmi.student_data.time_limit_action",
    }
)

_OBJ_2004 = "cmi.objectives.n."
_INT_2004 = "cmi.interactions.n."
WRITABLE_2004: dict[str, Check] = {
    "cmi.comments_from_learner.n.comment": _localized(4000),
    "cmi.comments_from_learner.n.location": string(250),
    "cmi.comments_from_learner.n.timestamp": _TIME_2004,
    "cmi.completion_status": vocab(*COMPLETION_2004),
    "cmi.exit": vocab("time-out", "suspend", "logout", "normal", ""),
    "cmi.learner_preference.audio_level": decimal(0, None),
    "cmi.learner_preference.language": _predicate(is_language, "phải là mã ngôn ngữ (ví dụ vi)"),
    "cmi.learner_preference.delivery_speed": decimal(0, None),
    "cmi.learner_preference.audio_captioning": vocab("-1", "0", "1"),
    "cmi.location": string(1000),
    "cmi.progress_measure": decimal(0, 1),
    "cmi.score.scaled": decimal(-1, 1),
    "cmi.score.raw": _REAL,
    "cmi.score.min": _REAL,
    "cmi.score.max": _REAL,
    "cmi.session_time": DURATION_2004,
    "cmi.success_status": vocab(*SUCCESS_2004),
    # 64000 is the 4th edition SPM; earlier editions said 4000, but storing more is allowed.
    "cmi.suspend_data": string(64000),
    _OBJ_2004 + "id": _LONG_ID,
    _OBJ_2004 + "score.scaled": decimal(-1, 1),
    _OBJ_2004 + "score.raw": _REAL,
    _OBJ_2004 + "score.min": _REAL,
    _OBJ_2004 + "score.max": _REAL,
    _OBJ_2004 + "success_status": vocab(*SUCCESS_2004),
    _OBJ_2004 + "completion_status": vocab(*COMPLETION_2004),
    _OBJ_2004 + "progress_measure": decimal(0, 1),
    _OBJ_2004 + "description": _localized(250),
    _INT_2004 + "id": _LONG_ID,
    _INT_2004 + "type": vocab(*_INTERACTION_TYPES_2004),
    _INT_2004 + "objectives.n.id": _LONG_ID,
    _INT_2004 + "timestamp": _TIME_2004,
    _INT_2004 + "correct_responses.n.pattern": string(_RESPONSE_LIMIT),
    _INT_2004 + "weighting": _REAL,
    _INT_2004 + "learner_response": string(_RESPONSE_LIMIT),
    _INT_2004 + "result": _result(("correct", "incorrect", "unanticipated", "neutral")),
    _INT_2004 + "latency": DURATION_2004,
    _INT_2004 + "description": _localized(250),
    "adl.nav.request": _nav_request,
    "adl.data.n.store": string(64000),
}
READ_ONLY_2004 = frozenset(
    {
        "cmi.comments_from_lms.n.comment",
        "cmi.comments_from_lms.n.location",
        "cmi.comments_from_lms.n.timestamp",
        "cmi.completion_threshold",
        "cmi.credit",
        "cmi.entry",
        "cmi.launch_data",
        "cmi.learner_id",
        "cmi.learner_name",
        "cmi.max_time_allowed",
        "cmi.mode",
        "cmi.scaled_passing_score",
        "cmi.time_limit_action",
        "cmi.total_time",
        "adl.data.n.id",
        "adl.nav.request_valid.continue",
        "adl.nav.request_valid.previous",
    }
)
READ_ONLY_PREFIXES_2004 = ("adl.nav.request_valid.choice.", "adl.nav.request_valid.jump.")
