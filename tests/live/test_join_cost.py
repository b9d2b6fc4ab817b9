"""What a join costs the database: a class joins all at once, so `join_session` must stay a
handful of statements (it was 15)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db
from app.models import User
from tests.live.conftest import events

NS = "/live"


@contextmanager
def database_work():
    """The SQL statements and the commits sent while the block runs, with an empty identity
    map first (a server handler starts with nothing loaded; the test client shares the test's
    session)."""
    db.session.remove()
    sent = {"statements": [], "commits": 0}

    def statement(conn, cursor, text, parameters, context, executemany):
        sent["statements"].append(" ".join(text.split()))

    def commit(conn):
        sent["commits"] += 1

    event.listen(db.engine, "before_cursor_execute", statement)
    event.listen(db.engine, "commit", commit)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
        event.remove(db.engine, "commit", commit)


def join(client, session_id):
    return client.emit("join_session", {"session_id": session_id}, namespace=NS, callback=True)


def test_a_first_join_is_seven_statements_in_two_transactions(connect, room):
    session_id = room.start().id
    join(connect(room.teacher), session_id)
    pupil = connect(room.students[0])
    pupil_id = room.students[0].id
    with database_work() as sent:
        ack = join(pupil, session_id)
    assert ack["ok"] and ack["state"]["me"]["id"] == pupil_id
    # access check (session, course, user, class membership, settings), the presence (the
    # session's presence_version, the locked read, the presence and its log line), committed;
    # then who is present (after the commit: a join at the same time on another process must
    # see this one) and which of slides, poll and chat there are
    assert len(sent["statements"]) <= 7, "\n".join(sent["statements"])
    assert sent["commits"] == 1


def test_a_join_reads_chat_only_when_there_is_some(connect, room):
    session_id = room.start().id
    teacher = connect(room.teacher)
    join(teacher, session_id)
    teacher.emit("chat_message", {"session_id": session_id, "text": "Chào"}, namespace=NS)
    pupil = connect(room.students[0])
    with database_work() as sent:
        ack = join(pupil, session_id)
    assert [m["text"] for m in ack["state"]["chat"]] == ["Chào"]
    assert len(sent["statements"]) <= 8, "\n".join(sent["statements"])


def test_joining_again_from_the_same_socket_writes_nothing(connect, room):
    session_id, pupil_id = room.start().id, room.students[0].id
    pupil = connect(room.students[0])
    join(pupil, session_id)
    with database_work() as sent:
        ack = join(pupil, session_id)
    assert ack["ok"] and [p["id"] for p in ack["state"]["present"]] == [pupil_id]
    assert not [s for s in sent["statements"] if s.startswith(("INSERT", "UPDATE"))]
    assert len(sent["statements"]) <= 3, "\n".join(sent["statements"])


def test_an_account_disabled_after_connecting_cannot_join(connect, room):
    session_id = room.start().id
    pupil = connect(room.students[0])
    db.session.get(User, room.students[0].id).is_active = False
    db.session.commit()
    ack = join(pupil, session_id)
    assert not ack["ok"] and ack["error"]["code"] == "not_signed_in"
    assert events(pupil, "error")[-1]["message"] == "Bạn cần đăng nhập lại."


def test_a_chat_line_is_three_statements_in_one_transaction(connect, room):
    session_id = room.start().id
    teacher = connect(room.teacher)
    join(teacher, session_id)
    with database_work() as sent:
        ack = teacher.emit(
            "chat_message", {"session_id": session_id, "text": "Chào"}, namespace=NS, callback=True
        )
    assert ack["ok"] and events(teacher, "chat_message")[-1]["id"] == ack["id"]
    # the open session (ended? muted?), the INSERT, and the line read back after the commit
    # (building it before the commit saves that read, but then three lines sent in quick
    # succession reach python-socketio's client close enough together that its
    # thread-per-message dispatch reorders them: test_scale_out's order check)
    assert len(sent["statements"]) <= 3, "\n".join(sent["statements"])
    assert sent["commits"] == 1


def test_the_one_query_check_keeps_who_may_enter(connect, room, make, school):
    session_id = room.start().id
    other_teacher = make.user(school, "teacher")
    elsewhere = make.school("THPT2", "Trường THPT Số 2")
    outsider = make.user(elsewhere, "student")
    make.enrol(outsider, make.school_class(elsewhere, "10A1"))
    admin = make.user(school, "admin")
    for person in (other_teacher, outsider):
        ack = join(connect(person), session_id)
        assert ack["ok"] is False and ack["error"]["code"] == "not_found"
    ack = join(connect(admin), session_id)
    assert ack["ok"] and ack["state"]["me"]["is_teacher"] is True
    ack = join(connect(room.students[1]), session_id)
    assert ack["ok"] and ack["state"]["me"]["is_teacher"] is False
    assert join(connect(room.students[1]), 2**40)["error"]["code"] == "not_found"
