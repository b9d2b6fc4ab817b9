"""Live sessions: starting and ending them, who may enter a room, the session log, the
school's video settings. Presence and attendance are in live_presence, chat in live_chat,
the room state (hands, board, polls) in live_room and live_polls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.clock import now_utc
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.text import clean_line
from app.extensions import db
from app.models import (
    Course,
    LiveEvent,
    LiveSchoolSetting,
    LiveSession,
    Role,
    TimetableSlot,
    User,
)
from app.services import audit
from app.services.access import get_scoped, require_school_admin
from app.services.courses import can_edit, editable_course, is_student_of


@dataclass(frozen=True)
class Member:
    """Who is in a room, as the socket handlers keep it (plain values, no ORM object)."""

    user_id: int
    school_id: int | None
    name: str
    role: str
    is_teacher: bool


def start_session(actor: User, course_id: object, timetable_slot_id: object = None) -> LiveSession:
    """Start a live session of the course now. Raises NotFound/Forbidden (not the course's
    teacher), ValidationFailed (a bad slot id), Conflict (a session of the course is open).
    Commits the session and its "start" log line."""
    course = editable_course(actor, course_id)
    slot = _slot_id(timetable_slot_id)
    if slot is not None:
        # Attendance is handed to this slot at the end: it must be one of this course's lessons.
        row = db.session.get(TimetableSlot, slot)
        if row is None or row.course_id != course.id:
            raise ValidationFailed(
                _("Tiết học đã chọn không thuộc khoá học này."), code="invalid_slot"
            )
    open_one = db.session.scalar(
        select(LiveSession.id).where(
            LiveSession.course_id == course.id, LiveSession.ended_at.is_(None)
        )
    )
    if open_one is not None:
        raise Conflict(
            _("Lớp học trực tuyến của khoá này đang diễn ra; hãy kết thúc buổi trước."),
            code="session_open",
        )
    session = LiveSession(
        school_id=course.school_id,
        course_id=course.id,
        teacher_id=course.teacher_id,
        timetable_slot_id=slot,
        title=course.title[:200],
        started_at=now_utc(),
        state={},
    )
    db.session.add(session)
    db.session.flush()
    log(session, actor.id, "start", {"timetable_slot_id": slot})
    audit.record(actor, "live.start", session, {"course_id": [None, course.id]})
    db.session.commit()
    return session


def _slot_id(raw: object) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ValidationFailed(_("Mã tiết học không hợp lệ."), code="invalid_slot")
    try:
        value = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationFailed(_("Mã tiết học không hợp lệ."), code="invalid_slot") from None
    if value <= 0:
        raise ValidationFailed(_("Mã tiết học không hợp lệ."), code="invalid_slot")
    return value


def end_session(actor: User, session_id: object) -> LiveSession:
    """End a session: closes every open presence at the end time. Ending twice is harmless.
    Raises NotFound/Forbidden. Commits."""
    from app.services.live_chat import drop_unkept
    from app.services.live_presence import close_all

    session = teacher_session(actor, session_id)
    if session.ended_at is None:
        session.ended_at = now_utc()
        close_all(session)
        drop_unkept(session)
        log(session, actor.id, "end", {})
        audit.record(actor, "live.end", session, {})
        db.session.commit()
    return session


def get_session(actor: User, session_id: object) -> LiveSession:
    """A session the actor may see (its course's teacher, admins, the class's students).
    Raises NotFound otherwise."""
    session = get_scoped(LiveSession, session_id, actor)
    course = db.session.get(Course, session.course_id)
    if course is None or not (can_edit(actor, course) or is_student_of(actor, course)):
        raise NotFound(_("Không tìm thấy buổi học trực tuyến."))
    return session


def teacher_session(actor: User, session_id: object) -> LiveSession:
    """A session the actor runs (the course's teacher or a school admin); raises NotFound or
    Forbidden."""
    session = get_session(actor, session_id)
    if not is_room_teacher(actor, session):
        raise Forbidden(_("Chỉ giáo viên của lớp mới làm được việc này."), code="teacher_only")
    return session


def is_room_teacher(actor: User, session: LiveSession) -> bool:
    course = db.session.get(Course, session.course_id)
    return course is not None and can_edit(actor, course)


def open_session_of(actor: User, course: Course) -> LiveSession | None:
    """The course's session in progress, if any (for the course page's button)."""
    del actor  # the caller already checked that the actor sees the course
    return db.session.scalar(
        select(LiveSession).where(
            LiveSession.course_id == course.id, LiveSession.ended_at.is_(None)
        )
    )


def course_sessions(actor: User, course_id: object) -> list[LiveSession]:
    """A course's sessions, newest first (teacher's list of past lessons)."""
    course = editable_course(actor, course_id)
    return list(
        db.session.scalars(
            select(LiveSession)
            .where(LiveSession.course_id == course.id)
            .order_by(LiveSession.started_at.desc())
        )
    )


def enter_room(actor: User, session_id: object) -> tuple[LiveSession, Member]:
    """Check that `actor` may enter the room of an open session; returns it and the member.
    Raises NotFound (not theirs), Conflict (session ended)."""
    session = get_session(actor, session_id)
    if session.ended_at is not None:
        raise Conflict(_("Buổi học trực tuyến đã kết thúc."), code="session_ended")
    member = Member(
        user_id=actor.id,
        school_id=actor.school_id,
        name=actor.full_name,
        role=actor.role,
        is_teacher=is_room_teacher(actor, session),
    )
    return session, member


def log(session: LiveSession, user_id: int | None, kind: str, data: dict) -> LiveEvent:
    """Add a line to the session log (flush only; the caller commits)."""
    event = LiveEvent(
        school_id=session.school_id,
        session_id=session.id,
        user_id=user_id,
        kind=kind,
        data=data,
        at=now_utc(),
    )
    db.session.add(event)
    return event


def session_log(actor: User, session_id: object) -> list[LiveEvent]:
    """The teaching record of a session, oldest first. Raises NotFound/Forbidden."""
    session = teacher_session(actor, session_id)
    return list(
        db.session.scalars(
            select(LiveEvent).where(LiveEvent.session_id == session.id).order_by(LiveEvent.id)
        )
    )


# --- school settings: the video conference -------------------------------------------------

VIDEO_PROVIDERS = ("none", "jitsi", "bbb")


def settings_for(school_id: int | None) -> LiveSchoolSetting:
    """The school's live settings, or the defaults (no video, chat kept) when never set."""
    row = db.session.scalar(
        select(LiveSchoolSetting).where(LiveSchoolSetting.school_id == school_id)
    )
    return row or LiveSchoolSetting(
        school_id=school_id, video_provider="none", video_base_url="", keeps_chat_log=True
    )


def save_settings(
    actor: User, provider: str, base_url: str, keeps_chat_log: bool
) -> LiveSchoolSetting:
    """A school admin sets the video conference. Raises Forbidden, ValidationFailed (unknown
    provider, a URL that is not https). Commits."""
    require_school_admin(actor)
    if actor.school_id is None:
        raise Forbidden(_("Hãy chọn một trường trước."))
    provider = (provider or "none").strip()
    if provider not in VIDEO_PROVIDERS:
        raise ValidationFailed(_("Dịch vụ họp trực tuyến không hợp lệ."), code="invalid_provider")
    url = clean_line(base_url)[:300]
    if provider != "none":
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.netloc:
            raise ValidationFailed(
                _("Địa chỉ máy chủ họp trực tuyến phải bắt đầu bằng https://"), code="invalid_url"
            )
    row = db.session.scalar(
        select(LiveSchoolSetting).where(LiveSchoolSetting.school_id == actor.school_id)
    )
    if row is None:
        row = LiveSchoolSetting(school_id=actor.school_id)
        db.session.add(row)
    row.video_provider, row.video_base_url = provider, url
    row.keeps_chat_log = bool(keeps_chat_log)
    db.session.flush()
    audit.record(actor, "live.settings", row, {"video_provider": [None, provider]})
    db.session.commit()
    return row


def video_url(session: LiveSession) -> str | None:
    """The conference room of this session at the school's Jitsi Meet or BigBlueButton
    server (one room per session, named so that it cannot be guessed from the course)."""
    setting = settings_for(session.school_id)
    if setting.video_provider == "none" or not setting.video_base_url:
        return None
    base = setting.video_base_url.rstrip("/")
    room = f"lophoc-{session.school_id}-{session.id}-{_room_secret(session)}"
    if setting.video_provider == "jitsi":
        return f"{base}/{room}"
    return f"{base}?room={room}"  # a BigBlueButton front end (Greenlight/Scalelite) link


def _room_secret(session: LiveSession) -> str:
    import hashlib
    import hmac

    from flask import current_app

    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"live-{session.id}".encode(), hashlib.sha256).hexdigest()[:12]


def is_student(user: User) -> bool:
    return user.role == Role.STUDENT


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
