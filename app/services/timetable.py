"""Timetable of online lessons: create (one-off or weekly), edit and cancel slots of a course,
and find the slot of a course happening now (the live module links a session to it)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.clock import DEFAULT_TIMEZONE, now_utc, to_local
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.core.text import clean_line
from app.extensions import db
from app.models import Course, Lesson, SchoolClass, TimetableSlot, User
from app.services import audit
from app.services.access import get_scoped, is_course_staff

MAX_OCCURRENCES = 60
MAX_LENGTH = timedelta(hours=6)


@dataclass(frozen=True)
class SlotInput:
    """A slot as typed: local date and times (Asia/Ho_Chi_Minh), optional weekly repeat."""

    day: date
    start: time
    end: time
    repeat_until: date | None
    lesson_id: int | None
    topic: str
    meeting_url: str | None


def _parse_day(value: object, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationFailed(
            _("%(w)s “%(v)s” không phải ngày hợp lệ (YYYY-MM-DD).", w=what, v=value or "")
        ) from None


def _parse_time(value: object, what: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationFailed(
            _("%(w)s “%(v)s” không phải giờ hợp lệ (HH:MM).", w=what, v=value or "")
        ) from None


def _meeting_url(value: object) -> str | None:
    url = clean_line(str(value or ""))
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 1000:
        raise ValidationFailed(_("Liên kết phòng học phải bắt đầu bằng http:// hoặc https://."))
    return url


def parse_slot(data: dict) -> SlotInput:
    """Read a slot form/JSON body (`date`, `start`, `end`, optional `repeat_until`, `lesson_id`,
    `topic`, `meeting_url`). Raises ValidationFailed with a message naming the bad field."""
    topic = clean_line(str(data.get("topic") or ""))
    if len(topic) > 300:
        raise ValidationFailed(_("Nội dung/ghi chú quá dài (tối đa 300 ký tự)."))
    lesson_id = data.get("lesson_id")
    try:
        lesson_id = int(lesson_id) if lesson_id not in (None, "") else None
    except (TypeError, ValueError):
        raise ValidationFailed(_("Bài học “%(v)s” không hợp lệ.", v=lesson_id)) from None
    repeat = data.get("repeat_until")
    return SlotInput(
        day=_parse_day(data.get("date"), _("Ngày")),
        start=_parse_time(data.get("start"), _("Giờ bắt đầu")),
        end=_parse_time(data.get("end"), _("Giờ kết thúc")),
        repeat_until=_parse_day(repeat, _("Lặp đến ngày")) if repeat not in (None, "") else None,
        lesson_id=lesson_id,
        topic=topic,
        meeting_url=_meeting_url(data.get("meeting_url")),
    )


def _utc(day: date, moment: time) -> datetime:
    local = datetime.combine(day, moment, tzinfo=ZoneInfo(DEFAULT_TIMEZONE))
    return local.astimezone(ZoneInfo("UTC"))


def _occurrences(slot: SlotInput) -> list[tuple[datetime, datetime]]:
    if slot.end <= slot.start:
        raise ValidationFailed(_("Giờ kết thúc phải sau giờ bắt đầu."))
    last = slot.repeat_until or slot.day
    if last < slot.day:
        raise ValidationFailed(_("Ngày “lặp đến” phải sau ngày bắt đầu."))
    days, day = [], slot.day
    while day <= last:
        days.append(day)
        day += timedelta(days=7)
    if len(days) > MAX_OCCURRENCES:
        raise ValidationFailed(
            _(
                "Lặp quá nhiều buổi (tối đa %(n)s); hãy chọn khoảng ngày ngắn hơn.",
                n=MAX_OCCURRENCES,
            )
        )
    times = [(_utc(d, slot.start), _utc(d, slot.end)) for d in days]
    if times[0][1] - times[0][0] > MAX_LENGTH:
        raise ValidationFailed(_("Một buổi học không dài quá 6 giờ."))
    return times


def _overlap(class_id: int, starts_at: datetime, ends_at: datetime, skip_id: int | None = None):
    stmt = select(TimetableSlot).where(
        TimetableSlot.class_id == class_id,
        TimetableSlot.is_cancelled.is_(False),
        TimetableSlot.starts_at < ends_at,
        TimetableSlot.ends_at > starts_at,
    )
    if skip_id is not None:
        stmt = stmt.where(TimetableSlot.id != skip_id)
    return db.session.scalars(stmt.limit(1)).first()


def _overlap_message(other: TimetableSlot) -> str:
    start, end = to_local(other.starts_at), to_local(other.ends_at)
    return _(
        "Lớp đã có tiết %(c)s ngày %(d)s từ %(s)s đến %(e)s; hãy chọn giờ khác.",
        c=other.course.subject.name,
        d=start.strftime("%d/%m/%Y"),
        s=start.strftime("%H:%M"),
        e=end.strftime("%H:%M"),
    )


def _lesson(course: Course, lesson_id: int | None) -> int | None:
    if lesson_id is None:
        return None
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.course_id != course.id:
        raise ValidationFailed(_("Bài học đã chọn không thuộc môn học này."))
    return lesson.id


def _lock_class(class_id: int) -> None:
    """Serialise timetabling of one class (PostgreSQL row lock; SQLite writes are serial), so two
    teachers saving at once cannot both pass the overlap check."""
    db.session.execute(select(SchoolClass.id).where(SchoolClass.id == class_id).with_for_update())


def _editable_course(actor: User, course_id: object) -> Course:
    course = get_scoped(Course, course_id, actor)
    if not is_course_staff(actor, course):
        raise Forbidden(_("Chỉ giáo viên của môn học hoặc quản trị trường mới xếp lịch được."))
    return course


def create_slots(actor: User, course_id: object, data: dict) -> list[TimetableSlot]:
    """Timetable one lesson, or the same lesson every week until `repeat_until`, all or nothing.

    Raises ValidationFailed (bad or past times, end before start), Conflict (overlaps another
    lesson of the class), Forbidden, NotFound. Changes: the slot rows and one audit row."""
    course = _editable_course(actor, course_id)
    slot = parse_slot(data)
    times = _occurrences(slot)
    if times[0][0] < now_utc():
        raise ValidationFailed(_("Giờ bắt đầu đã qua; hãy chọn một thời điểm trong tương lai."))
    lesson_id = _lesson(course, slot.lesson_id)
    _lock_class(course.class_id)
    for starts_at, ends_at in times:
        other = _overlap(course.class_id, starts_at, ends_at)
        if other is not None:
            raise Conflict(_overlap_message(other), code="overlap")
    series_key = secrets.token_hex(8) if len(times) > 1 else None
    slots = [
        TimetableSlot(
            school_id=course.school_id,
            class_id=course.class_id,
            course_id=course.id,
            lesson_id=lesson_id,
            starts_at=starts_at,
            ends_at=ends_at,
            topic=slot.topic,
            meeting_url=slot.meeting_url,
            series_key=series_key,
            created_by_id=actor.id,
        )
        for starts_at, ends_at in times
    ]
    db.session.add_all(slots)
    db.session.flush()
    audit.record(
        actor,
        "timetable.create",
        slots[0],
        {"slots": [None, len(slots)], "starts_at": [None, slots[0].starts_at]},
    )
    db.session.commit()
    return slots


def get_slot(actor: User, slot_id: object) -> TimetableSlot:
    """A slot of the actor's school (NotFound otherwise); who may see it is checked by callers."""
    return get_scoped(TimetableSlot, slot_id, actor)


def editable_slot(actor: User, slot_id: object) -> TimetableSlot:
    slot = get_slot(actor, slot_id)
    if not is_course_staff(actor, slot.course):
        raise Forbidden(_("Chỉ giáo viên của môn học hoặc quản trị trường mới sửa lịch được."))
    return slot


def update_slot(actor: User, slot_id: object, data: dict) -> TimetableSlot:
    """Move a slot or change its lesson, topic or link. A slot can be moved only into the future;
    its topic can still be corrected afterwards. Raises ValidationFailed, Conflict (overlap,
    cancelled), Forbidden, NotFound. Changes: the slot and one audit row."""
    slot = editable_slot(actor, slot_id)
    if slot.is_cancelled:
        raise Conflict(_("Tiết học đã huỷ; không sửa được."))
    wanted = parse_slot({**data, "repeat_until": None})
    ((starts_at, ends_at),) = _occurrences(wanted)
    moved = (starts_at, ends_at) != (slot.starts_at, slot.ends_at)
    if moved and starts_at < now_utc():
        raise ValidationFailed(_("Giờ bắt đầu đã qua; hãy chọn một thời điểm trong tương lai."))
    if moved:
        _lock_class(slot.class_id)
    if moved and (other := _overlap(slot.class_id, starts_at, ends_at, skip_id=slot.id)):
        raise Conflict(_overlap_message(other), code="overlap")
    changes = audit.diff(
        slot,
        {
            "starts_at": starts_at,
            "ends_at": ends_at,
            "lesson_id": _lesson(slot.course, wanted.lesson_id),
            "topic": wanted.topic,
            "meeting_url": wanted.meeting_url,
        },
    )
    if changes:
        audit.record(actor, "timetable.update", slot, changes)
    db.session.commit()
    return slot


def cancel_slot(actor: User, slot_id: object, reason: str = "") -> TimetableSlot:
    """Cancel a lesson (kept in the record, flagged). Raises Conflict when attendance was
    already taken or it is already cancelled, Forbidden, NotFound."""
    slot = editable_slot(actor, slot_id)
    if slot.is_cancelled:
        raise Conflict(_("Tiết học này đã được huỷ."))
    if slot.attendance_taken_at is not None:
        raise Conflict(_("Tiết học đã điểm danh; không huỷ được."))
    slot.is_cancelled = True
    audit.record(
        actor, "timetable.cancel", slot, {"is_cancelled": [False, True]}, reason=clean_line(reason)
    )
    db.session.commit()
    return slot


def current_slot(course_id: int, at: datetime | None = None) -> TimetableSlot | None:
    """The course's (not cancelled) slot running at `at` (default now), for the live module.

    The caller has already checked who asks; this only reads."""
    moment = at or now_utc()
    return db.session.scalars(
        select(TimetableSlot)
        .where(
            TimetableSlot.course_id == course_id,
            TimetableSlot.is_cancelled.is_(False),
            TimetableSlot.starts_at <= moment,
            TimetableSlot.ends_at > moment,
        )
        .order_by(TimetableSlot.starts_at)
        .limit(1)
    ).first()
