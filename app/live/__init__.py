"""Socket.IO front doors: thin handlers that authenticate, validate and call one service."""

from __future__ import annotations

_registered = False


def register_live(socketio) -> None:
    """Add the namespaces to the process's SocketIO object (once: every later init_app of a
    new app registers the same handlers on its new server)."""
    global _registered
    if _registered:
        return
    from app.live import proctor

    proctor.register(socketio)
    _registered = True
