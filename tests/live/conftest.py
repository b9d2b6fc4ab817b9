"""Live-room fixtures: a class of students, its course and teacher, API tokens, and
Flask-SocketIO's own test client (the real server code, no network)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.extensions import socketio
from app.models import Course, User
from app.services import identity, live


@dataclass
class Room:
    course: Course
    teacher: User
    students: list[User]

    def start(self):
        return live.start_session(self.teacher, self.course.id)


@pytest.fixture
def room(make, school) -> Room:
    course, teacher, students = make.gradebook_course(school, students=3)
    return Room(course, teacher, students)


def token_for(user: User) -> str:
    return identity.issue_session_token(user, 1).token


@pytest.fixture
def connect(app):
    """connect(user) -> a Socket.IO test client on /live signed in with an API token."""
    clients = []

    def _connect(user: User | None = None, auth: object = None, **kw):
        if user is not None:
            auth = {"token": token_for(user)}
        client = socketio.test_client(app, namespace="/live", auth=auth, **kw)
        clients.append(client)
        return client

    yield _connect
    for client in clients:
        if client.is_connected("/live"):
            client.disconnect("/live")


def events(client, name: str) -> list:
    """The payloads of the `name` events the client received since the last call."""
    return [e["args"][0] for e in client.get_received("/live") if e["name"] == name]
