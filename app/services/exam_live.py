"""Telling open pages about an exam change at once, over Socket.IO (app/live/proctor.py):
students' exam pages join `attempt:<id>` and `exam:<id>` on /exam, proctors join
`proctor:<exam id>` on /proctor. With REDIS_URL set the message reaches every worker.

Called after the change is committed; a failed emit never undoes or fails the change (the
pages also resynchronise on their own every 30 s)."""

from __future__ import annotations

import logging

from app.extensions import socketio

log = logging.getLogger(__name__)

STUDENTS = "/exam"
PROCTORS = "/proctor"


def _emit(event: str, data: dict, namespace: str, room: str) -> None:
    try:
        socketio.emit(event, data, namespace=namespace, to=room)
    except Exception:
        log.warning("could not emit %s to %s%s", event, namespace, room, exc_info=True)


def attempt_changed(exam_id: int, attempt_id: int, kind: str) -> None:
    """One attempt changed (paused, resumed, closed, moved, extended, offline accepted)."""
    data = {"kind": kind, "attempt_id": attempt_id}
    _emit("exam_changed", data, STUDENTS, f"attempt:{attempt_id}")
    proctors(exam_id, attempt_id, kind)


def exam_changed(exam_id: int, kind: str) -> None:
    """The whole exam changed (time added for everyone, a question dropped, a key fixed)."""
    _emit("exam_changed", {"kind": kind, "exam_id": exam_id}, STUDENTS, f"exam:{exam_id}")
    proctors(exam_id, None, kind)


def proctors(exam_id: int, attempt_id: int | None, kind: str, detail: dict | None = None) -> None:
    """Something the proctor view shows happened (start, submit, integrity event, change)."""
    data = {"exam_id": exam_id, "attempt_id": attempt_id, "kind": kind, "detail": detail or {}}
    _emit("attempt_changed", data, PROCTORS, f"proctor:{exam_id}")
