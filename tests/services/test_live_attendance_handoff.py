"""The live room's confirmed attendance sheet goes into the timetabled lesson's register (in the
same transaction), the course page's "start" picks the lesson running now, a hand-typed entry
is kept unless the teacher asks to replace it, and the family's attendance reads the result."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import AttendanceRecord, LiveAttendance, LiveEvent, LiveSession
from app.services import attendance, live, live_presence, timetable

# frozen_now is Sunday 22/11/2026 08:00 in Hanoi (01:00 UTC)
LESSON = {"date": "2026-11-22", "start": "08:05", "end": "08:50", "topic": "Hàm số"}


@pytest.fixture
def lesson(make, school, frozen_now):
    course, teacher, pupils = make.gradebook_course(school, students=3)
    (slot,) = timetable.create_slots(teacher, course.id, LESSON)
    clock.freeze(frozen_now + timedelta(minutes=6))  # 08:06, the lesson has begun
    return course, teacher, pupils, slot


def _register(slot) -> dict[int, tuple[str, str]]:
    db.session.expire_all()
    rows = db.session.scalars(select(AttendanceRecord).where(AttendanceRecord.slot_id == slot.id))
    return {r.student_id: (r.status, r.source) for r in rows}


def _run(session, frozen_now, present, late=()):
    """`present` join at once, `late` 20 minutes in; the session ends at 08:50."""
    for pupil in present:
        live_presence.join(session, pupil.id)
    clock.freeze(frozen_now + timedelta(minutes=27))
    for pupil in late:
        live_presence.join(session, pupil.id)
    clock.freeze(frozen_now + timedelta(minutes=50))


def test_starting_without_a_slot_picks_the_lesson_running_now(lesson):
    course, teacher, _pupils, slot = lesson
    session = live.start_session(teacher, course.id)
    assert session.timetable_slot_id == slot.id
    start = db.session.scalars(select(LiveEvent).where(LiveEvent.kind == "start")).one()
    assert start.data == {"timetable_slot_id": slot.id}


def test_starting_outside_any_lesson_is_an_ad_hoc_session(make, school, frozen_now):
    course, teacher, _pupils = make.gradebook_course(school, students=1)
    timetable.create_slots(teacher, course.id, {**LESSON, "start": "09:00", "end": "09:45"})
    assert live.start_session(teacher, course.id).timetable_slot_id is None


def test_the_course_page_start_button_links_the_current_lesson(web, lesson):
    course, teacher, _pupils, slot = lesson
    web.login(teacher.username)
    response = web.post_form(f"/live/course/{course.id}/start", token_page=f"/courses/{course.id}")
    assert response.status_code == 303
    assert db.session.scalars(select(LiveSession)).one().timetable_slot_id == slot.id


def test_a_slot_that_is_not_this_courses_or_cancelled_or_far_ahead_is_refused(lesson, make, school):
    course, teacher, _pupils, _slot = lesson
    other = make.course(school, course.school_class, teacher, "Vật lí")
    (theirs,) = timetable.create_slots(
        teacher, other.id, {**LESSON, "date": "2026-11-23", "start": "07:00", "end": "07:45"}
    )
    (later,) = timetable.create_slots(
        teacher, course.id, {**LESSON, "date": "2026-11-23", "start": "08:05", "end": "08:50"}
    )
    (cancelled,) = timetable.create_slots(
        teacher, course.id, {**LESSON, "date": "2026-11-24", "start": "08:05", "end": "08:50"}
    )
    timetable.cancel_slot(teacher, cancelled.id)
    for slot_id, code in [
        (theirs.id, "invalid_slot"),
        (999999, "invalid_slot"),
        (cancelled.id, "slot_cancelled"),
        (later.id, "slot_not_started"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            live.start_session(teacher, course.id, slot_id)
        assert refused.value.code == code
    assert db.session.scalars(select(LiveSession)).all() == []


def test_confirmed_sheet_goes_into_the_lesson_register_and_the_family_view(lesson, frozen_now):
    course, teacher, (early, late, absent), slot = lesson
    session = live.start_session(teacher, course.id)
    _run(session, frozen_now, [early], late=[late])
    live.end_session(teacher, session.id)
    done = live_presence.confirm_attendance(teacher, session.id)
    assert done.register == {
        "slot_id": slot.id,
        "saved": 3,
        "changed": 0,
        "kept_manual": [],
    }
    assert _register(slot) == {
        early.id: ("present", "live"),
        late.id: ("late", "live"),
        absent.id: ("unexcused", "live"),
    }
    db.session.expire_all()
    assert db.session.get(type(slot), slot.id).attendance_taken_at is not None
    # what the parents' and the student's pages read
    seen = attendance.attendance_for_student(late)
    assert [(s.id, r.status) for s, r in seen["records"]] == [(slot.id, "late")]
    assert seen["counts"] == {"present": 0, "late": 1, "excused": 0, "unexcused": 0}
    # the teacher corrects the sheet: the register follows
    live_presence.confirm_attendance(teacher, session.id, {str(absent.id): "present"})
    assert _register(slot)[absent.id] == ("present", "live")
    logged = db.session.scalars(
        select(LiveEvent).where(LiveEvent.kind == "attendance_confirmed")
    ).all()
    assert [e.data["timetable_slot_id"] for e in logged] == [slot.id, slot.id]


def test_a_hand_typed_entry_is_kept_unless_the_teacher_replaces_it(lesson, frozen_now):
    course, teacher, (pupil, other, third), slot = lesson
    # the register's first save fills everyone: pupil excused, the others present (by hand)
    attendance.record_attendance(slot, teacher, {pupil.id: "excused"}, source="manual")
    session = live.start_session(teacher, course.id)
    _run(session, frozen_now, [other])  # only `other` came
    live.end_session(teacher, session.id)
    done = live_presence.confirm_attendance(teacher, session.id, {str(pupil.id): "late"})
    assert sorted(done.register["kept_manual"]) == sorted([pupil.id, third.id])
    assert _register(slot) == {
        pupil.id: ("excused", "manual"),
        other.id: ("present", "manual"),  # the same status: nothing to keep or change
        third.id: ("present", "manual"),
    }
    done = live_presence.confirm_attendance(
        teacher, session.id, {str(pupil.id): "late"}, replace_manual=True
    )
    assert done.register["kept_manual"] == []
    assert _register(slot) == {
        pupil.id: ("late", "live"),
        other.id: ("present", "live"),
        third.id: ("unexcused", "live"),
    }


def test_a_restarted_room_gives_each_student_their_best_status(lesson, frozen_now):
    course, teacher, (first, second, _third), slot = lesson
    one = live.start_session(teacher, course.id)
    live_presence.join(one, first.id)
    live.end_session(teacher, one.id)
    live_presence.confirm_attendance(teacher, one.id)
    two = live.start_session(teacher, course.id)  # the teacher restarted the room
    assert two.timetable_slot_id == slot.id
    live_presence.join(two, second.id)
    live.end_session(teacher, two.id)
    live_presence.confirm_attendance(teacher, two.id)
    register = _register(slot)
    assert register[first.id][0] == "present" and register[second.id][0] == "present"
    assert register[_third.id][0] == "unexcused"


def test_when_the_register_refuses_nothing_of_the_confirmation_is_stored(lesson, frozen_now):
    course, teacher, (pupil, *_rest), _slot = lesson
    (early,) = timetable.create_slots(
        teacher, course.id, {**LESSON, "start": "09:00", "end": "09:45"}
    )
    clock.freeze(frozen_now + timedelta(minutes=50))  # 08:50: 10 minutes before that lesson
    session = live.start_session(teacher, course.id, early.id)
    live_presence.join(session, pupil.id)
    live.end_session(teacher, session.id)  # ended before its lesson even began
    with pytest.raises(Conflict):
        live_presence.confirm_attendance(teacher, session.id)
    db.session.rollback()
    assert db.session.scalars(select(LiveAttendance)).all() == []
    assert db.session.get(LiveSession, session.id).attendance_confirmed_at is None
    assert _register(early) == {}


def test_an_ad_hoc_session_confirms_without_a_register(make, school, frozen_now):
    course, teacher, (pupil,) = make.gradebook_course(school, students=1)
    session = live.start_session(teacher, course.id)
    live_presence.join(session, pupil.id)
    live.end_session(teacher, session.id)
    done = live_presence.confirm_attendance(teacher, session.id)
    assert done.register is None and [r.status for r in done.rows] == ["present"]
    assert db.session.scalars(select(AttendanceRecord)).all() == []


def test_the_attendance_page_warns_about_kept_entries_and_can_replace_them(web, lesson, frozen_now):
    course, teacher, (pupil, *_rest), slot = lesson
    attendance.record_attendance(slot, teacher, {pupil.id: "excused"}, source="manual")
    session = live.start_session(teacher, course.id)
    live.end_session(teacher, session.id)
    web.login(teacher.username)
    page = f"/live/{session.id}/attendance"
    sheet = web.client.get(page).get_data(as_text=True)
    assert 'id="lesson-slot"' in sheet and 'id="replace-manual"' in sheet
    web.post_form(page, {f"status-{pupil.id}": "present"}, token_page=page)
    shown = web.client.get(page).get_data(as_text=True)
    assert "Đã ghi vào sổ điểm danh của tiết học." in shown
    assert "điểm danh tay trong sổ nên giữ nguyên" in shown
    assert _register(slot)[pupil.id] == ("excused", "manual")
    web.post_form(page, {f"status-{pupil.id}": "present", "replace_manual": "on"}, token_page=page)
    assert _register(slot)[pupil.id] == ("present", "live")
