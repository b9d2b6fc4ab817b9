"""The teaching record of one live lesson as CSV (Thông tư 09/2021 asks the school to keep who
attended, when, and what happened): the lesson, the attendance sheet, the session log, the polls
and, if the school keeps it, the chat transcript. One read-only use case for the teacher."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.clock import to_local
from app.core.sanitize import plain_text
from app.extensions import db
from app.models import Course, LivePoll, School, User
from app.services.live import session_log, settings_for, teacher_session
from app.services.live_chat import transcript
from app.services.live_polls import counts
from app.services.live_presence import sheet_rows


def _statuses() -> dict[str, str]:
    return {"present": _("Có mặt"), "late": _("Muộn"), "absent": _("Vắng")}


def _kinds() -> dict[str, str]:
    return {
        "start": _("Bắt đầu buổi học"),
        "join": _("Vào lớp"),
        "leave": _("Rời lớp"),
        "mute": _("Tắt/bật trò chuyện"),
        "board": _("Đổi trang bảng"),
        "slide_added": _("Thêm trang trình chiếu"),
        "poll_open": _("Mở câu hỏi nhanh"),
        "poll_close": _("Đóng câu hỏi nhanh"),
        "poll_saved": _("Lưu điểm câu hỏi"),
        "chat_deleted": _("Xoá tin nhắn"),
        "end": _("Kết thúc buổi học"),
        "attendance_confirmed": _("Xác nhận điểm danh"),
    }


@dataclass
class Export:
    filename: str
    data: bytes


def _cell(value: object) -> object:
    """Text typed by users never becomes a formula in a spreadsheet (=, +, -, @ first)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _when(moment) -> str:
    return to_local(moment).strftime("%d/%m/%Y %H:%M:%S") if moment else ""


def session_record_csv(actor: User, session_id: object) -> Export:
    """The lesson's record as a UTF-8 CSV (with BOM, for Excel). Raises NotFound/Forbidden."""
    session = teacher_session(actor, session_id)
    course = db.session.get(Course, session.course_id)
    events = session_log(actor, session.id)
    out = io.StringIO()
    writer = csv.writer(out)

    def row(*values: object) -> None:
        writer.writerow([_cell(v) for v in values])

    slot = session.timetable_slot
    row(_("Hồ sơ buổi học trực tuyến"))
    school = db.session.get(School, session.school_id)
    row(_("Trường"), school.name if school else "")
    row(_("Lớp"), course.school_class.name, _("Môn"), course.subject.name)
    row(_("Giáo viên"), session.teacher.full_name)
    row(
        _("Tiết học"),
        f"{_when(slot.starts_at)} - {_when(slot.ends_at)}" if slot else _("ngoài thời khoá biểu"),
    )
    row(_("Bắt đầu"), _when(session.started_at), _("Kết thúc"), _when(session.ended_at))
    row(_("Xác nhận điểm danh"), _when(session.attendance_confirmed_at) or _("chưa xác nhận"))
    row()
    row(_("Điểm danh"))
    row(_("Mã HS"), _("Họ và tên"), _("Vào lúc"), _("Ra lúc"), _("Số phút"), _("Trạng thái"))
    statuses = _statuses()
    for r in sheet_rows(session):
        row(
            r.student.student_code or "",
            r.student.full_name,
            _when(r.first_join_at),
            _when(r.last_leave_at),
            r.minutes_present,
            statuses[r.status],
        )
    row()
    row(_("Nhật ký"))
    row(_("Thời điểm"), _("Người"), _("Sự kiện"), _("Mã sự kiện"), _("Chi tiết"))
    kinds = _kinds()
    for event in events:
        row(
            _when(event.at),
            event.user.full_name if event.user else "",
            kinds.get(event.kind, event.kind),
            event.kind,
            json.dumps(event.data, ensure_ascii=False),
        )
    polls = list(
        db.session.scalars(
            select(LivePoll).where(LivePoll.session_id == session.id).order_by(LivePoll.id)
        )
    )
    if polls:
        row()
        row(_("Câu hỏi nhanh"))
        row(_("Mở lúc"), _("Câu hỏi"), _("Số trả lời"), _("Kết quả"), _("Đáp án"))
        for poll in polls:
            result = counts(poll)
            labels = {o["id"]: _plain(o["html"]) for o in poll.options}
            row(
                _when(poll.opened_at),
                _plain(poll.prompt_html),
                result["answered"],
                "; ".join(f"{labels.get(k, k)}: {n}" for k, n in result["counts"].items()),
                "; ".join(labels.get(k, k) for k in poll.correct),
            )
    if settings_for(session.school_id).keeps_chat_log:
        lines = transcript(session.id)
        row()
        row(_("Trò chuyện"))
        row(_("Thời điểm"), _("Người"), _("Tin nhắn"), _("Đã xoá"))
        for line in lines:
            row(
                _when(_parse(line["at"])),
                line["user"]["name"],
                line["text"],
                _("có") if line["deleted"] else "",
            )
    body = "\ufeff" + out.getvalue()
    return Export(filename=f"buoi-hoc-truc-tuyen-{session.id}.csv", data=body.encode("utf-8"))


def _plain(markup: str) -> str:
    text = plain_text(markup)
    return " ".join(text.split())


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
