"""Two real server processes and a real Redis: a message from a client on process A reaches a
client on process B (python-socketio clients over WebSocket)."""

from __future__ import annotations

import threading

import socketio as sio

from tests.live.conftest import token_for
from tests.live.servers import servers  # noqa: F401 - fixture

NS = "/live"


class Client:
    """A python-socketio client that joins a room on every (re)connect, as live.js does."""

    def __init__(self, url: str, token: str, session_id: int):
        self.received: list[dict] = []
        self.presence: list[dict] = []
        self.got = threading.Event()
        self.joined = threading.Event()
        self.session_id = session_id
        self.client = sio.Client(reconnection_delay=0.2, reconnection_delay_max=1)
        self.client.on("chat_message", self._chat, namespace=NS)
        self.client.on("presence", self.presence.append, namespace=NS)
        self.client.on("connect", self._join, namespace=NS)
        self.client.connect(url, namespaces=[NS], auth={"token": token},
                            transports=["websocket"], wait_timeout=10)
        assert self.joined.wait(10)

    def _join(self):
        threading.Thread(target=self._join_now, daemon=True).start()

    def _join_now(self):
        ack = self.client.call("join_session", {"session_id": self.session_id}, namespace=NS,
                               timeout=10)
        assert ack["ok"], ack
        self.state = ack["state"]
        self.joined.set()

    def _chat(self, message):
        self.received.append(message)
        self.got.set()

    def close(self):
        self.client.disconnect()


def test_chat_from_process_a_reaches_a_client_on_process_b(servers, room):  # noqa: F811
    a, b = servers
    session = room.start()
    teacher = Client(a.url, token_for(room.teacher), session.id)
    pupil = Client(b.url, token_for(room.students[0]), session.id)
    try:
        ack = teacher.client.call(
            "chat_message", {"session_id": session.id, "text": "Chào cả lớp"}, namespace=NS,
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
