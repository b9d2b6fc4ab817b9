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


def route_socketio_path(app) -> None:
    """A URL rule for the Socket.IO path. Every Socket.IO event runs in a request context built
    from its connection's environ (path /socket.io/); with no rule for that path, each event's
    URL matching raised NotFound, and the exception kept on the request, with its traceback's
    frames pointing back at the context, made ~90 objects of cyclic garbage per event: 18,000
    per collection with 2,000 clients joining, which only the slow full collections freed
    (docs/bench.md, "What the full collections were collecting"). The engine.io middleware in
    front of the app answers every real request to this path, so the view is reached only if
    that middleware is not there, and says 404 as any unknown path would."""
    from flask import abort

    def socketio_path():
        abort(404)

    for websocket, methods in ((False, ["GET", "POST"]), (True, ["GET"])):  # polling, WebSocket
        app.add_url_rule(
            "/socket.io/",
            endpoint="socketio",
            view_func=socketio_path,
            methods=methods,
            websocket=websocket,  # a WebSocket's environ matches only a WebSocket rule
            strict_slashes=False,  # the test client's environ says /socket.io
        )
