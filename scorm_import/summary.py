"""Summaries of a SCO's run-time data: completion, success, score and time for the gradebook."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from .cmi import Edition, edition, parse_duration, validate
from .cmi_types import parse_decimal
from .errors import CmiError

Completion = Literal["completed", "incomplete", "not attempted", "unknown"]
Success = Literal["passed", "failed", "unknown"]
_PLACES = Decimal("0.0000001")  # real(10,7): the precision SCORM 2004 guarantees

# SCORM 1.2 lesson_status mixes completion and success; this is the usual split (the one
# SCORM 2004 LMSs use to import 1.2 results): 'failed' still means the attempt was finished.
_STATUS_12: dict[str, tuple[Completion, Success]] = {
    "passed": ("completed", "passed"),
    "completed": ("completed", "unknown"),
    "failed": ("completed", "failed"),
    "incomplete": ("incomplete", "unknown"),
    "browsed": ("incomplete", "unknown"),
    "not attempted": ("not attempted", "unknown"),
}
_KEYS: dict[Edition, dict[str, str]] = {
    "1.2": {
        "status": "cmi.core.lesson_status",
        "raw": "cmi.core.score.raw",
        "min": "cmi.core.score.min",
        "max": "cmi.core.score.max",
        "time": "cmi.core.session_time",
        "location": "cmi.core.lesson_location",
        "suspend": "cmi.suspend_data",
        "exit": "cmi.core.exit",
    },
    "2004": {
        "completion": "cmi.completion_status",
        "success": "cmi.success_status",
        "scaled": "cmi.score.scaled",
        "raw": "cmi.score.raw",
        "min": "cmi.score.min",
        "max": "cmi.score.max",
        "progress": "cmi.progress_measure",
        "time": "cmi.session_time",
        "location": "cmi.location",
        "suspend": "cmi.suspend_data",
        "exit": "cmi.exit",
    },
}


@dataclass(frozen=True)
class Summary:
    """What the service needs from a SCO attempt.

    `score_scaled` is the gradebook fraction 0..1 (negative 2004 scores count as 0);
    `time_added` is this session's time, to add to the learner's total time; `ignored`
    lists elements whose stored value was invalid and was therefore left out.
    """

    completion: Completion
    success: Success
    score_scaled: Decimal | None
    score_raw: Decimal | None
    time_added: timedelta
    location: str | None
    suspend_data: str | None
    progress_measure: Decimal | None = None
    exit: str | None = None
    ignored: tuple[str, ...] = ()

    @property
    def is_completed(self) -> bool:
        return self.completion == "completed"

    @property
    def is_passed(self) -> bool:
        return self.success == "passed"


def summarise(
    version: str,
    cmi: Mapping[str, str],
    *,
    mastery_score: Decimal | None = None,
    completion_threshold: Decimal | None = None,
    session_ended: bool = False,
) -> Summary:
    """Summarise a SCO's data model (the flat 'cmi.…' -> value dict the service stores).

    `mastery_score` is `Item.mastery_score` as parsed (1.2: 0-100 masteryscore; 2004: the
    scaled passing score); `completion_threshold` is `Item.completion_threshold` (2004).
    `session_ended` applies SCORM 1.2's rule that a SCO which never set lesson_status is
    'completed' once it has finished.
    """
    ed = edition(version)
    values, ignored = _clean(ed, cmi)
    if ed == "1.2":
        completion, success, scaled, raw = _status_12(values, mastery_score, session_ended)
        progress = None
    else:
        completion, success, progress = _status_2004(values, mastery_score, completion_threshold)
        scaled, raw = _score_2004(values)
    return Summary(
        completion=completion,
        success=success,
        score_scaled=scaled,
        score_raw=raw,
        time_added=parse_duration(version, values["time"]) if "time" in values else timedelta(),
        location=values.get("location"),
        suspend_data=values.get("suspend"),
        progress_measure=progress,
        exit=values.get("exit"),
        ignored=tuple(ignored),
    )


def _clean(ed: Edition, cmi: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The summarised elements that hold valid values, by short key; invalid ones listed."""
    values: dict[str, str] = {}
    ignored: list[str] = []
    for key, element in _KEYS[ed].items():
        if element not in cmi:
            continue
        value = cmi[element]
        if key == "status" and value == "not attempted":  # the LMS's initial value
            values[key] = value
            continue
        try:
            values[key] = validate(ed, element, value)
        except CmiError:
            ignored.append(element)
    return values, ignored


def _status_12(
    values: dict[str, str], mastery: Decimal | None, session_ended: bool
) -> tuple[Completion, Success, Decimal | None, Decimal | None]:
    raw, low, high = (_number(values.get(k)) for k in ("raw", "min", "max"))
    status = values.get("status")
    if status in (None, "not attempted"):
        # RTE 1.2: with a mastery score, a raw score and no status from the SCO, the LMS
        # decides passed/failed itself.
        if raw is not None and mastery is not None:
            status = "passed" if raw >= mastery else "failed"
        elif session_ended:
            status = "completed"
    completion, success = _STATUS_12[status or "not attempted"]
    # 1.2 scores are 0-100 unless the SCO reports its own min/max.
    scaled = _fraction(
        raw, low if low is not None else Decimal(0), high if high is not None else Decimal(100)
    )
    return completion, success, scaled, raw


def _status_2004(
    values: dict[str, str], mastery: Decimal | None, threshold: Decimal | None
) -> tuple[Completion, Success, Decimal | None]:
    completion: Completion = values.get("completion", "unknown")  # type: ignore[assignment]
    success: Success = values.get("success", "unknown")  # type: ignore[assignment]
    progress = _number(values.get("progress"))
    # RTE 2004 4.2.4.1 / 4.2.22: a threshold or passing score from the manifest overrides
    # what the SCO said; without the measure it needs, the status is unknown.
    if threshold is not None and progress is None:
        completion = "unknown"
    elif threshold is not None and progress is not None:
        completion = "completed" if progress >= threshold else "incomplete"
    if mastery is not None:
        scaled = _number(values.get("scaled"))
        success = "unknown" if scaled is None else ("passed" if scaled >= mastery else "failed")
    return completion, success, progress


def _score_2004(values: dict[str, str]) -> tuple[Decimal | None, Decimal | None]:
    raw = _number(values.get("raw"))
    scaled = _number(values.get("scaled"))
    if scaled is not None:
        return _quantize(min(max(scaled, Decimal(0)), Decimal(1))), raw
    low, high = _number(values.get("min")), _number(values.get("max"))
    if low is None or high is None:
        return None, raw
    return _fraction(raw, low, high), raw


def _fraction(raw: Decimal | None, low: Decimal, high: Decimal) -> Decimal | None:
    """raw placed on low..high as 0..1 (clamped); None without a raw score or a range."""
    if raw is None or high <= low:
        return None
    return _quantize(min(max((raw - low) / (high - low), Decimal(0)), Decimal(1)))


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(_PLACES, rounding=ROUND_HALF_UP)


def _number(text: str | None) -> Decimal | None:
    return parse_decimal(text) if text else None
