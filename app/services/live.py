"""Live sessions: starting and ending them, who may enter a room, the session log, the
school's video settings. Presence and attendance are in live_presence, chat in live_chat,
the room state (hands, board, polls) in live_room and live_polls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Load

from app.core.clock import now_utc
from app.core.db_types import MAX_ID
from app.core.errors import Conflict, Forbidden, NotAuthenticated, NotFound, ValidationFailed
from app.core.text import clean_line
from app.extensions import db
from app.models import (
    ClassMembership,
    Course,
    LiveEvent,
    LiveSchoolSetting,
    LiveSession,
    Role,
    TimetableSlot,
    User,
)
from app.services import audit
from app.services.access import can_see_school, get_scoped, require_school_admin
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
    """Start a live session of the course now, as the timetabled lesson `timetable_slot_id` or,
    without one, as the course's lesson running now (timetable.current_slot), if any. Raises
    NotFound/Forbidden (not the course's teacher), ValidationFailed (a bad slot: not this
    course's, cancelled, or more than SLOT_EARLY ahead), Conflict (a session of the course is
    open). Commits the session and its "start" log line."""
    course = editable_course(actor, course_id)
    slot = _slot(course, _slot_id(timetable_slot_id))
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
    slot_id = slot.id if slot is not None else None
    session = LiveSession(
        school_id=course.school_id,
        course_id=course.id,
        teacher_id=course.teacher_id,
        timetable_slot_id=slot_id,
        title=course.title[:200],
        started_at=now_utc(),
        state={},
    )
    db.session.add(session)
    db.session.flush()
    log(session, actor.id, "start", {"timetable_slot_id": slot_id})
    audit.record(actor, "live.start", session, {"course_id": [None, course.id]})
    db.session.commit()
    return session


# A teacher may open the room a little before the bell.
SLOT_EARLY = timedelta(minutes=15)


def _slot(course: Course, slot_id: int | None) -> TimetableSlot | None:
    """The timetabled lesson a new session is: the one asked for (checked), else the course's
    lesson running now."""
    from app.services.timetable import current_slot

    if slot_id is None:
        return current_slot(course.id) or current_slot(course.id, now_utc() + SLOT_EARLY)
    slot = db.session.get(TimetableSlot, slot_id)
    if slot is None or slot.course_id != course.id:
        raise ValidationFailed(
            _("Tiết học %(id)s không thuộc môn học này.", id=slot_id), code="invalid_slot"
        )
    if slot.is_cancelled:
        raise ValidationFailed(_("Tiết học này đã bị huỷ."), code="slot_cancelled")
    if slot.starts_at > now_utc() + SLOT_EARLY:
        raise ValidationFailed(
            _("Tiết học này chưa đến giờ; chỉ mở lớp sớm tối đa 15 phút."), code="slot_not_started"
        )
    return slot


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


@dataclass(frozen=True)
class Entry:
    """A room a user may enter: the open session and its school's live settings, loaded
    together by enter_room."""

    session: LiveSession
    member: Member
    setting: LiveSchoolSetting


def enter_room(user_id: int, session_id: object) -> Entry:
    """Check that the user may enter the room of an open session: the rules of get_session
    (the course's teacher, an admin of its school, a student of its class) and is_room_teacher,
    with the session, course, user, class membership and school settings read in one query
    (a join runs this once per socket and room; a class joins all at once). Read only.
    Raises NotAuthenticated (the account is gone or disabled), NotFound (not theirs, or no
    such session), Conflict (session ended)."""
    key = _record_key(session_id)
    is_in_class = (
        select(ClassMembership.id)
        .where(ClassMembership.class_id == Course.class_id, ClassMembership.student_id == User.id)
        .exists()
    )
    row = db.session.execute(
        select(LiveSession, Course, User, LiveSchoolSetting, is_in_class)
        .join(Course, Course.id == LiveSession.course_id)
        .outerjoin(User, User.id == user_id)
        .outerjoin(LiveSchoolSetting, LiveSchoolSetting.school_id == LiveSession.school_id)
        .where(LiveSession.id == key)
        .options(Load(Course).lazyload("*"), Load(User).lazyload("*"))  # no joined school, class
    ).one_or_none()
    not_found = NotFound(_("Không tìm thấy buổi học trực tuyến."))
    if row is None:
        raise not_found
    session, course, user, setting, is_in_class = row
    if user is None or not user.is_active:
        raise NotAuthenticated(_("Bạn cần đăng nhập lại."), code="not_signed_in")
    is_teacher = can_edit(user, course)
    is_pupil = user.role == Role.STUDENT and bool(is_in_class)
    if not can_see_school(user, session.school_id) or not (is_teacher or is_pupil):
        raise not_found
    if session.ended_at is not None:
        raise Conflict(_("Buổi học trực tuyến đã kết thúc."), code="session_ended")
    member = Member(
        user_id=user.id,
        school_id=user.school_id,
        name=user.full_name,
        role=user.role,
        is_teacher=is_teacher,
    )
    return Entry(session, member, setting or default_settings(session.school_id))


def _record_key(raw: object) -> int:
    try:
        key = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotFound(_("Không tìm thấy buổi học trực tuyến.")) from None
    if not 0 < key <= MAX_ID:
        raise NotFound(_("Không tìm thấy buổi học trực tuyến."))
    return key


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
    return row or default_settings(school_id)


def default_settings(school_id: int | None) -> LiveSchoolSetting:
    """The settings of a school that never set them (not added to the session)."""
    return LiveSchoolSetting(
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


def video_url(session: LiveSession, setting: LiveSchoolSetting | None = None) -> str | None:
    """The conference room of this session at the school's Jitsi Meet or BigBlueButton
    server (one room per session, named so that it cannot be guessed from the course).
    `setting`: the school's row when the caller already read it."""
    setting = setting or settings_for(session.school_id)
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
