"""Two real server processes and a real Redis: a message from a client on process A reaches a
client on process B (python-socketio clients over WebSocket)."""

from __future__ import annotations

from tests.live.conftest import token_for
from tests.live.servers import Client, servers  # noqa: F401 - fixture

NS = "/live"


def test_chat_from_process_a_reaches_a_client_on_process_b(servers, room):  # noqa: F811
    a, b = servers
    session = room.start()
    teacher = Client(a.url, token_for(room.teacher), session.id)
    pupil = Client(b.url, token_for(room.students[0]), session.id)
    try:
        ack = teacher.client.call(
            "chat_message",
            {"session_id": session.id, "text": "Chào cả lớp"},
            namespace=NS,
            timeout=10,
        )
        assert ack["ok"], ack
        assert pupil.got.wait(10), "the message did not cross to process B"
        assert pupil.received[-1]["text"] == "Chào cả lớp"
        assert pupil.received[-1]["user"]["id"] == room.teacher.id
        # B's join was announced on A too: presence crosses processes.
        names = {p["id"] for p in teacher.presence[-1]["present"]}
        assert names == {room.teacher.id, room.students[0].id}
    finally:
        teacher.close()
        pupil.close()
