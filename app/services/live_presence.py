"""Presence in a live room and the attendance computed from it, confirmed by the teacher.

A user's presence is a list of intervals. Several devices share one interval (`connections`
counts the open sockets across all processes), and a drop shorter than PRESENCE_GAP (a phone
moving from Wi-Fi to 4G, a reconnect) reopens the last interval instead of starting a new one,
so the gap counts as present. Each join/leave is one small indexed UPDATE or INSERT.

Who is present is broadcast after each change by the process that made it, and broadcasts of
two processes can arrive in either order; so every join and leave first counts one more
`presence_version` on the session row (which also queues the room's joins and leaves one after
the other, in the order the row is locked: the session, then the presence row, as ending a
session does), and `presence()` reads the list with its version in one statement. A list with
a higher version was read after every change up to it: clients keep the highest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from app.core.clock import now_utc
from app.core.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import Course, LiveAttendance, LivePresence, LiveSession, User
from app.services import audit
from app.services.live import get_session, log, teacher_session
from app.services.school import class_students

PRESENCE_GAP = timedelta(seconds=120)
LATE_AFTER = timedelta(minutes=10)
STATUSES = ("present", "late", "absent")


def join(session: LiveSession, user_id: int) -> bool:
    """Count one more connection of the user in the room. Returns True when the user was not
    present before (the room's presence list changed). Commits."""
    became_present = add_connection(session, user_id)
    db.session.commit()
    return became_present


def add_connection(session: LiveSession, user_id: int) -> bool:
    """join() without the commit, for a caller that commits it with more (flush only)."""
    _count_change(session.id)
    now = now_utc()
    row = _latest(session.id, user_id)
    became_present = True
    if row is not None and row.left_at is None:
        row.connections += 1
        became_present = row.connections == 1
    elif row is not None and now - row.left_at <= PRESENCE_GAP:
        row.left_at, row.connections = None, 1  # a short drop: the same continuous presence
    else:
        db.session.add(
            LivePresence(
                school_id=session.school_id,
                session_id=session.id,
                user_id=user_id,
                joined_at=now,
                connections=1,
            )
        )
        log(session, user_id, "join", {})
    db.session.flush()
    return became_present


def leave(session_id: int, user_id: int) -> bool:
    """Count one connection less. Returns True when the user's last connection closed (the
    presence list changed). Commits; a leave without a join is ignored."""
    _count_change(session_id)
    row = _latest(session_id, user_id)
    if row is None or row.left_at is not None:
        db.session.commit()  # releases the session row (a version with no change is harmless)
        return False
    row.connections = max(row.connections - 1, 0)
    if row.connections:
        db.session.commit()
        return False
    row.left_at = now_utc()
    session = db.session.get(LiveSession, session_id)
    if session is not None:
        log(session, user_id, "leave", {})
    db.session.commit()
    return True


def _count_change(session_id: int) -> None:
    """presence_version + 1, taking the session row's lock until the commit (module docstring)."""
    table = LiveSession.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == session_id)
        .values(presence_version=table.c.presence_version + 1)
    )


def _latest(session_id: int, user_id: int) -> LivePresence | None:
    stmt = (
        select(LivePresence)
        .where(LivePresence.session_id == session_id, LivePresence.user_id == user_id)
        .order_by(LivePresence.id.desc())
        .limit(1)
    )
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update()  # two devices joining at once must not lose a count
    return db.session.scalar(stmt)


def close_all(session: LiveSession) -> None:
    """Close every open presence at the session's end (flush only)."""
    for row in db.session.scalars(
        select(LivePresence).where(
            LivePresence.session_id == session.id, LivePresence.left_at.is_(None)
        )
    ):
        row.left_at, row.connections = session.ended_at, 0


def present(session_id: int) -> list[dict]:
    """Who is in the room now: [{"id", "name", "role"}], teacher first then by name."""
    return presence(session_id)["present"]


def presence(session_id: int) -> dict:
    """{"present": who is in the room now (as present()), "version": the session's
    presence_version}, both from one statement, so from one snapshot of the database."""
    version = (
        select(LiveSession.presence_version).where(LiveSession.id == session_id).scalar_subquery()
    )
    rows = db.session.execute(
        select(User.id, User.full_name, User.role, version.label("version"))
        .join(LivePresence, LivePresence.user_id == User.id)
        .where(LivePresence.session_id == session_id, LivePresence.left_at.is_(None))
        .distinct()
    ).all()
    if rows:
        current = rows[0].version
    else:  # nobody: the version alone
        current = db.session.scalar(
            select(LiveSession.presence_version).where(LiveSession.id == session_id)
        )
    people = [{"id": r.id, "name": r.full_name, "role": r.role} for r in rows]
    people.sort(key=lambda p: (p["role"] == "student", p["name"]))
    return {"present": people, "version": current or 0}


@dataclass
class AttendanceRow:
    student: User
    first_join_at: datetime | None
    last_leave_at: datetime | None
    minutes_present: int
    status: str
    is_confirmed: bool = False


def attendance(actor: User, session_id: object) -> list[AttendanceRow]:
    """Per student of the class: first join, last leave (None while still in the room),
    minutes present and status (the confirmed one once the teacher confirmed the sheet,
    else computed: absent = never joined, late = first joined more than LATE_AFTER after
    the start). Raises NotFound/Forbidden."""
    session = teacher_session(actor, session_id)
    return _rows(session)


def sheet_rows(session: LiveSession) -> list[AttendanceRow]:
    """The sheet of a session (no access check: the caller has one)."""
    return _rows(session)


def _rows(session: LiveSession) -> list[AttendanceRow]:
    course = db.session.get(Course, session.course_id)
    end = session.ended_at or now_utc()
    intervals: dict[int, list[tuple[datetime, datetime]]] = {}
    still_in: set[int] = set()
    for row in db.session.scalars(
        select(LivePresence).where(LivePresence.session_id == session.id)
    ):
        intervals.setdefault(row.user_id, []).append((row.joined_at, row.left_at or end))
        if row.left_at is None and session.ended_at is None:
            still_in.add(row.user_id)
    confirmed = {
        a.student_id: a
        for a in db.session.scalars(
            select(LiveAttendance).where(LiveAttendance.session_id == session.id)
        )
    }
    rows = []
    for student in class_students(course.school_class):
        merged = _merge(intervals.get(student.id, []))
        seconds = sum((b - a).total_seconds() for a, b in merged)
        first = merged[0][0] if merged else None
        status = _status(first, session.started_at)
        row = AttendanceRow(
            student=student,
            first_join_at=first,
            last_leave_at=None if student.id in still_in or not merged else merged[-1][1],
            minutes_present=round(seconds / 60),
            status=status,
        )
        if student.id in confirmed:
            row.status, row.is_confirmed = confirmed[student.id].status, True
        rows.append(row)
    return rows


def _status(first_join_at: datetime | None, started_at: datetime) -> str:
    if first_join_at is None:
        return "absent"
    return "late" if first_join_at - started_at > LATE_AFTER else "present"


def _merge(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Merge overlapping intervals and those separated by at most PRESENCE_GAP."""
    merged: list[tuple[datetime, datetime]] = []
    for start, stop in sorted(spans):
        if merged and start - merged[-1][1] <= PRESENCE_GAP:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


# The live sheet's statuses in the lesson register's terms (attendance.ATTENDANCE_STATUSES):
# a student who never came is an unexcused absence until the teacher records an excuse.
REGISTER_STATUS = {"present": "present", "late": "late", "absent": "unexcused"}
BEST_FIRST = ("present", "late", "absent")


@dataclass
class Confirmation:
    """The confirmed sheet and what went into the timetabled lesson's register: `register` is
    None for a session without a lesson (ad hoc) or a cancelled one, else record_attendance's
    {"slot_id", "saved", "changed", "kept_manual"} (students whose hand-typed entry was kept)."""

    rows: list[AttendanceRow]
    register: dict | None = None


def confirm_attendance(
    actor: User, session_id: object, statuses: dict | None = None, replace_manual: bool = False
) -> Confirmation:
    """The teacher confirms the sheet of an ended session, changing any status they need
    (`statuses` maps student id to present/late/absent). Confirming again replaces the sheet.

    When the session is a timetabled lesson the sheet goes into that lesson's register in the
    same transaction (attendance.record_attendance, source "live"): an entry the teacher typed
    in the register by hand is kept unless `replace_manual`; if the lesson had several
    sessions (the room was restarted) each student gets their best status over them.
    Raises NotFound/Forbidden, Conflict (session still running), ValidationFailed (unknown
    student or status). Commits."""
    from app.services.attendance import record_attendance

    session = teacher_session(actor, session_id)
    if session.ended_at is None:
        raise Conflict(
            _("Hãy kết thúc buổi học trước khi xác nhận điểm danh."), code="session_open"
        )
    rows = _rows(session)
    by_id = {r.student.id: r for r in rows}
    for raw_id, status in (statuses or {}).items():
        try:
            student_id = int(raw_id)
        except (TypeError, ValueError):
            student_id = -1
        if student_id not in by_id:
            raise ValidationFailed(
                _("Học sinh %(id)s không thuộc lớp này.", id=raw_id), code="unknown_student"
            )
        if status not in STATUSES:
            raise ValidationFailed(
                _("Trạng thái điểm danh không hợp lệ: %(s)s.", s=status), code="invalid_status"
            )
        by_id[student_id].status = status
    db.session.execute(delete(LiveAttendance).where(LiveAttendance.session_id == session.id))
    now = now_utc()
    for row in rows:
        db.session.add(
            LiveAttendance(
                school_id=session.school_id,
                session_id=session.id,
                student_id=row.student.id,
                status=row.status,
                minutes_present=row.minutes_present,
                confirmed_by_id=actor.id,
                confirmed_at=now,
            )
        )
        row.is_confirmed = True
    session.attendance_confirmed_at = now
    db.session.flush()
    register = None
    slot = session.timetable_slot
    if slot is not None and not slot.is_cancelled:
        sheet = _lesson_sheet(session)
        result = record_attendance(
            slot,
            actor,
            {sid: REGISTER_STATUS[status] for sid, status in sheet.items()},
            source="live",
            confirm=replace_manual,
            commit=False,
        )
        register = {"slot_id": slot.id, **result}
    log(
        session,
        actor.id,
        "attendance_confirmed",
        {
            "count": len(rows),
            "timetable_slot_id": register["slot_id"] if register else None,
            "kept_manual": register["kept_manual"] if register else [],
        },
    )
    audit.record(actor, "live.attendance", session, {"students": [None, len(rows)]})
    db.session.commit()
    return Confirmation(rows, register)


def _lesson_sheet(session: LiveSession) -> dict[int, str]:
    """{student_id: best confirmed status} over the confirmed sessions of the session's lesson
    (one session, unless the teacher restarted the room during the lesson)."""
    best: dict[int, str] = {}
    for student_id, status in db.session.execute(
        select(LiveAttendance.student_id, LiveAttendance.status)
        .join(LiveSession, LiveSession.id == LiveAttendance.session_id)
        .where(LiveSession.timetable_slot_id == session.timetable_slot_id)
    ):
        if student_id not in best or BEST_FIRST.index(status) < BEST_FIRST.index(best[student_id]):
            best[student_id] = status
    return best


def confirmed_attendance(session: LiveSession) -> dict[int, str]:
    """The confirmed sheet {student_id: "present"|"late"|"absent"}; empty until confirmed.
    (The timetable's attendance record is fed from this after the merge.)"""
    return {
        a.student_id: a.status
        for a in db.session.scalars(
            select(LiveAttendance).where(LiveAttendance.session_id == session.id)
        )
    }


def my_presence(actor: User, session_id: object) -> list[tuple[datetime, datetime | None]]:
    """A student's own intervals in a session (for their view)."""
    session = get_session(actor, session_id)
    return [
        (r.joined_at, r.left_at)
        for r in db.session.scalars(
            select(LivePresence)
            .where(LivePresence.session_id == session.id, LivePresence.user_id == actor.id)
            .order_by(LivePresence.id)
        )
    ]
