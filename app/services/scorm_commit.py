"""Applying one player commit to an attempt: validate, be lenient where packages break the
rules, store the CMI and interactions, and summarise status, score and time."""

from __future__ import annotations

import re
from decimal import Decimal

from app.core.clock import now_utc
from app.extensions import db
from app.models import ScormAttempt, ScormInteraction
from scorm_import import summarise, validate_commit
from scorm_import.errors import CmiError

MAX_LENIENT_CHARS = 64_000
# Elements whose over-long values real packages send; kept (up to 64,000) and noted.
_LENIENT_LENGTH = {"cmi.suspend_data", "cmi.core.lesson_location", "cmi.location", "cmi.comments"}
_STATUS_MIXUPS = {
    # 2004 SCOs that use 1.2 vocabulary: completion_status "passed" / success_status "completed".
    ("cmi.completion_status", "passed"): {
        "cmi.completion_status": "completed",
        "cmi.success_status": "passed",
    },
    ("cmi.completion_status", "failed"): {
        "cmi.completion_status": "completed",
        "cmi.success_status": "failed",
    },
    ("cmi.success_status", "completed"): {"cmi.completion_status": "completed"},
    ("cmi.success_status", "incomplete"): {"cmi.completion_status": "incomplete"},
}
_INTERACTION = re.compile(r"^cmi\.interactions\.(\d+)\.(.+)$")
_INTERACTION_FIELDS = {
    "id": "identifier",
    "type": "kind",
    "description": "description",
    "student_response": "learner_response",
    "learner_response": "learner_response",
    "correct_responses.0.pattern": "correct_response",
    "result": "result",
    "weighting": "weighting",
    "latency": "latency",
    "time": "recorded_at",
    "timestamp": "recorded_at",
}
_KEEP_EMPTY = {"cmi.suspend_data", "cmi.core.lesson_location", "cmi.location"}


def _flat(values: dict, prefix: str = "") -> dict[str, object]:
    """Element names as 'cmi.…'; nested objects and arrays (scorm-again renders empty
    collections as {}) are flattened, and a missing 'cmi.' prefix is added."""
    out: dict[str, object] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if not prefix and not name.startswith(("cmi.", "adl.")):
            name = f"cmi.{name}"
        if isinstance(value, dict):
            out.update(_flat(value, f"{name}."))
        elif isinstance(value, list):
            out.update(_flat(dict(enumerate(value)), f"{name}."))
        else:
            out[name] = value
    return out


def _drop_unset(values: dict[str, object], stored: dict) -> dict[str, object]:
    """The player sends the whole model; empty defaults it never set are not commits."""
    return {
        key: value
        for key, value in values.items()
        if not (value in ("", None) and key not in _KEEP_EMPTY and key not in stored)
        and not (key == "cmi.core.lesson_status" and value == "not attempted")
    }


def _lenient(error: CmiError, element: str, value: object) -> tuple[dict, str] | None:
    """A refused value LopHoc stores anyway, with the note shown to the teacher."""
    if (
        element in _LENIENT_LENGTH
        and isinstance(value, str)
        and len(value) <= MAX_LENIENT_CHARS
        and error.code in (405, 407)
    ):
        return {element: value}, f"{element}: {len(value)} ký tự, vượt giới hạn của chuẩn"
    fix = _STATUS_MIXUPS.get((element, value if isinstance(value, str) else ""))
    if fix:
        return fix, f"{element} = '{value}' (nhầm trạng thái), hiểu là {fix}"
    return None


def apply_commit(attempt: ScormAttempt, values: dict, terminated: bool) -> dict:
    """Validate and merge `values` into the attempt (flush only); returns the player response."""
    version = attempt.version.scorm_version
    stored = dict(attempt.cmi or {})
    posted = _drop_unset(_flat(values), stored)
    result = validate_commit(version, posted)
    accepted = dict(result.accepted)
    rejected: dict[str, dict] = {}
    notes = list(attempt.notes or [])
    for element, error in result.rejected.items():
        lenient = _lenient(error, element, posted[element])
        if lenient is None:
            rejected[element] = {"code": error.code, "message": error.message}
            continue
        fix, note = lenient
        accepted.update(fix)
        if note not in notes:
            notes.append(note)
    stored.update(accepted)
    attempt.cmi = stored
    attempt.notes = notes[-50:]
    _store_interactions(attempt, accepted)
    _summarise(attempt, version, terminated)
    attempt.commit_count += 1
    attempt.last_access_at = now_utc()
    db.session.flush()
    first = next(iter(rejected.values()), None)
    return {
        "result": first is None,
        "errorCode": first["code"] if first else 0,
        "rejected": rejected,
    }


def _store_interactions(attempt: ScormAttempt, accepted: dict[str, str]) -> None:
    changes: dict[int, dict[str, str]] = {}
    for element, value in accepted.items():
        match = _INTERACTION.match(element)
        if match and match[2] in _INTERACTION_FIELDS:
            changes.setdefault(int(match[1]), {})[_INTERACTION_FIELDS[match[2]]] = value
    if not changes:
        return
    existing = {row.index: row for row in attempt.interactions}
    for index, fields in sorted(changes.items()):
        row = existing.get(index)
        if row is None:
            row = ScormInteraction(school_id=attempt.school_id, index=index)
            attempt.interactions.append(row)
        for name, value in fields.items():
            setattr(row, name, value[:4000] if name == "identifier" else value)


def _summarise(attempt: ScormAttempt, version: str, terminated: bool) -> None:
    item = attempt.item
    summary = summarise(
        version,
        {k: v for k, v in attempt.cmi.items() if isinstance(v, str)},
        mastery_score=item.mastery_score,
        completion_threshold=item.completion_threshold,
        session_ended=terminated,
    )
    attempt.completion = summary.completion
    attempt.success = summary.success
    attempt.score_scaled = summary.score_scaled
    attempt.score_raw = summary.score_raw
    attempt.total_seconds = attempt.prior_seconds + int(summary.time_added.total_seconds())
    if terminated:
        attempt.is_finished = summary.exit not in ("suspend",)


def scaled_to_ten(value: Decimal | None) -> Decimal | None:
    return None if value is None else (value * 10).quantize(Decimal("0.01"))
