"""Summaries of stored run-time data: progress, pass/fail, gradebook score and time."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from scorm_import import summarise


def test_12_passed_with_a_raw_score_gives_a_scaled_score_and_the_session_time():
    summary = summarise(
        "1.2",
        {
            "cmi.core.lesson_status": "passed",
            "cmi.core.score.raw": "85",
            "cmi.core.session_time": "0000:12:30.50",
            "cmi.core.lesson_location": "trang-4",
            "cmi.suspend_data": "p=4",
            "cmi.core.exit": "suspend",
        },
    )
    assert (summary.completion, summary.success) == ("completed", "passed")
    assert (summary.score_scaled, summary.score_raw) == (Decimal("0.85"), Decimal(85))
    assert summary.time_added == timedelta(minutes=12, seconds=30.5)
    assert (summary.location, summary.suspend_data, summary.exit) == ("trang-4", "p=4", "suspend")
    assert summary.is_completed and summary.is_passed
    assert summary.ignored == ()


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("passed", ("completed", "passed")),
        ("completed", ("completed", "unknown")),
        ("failed", ("completed", "failed")),
        ("incomplete", ("incomplete", "unknown")),
        ("browsed", ("incomplete", "unknown")),
        ("not attempted", ("not attempted", "unknown")),
    ],
)
def test_12_lesson_status_splits_into_completion_and_success(status, expected):
    summary = summarise("1.2", {"cmi.core.lesson_status": status})
    assert (summary.completion, summary.success) == expected


@pytest.mark.parametrize(("raw", "success"), [("79.9", "failed"), ("80", "passed")])
def test_12_mastery_score_decides_when_the_sco_reports_a_score_but_no_status(raw, success):
    summary = summarise("1.2", {"cmi.core.score.raw": raw}, mastery_score=Decimal(80))
    assert (summary.completion, summary.success) == ("completed", success)


def test_12_mastery_score_does_not_override_a_status_the_sco_set():
    cmi = {"cmi.core.lesson_status": "incomplete", "cmi.core.score.raw": "95"}
    summary = summarise("1.2", cmi, mastery_score=Decimal(80))
    assert (summary.completion, summary.success) == ("incomplete", "unknown")


def test_12_sco_that_never_set_a_status_is_completed_once_the_session_ended():
    assert summarise("1.2", {}).completion == "not attempted"
    ended = summarise("1.2", {"cmi.core.lesson_status": "not attempted"}, session_ended=True)
    assert (ended.completion, ended.success) == ("completed", "unknown")


def test_12_score_is_scaled_on_the_scos_own_min_and_max():
    cmi = {"cmi.core.score.raw": "40", "cmi.core.score.min": "0", "cmi.core.score.max": "50"}
    assert summarise("1.2", cmi).score_scaled == Decimal("0.8")
    cmi["cmi.core.score.max"] = "0"
    assert summarise("1.2", cmi).score_scaled is None


def test_invalid_stored_values_are_ignored_and_listed():
    summary = summarise(
        "1.2",
        {
            "cmi.core.score.raw": "150",
            "cmi.core.session_time": "PT5M",
            "cmi.core.lesson_status": "done",
        },
    )
    assert summary.score_scaled is None and summary.score_raw is None
    assert summary.time_added == timedelta(0)
    assert summary.completion == "not attempted"
    assert summary.ignored == (
        "cmi.core.lesson_status",
        "cmi.core.score.raw",
        "cmi.core.session_time",
    )


def test_2004_statuses_and_scaled_score_are_taken_as_reported():
    summary = summarise(
        "2004-3rd",
        {
            "cmi.completion_status": "completed",
            "cmi.success_status": "passed",
            "cmi.score.scaled": "0.756",
            "cmi.score.raw": "75.6",
            "cmi.progress_measure": "1",
            "cmi.session_time": "PT1H2M3.5S",
            "cmi.location": "slide-9",
            "cmi.exit": "normal",
        },
    )
    assert (summary.completion, summary.success) == ("completed", "passed")
    assert (summary.score_scaled, summary.score_raw) == (Decimal("0.756"), Decimal("75.6"))
    assert summary.progress_measure == Decimal(1)
    assert summary.time_added == timedelta(hours=1, minutes=2, seconds=3.5)
    assert (summary.location, summary.exit) == ("slide-9", "normal")


def test_2004_negative_scaled_score_counts_as_zero_in_the_gradebook():
    assert summarise("2004-4th", {"cmi.score.scaled": "-0.5"}).score_scaled == Decimal(0)


def test_2004_scaled_score_is_derived_from_raw_min_max_when_missing():
    cmi = {"cmi.score.raw": "15", "cmi.score.min": "10", "cmi.score.max": "30"}
    assert summarise("2004-3rd", cmi).score_scaled == Decimal("0.25")
    assert summarise("2004-3rd", {"cmi.score.raw": "15"}).score_scaled is None


def test_2004_passing_score_from_the_manifest_overrides_the_sco():
    cmi = {"cmi.success_status": "passed", "cmi.score.scaled": "0.7"}
    assert summarise("2004-3rd", cmi, mastery_score=Decimal("0.8")).success == "failed"
    cmi = {"cmi.success_status": "passed"}
    assert summarise("2004-3rd", cmi, mastery_score=Decimal("0.8")).success == "unknown"
    assert summarise("2004-3rd", cmi).success == "passed"


def test_2004_completion_threshold_decides_completion_from_progress():
    threshold = Decimal("0.75")
    cmi = {"cmi.completion_status": "incomplete", "cmi.progress_measure": "0.8"}
    assert summarise("2004-4th", cmi, completion_threshold=threshold).completion == "completed"
    cmi = {"cmi.completion_status": "completed", "cmi.progress_measure": "0.5"}
    assert summarise("2004-4th", cmi, completion_threshold=threshold).completion == "incomplete"
    cmi = {"cmi.completion_status": "completed"}
    assert summarise("2004-4th", cmi, completion_threshold=threshold).completion == "unknown"


def test_empty_2004_data_is_unknown_with_no_score_and_no_time():
    summary = summarise("2004-2nd", {})
    assert (summary.completion, summary.success) == ("unknown", "unknown")
    assert (summary.score_scaled, summary.time_added) == (None, timedelta(0))
