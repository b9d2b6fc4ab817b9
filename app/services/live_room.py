"""The shared state of a live room that every process and every late joiner must see: raised
hands (a queue), mutes, the board page. Kept on the session row (a small JSON document), so any
server process can answer a join; each change is one locked read and one UPDATE."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import LiveChatMessage, LivePoll, LiveSession, LiveSlide
from app.services.live import Entry, Member, log, video_url

MAX_STROKES = 400
MAX_POINTS = 200


def _locked(session_id: int) -> LiveSession:
    stmt = select(LiveSession).where(LiveSession.id == session_id)
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    session = db.session.scalar(stmt)
    if session is None:
        raise NotFound(_("Không tìm thấy buổi học trực tuyến."))
    return session


def _change(session_id: int, change: Callable[[dict], None]) -> dict:
    session = _locked(session_id)
    state = dict(session.state or {})
    change(state)
    session.state = state  # a new dict, so SQLAlchemy sees the JSON change
    return state


def _teacher(member: Member) -> None:
    if not member.is_teacher:
        raise Forbidden(_("Chỉ giáo viên mới làm được việc này."), code="teacher_only")


def _user_id(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ValidationFailed(_("Thiếu mã người dùng."), code="malformed")
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(_("Thiếu mã người dùng."), code="malformed") from None


def set_mute(session_id: int, member: Member, user_id: object, is_muted: bool) -> dict:
    """The teacher mutes or unmutes one student (`user_id`) or, with user_id None, the
    whole room. Raises Forbidden, ValidationFailed. Commits; returns the new state."""
    _teacher(member)
    target = None if user_id is None else _user_id(user_id)

    def change(state: dict) -> None:
        if target is None:
            state["muted_room"] = bool(is_muted)
            return
        muted = [u for u in state.get("muted", []) if u != target]
        state["muted"] = [*muted, target] if is_muted else muted

    state = _change(session_id, change)
    session = db.session.get(LiveSession, session_id)
    log(session, member.user_id, "mute", {"user_id": target, "muted": bool(is_muted)})
    db.session.commit()
    return state


def raise_hand(session_id: int, member: Member, is_raised: bool = True) -> list[int]:
    """A student raises (or lowers) their hand; the queue keeps the order hands went up.
    Commits; returns the queue of user ids."""

    def change(state: dict) -> None:
        hands = [u for u in state.get("hands", []) if u != member.user_id]
        state["hands"] = [*hands, member.user_id] if is_raised else hands

    state = _change(session_id, change)
    db.session.commit()
    return state["hands"]


def lower_hand(session_id: int, member: Member, user_id: object = None) -> list[int]:
    """The teacher lowers a student's hand (the first in the queue when `user_id` is None:
    "next"). Raises Forbidden. Commits; returns the queue."""
    _teacher(member)
    target = None if user_id is None else _user_id(user_id)

    def change(state: dict) -> None:
        hands = list(state.get("hands", []))
        if target is None:
            state["hands"] = hands[1:]
        else:
            state["hands"] = [u for u in hands if u != target]

    state = _change(session_id, change)
    db.session.commit()
    return state["hands"]


def set_board(session_id: int, member: Member, payload: object) -> dict:
    """The teacher turns the board to a page: {"slide_id": id or null (blank drawing board)}.
    Strokes are cleared with the page. Raises Forbidden, ValidationFailed, NotFound. Commits;
    returns the board state."""
    _teacher(member)
    if not isinstance(payload, dict):
        raise ValidationFailed(_("Dữ liệu bảng không hợp lệ."), code="malformed")
    slide_id = payload.get("slide_id")
    if slide_id is not None:
        slide = db.session.get(LiveSlide, _user_id(slide_id))
        if slide is None or slide.session_id != session_id:
            raise NotFound(_("Không tìm thấy trang trình chiếu."))
        slide_id = slide.id

    def change(state: dict) -> None:
        page = int(state.get("board", {}).get("page", 0)) + 1
        state["board"] = {"slide_id": slide_id, "page": page, "strokes": []}

    state = _change(session_id, change)
    session = db.session.get(LiveSession, session_id)
    log(session, member.user_id, "board", {"slide_id": slide_id})
    db.session.commit()
    return state["board"]


def add_stroke(session_id: int, member: Member, stroke: object) -> dict:
    """The teacher draws a stroke on the board: {"points": [[x, y], ...], "color"} with x, y
    in 0..1 of the board. Raises Forbidden, ValidationFailed. Commits; returns the stroke."""
    _teacher(member)
    clean = _clean_stroke(stroke)

    def change(state: dict) -> None:
        board = dict(state.get("board") or {"slide_id": None, "page": 0, "strokes": []})
        board["strokes"] = [*board.get("strokes", []), clean][-MAX_STROKES:]
        state["board"] = board

    _change(session_id, change)
    db.session.commit()
    return clean


def _clean_stroke(stroke: object) -> dict:
    bad = ValidationFailed(_("Nét vẽ không hợp lệ."), code="malformed")
    if not isinstance(stroke, dict) or not isinstance(stroke.get("points"), list):
        raise bad
    points = stroke["points"]
    if not 1 <= len(points) <= MAX_POINTS:
        raise bad
    clean = []
    for point in points:
        if not (isinstance(point, list | tuple) and len(point) == 2):
            raise bad
        x, y = point
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (x, y)):
            raise bad
        clean.append(
            [round(min(max(float(x), 0.0), 1.0), 4), round(min(max(float(y), 0.0), 1.0), 4)]
        )
    color = stroke.get("color", "#d00")
    if not (isinstance(color, str) and len(color) == 4 and color.startswith("#")):
        color = "#d00"
    return {"points": clean, "color": color}


def slides(session_id: int) -> list[dict]:
    return [
        {"id": s.id, "position": s.position, "filename": s.filename}
        for s in db.session.scalars(
            select(LiveSlide).where(LiveSlide.session_id == session_id).order_by(LiveSlide.position)
        )
    ]


@dataclass(frozen=True)
class Joined:
    """A join done: the member, the state for its ack, and whether the room's presence list
    changed (then state["present"] is the new list for everyone)."""

    member: Member
    state: dict
    is_presence_changed: bool


def join(entry: Entry, is_in_room: bool) -> Joined:
    """A client admitted by live.enter_room (and already added to the Socket.IO room, so that
    nothing sent from now on is missed) joins: one more connection in the presence, unless
    the socket is in the room already, then the room state. Commits the presence before
    reading who is present, so that of two joins at once on two processes the later sees
    the other."""
    from app.services import live_presence

    session, member = entry.session, entry.member
    state = _session_part(entry)  # read before the commit expires the row
    is_changed = False
    if not is_in_room:
        is_changed = live_presence.add_connection(session, member.user_id)
        db.session.commit()
    state |= _room_part(state["session_id"], member)
    # Who is present is read last, and its read transaction left open (released when the
    # handler ends), so that the caller broadcasts it at once: the longer the gap, the
    # likelier a list read before another process's join arrives after that one's.
    presence = live_presence.presence(state["session_id"])
    state["present"], state["presence_version"] = presence["present"], presence["version"]
    return Joined(member, state, is_changed)


def _session_part(entry: Entry) -> dict:
    """What the session row and the school settings say: title, hands, mutes, board, video."""
    session, member = entry.session, entry.member
    state = session.state or {}
    return {
        "session_id": session.id,
        "title": session.title,
        "me": {"id": member.user_id, "name": member.name, "is_teacher": member.is_teacher},
        "hands": state.get("hands", []),
        "muted_room": bool(state.get("muted_room")),
        "muted": state.get("muted", []),
        "board": state.get("board") or {"slide_id": None, "page": 0, "strokes": []},
        "video_url": video_url(session, entry.setting),
    }


def _room_part(session_id: int, member: Member) -> dict:
    """Slides, the open poll and recent chat: one query says which of the three there are,
    and only those are read."""
    from app.services import live_chat, live_polls

    has_slides, has_poll, has_chat = db.session.execute(
        select(
            select(LiveSlide.id).where(LiveSlide.session_id == session_id).exists(),
            select(LivePoll.id)
            .where(LivePoll.session_id == session_id, LivePoll.closed_at.is_(None))
            .exists(),
            select(LiveChatMessage.id)
            .where(LiveChatMessage.session_id == session_id, LiveChatMessage.deleted_at.is_(None))
            .exists(),
        )
    ).one()
    return {
        "slides": slides(session_id) if has_slides else [],
        "poll": live_polls.open_poll_view(session_id, member) if has_poll else None,
        "chat": live_chat.recent(session_id) if has_chat else [],
    }
