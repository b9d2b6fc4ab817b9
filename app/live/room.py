"""The /live namespace: thin Socket.IO handlers over the live services (docs/live.md lists
every event). Each handler checks who is asking and what they sent, calls one service, and
emits to the session's room; every rejection is an `error` event {"code", "message"}."""

from __future__ import annotations

import json
import logging
from functools import wraps

from flask import request
from flask_babel import gettext as _
from flask_socketio import Namespace, join_room, leave_room

from app.core.errors import DomainError
from app.extensions import db
from app.live.auth import authenticate_connection
from app.live.connections import Connection, Registry
from app.models import LiveSession, User
from app.services import live, live_chat, live_polls, live_presence, live_room

log = logging.getLogger(__name__)
MAX_PAYLOAD_BYTES = 64 * 1024
registry = Registry()


def room_of(session_id: int) -> str:
    return f"live-{session_id}"


class Rejected(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _session_id(data: dict) -> int:
    raw = data.get("session_id")
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise Rejected("malformed", _("Thiếu session_id."))
    try:
        return int(raw)
    except ValueError:
        raise Rejected("malformed", _("session_id không hợp lệ.")) from None


def _check_payload(data: object) -> dict:
    if not isinstance(data, dict):
        raise Rejected("malformed", _("Dữ liệu gửi lên phải là một đối tượng JSON."))
    try:
        size = len(json.dumps(data, ensure_ascii=False).encode())
    except (TypeError, ValueError):
        raise Rejected("malformed", _("Dữ liệu gửi lên không đọc được.")) from None
    if size > MAX_PAYLOAD_BYTES:
        raise Rejected("too_large", _("Dữ liệu gửi lên quá lớn."))
    return data


def handler(kind: str = "event", in_room: bool = True):
    """Wrap an event handler: signed-in check, flood limit, payload shape, room membership;
    domain errors and surprises become an `error` event and an `{"ok": false}` ack, never a
    crash of the process."""

    def decorator(func):
        @wraps(func)
        def wrapped(self, data=None):
            sid = request.sid
            try:
                conn = registry.get(sid)
                if conn is None:
                    raise Rejected("not_signed_in", _("Bạn cần đăng nhập lại."))
                bucket = conn.chat if kind == "chat" else conn.events
                if not bucket.allow():
                    raise Rejected("rate_limited", _("Bạn gửi quá nhanh, hãy chờ một chút."))
                data = _check_payload(data)
                session_id = _session_id(data)
                member = conn.rooms.get(session_id)
                if in_room and member is None:
                    raise Rejected("not_in_room", _("Bạn chưa vào phòng học này."))
                result = func(self, conn, session_id, member, data)
                return {"ok": True, **(result or {})}
            except (Rejected, DomainError) as exc:
                db.session.rollback()
                error = {"code": exc.code, "message": str(exc.message)}
            except Exception:  # a bug must not take the process (and its rooms) down
                log.exception("live handler %s failed", func.__name__)
                db.session.rollback()
                error = {"code": "internal", "message": _("Có lỗi, hãy thử lại.")}
            self._send("error", error, to=sid)
            return {"ok": False, "error": error}

        return wrapped

    return decorator


def _open_session(session_id: int) -> LiveSession:
    session = db.session.get(LiveSession, session_id)
    if session is None or session.ended_at is not None:
        raise Rejected("session_ended", _("Buổi học trực tuyến đã kết thúc."))
    return session


class LiveNamespace(Namespace):
    """Rooms per live session; see docs/live.md."""

    def _send(self, event: str, data: dict, to: str, skip_sid: str | None = None) -> None:
        # Through the server (and the Redis queue when set), so every process's room gets it.
        self.socketio.emit(event, data, to=to, namespace=self.namespace, skip_sid=skip_sid)

    def on_connect(self, auth=None):
        user = authenticate_connection(auth)
        if user is None:
            return False  # refused: the client gets connect_error
        registry.add(
            request.sid,
            Connection(
                user_id=user.id, school_id=user.school_id, name=user.full_name, role=user.role
            ),
        )
        return True

    def on_disconnect(self, reason=None):
        conn = registry.pop(request.sid)
        for session_id in list(conn.rooms) if conn else []:
            self._left(session_id, conn.user_id)

    def _left(self, session_id: int, user_id: int) -> None:
        try:
            if live_presence.leave(session_id, user_id):
                self._presence(session_id)
        except Exception:
            log.exception("leave of user %s from live session %s failed", user_id, session_id)
            db.session.rollback()

    def _presence(self, session_id: int, presence: dict | None = None) -> None:
        """Broadcast who is present (read now unless given) with its version."""
        presence = presence or live_presence.presence(session_id)
        self._send("presence", {"session_id": session_id, **presence}, to=room_of(session_id))

    @handler(in_room=False)
    def on_join_session(self, conn, session_id, member, data):
        entry = live.enter_room(conn.user_id, session_id)  # refused: never in the room
        is_in_room = session_id in conn.rooms
        join_room(room_of(session_id))
        try:
            joined = live_room.join(entry, is_in_room)
        except Exception:
            if not is_in_room:
                leave_room(room_of(session_id))
            raise
        conn.rooms[session_id] = joined.member
        if joined.is_presence_changed:
            state = joined.state
            self._presence(
                session_id, {"present": state["present"], "version": state["presence_version"]}
            )
        return {"state": joined.state}

    @handler()
    def on_leave_session(self, conn, session_id, member, data):
        conn.rooms.pop(session_id, None)
        leave_room(room_of(session_id))
        self._left(session_id, conn.user_id)

    @handler(kind="chat")
    def on_chat_message(self, conn, session_id, member, data):
        message = live_chat.post(_open_session(session_id), member, data.get("text"))
        self._send("chat_message", message, to=room_of(session_id))
        return {"id": message["id"]}

    @handler()
    def on_chat_delete(self, conn, session_id, member, data):
        message_id = live_chat.remove(_open_session(session_id), member, data.get("message_id"))
        self._send(
            "chat_deleted", {"session_id": session_id, "id": message_id}, to=room_of(session_id)
        )

    @handler()
    def on_mute(self, conn, session_id, member, data):
        _open_session(session_id)
        state = live_room.set_mute(
            session_id, member, data.get("user_id"), bool(data.get("muted", True))
        )
        payload = {
            "session_id": session_id,
            "muted_room": bool(state.get("muted_room")),
            "muted": state.get("muted", []),
        }
        self._send("mutes", payload, to=room_of(session_id))

    @handler()
    def on_raise_hand(self, conn, session_id, member, data):
        _open_session(session_id)
        hands = live_room.raise_hand(session_id, member, bool(data.get("raised", True)))
        self._send("hands", {"session_id": session_id, "hands": hands}, to=room_of(session_id))

    @handler()
    def on_lower_hand(self, conn, session_id, member, data):
        _open_session(session_id)
        hands = live_room.lower_hand(session_id, member, data.get("user_id"))
        self._send("hands", {"session_id": session_id, "hands": hands}, to=room_of(session_id))

    @handler()
    def on_reaction(self, conn, session_id, member, data):
        emoji = data.get("emoji")
        if emoji not in REACTIONS:
            raise Rejected("malformed", _("Biểu tượng cảm xúc không hợp lệ."))
        payload = {
            "session_id": session_id,
            "user": {"id": member.user_id, "name": member.name},
            "emoji": emoji,
        }
        self._send("reaction", payload, to=room_of(session_id))

    @handler()
    def on_board_set(self, conn, session_id, member, data):
        _open_session(session_id)
        board = live_room.set_board(session_id, member, data)
        self._send("board", {"session_id": session_id, "board": board}, to=room_of(session_id))

    @handler()
    def on_board_stroke(self, conn, session_id, member, data):
        _open_session(session_id)
        stroke = live_room.add_stroke(session_id, member, data.get("stroke"))
        self._send(
            "board_stroke",
            {"session_id": session_id, "stroke": stroke},
            to=room_of(session_id),
            skip_sid=request.sid,
        )

    @handler()
    def on_poll_open(self, conn, session_id, member, data):
        session = _open_session(session_id)
        user = db.session.get(User, conn.user_id)
        poll = live_polls.open_poll(session, user, member, data)
        view = live_polls.poll_view(poll)
        self._send("poll", {"session_id": session_id, **view}, to=room_of(session_id))
        return {"poll_id": poll.id}

    @handler()
    def on_poll_answer(self, conn, session_id, member, data):
        _open_session(session_id)
        counts = live_polls.answer(session_id, member, data)
        self._send("poll_counts", {"session_id": session_id, **counts}, to=room_of(session_id))

    @handler()
    def on_poll_close(self, conn, session_id, member, data):
        result = live_polls.close(_open_session(session_id), member)
        if result is not None:
            self._send("poll_closed", {"session_id": session_id, **result}, to=room_of(session_id))

    @handler()
    def on_poll_save(self, conn, session_id, member, data):
        session = db.session.get(LiveSession, session_id)
        user = db.session.get(User, conn.user_id)
        live.teacher_session(user, session_id)
        written = live_polls.save_scores(user, session, data.get("poll_id"))
        return {"written": written}

    @handler()
    def on_end_session(self, conn, session_id, member, data):
        user = db.session.get(User, conn.user_id)
        live.end_session(user, session_id)
        self._send("session_ended", {"session_id": session_id}, to=room_of(session_id))


REACTIONS = ("👍", "👏", "❤️", "😂", "😮", "❓")


def broadcast_session_ended(session_id: int) -> None:
    """Tell a room its session ended (when the teacher ends it from the API or a page)."""
    from app.extensions import socketio

    socketio.emit(
        "session_ended", {"session_id": session_id}, to=room_of(session_id), namespace="/live"
    )
