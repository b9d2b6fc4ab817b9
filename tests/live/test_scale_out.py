"""Two real server processes and a real Redis: a message from a client on process A reaches a
client on process B (python-socketio clients over WebSocket)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from tests.live.conftest import token_for
from tests.live.servers import Client, gevent_servers, servers  # noqa: F401 - fixtures

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
        names = {p["id"] for p in teacher.newest_presence["present"]}
        assert names == {room.teacher.id, room.students[0].id}
    finally:
        teacher.close()
        pupil.close()


def test_forty_clients_share_a_room_across_two_gevent_processes(
    gevent_servers,  # noqa: F811
    make,
    school,
):
    """The production mode: gevent, one greenlet per connection, Redis between processes; a
    class of 40 (the teacher on A, the students on A and B) gets every line and the presence."""
    a, b = gevent_servers
    course, teacher, students = make.gradebook_course(school, students=39)
    from app.services import live

    session = live.start_session(teacher, course.id)
    tokens = [token_for(s) for s in students]
    host = Client(a.url, token_for(teacher), session.id)
    with ThreadPoolExecutor(8) as pool:
        pupils = list(
            pool.map(lambda it: Client((a, b)[it[0] % 2].url, it[1], session.id), enumerate(tokens))
        )
    try:
        assert host.client.connection_url.startswith(a.url)
        for n in range(3):
            ack = host.client.call(
                "chat_message", {"session_id": session.id, "text": f"câu {n}"}, namespace=NS
            )
            assert ack["ok"], ack
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(len(p.received) < 3 for p in pupils):
            time.sleep(0.1)
        assert [len(p.received) for p in pupils] == [3] * 39
        assert all([m["text"] for m in p.received] == ["câu 0", "câu 1", "câu 2"] for p in pupils)
        # every join's presence reached the teacher on A, wherever the student came from
        while time.monotonic() < deadline and len(host.newest_presence["present"]) < 40:
            time.sleep(0.1)
        assert {p["id"] for p in host.newest_presence["present"]} == {
            teacher.id,
            *(s.id for s in students),
        }
    finally:
        with ThreadPoolExecutor(20) as pool:  # a client's close waits up to 3 s for the echo
            list(pool.map(lambda c: c.close(), [host, *pupils]))
