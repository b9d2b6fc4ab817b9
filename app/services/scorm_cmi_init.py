"""The data model a SCO starts with: who the learner is, the LMS's values, and what it saved.

Returned flat ("cmi.core.lesson_location" -> value) for scorm-again's loadFromFlattenedJSON.
Write-only elements (exit, session_time, 1.2 interactions) are never sent back.
"""

from __future__ import annotations

from decimal import Decimal

from app.models import ScormAttempt, User

_RESUME_12 = (
    "cmi.core.lesson_location",
    "cmi.core.lesson_status",
    "cmi.core.score.raw",
    "cmi.core.score.min",
    "cmi.core.score.max",
    "cmi.suspend_data",
    "cmi.comments",
    "cmi.student_preference.audio",
    "cmi.student_preference.language",
    "cmi.student_preference.speed",
    "cmi.student_preference.text",
)
_RESUME_2004 = (
    "cmi.location",
    "cmi.completion_status",
    "cmi.success_status",
    "cmi.score.scaled",
    "cmi.score.raw",
    "cmi.score.min",
    "cmi.score.max",
    "cmi.progress_measure",
    "cmi.suspend_data",
    "cmi.learner_preference.audio_level",
    "cmi.learner_preference.language",
    "cmi.learner_preference.delivery_speed",
    "cmi.learner_preference.audio_captioning",
)


def _hhmmss(seconds: int) -> str:
    hours, rest = divmod(max(seconds, 0), 3600)
    return f"{hours:04d}:{rest // 60:02d}:{rest % 60:02d}"


def _name_12(user: User) -> str:
    # SCORM 1.2 student_name is "Last, First"; Vietnamese names are family name first.
    parts = user.full_name.split()
    return f"{parts[0]}, {' '.join(parts[1:])}" if len(parts) > 1 else user.full_name


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def initial_cmi(attempt: ScormAttempt, student: User) -> dict[str, str]:
    """The flat CMI a launch starts with (resuming location and suspend_data)."""
    item, stored = attempt.item, attempt.cmi or {}
    is_12 = attempt.version.scorm_version == "1.2"
    exit_key = "cmi.core.exit" if is_12 else "cmi.exit"
    resuming = stored.get(exit_key) == "suspend" or (
        bool(stored) and not attempt.is_finished and exit_key not in stored
    )
    keys = _RESUME_12 if is_12 else _RESUME_2004
    cmi = {key: str(stored[key]) for key in keys if stored.get(key) not in (None, "")}
    if is_12:
        cmi.update(
            {
                "cmi.core.student_id": student.username,
                "cmi.core.student_name": _name_12(student),
                "cmi.core.entry": "resume" if resuming else "ab-initio",
                "cmi.core.credit": "credit",
                "cmi.core.lesson_mode": "normal",
                "cmi.core.total_time": _hhmmss(attempt.total_seconds),
            }
        )
        cmi.setdefault("cmi.core.lesson_status", "not attempted")
        extra = {
            "cmi.launch_data": item.data_from_lms,
            "cmi.student_data.mastery_score": _number(item.mastery_score),
            "cmi.student_data.max_time_allowed": (
                _hhmmss(item.max_time_seconds) if item.max_time_seconds else None
            ),
            "cmi.student_data.time_limit_action": item.time_limit_action,
        }
    else:
        cmi.update(
            {
                "cmi.learner_id": student.username,
                "cmi.learner_name": student.full_name,
                "cmi.entry": "resume" if resuming else "ab-initio",
                "cmi.credit": "credit",
                "cmi.mode": "normal",
                "cmi.total_time": f"PT{attempt.total_seconds}S",
            }
        )
        extra = {
            "cmi.launch_data": item.data_from_lms,
            "cmi.scaled_passing_score": _number(item.mastery_score),
            "cmi.completion_threshold": _number(item.completion_threshold),
            "cmi.max_time_allowed": (
                f"PT{item.max_time_seconds}S" if item.max_time_seconds else None
            ),
            "cmi.time_limit_action": item.time_limit_action,
        }
    cmi.update({key: value for key, value in extra.items() if value})
    return cmi
