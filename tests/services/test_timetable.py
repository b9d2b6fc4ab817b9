"""Timetable and attendance services: weekly slots in one transaction, overlaps, past times,
the slot happening now, the register, live imports against manual edits, counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import AttendanceRecord, AuditLog, TimetableSlot
from app.services import attendance, timetable, timetable_views

# frozen_now is Sunday 22/11/2026 08:00 in Hanoi
SLOT = {"date": "2026-11-23", "start": "07:30", "end": "08:15", "topic": "Hàm số"}


@pytest.fixture
def setup(make, school, frozen_now):
    course, teacher, pupils = make.gradebook_course(school, students=3)
    return course, teacher, pupils


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_one_off_slot_is_stored_in_utc(setup):
    course, teacher, _ = setup
    (slot,) = timetable.create_slots(teacher, course.id, SLOT)
    assert slot.starts_at == datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
    assert slot.ends_at - slot.starts_at == timedelta(minutes=45)
    assert slot.class_id == course.class_id and slot.series_key is None


def test_weekly_repeat_creates_every_week_until_the_end_date(setup):
    course, teacher, _ = setup
    slots = timetable.create_slots(teacher, course.id, {**SLOT, "repeat_until": "2026-12-14"})
    assert [s.starts_at.day for s in slots] == [23, 30, 7, 14]
    assert len({s.series_key for s in slots}) == 1


def test_overlap_in_the_same_class_is_refused_and_nothing_is_saved(setup, make, school):
    course, teacher, _ = setup
    timetable.create_slots(teacher, course.id, {**SLOT, "date": "2026-12-07"})
    other = make.course(school, course.school_class, teacher, "Vật lí")
    with pytest.raises(Conflict, match="Lớp đã có tiết Toán ngày 07/12/2026 từ 07:30"):
        timetable.create_slots(
            teacher,
            other.id,
            {**SLOT, "start": "08:00", "end": "08:45", "repeat_until": "2026-12-31"},
        )
    assert _count(TimetableSlot) == 1


def test_back_to_back_lessons_do_not_overlap(setup):
    course, teacher, _ = setup
    timetable.create_slots(teacher, course.id, SLOT)
    timetable.create_slots(teacher, course.id, {**SLOT, "start": "08:15", "end": "09:00"})
    assert _count(TimetableSlot) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"end": "07:00"}, "Giờ kết thúc phải sau giờ bắt đầu"),
        ({"end": "07:30"}, "Giờ kết thúc phải sau giờ bắt đầu"),
        ({"date": "2026-11-20"}, "Giờ bắt đầu đã qua"),
        ({"date": "31/11/2026"}, "không phải ngày hợp lệ"),
        ({"start": "25:00"}, "không phải giờ hợp lệ"),
        ({"repeat_until": "2026-11-01"}, "phải sau ngày bắt đầu"),
        ({"repeat_until": "2028-11-01"}, "Lặp quá nhiều buổi"),
        ({"meeting_url": "javascript:alert(1)"}, "http:// hoặc https://"),
    ],
)
def test_bad_slot_input_is_refused_with_a_clear_message(setup, data, message):
    course, teacher, _ = setup
    with pytest.raises(ValidationFailed, match=message):
        timetable.create_slots(teacher, course.id, {**SLOT, **data})
    assert _count(TimetableSlot) == 0


def test_lesson_of_another_course_is_refused(setup, make, school):
    course, teacher, _ = setup
    other = make.course(school, course.school_class, teacher, "Vật lí")
    lesson = make.lesson(make.section(other))
    with pytest.raises(ValidationFailed, match="không thuộc môn học này"):
        timetable.create_slots(teacher, course.id, {**SLOT, "lesson_id": lesson.id})


def test_only_the_course_teacher_or_an_admin_timetables(setup, make, school):
    course, _teacher, pupils = setup
    stranger = make.user(school, "teacher")
    for who in (stranger, pupils[0]):
        with pytest.raises(Forbidden):
            timetable.create_slots(who, course.id, SLOT)
    admin = make.user(school, "admin")
    assert timetable.create_slots(admin, course.id, SLOT)
    elsewhere = make.user(make.school("THPT2", "Trường khác"), "admin")
    with pytest.raises(NotFound):
        timetable.create_slots(elsewhere, course.id, SLOT)


def test_edit_moves_a_slot_and_audits_it_and_cancel_keeps_it(setup):
    course, teacher, _ = setup
    (slot,) = timetable.create_slots(teacher, course.id, SLOT)
    timetable.update_slot(teacher, slot.id, {**SLOT, "start": "09:00", "end": "09:45"})
    assert slot.starts_at == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    timetable.cancel_slot(teacher, slot.id, "Nghỉ lễ")
    assert slot.is_cancelled
    with pytest.raises(Conflict):
        timetable.cancel_slot(teacher, slot.id)
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.action.like("timetable.%")).order_by(AuditLog.id)
    ).all()
    assert actions == ["timetable.create", "timetable.update", "timetable.cancel"]
    # a cancelled slot frees its time
    assert timetable.create_slots(teacher, course.id, {**SLOT, "start": "09:00", "end": "09:45"})


def test_current_slot_finds_the_lesson_running_now(setup):
    course, teacher, _ = setup
    (slot,) = timetable.create_slots(teacher, course.id, SLOT)
    assert timetable.current_slot(course.id) is None
    clock.freeze(datetime(2026, 11, 23, 0, 40, tzinfo=UTC))
    assert timetable.current_slot(course.id).id == slot.id
    clock.freeze(datetime(2026, 11, 23, 1, 15, tzinfo=UTC))
    assert timetable.current_slot(course.id) is None


def test_student_sees_own_class_only_and_my_week(setup, make, school):
    course, teacher, pupils = setup
    timetable.create_slots(teacher, course.id, {**SLOT, "repeat_until": "2026-12-14"})
    first, last = timetable_views.window("2026-11-23", "2026-11-29")
    page = timetable_views.class_timetable(pupils[0], course.class_id, first, last)
    assert page.total == 1
    outsider = make.user(school, "student")
    make.enrol(outsider, make.school_class(school, "10A2"))
    with pytest.raises(Forbidden):
        timetable_views.class_timetable(outsider, course.class_id, first, last)
    monday, slots = timetable_views.my_week(pupils[0])
    assert str(monday) == "2026-11-16" and slots == []
    monday, slots = timetable_views.my_week(teacher, datetime(2026, 12, 2).date())
    assert str(monday) == "2026-11-30" and len(slots) == 1


def _started_slot(course, teacher):
    (slot,) = timetable.create_slots(teacher, course.id, SLOT)
    clock.freeze(datetime(2026, 11, 23, 0, 35, tzinfo=UTC))
    return slot


def test_register_defaults_to_present_and_first_save_fills_everyone(setup):
    course, teacher, pupils = setup
    slot = _started_slot(course, teacher)
    _slot, rows = attendance.register(teacher, slot.id)
    assert [r["status"] for r in rows] == ["present"] * 3
    result = attendance.record_attendance(
        slot, teacher, {pupils[1].id: {"status": "excused", "note": "Ốm"}}, source="manual"
    )
    assert result["saved"] == 3
    statuses = {
        r["student"].id: (r["status"], r["note"]) for r in attendance.register(teacher, slot.id)[1]
    }
    assert statuses[pupils[1].id] == ("excused", "Ốm") and statuses[pupils[0].id][0] == "present"


def test_change_after_first_save_is_audited_per_student(setup):
    course, teacher, pupils = setup
    slot = _started_slot(course, teacher)
    attendance.record_attendance(slot, teacher, {}, source="manual")
    attendance.record_attendance(slot, teacher, {pupils[0].id: "late"}, source="manual")
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "attendance.change")).one()
    assert entry.changes == {str(pupils[0].id): [["present", ""], ["late", ""]]}


def test_live_import_does_not_overwrite_manual_edits_unless_confirmed(setup):
    course, teacher, pupils = setup
    slot = _started_slot(course, teacher)
    attendance.record_attendance(slot, teacher, {pupils[0].id: "excused"}, source="manual")
    live = {p.id: "present" for p in pupils}
    result = attendance.record_attendance(slot, teacher, live, source="live")
    assert result["kept_manual"] == [pupils[0].id]
    record = db.session.scalars(
        select(AttendanceRecord).where(AttendanceRecord.student_id == pupils[0].id)
    ).one()
    assert record.status == "excused"
    attendance.record_attendance(slot, teacher, live, source="live", confirm=True)
    db.session.refresh(record)
    assert record.status == "present" and record.source == "live"


def test_first_live_import_marks_missing_students_unexcused(setup):
    course, teacher, pupils = setup
    slot = _started_slot(course, teacher)
    attendance.record_attendance(slot, teacher, {pupils[0].id: "present"}, source="live")
    counts = attendance.attendance_for_student(pupils[1])["counts"]
    assert counts["unexcused"] == 1 and counts["present"] == 0


@pytest.mark.parametrize(
    ("statuses", "message"),
    [({"x": "present"}, "không thuộc lớp"), ({}, "không hợp lệ")],
)
def test_bad_register_input_is_refused(setup, make, school, statuses, message):
    course, teacher, pupils = setup
    slot = _started_slot(course, teacher)
    statuses = statuses or {pupils[0].id: "absent"}
    with pytest.raises(ValidationFailed, match=message):
        attendance.record_attendance(slot, teacher, statuses, source="manual")
    assert _count(AttendanceRecord) == 0


def test_register_before_start_or_of_a_cancelled_lesson_is_refused(setup, make, school):
    course, teacher, pupils = setup
    (slot,) = timetable.create_slots(teacher, course.id, SLOT)
    with pytest.raises(Conflict, match="chưa bắt đầu"):
        attendance.record_attendance(slot, teacher, {}, source="manual")
    timetable.cancel_slot(teacher, slot.id)
    clock.freeze(datetime(2026, 11, 23, 0, 35, tzinfo=UTC))
    with pytest.raises(Conflict, match="đã huỷ"):
        attendance.record_attendance(slot, teacher, {}, source="manual")
    with pytest.raises(Forbidden):
        attendance.register(pupils[0], slot.id)


def test_course_summary_counts_each_status(setup):
    course, teacher, pupils = setup
    slots = timetable.create_slots(teacher, course.id, {**SLOT, "repeat_until": "2026-11-30"})
    clock.freeze(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    attendance.record_attendance(slots[0], teacher, {pupils[0].id: "late"}, source="manual")
    attendance.record_attendance(slots[1], teacher, {pupils[0].id: "unexcused"}, source="manual")
    rows = {r["student"].id: r["counts"] for r in attendance.course_summary(teacher, course.id)}
    assert rows[pupils[0].id] == {"present": 0, "late": 1, "excused": 0, "unexcused": 1}
    assert rows[pupils[1].id]["present"] == 2
    with pytest.raises(Forbidden):
        attendance.course_summary(pupils[0], course.id)


def test_edit_refuses_overlaps_and_past_moves_but_a_past_topic_can_be_fixed(setup):
    course, teacher, _ = setup
    first, second = (
        timetable.create_slots(teacher, course.id, {**SLOT, "start": s, "end": e})[0]
        for s, e in (("07:30", "08:15"), ("08:15", "09:00"))
    )
    with pytest.raises(Conflict, match="Lớp đã có tiết"):
        timetable.update_slot(teacher, second.id, {**SLOT, "start": "08:00", "end": "08:45"})
    clock.freeze(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    with pytest.raises(ValidationFailed, match="đã qua"):
        timetable.update_slot(teacher, first.id, {**SLOT, "start": "06:30", "end": "07:15"})
    timetable.update_slot(teacher, first.id, {**SLOT, "topic": "Hàm số (tiếp)"})
    assert first.topic == "Hàm số (tiếp)"


def test_live_module_can_pass_a_slot_id_and_a_taken_register_blocks_cancel(setup):
    course, teacher, pupils = setup
    slot = _started_slot(course, teacher)
    result = attendance.record_attendance(
        slot.id, teacher, {str(p.id): "present" for p in pupils}, source="live"
    )
    assert result == {"saved": 3, "changed": 0, "kept_manual": []}
    with pytest.raises(Conflict, match="đã điểm danh"):
        timetable.cancel_slot(teacher, slot.id)


def test_attendance_for_student_filters_by_course(setup, make, school):
    course, teacher, pupils = setup
    other = make.course(school, course.school_class, teacher, "Vật lí")
    (a,) = timetable.create_slots(teacher, course.id, SLOT)
    (b,) = timetable.create_slots(teacher, other.id, {**SLOT, "start": "09:00", "end": "09:45"})
    clock.freeze(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
    attendance.record_attendance(a, teacher, {pupils[0].id: "late"}, source="manual")
    attendance.record_attendance(b, teacher, {pupils[0].id: "excused"}, source="manual")
    mine = attendance.attendance_for_student(pupils[0])
    assert [s.id for s, _r in mine["records"]] == [b.id, a.id]
    only = attendance.attendance_for_student(pupils[0], course_id=course.id)
    assert only["counts"] == {"present": 0, "late": 1, "excused": 0, "unexcused": 0}
