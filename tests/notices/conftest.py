"""A small school for the notices tests: two classes, their teachers, two families (one with
two children), a real SMTP server, and helpers to act as each of them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.models import User
from tests.notifications.conftest import SmtpServer, free_port


@pytest.fixture
def smtp(app):
    """A real SMTP server the app is configured to use."""
    server = SmtpServer(free_port())
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        app.config.update(saved)


@dataclass
class World:
    school: object
    a1: object
    a2: object
    course: object
    course2: object
    lan: User  # teaches Toán 10A1
    minh: User  # homeroom and Văn teacher of 10A2
    admin: User
    an: User  # 10A1
    binh: User  # 10A1
    chi: User  # 10A2, An's sister
    me: User  # parent of An and Chi (e-mail)
    bo: User  # parent of Bình (no e-mail)


@pytest.fixture
def world(make, school, frozen_now) -> World:
    from app.extensions import db

    lan = make.user(school, "teacher", username="gv.lan", full_name="Cô Lan", email="lan@truong.vn")
    minh = make.user(school, "teacher", username="gv.minh", full_name="Thầy Minh")
    admin = make.user(school, "admin", username="qt", full_name="Hiệu phó")
    a1, a2 = make.school_class(school, "10A1"), make.school_class(school, "10A2")
    a2.homeroom_teacher_id = minh.id
    db.session.commit()
    an = make.user(school, "student", username="an", full_name="Nguyễn Văn An", email="an@hs.vn")
    binh = make.user(school, "student", username="binh", full_name="Trần Thị Bình")
    chi = make.user(school, "student", username="chi", full_name="Nguyễn Thị Chi")
    make.enrol(an, a1)
    make.enrol(binh, a1)
    make.enrol(chi, a2)
    me = make.user(school, "parent", username="me", full_name="Mẹ An Chi", email="me@nha.vn")
    bo = make.user(school, "parent", username="bo", full_name="Bố Bình")
    make.link(me, an)
    make.link(me, chi)
    make.link(bo, binh)
    course = make.course(school, a1, lan, "Toán")
    course2 = make.course(school, a2, minh, "Ngữ văn")
    return World(school, a1, a2, course, course2, lan, minh, admin, an, binh, chi, me, bo)
