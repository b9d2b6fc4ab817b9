"""The presence list's version: every join and leave counts one more on the session row, and
the list is read with its version in one statement, so that of two lists broadcast by two
processes the client can tell the newer (it keeps the highest version, live.js)."""

from __future__ import annotations

from app.extensions import db
from app.services import live, live_presence


def test_each_join_and_leave_counts_and_the_list_carries_its_version(make, school):
    course, teacher, students = make.gradebook_course(school, students=2)
    session = live.start_session(teacher, course.id)
    first = live_presence.presence(session.id)
    assert first["present"] == []
    live_presence.join(session, teacher.id)
    after_teacher = live_presence.presence(session.id)
    live_presence.join(session, students[0].id)
    after_pupil = live_presence.presence(session.id)
    assert first["version"] < after_teacher["version"] < after_pupil["version"]
    assert {p["id"] for p in after_pupil["present"]} == {teacher.id, students[0].id}
    # a stale list (read before the pupil's join) is told apart by its lower version
    assert after_teacher["version"] < after_pupil["version"]
    assert live_presence.leave(session.id, students[0].id) is True
    after_leave = live_presence.presence(session.id)
    assert after_leave["version"] > after_pupil["version"]
    assert [p["id"] for p in after_leave["present"]] == [teacher.id]
    # a second device: the list does not change, the version may only grow
    live_presence.join(session, teacher.id)
    assert live_presence.presence(session.id)["version"] >= after_leave["version"]
    assert live_presence.present(session.id) == after_leave["present"]


def test_a_leave_without_a_join_releases_the_session_row(make, school):
    course, teacher, students = make.gradebook_course(school, students=1)
    session = live.start_session(teacher, course.id)
    assert live_presence.leave(session.id, students[0].id) is False
    assert not db.session().in_transaction()  # committed: the row lock is not held
