"""Socket.IO front doors: thin namespace handlers (the live classroom on /live, an exam's
students on /exam and its proctors on /proctor) registered on the app's socketio object."""

from __future__ import annotations

from flask_socketio import SocketIO

LIVE_NAMESPACE = "/live"


def register_live(socketio: SocketIO) -> None:
    """Register the namespaces once, before socketio.init_app (which registers them on every
    server it creates, however many apps are made, e.g. in tests)."""
    from app.live import proctor
    from app.live.room import LiveNamespace
    from app.services.exam_live import STUDENTS

    known = {getattr(h, "namespace", None) for h in socketio.namespace_handlers}
    if LIVE_NAMESPACE not in known:
        socketio.on_namespace(LiveNamespace(LIVE_NAMESPACE))
    if STUDENTS not in known:
        proctor.register(socketio)
