"""The stored session log exported as the lesson's teaching record (CSV): the lesson, the
attendance sheet, joins and leaves, polls with their results, the chat if the school keeps it;
typed text never turns into a spreadsheet formula; only the lesson's teacher gets it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from app.core import clock
from app.services import live, timetable
from tests.live.conftest import events

NS = "/live"


def call(client, event, session_id, **data):
    return client.emit(event, {"session_id": session_id, **data}, namespace=NS, callback=True)


def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _section(rows: list[list[str]], title: str) -> list[list[str]]:
    """The rows under a section title, up to the next blank line (header row included)."""
    start = rows.index([title]) + 1
    end = next((i for i in range(start, len(rows)) if not rows[i]), len(rows))
    return rows[start:end]


def _lesson(make, school, frozen_now):
    course, teacher, pupils = make.gradebook_course(school, students=3)
    timetable.create_slots(
        teacher, course.id, {"date": "2026-11-22", "start": "08:05", "end": "08:50"}
    )
    clock.freeze(frozen_now + timedelta(minutes=6))
    return course, teacher, pupils


def test_the_session_record_has_lesson_attendance_log_polls_and_chat(
    web, connect, make, school, frozen_now
):
    course, teacher, (first, second, _absent) = _lesson(make, school, frozen_now)
    session = live.start_session(teacher, course.id)
    t, a, b = connect(teacher), connect(first), connect(second)
    for c in (t, a, b):
        assert call(c, "join_session", session.id)["ok"]
    assert call(a, "chat_message", session.id, text='=HYPERLINK("http://x")')["ok"]
    spam = call(b, "chat_message", session.id, text="spam")
    assert call(t, "chat_delete", session.id, message_id=spam["id"])["ok"]
    assert call(
        t, "poll_open", session.id, prompt="Hiểu bài & làm được chưa?", options=["Rồi", "Chưa"]
    )["ok"]
    poll_id = events(a, "poll")[-1]["poll_id"]
    call(a, "poll_answer", session.id, poll_id=poll_id, choice=["A"])
    call(b, "poll_answer", session.id, poll_id=poll_id, choice=["B"])
    call(t, "poll_close", session.id)
    b.disconnect(NS)
    clock.freeze(frozen_now + timedelta(minutes=50))
    assert call(t, "end_session", session.id)["ok"]

    web.login(teacher.username)
    response = web.client.get(f"/live/{session.id}/log.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"buoi-hoc-truc-tuyen-{session.id}.csv" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["Hồ sơ buổi học trực tuyến"]
    assert ["Lớp", "10A1", "Môn", "Toán"] in rows
    assert ["Tiết học", "22/11/2026 08:05:00 - 22/11/2026 08:50:00"] in rows
    sheet = {r[1]: r for r in _section(rows, "Điểm danh")[1:]}
    assert sheet[first.full_name][4:] == ["44", "Có mặt"]
    assert sheet[_absent.full_name][2:] == ["", "", "0", "Vắng"]

    log = _section(rows, "Nhật ký")
    assert log[0] == ["Thời điểm", "Người", "Sự kiện", "Mã sự kiện", "Chi tiết"]
    kinds = [(r[1], r[3]) for r in log[1:]]
    assert kinds[0] == (teacher.full_name, "start") and kinds[-1] == (teacher.full_name, "end")
    assert (first.full_name, "join") in kinds and (second.full_name, "leave") in kinds
    assert [r[3] for r in log[1:]].count("join") == 3
    assert {"poll_open", "poll_close", "chat_deleted"} <= {r[3] for r in log[1:]}
    assert log[1][0] == "22/11/2026 08:06:00"  # local time, as the teacher saw it

    (_header, poll) = _section(rows, "Câu hỏi nhanh")
    assert poll[1:4] == ["Hiểu bài & làm được chưa?", "2", "Rồi: 1; Chưa: 1"]

    chat = _section(rows, "Trò chuyện")[1:]
    assert [(r[1], r[2], r[3]) for r in chat] == [
        (first.full_name, '\'=HYPERLINK("http://x")', ""),  # never a formula
        (second.full_name, "spam", "có"),
    ]


def test_a_school_that_does_not_keep_chat_exports_no_chat(web, connect, make, school, frozen_now):
    course, teacher, (pupil, *_rest) = _lesson(make, school, frozen_now)
    live.save_settings(make.user(school, "admin", username="qt"), "none", "", False)
    session = live.start_session(teacher, course.id)
    c = connect(pupil)
    call(c, "join_session", session.id)
    assert call(c, "chat_message", session.id, text="bí mật")["ok"]
    live.end_session(teacher, session.id)
    web.login(teacher.username)
    rows = _csv(web.client.get(f"/live/{session.id}/log.csv"))
    assert ["Trò chuyện"] not in rows and not any("bí mật" in cell for r in rows for cell in r)
    assert [pupil.full_name, "join"] in [[r[1], r[3]] for r in _section(rows, "Nhật ký")]


def test_only_the_lessons_teacher_gets_the_record(web, other_browser, make, school, frozen_now):
    course, teacher, (pupil, *_rest) = _lesson(make, school, frozen_now)
    session = live.start_session(teacher, course.id)
    other_browser.login(pupil.username)
    assert other_browser.client.get(f"/live/{session.id}/log.csv").status_code == 403
    elsewhere = make.school("THPT2", "Trường khác")
    make.user(elsewhere, "teacher", username="gv.khac")
    web.login("gv.khac")
    assert web.client.get(f"/live/{session.id}/log.csv").status_code == 404
