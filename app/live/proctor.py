"""Exam real time over Socket.IO. Students' exam pages connect to /exam and join their
attempt's room, so a proctor's pause, extra time or a dropped question reaches them at once;
proctors connect to /proctor, watch one exam and get its snapshot and every change.

Handlers are thin: who is connected is checked on connect (session cookie or an API token in
`auth`, nothing else), rooms are joined only after the service checked access, and every
rejection is an `error` event {"code", "message"}, never an exception out of the handler."""

from __future__ import annotations

import logging
from typing import ClassVar

from flask import request
from flask_babel import gettext as _
from flask_socketio import Namespace, emit, join_room

from app.core.errors import DomainError
from app.extensions import db
from app.live.auth import authenticate_connection
from app.models import Role, User
from app.services import exam_attempts, exam_live, exam_proctor

log = logging.getLogger(__name__)
STAFF = frozenset({Role.TEACHER, Role.ADMIN, Role.SYSTEM_ADMIN})


def _fail(code: str, message: str) -> dict:
    emit("error", {"code": code, "message": message})
    return {"ok": False, "error": {"code": code, "message": message}}


def _int(data, key: str) -> int | None:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _Base(Namespace):
    roles: ClassVar[frozenset] = frozenset()

    def __init__(self, namespace: str):
        super().__init__(namespace)
        self.users: dict[str, int] = {}

    def on_connect(self, auth=None):
        user = authenticate_connection(auth)
        if user is None or user.role not in self.roles:
            return False  # refused: the client sees a connect_error
        self.users[request.sid] = user.id
        return True

    def on_disconnect(self, *args):
        self.users.pop(request.sid, None)

    def user(self) -> User | None:
        user_id = self.users.get(request.sid)
        return db.session.get(User, user_id) if user_id else None

    def guarded(self, data, work):
        user = self.user()
        if user is None:
            return _fail("not_signed_in", _("Cần đăng nhập."))
        try:
            return work(user, data if isinstance(data, dict) else {})
        except DomainError as error:
            db.session.rollback()
            return _fail(error.code, error.message)
        except Exception:
            db.session.rollback()
            log.exception("exam socket event failed")
            return _fail("internal_error", _("Có lỗi, hãy thử lại."))


class ExamNamespace(_Base):
    """Students on the exam page."""

    roles: ClassVar[frozenset] = frozenset({Role.STUDENT})

    def on_join_attempt(self, data):
        def work(user, data):
            attempt_id = _int(data, "attempt_id")
            if attempt_id is None:
                return _fail("invalid_payload", _("Thiếu mã bài làm."))
            attempt = exam_attempts.get_attempt(user, attempt_id)
            join_room(f"attempt:{attempt.id}")
            join_room(f"exam:{attempt.exam_id}")
            return {"ok": True, "attempt_id": attempt.id}

        return self.guarded(data, work)


class ProctorNamespace(_Base):
    """Teachers and admins on the proctor view."""

    roles: ClassVar[frozenset] = STAFF

    def on_watch_exam(self, data):
        """Join the exam's room; acknowledged with the snapshot."""
        return self.guarded(data, lambda user, data: self._snapshot(user, data, join=True))

    def on_snapshot(self, data):
        """The current snapshot (progress is asked for every few seconds)."""
        return self.guarded(data, lambda user, data: self._snapshot(user, data, join=False))

    @staticmethod
    def _snapshot(user: User, data: dict, *, join: bool) -> dict:
        exam_id = _int(data, "exam_id")
        if exam_id is None:
            return _fail("invalid_payload", _("Thiếu mã bài kiểm tra."))
        snapshot = exam_proctor.snapshot(user, exam_id)
        if join:
            join_room(f"proctor:{exam_id}")
        return {"ok": True, "snapshot": snapshot}


def register(socketio) -> None:
    socketio.on_namespace(ExamNamespace(exam_live.STUDENTS))
    socketio.on_namespace(ProctorNamespace(exam_live.PROCTORS))
