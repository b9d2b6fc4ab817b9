"""A real SMTP server (aiosmtpd) on a local port, started and stopped by the tests."""

from __future__ import annotations

import email
import socket
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """Collects every message the SMTP server accepted, parsed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=default_policy)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """A real SMTP server that can be taken down and brought up again on the same port."""

    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    """An SMTP server the app is configured to use (MAIL_SERVER/MAIL_PORT); down at the start
    only when the test says so (`smtp.stop()` / `smtp.start()`)."""
    server = SmtpServer(free_port())
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        app.config.update(saved)


@pytest.fixture
def family(make, school, frozen_now):
    """A course of 10A1 with two students; the first has an e-mail and a parent with one,
    the second no e-mail and a parent without one."""
    teacher = make.user(school, "teacher", username="gv", full_name="Cô Lan", email="lan@truong.vn")
    klass = make.school_class(school, "10A1")
    an = make.user(school, "student", username="an", full_name="Nguyễn Văn An", email="an@hs.vn")
    binh = make.user(school, "student", username="binh", full_name="Trần Thị Bình")
    for pupil in (an, binh):
        make.enrol(pupil, klass)
    mother = make.user(school, "parent", username="me.an", full_name="Mẹ An", email="me@nha.vn")
    father = make.user(school, "parent", username="bo.binh", full_name="Bố Bình")
    make.link(mother, an)
    make.link(father, binh)
    course = make.course(school, klass, teacher)
    return {
        "course": course,
        "teacher": teacher,
        "an": an,
        "binh": binh,
        "mother": mother,
        "father": father,
    }
