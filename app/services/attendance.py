"""Attendance per timetabled lesson: the teacher's register, imports from the live room, and
the counts per student that the teaching record and the family pages show."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.clock import now_utc
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.core.text import clean_line
from app.extensions import db
from app.models import (
    ATTENDANCE_STATUSES,
    AttendanceRecord,
    ClassMembership,
    TimetableSlot,
    User,
)
from app.services import audit
from app.services.access import is_course_staff
from app.services.timetable import get_slot
from app.services.timetable_views import viewable_course

SOURCES = ("live", "manual")


def class_students(class_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(ClassMembership, ClassMembership.student_id == User.id)
            .where(ClassMembership.class_id == class_id)
            .order_by(User.full_name, User.student_code)
        )
    )


def _records(slot_id: int) -> dict[int, AttendanceRecord]:
    rows = db.session.scalars(select(AttendanceRecord).where(AttendanceRecord.slot_id == slot_id))
    return {r.student_id: r for r in rows}


def _register_slot(actor: User, slot_id: object) -> TimetableSlot:
    slot = slot_id if isinstance(slot_id, TimetableSlot) else get_slot(actor, slot_id)
    if not is_course_staff(actor, slot.course):
        raise Forbidden(_("Chỉ giáo viên của môn học hoặc quản trị trường mới điểm danh được."))
    return slot


def register(actor: User, slot_id: object) -> tuple[TimetableSlot, list[dict]]:
    """The register of a lesson: every student of the class with their status (present until
    the first save). Raises Forbidden, NotFound."""
    slot = _register_slot(actor, slot_id)
    saved = _records(slot.id)
    rows = []
    for student in class_students(slot.class_id):
        record = saved.get(student.id)
        rows.append(
            {
                "student": student,
                "status": record.status if record else "present",
                "note": record.note if record else "",
                "source": record.source if record else None,
            }
        )
    return slot, rows


def _entry(value: object) -> tuple[str, str]:
    if isinstance(value, dict):
        status, note = value.get("status"), value.get("note") or ""
    else:
        status, note = value, ""
    status = str(status or "").strip()
    if status not in ATTENDANCE_STATUSES:
        raise ValidationFailed(
            _(
                "Trạng thái “%(v)s” không hợp lệ (present, late, excused, unexcused).",
                v=status,
            )
        )
    note = clean_line(str(note))
    if len(note) > 300:
        raise ValidationFailed(_("Ghi chú quá dài (tối đa 300 ký tự)."))
    return status, note


def record_attendance(
    slot: TimetableSlot | int,
    actor: User,
    statuses: dict,
    source: str = "live",
    *,
    confirm: bool = False,
    commit: bool = True,
) -> dict:
    """Save a lesson's attendance in one transaction: `{student_id: status}` (or
    `{student_id: {"status", "note"}}`), `source` "manual" (the register) or "live" (the sheet
    the teacher confirmed in the live room).

    Students left out are present on a first manual save, unexcused on a first live import, and
    unchanged later. A live import never overwrites what the teacher typed by hand unless
    `confirm` is true; those students are returned in `kept_manual`. Changes after the first
    save are audited per student. Raises ValidationFailed (unknown student or status), Conflict
    (cancelled or not started lesson), Forbidden, NotFound. `commit=False` only flushes, for a
    caller whose own change must land in the same transaction (the live room's confirmed sheet).
    Returns {"saved", "changed", "kept_manual"}."""
    slot = _register_slot(actor, slot)
    # one register save at a time per lesson (the first save of two would otherwise collide)
    db.session.execute(
        select(TimetableSlot.id).where(TimetableSlot.id == slot.id).with_for_update()
    )
    db.session.refresh(slot)
    if source not in SOURCES:
        raise ValidationFailed(_("Nguồn điểm danh “%(v)s” không hợp lệ.", v=source))
    if slot.is_cancelled:
        raise Conflict(_("Tiết học đã huỷ; không điểm danh được."))
    if slot.starts_at > now_utc():
        raise Conflict(_("Tiết học chưa bắt đầu; hãy điểm danh khi vào giờ học."))
    students = {s.id: s for s in class_students(slot.class_id)}
    wanted: dict[int, tuple[str, str]] = {}
    for key, value in (statuses or {}).items():
        try:
            student_id = int(key)
        except (TypeError, ValueError):
            student_id = None
        if student_id not in students:
            raise ValidationFailed(_("Học sinh “%(v)s” không thuộc lớp này.", v=key))
        wanted[student_id] = _entry(value)
    first_save = slot.attendance_taken_at is None
    saved = _records(slot.id)
    default = ("present" if source == "manual" else "unexcused", "")
    changed, kept, count = {}, [], 0
    for student_id in students:
        record = saved.get(student_id)
        if student_id not in wanted and (record is not None or not first_save):
            continue
        status, note = wanted.get(student_id, default)
        if record is None:
            record = AttendanceRecord(
                school_id=slot.school_id, slot_id=slot.id, student_id=student_id
            )
            db.session.add(record)
        elif source == "live" and record.source == "manual" and not confirm:
            if record.status != status:
                kept.append(student_id)
            continue
        before = (record.status, record.note)
        if source == "live" and not note:
            note = record.note or ""
        record.status, record.note, record.source = status, note, source
        record.recorded_by_id = actor.id
        count += 1
        if not first_save and before != (status, note):
            changed[str(student_id)] = [list(before), [status, note]]
    if first_save:
        slot.attendance_taken_at = now_utc()
        audit.record(actor, "attendance.take", slot, {"source": [None, source]})
    elif changed:
        audit.record(actor, "attendance.change", slot, changed)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return {"saved": count, "changed": len(changed), "kept_manual": kept}


def _count_rows(stmt) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    for student_id, status, n in db.session.execute(stmt):
        counts.setdefault(student_id, dict.fromkeys(ATTENDANCE_STATUSES, 0))[status] = n
    return counts


def _counted(course_id: int):
    return (
        select(AttendanceRecord.student_id, AttendanceRecord.status, func.count())
        .join(TimetableSlot, TimetableSlot.id == AttendanceRecord.slot_id)
        .where(TimetableSlot.course_id == course_id, TimetableSlot.is_cancelled.is_(False))
        .group_by(AttendanceRecord.student_id, AttendanceRecord.status)
    )


def course_counts(course_id: int) -> list[dict]:
    """Per student of the class: counts per status over the course's lessons (no access check:
    callers have one)."""
    from app.models import Course

    course = db.session.get(Course, course_id)
    counts = _count_rows(_counted(course_id))
    return [
        {"student": s, "counts": counts.get(s.id, dict.fromkeys(ATTENDANCE_STATUSES, 0))}
        for s in class_students(course.class_id)
    ]


def course_summary(actor: User, course_id: object) -> list[dict]:
    """The attendance summary of a course for its teacher or an admin."""
    course = viewable_course(actor, course_id)
    if not is_course_staff(actor, course):
        raise Forbidden(_("Chỉ giáo viên của môn học hoặc quản trị trường xem được."))
    return course_counts(course.id)


def attendance_for_student(
    student: User,
    course_id: int | None = None,
    first: datetime | None = None,
    last: datetime | None = None,
) -> dict:
    """One student's attendance (for the family pages, which check who asks): the records with
    their lessons, newest first, and the counts per status. `first`/`last` bound starts_at (UTC
    datetimes). Only lessons of the student's own school are read."""
    stmt = (
        select(TimetableSlot, AttendanceRecord)
        .join(AttendanceRecord, AttendanceRecord.slot_id == TimetableSlot.id)
        .where(
            AttendanceRecord.student_id == student.id,
            TimetableSlot.school_id == student.school_id,
            TimetableSlot.is_cancelled.is_(False),
        )
    )
    if course_id is not None:
        stmt = stmt.where(TimetableSlot.course_id == course_id)
    if first is not None:
        stmt = stmt.where(TimetableSlot.starts_at >= first)
    if last is not None:
        stmt = stmt.where(TimetableSlot.starts_at <= last)
    rows = list(db.session.execute(stmt.order_by(TimetableSlot.starts_at.desc())))
    counts = dict.fromkeys(ATTENDANCE_STATUSES, 0)
    for _slot, record in rows:
        counts[record.status] += 1
    return {"records": [(slot, record) for slot, record in rows], "counts": counts}
