"""Run-time data-model validation: accepted values, SCORM error codes, durations, commits."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from scorm_import import CmiError, is_writable, parse_duration, validate, validate_commit


@pytest.mark.parametrize(
    ("element", "value"),
    [
        ("cmi.core.lesson_status", "passed"),
        ("cmi.core.lesson_status", "browsed"),
        ("cmi.core.score.raw", "85.5"),
        ("cmi.core.score.raw", ""),
        ("cmi.core.score.max", "100"),
        ("cmi.core.lesson_location", "trang-3" + "x" * 248),
        ("cmi.suspend_data", "đ" * 4096),
        ("cmi.core.session_time", "0000:01:30.5"),
        ("cmi.core.session_time", "12:00:00"),
        ("cmi.core.exit", ""),
        ("cmi.core.exit", "suspend"),
        ("cmi.comments", "Bài hay"),
        ("cmi.objectives.0.id", "obj_1"),
        ("cmi.objectives.0.status", "not attempted"),
        ("cmi.objectives.3.score.raw", "0"),
        ("cmi.interactions.0.id", "q1"),
        ("cmi.interactions.0.type", "choice"),
        ("cmi.interactions.0.time", "13:45:00"),
        ("cmi.interactions.0.result", "wrong"),
        ("cmi.interactions.0.result", "0.5"),
        ("cmi.interactions.0.latency", "00:00:05.25"),
        ("cmi.interactions.0.student_response", "a,b"),
        ("cmi.interactions.0.correct_responses.0.pattern", "a"),
        ("cmi.interactions.0.objectives.0.id", "obj_1"),
        ("cmi.interactions.999.weighting", "-2.5"),
        ("cmi.student_preference.audio", "-1"),
        ("cmi.student_preference.text", "1"),
    ],
)
def test_valid_12_values_are_returned_unchanged(element, value):
    assert validate("1.2", element, value) == value


@pytest.mark.parametrize(
    ("element", "value", "code"),
    [
        ("cmi.core.lesson_status", "not attempted", 405),
        ("cmi.core.lesson_status", "Completed", 405),
        ("cmi.core.score.raw", "101", 405),
        ("cmi.core.score.raw", "-1", 405),
        ("cmi.core.score.raw", "abc", 405),
        ("cmi.core.score.raw", "1e2", 405),
        ("cmi.core.score.raw", "NaN", 405),
        ("cmi.core.lesson_location", "x" * 256, 405),
        ("cmi.suspend_data", "x" * 4097, 405),
        ("cmi.core.session_time", "1:00:00", 405),
        ("cmi.core.session_time", "PT1H", 405),
        ("cmi.core.exit", "normal", 405),
        ("cmi.interactions.0.id", "has space", 405),
        ("cmi.interactions.0.type", "long-fill-in", 405),
        ("cmi.interactions.0.time", "25:00:00", 405),
        ("cmi.student_preference.speed", "101", 405),
        ("cmi.core.student_id", "s1", 403),
        ("cmi.core.total_time", "0000:00:00", 403),
        ("cmi.student_data.mastery_score", "50", 403),
        ("cmi.core._children", "x", 402),
        ("cmi.interactions._count", "3", 402),
        ("cmi.core.foo", "x", 201),
        ("cmi.score.scaled", "0.5", 201),
        ("cmi.interactions.1000.id", "q", 201),
        ("cmi.interactions.01.id", "q", 201),
        ("cmi.interactions.-1.id", "q", 201),
    ],
)
def test_invalid_12_values_raise_the_scorm_12_error_code(element, value, code):
    with pytest.raises(CmiError) as caught:
        validate("1.2", element, value)
    assert caught.value.code == code
    assert f"(mã lỗi {code})" in caught.value.message


@pytest.mark.parametrize(
    ("element", "value"),
    [
        ("cmi.completion_status", "not attempted"),
        ("cmi.completion_status", "unknown"),
        ("cmi.success_status", "failed"),
        ("cmi.score.scaled", "-1"),
        ("cmi.score.scaled", "0.85"),
        ("cmi.score.raw", "-5.5"),
        ("cmi.score.max", "1000"),
        ("cmi.progress_measure", "1"),
        ("cmi.location", "x" * 1000),
        ("cmi.suspend_data", "x" * 64000),
        ("cmi.session_time", "PT1H2M3.5S"),
        ("cmi.session_time", "P1DT0H"),
        ("cmi.exit", "normal"),
        ("cmi.exit", ""),
        ("cmi.learner_preference.language", "vi-VN"),
        ("cmi.learner_preference.audio_captioning", "-1"),
        ("cmi.comments_from_learner.0.comment", "{lang=vi}Rất hay"),
        ("cmi.comments_from_learner.0.timestamp", "2024-09-05T08:00:00+07:00"),
        ("cmi.objectives.0.id", "urn:lophoc:obj1"),
        ("cmi.objectives.0.progress_measure", "0.5"),
        ("cmi.interactions.0.type", "long-fill-in"),
        ("cmi.interactions.0.timestamp", "2024-09-05T08:00:00.5Z"),
        ("cmi.interactions.0.learner_response", "Hà Nội"),
        ("cmi.interactions.0.result", "incorrect"),
        ("cmi.interactions.0.result", "-3"),
        ("cmi.interactions.0.latency", "PT5S"),
        ("cmi.interactions.0.description", "{lang=vi}Câu hỏi 1"),
        ("adl.nav.request", "continue"),
        ("adl.nav.request", "{target=sco_2}choice"),
        ("adl.nav.request", "{target=quiz}jump"),
        ("adl.data.0.store", "ghi chú"),
    ],
)
def test_valid_2004_values_are_returned_unchanged(element, value):
    assert validate("2004-3rd", element, value) == value


@pytest.mark.parametrize(
    ("element", "value", "code"),
    [
        ("cmi.score.scaled", "1.01", 407),
        ("cmi.score.scaled", "-1.5", 407),
        ("cmi.progress_measure", "-0.1", 407),
        ("cmi.learner_preference.audio_level", "-1", 407),
        ("cmi.score.scaled", "abc", 406),
        ("cmi.score.raw", "", 406),
        ("cmi.location", "x" * 1001, 406),
        ("cmi.suspend_data", "x" * 64001, 406),
        ("cmi.session_time", "01:00:00", 406),
        ("cmi.session_time", "PT", 406),
        ("cmi.session_time", "P", 406),
        ("cmi.session_time", "PT1.5H", 406),
        ("cmi.success_status", "completed", 406),
        ("cmi.completion_status", "passed", 406),
        ("cmi.exit", "quit", 406),
        ("cmi.interactions.0.timestamp", "2040-01-01", 406),
        ("cmi.interactions.0.description", "{lang=??}x", 406),
        ("adl.nav.request", "jumpy", 406),
        ("cmi.learner_id", "s1", 404),
        ("cmi.scaled_passing_score", "0.5", 404),
        ("cmi._version", "1.0", 404),
        ("cmi.objectives._count", "1", 404),
        ("adl.nav.request_valid.choice.{target=x}", "true", 404),
        ("cmi.core.lesson_status", "passed", 401),
        ("cmi.interactions.1000.id", "q", 351),
    ],
)
def test_invalid_2004_values_raise_the_scorm_2004_error_code(element, value, code):
    with pytest.raises(CmiError) as caught:
        validate("2004-4th", element, value)
    assert caught.value.code == code
    assert caught.value.element == element


def test_json_numbers_are_accepted_but_other_types_are_not():
    assert validate("1.2", "cmi.core.score.raw", 85) == "85"
    assert validate("2004", "cmi.score.scaled", 0.5) == "0.5"
    assert validate("2004", "cmi.score.raw", Decimal("7.25")) == "7.25"
    for bad in (True, None, ["85"], float("nan"), 10**5000):
        with pytest.raises(CmiError) as caught:
            validate("2004", "cmi.score.raw", bad)
        assert caught.value.code == 406


def test_unknown_version_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown SCORM version"):
        validate("1.1", "cmi.core.lesson_status", "passed")


def test_error_messages_are_vietnamese_and_name_the_element():
    with pytest.raises(CmiError) as caught:
        validate("2004-3rd", "cmi.score.scaled", "2")
    assert caught.value.message == (
        "Dữ liệu SCORM không hợp lệ: 'cmi.score.scaled' giá trị '2' không hợp lệ: phải nằm "
        "trong khoảng -1..1 (mã lỗi 407)."
    )


@pytest.mark.parametrize(
    ("version", "text", "expected"),
    [
        ("1.2", "0001:30:05.5", timedelta(hours=1, minutes=30, seconds=5.5)),
        ("1.2", "00:00:00", timedelta(0)),
        ("1.2", "9999:59:59.99", timedelta(hours=9999, minutes=59, seconds=59.99)),
        ("2004-3rd", "PT1H2M3.5S", timedelta(hours=1, minutes=2, seconds=3.5)),
        ("2004-4th", "P2DT3H", timedelta(days=2, hours=3)),
        ("2004-2nd", "PT0S", timedelta(0)),
        ("2004", "P1Y2M", timedelta(days=365 + 60)),
        ("2004", "P1W", timedelta(days=7)),
    ],
)
def test_parse_duration_reads_both_time_formats(version, text, expected):
    assert parse_duration(version, text) == expected


@pytest.mark.parametrize(
    ("version", "text", "code"),
    [("1.2", "PT1H", 405), ("1.2", "1:2:3", 405), ("2004", "00:10:00", 406),
     ("2004", "P999999999Y", 406), ("2004", "", 406)],
)  # fmt: skip
def test_parse_duration_rejects_the_other_format_and_overflows(version, text, code):
    with pytest.raises(CmiError) as caught:
        parse_duration(version, text)
    assert caught.value.code == code


def test_validate_commit_separates_stored_refused_and_read_only_elements():
    result = validate_commit(
        "1.2",
        {
            "cmi.core.lesson_status": "completed",
            "cmi.core.score.raw": "150",
            "cmi.core.student_name": "Nguyễn Văn A",
            "cmi.core._children": "student_id,student_name",
            "cmi.suspend_data": "A1B2",
        },
    )
    assert result.accepted == {"cmi.core.lesson_status": "completed", "cmi.suspend_data": "A1B2"}
    assert list(result.rejected) == ["cmi.core.score.raw"]
    assert result.rejected["cmi.core.score.raw"].code == 405
    assert result.read_only == ("cmi.core.student_name", "cmi.core._children")


def test_is_writable_tells_settable_elements_apart():
    assert is_writable("1.2", "cmi.interactions.4.latency")
    assert not is_writable("1.2", "cmi.core.credit")
    assert is_writable("2004-4th", "adl.data.2.store")
    assert not is_writable("2004-4th", "adl.data.2.id")
    assert not is_writable("2004-4th", "cmi.nonsense")
