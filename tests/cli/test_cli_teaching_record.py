"""`lophoc export teaching-record`: the workbook, the --json summary, one-line errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from openpyxl import load_workbook

from app.cli import main
from app.core import clock
from app.services import attendance, timetable


def run(app, *args):
    return app.test_cli_runner().invoke(main, list(args), catch_exceptions=False)


def test_teaching_record_is_written_with_a_json_summary(app, make, school, frozen_now, tmp_path):
    course, teacher, pupils = make.gradebook_course(school, students=2)
    slots = timetable.create_slots(
        teacher,
        course.id,
        {"date": "2026-11-23", "start": "07:30", "end": "08:15", "repeat_until": "2026-11-30"},
    )
    clock.freeze(datetime(2026, 11, 23, 0, 35, tzinfo=UTC))
    attendance.record_attendance(slots[0], teacher, {pupils[0].id: "unexcused"}, source="manual")
    out = tmp_path / "hồ sơ.xlsx"
    result = run(
        app, "export", "teaching-record", "--course", str(course.id), "-o", str(out), "--json"
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["course_id"] == course.id and summary["path"] == str(out)
    assert summary["sheets"] == {"Tiết đã dạy": 2, "Học liệu": 0, "Bài tập": 0, "Điểm danh": 2}
    assert summary["rows"] == 4
    rows = list(load_workbook(out)["Tiết đã dạy"].values)
    assert [r[6] for r in rows[1:]] == ["Đã dạy", "Chưa diễn ra"]


def test_unknown_course_or_folder_fails_with_one_line(app, make, school, tmp_path):
    result = run(
        app, "export", "teaching-record", "--course", "999", "-o", str(tmp_path / "a.xlsx")
    )
    assert result.exit_code == 1 and "Không tìm thấy môn học 999" in result.output
    course, _teacher, _pupils = make.gradebook_course(school, students=1)
    missing = tmp_path / "khong-co" / "a.xlsx"
    result = run(app, "export", "teaching-record", "--course", str(course.id), "-o", str(missing))
    assert result.exit_code == 1 and "không tồn tại" in result.output
    assert not missing.parent.exists()
