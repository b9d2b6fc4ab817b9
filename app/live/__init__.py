"""Socket.IO front door: namespace classes registered on the app's socketio object."""

from __future__ import annotations

from flask_socketio import SocketIO

LIVE_NAMESPACE = "/live"


def register_live(socketio: SocketIO) -> None:
    """Register the /live namespace once, before socketio.init_app (which registers it on
    every server it creates, however many apps are made, e.g. in tests)."""
    from app.live.room import LiveNamespace

    known = {getattr(h, "namespace", None) for h in socketio.namespace_handlers}
    if LIVE_NAMESPACE not in known:
        socketio.on_namespace(LiveNamespace(LIVE_NAMESPACE))
