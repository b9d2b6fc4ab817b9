"""The /live namespace through Flask-SocketIO's test client: auth, join, chat, rejections."""

from __future__ import annotations

from app.extensions import db
from app.models import LiveChatMessage, LivePresence
from tests.live.conftest import events

NS = "/live"


def join(client, session_id):
    return client.emit("join_session", {"session_id": session_id}, namespace=NS, callback=True)


def test_connection_without_credentials_is_refused(connect):
    assert not connect(None).is_connected(NS)
    assert not connect(auth={"token": "nope"}).is_connected(NS)


def test_connection_with_the_session_cookie_is_accepted(connect, room, web, client):
    web.login(room.students[0].username)
    assert connect(flask_test_client=client).is_connected(NS)


def test_join_is_acknowledged_with_the_room_state(connect, room):
    session = room.start()
    teacher, pupil = connect(room.teacher), connect(room.students[0])
    ack = join(teacher, session.id)
    assert ack["ok"] and ack["state"]["me"]["is_teacher"] is True
    ack = join(pupil, session.id)
    assert ack["ok"]
    state = ack["state"]
    assert state["me"]["is_teacher"] is False
    assert {p["id"] for p in state["present"]} == {room.teacher.id, room.students[0].id}
    assert state["poll"] is None and state["hands"] == [] and state["chat"] == []
    presence = events(teacher, "presence")
    assert presence[-1]["session_id"] == session.id and len(presence[-1]["present"]) == 2


def test_chat_reaches_the_room_cleaned(connect, room):
    session = room.start()
    teacher, pupil = connect(room.teacher), connect(room.students[0])
    join(teacher, session.id), join(pupil, session.id)
    ack = pupil.emit(
        "chat_message",
        {"session_id": session.id, "text": "<b>Chào</b> cô <script>x()</script>&amp;"},
        namespace=NS,
        callback=True,
    )
    assert ack["ok"]
    got = events(teacher, "chat_message")
    assert got[-1]["text"] == "Chào cô x()&"
    assert got[-1]["user"] == {"id": room.students[0].id, "name": room.students[0].full_name}
    assert got[-1]["at"].endswith("+00:00")
    assert db.session.query(LiveChatMessage).count() == 1


def test_a_student_outside_the_room_cannot_chat(connect, room):
    session = room.start()
    pupil = connect(room.students[0])
    ack = pupil.emit(
        "chat_message", {"session_id": session.id, "text": "hi"}, namespace=NS, callback=True
    )
    assert ack == {"ok": False, "error": ack["error"]} and ack["error"]["code"] == "not_in_room"
    assert events(pupil, "error")[-1]["code"] == "not_in_room"


def test_a_student_of_another_class_cannot_join(connect, room, make, school):
    session = room.start()
    other_class = make.school_class(school, "11B2")
    stranger = make.user(school, "student")
    make.enrol(stranger, other_class)
    ack = join(connect(stranger), session.id)
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"


def test_bad_payloads_are_rejected_with_an_error_event(connect, room):
    session = room.start()
    pupil = connect(room.students[0])
    join(pupil, session.id)
    cases = [
        ("join_session", "not a dict", "malformed"),
        ("join_session", {"session_id": None}, "malformed"),
        ("join_session", {"session_id": "abc"}, "malformed"),
        ("chat_message", {"session_id": session.id, "text": 42}, "malformed"),
        ("chat_message", {"session_id": session.id, "text": "x" * (1024 * 1024)}, "too_large"),
        ("chat_message", {"session_id": session.id, "text": "   "}, "empty"),
        ("mute", {"session_id": session.id, "user_id": None}, "teacher_only"),
        ("chat_delete", {"session_id": session.id, "message_id": 1}, "teacher_only"),
        ("poll_open", {"session_id": session.id, "prompt": "?"}, "teacher_only"),
        ("end_session", {"session_id": session.id}, "teacher_only"),
    ]
    for event, data, code in cases:
        ack = pupil.emit(event, data, namespace=NS, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == code, (event, ack)
    assert [e["code"] for e in events(pupil, "error")] == [c for *_x, c in cases]
    assert pupil.is_connected(NS)


def test_chat_floods_are_rate_limited_per_client(connect, room):
    session = room.start()
    pupil = connect(room.students[0])
    join(pupil, session.id)
    acks = [
        pupil.emit(
            "chat_message",
            {"session_id": session.id, "text": f"tin {i}"},
            namespace=NS,
            callback=True,
        )
        for i in range(8)
    ]
    assert [a["ok"] for a in acks[:5]] == [True] * 5
    assert {a["error"]["code"] for a in acks[5:]} == {"rate_limited"}
    assert db.session.query(LiveChatMessage).count() == 5


def test_teacher_mutes_a_student_and_deletes_a_message(connect, room):
    session = room.start()
    teacher, pupil, other = (connect(u) for u in (room.teacher, *room.students[:2]))
    for c in (teacher, pupil, other):
        join(c, session.id)
    sent = pupil.emit(
        "chat_message", {"session_id": session.id, "text": "spam"}, namespace=NS, callback=True
    )
    assert teacher.emit(
        "chat_delete",
        {"session_id": session.id, "message_id": sent["id"]},
        namespace=NS,
        callback=True,
    )["ok"]
    assert events(other, "chat_deleted")[-1] == {"session_id": session.id, "id": sent["id"]}
    assert teacher.emit(
        "mute",
        {"session_id": session.id, "user_id": room.students[0].id},
        namespace=NS,
        callback=True,
    )["ok"]
    ack = pupil.emit(
        "chat_message", {"session_id": session.id, "text": "again"}, namespace=NS, callback=True
    )
    assert ack["error"]["code"] == "muted"
    assert other.emit(
        "chat_message", {"session_id": session.id, "text": "ok"}, namespace=NS, callback=True
    )["ok"]
    teacher.emit(
        "mute",
        {"session_id": session.id, "user_id": None, "muted": True},
        namespace=NS,
        callback=True,
    )
    ack = other.emit(
        "chat_message", {"session_id": session.id, "text": "ok"}, namespace=NS, callback=True
    )
    assert ack["error"]["code"] == "muted"
    rejoined = join(connect(room.students[1]), session.id)["state"]
    assert rejoined["muted_room"] is True and [m["text"] for m in rejoined["chat"]] == ["ok"]


def test_two_devices_and_a_disconnect_keep_one_presence(connect, room):
    session = room.start()
    phone, laptop = connect(room.students[0]), connect(room.students[0])
    join(phone, session.id), join(laptop, session.id)
    rows = db.session.query(LivePresence).all()
    assert len(rows) == 1 and rows[0].connections == 2
    phone.disconnect(NS)
    db.session.expire_all()
    assert rows[0].left_at is None and rows[0].connections == 1
    laptop.emit("leave_session", {"session_id": session.id}, namespace=NS, callback=True)
    db.session.expire_all()
    assert rows[0].left_at is not None and rows[0].connections == 0
