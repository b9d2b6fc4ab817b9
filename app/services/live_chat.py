"""Chat in a live room: plain text cleaned with bleach, length-limited, mutes, deletion."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.core.clock import now_utc
from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.core.sanitize import plain_text
from app.core.text import nfc
from app.extensions import db
from app.models import LiveChatMessage, LiveSession, User
from app.services.live import Member, iso, log, settings_for

MAX_CHARS = 1000
RECENT = 50


def message_view(message: LiveChatMessage, name: str) -> dict:
    """The CONTRACT.md `chat_message` payload."""
    return {
        "session_id": message.session_id,
        "id": message.id,
        "user": {"id": message.user_id, "name": name},
        "text": message.text,
        "at": iso(message.created_at),
    }


def clean_text(raw: object) -> str:
    """Plain text from what a client sent: tags stripped by bleach, entities turned back into
    characters (the page shows chat with textContent, never as HTML), NFC, trimmed.
    Raises ValidationFailed (not text, empty, too long)."""
    if not isinstance(raw, str):
        raise ValidationFailed(_("Tin nhắn phải là văn bản."), code="malformed")
    if len(raw) > MAX_CHARS * 4:
        raise ValidationFailed(_("Tin nhắn dài quá %(n)s ký tự.", n=MAX_CHARS), code="too_long")
    text = plain_text(raw)
    text = nfc(text).replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed(_("Tin nhắn trống."), code="empty")
    if len(text) > MAX_CHARS:
        raise ValidationFailed(_("Tin nhắn dài quá %(n)s ký tự.", n=MAX_CHARS), code="too_long")
    return text


def post(session: LiveSession, member: Member, raw_text: object) -> dict:
    """Store a chat line from a room member. Raises ValidationFailed (bad text), Forbidden
    (the member or the room is muted). Commits; returns the payload to broadcast."""
    text = clean_text(raw_text)
    state = session.state or {}
    if not member.is_teacher and (
        state.get("muted_room") or member.user_id in state.get("muted", [])
    ):
        raise Forbidden(_("Giáo viên đang tắt chat của bạn."), code="muted")
    message = LiveChatMessage(
        school_id=session.school_id,
        session_id=session.id,
        user_id=member.user_id,
        text=text,
        created_at=now_utc(),
    )
    db.session.add(message)
    db.session.commit()
    return message_view(message, member.name)


def remove(session: LiveSession, member: Member, message_id: object) -> int:
    """The teacher deletes a chat line (kept in the table, hidden from everyone). Raises
    Forbidden, NotFound. Commits; returns the message id."""
    if not member.is_teacher:
        raise Forbidden(_("Chỉ giáo viên mới xoá được tin nhắn."), code="teacher_only")
    try:
        key = int(message_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotFound(_("Không tìm thấy tin nhắn.")) from None
    message = db.session.get(LiveChatMessage, key)
    if message is None or message.session_id != session.id:
        raise NotFound(_("Không tìm thấy tin nhắn."))
    if message.deleted_at is None:
        message.deleted_at = now_utc()
        log(session, member.user_id, "chat_deleted", {"message_id": message.id})
        db.session.commit()
    return message.id


def recent(session_id: int) -> list[dict]:
    """The last RECENT visible chat lines, oldest first (for a joining client)."""
    rows = db.session.execute(
        select(LiveChatMessage, User.full_name)
        .join(User, User.id == LiveChatMessage.user_id)
        .where(LiveChatMessage.session_id == session_id, LiveChatMessage.deleted_at.is_(None))
        .order_by(LiveChatMessage.id.desc())
        .limit(RECENT)
    ).all()
    return [message_view(m, name) for m, name in reversed(rows)]


def drop_unkept(session: LiveSession) -> None:
    """At the end of a session of a school that does not keep chat, delete its chat
    (flush only)."""
    if not settings_for(session.school_id).keeps_chat_log:
        db.session.execute(delete(LiveChatMessage).where(LiveChatMessage.session_id == session.id))


def transcript(session_id: int) -> list[dict]:
    """Every chat line of a session with deletions marked (for the session log export)."""
    rows = db.session.execute(
        select(LiveChatMessage, User.full_name)
        .join(User, User.id == LiveChatMessage.user_id)
        .where(LiveChatMessage.session_id == session_id)
        .order_by(LiveChatMessage.id)
    ).all()
    return [{**message_view(m, name), "deleted": m.deleted_at is not None} for m, name in rows]
