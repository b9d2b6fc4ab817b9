"""Socket.IO events must not leave cyclic garbage behind: with 2,000 clients, what only the
collector can free is what its full collections (each stopping every socket of the process
for a few hundred milliseconds) are made of. Each event runs in a Flask request context
built from its connection's environ; that context's URL matching must succeed, or the
NotFound kept on the request ties the context, its request and the frames of its traceback
into a cycle (docs/bench.md, "What the full collections were collecting")."""

from __future__ import annotations

import gc
from contextlib import contextmanager

from flask import Flask, request

from tests.live.conftest import events

NS = "/live"


@contextmanager
def cyclic_garbage():
    """The objects that became unreachable only through cycles while the block ran (the
    collector keeps them in gc.garbage instead of freeing them, DEBUG_SAVEALL)."""
    gc.collect()
    found: list = []
    flags = gc.get_debug()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield found
        gc.collect()
        found.extend(gc.garbage)
    finally:
        gc.set_debug(flags)
        gc.garbage.clear()


def names(objects) -> set[str]:
    return {f"{type(o).__module__}.{type(o).__qualname__}" for o in objects}


def test_the_socketio_path_matches_a_rule(app: Flask):
    websocket = {"Upgrade": "websocket", "Connection": "Upgrade"}
    # what servers build for polling and for a WebSocket, and what the test client builds
    for path, headers in (("/socket.io/", {}), ("/socket.io/", websocket), ("/socket.io", {})):
        with app.test_request_context(path, headers=headers):
            assert request.routing_exception is None
            assert request.endpoint == "socketio"


def test_events_leave_no_request_contexts_to_the_collector(connect, room):
    session_id = room.start().id
    teacher = connect(room.teacher)
    pupil = connect(room.students[0])
    for client in (teacher, pupil):
        assert client.emit("join_session", {"session_id": session_id}, namespace=NS, callback=True)[
            "ok"
        ]
    events(pupil, "chat_message")
    with cyclic_garbage() as garbage:
        for n in range(5):
            line = {"session_id": session_id, "text": f"Câu {n}"}
            teacher.emit("chat_message", line, namespace=NS)
        teacher.emit("raise_hand", {"session_id": session_id}, namespace=NS)
    assert len(events(pupil, "chat_message")) == 5
    leaked = names(garbage) & {
        "flask.ctx.RequestContext",
        "flask.wrappers.Request",
        "werkzeug.exceptions.NotFound",
    }
    assert not leaked, f"{len(garbage)} objects of cyclic garbage, among them {sorted(leaked)}"
