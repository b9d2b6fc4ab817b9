"""Test harness: one migrated database per run (SQLite, or PostgreSQL when TEST_DATABASE_URL is
set), emptied after each test; factories for schools and people; a frozen clock."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app
from app.core import clock
from app.core.security import hash_password
from app.extensions import db, limiter
from app.models import ClassMembership, ParentLink, School, User
from app.services import exam_answers
from app.services.school import add_class, current_year, ensure_subject

# One definition of the browser fixtures for every folder (tests/browser, notices, security).
pytest_plugins = ["tests.browser_fixtures"]

PASSWORD = "matkhau123"
FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"


def _database_url(tmp_dir: str) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir}/test.sqlite3"


@pytest.fixture(scope="session")
def _app():
    with tempfile.TemporaryDirectory() as tmp_dir:
        url = _database_url(tmp_dir)
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret",
                "SQLALCHEMY_DATABASE_URI": url,
                "LOPHOC_STORAGE_DIR": f"{tmp_dir}/storage",
                "LOGIN_RATE_LIMIT": "1000 per minute",
                "SERVER_NAME": None,
            }
        )
        with app.app_context():
            _reset_schema()
            from flask_migrate import upgrade

            upgrade()
        yield app
        with app.app_context():
            db.engine.dispose()


def _reset_schema() -> None:
    """Start each run from an empty database, whatever an earlier run left behind."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - our own table names


@pytest.fixture
def app(_app):
    """The app with an empty, migrated database and a fresh rate limiter (pytest-flask)."""
    ctx = _app.app_context()
    ctx.push()
    limiter.reset()
    try:
        yield _app
    finally:
        db.session.remove()
        _empty_tables()
        exam_answers.reset_caches()
        clock.freeze(None)
        ctx.pop()


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """The shared real-world files (../shared/fixtures); tests needing them skip without."""
    if not FIXTURES.is_dir():
        pytest.skip(f"shared fixtures not found at {FIXTURES}")
    return FIXTURES


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def frozen_now(app):
    """Freeze the clock at 22/11/2026 08:00 Hanoi time (01:00 UTC)."""
    at = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    clock.freeze(at)
    return at


class Factory:
    """Builds schools and people with the standard test password."""

    def __init__(self, password_hash: str):
        self.password_hash = password_hash
        self._n = 0

    def school(self, code: str = "THPT1", name: str = "Trường THPT Số 1") -> School:
        school = School(code=code, name=name)
        db.session.add(school)
        db.session.flush()
        current_year(school)
        db.session.commit()
        return school

    def user(
        self,
        school: School | None,
        role: str = "student",
        username: str | None = None,
        full_name: str | None = None,
        **fields,
    ) -> User:
        self._n += 1
        username = username or f"{role}{self._n}"
        if role == "student":
            fields.setdefault("student_code", f"HS{self._n:05d}")
        fields.setdefault("password_hash", self.password_hash)
        user = User(
            school_id=school.id if school else None,
            username=username,
            role=role,
            full_name=full_name or f"Người dùng {self._n}",
            **fields,
        )
        from app.services.identity import search_text_for

        user.search_text = search_text_for(user)
        db.session.add(user)
        db.session.commit()
        return user

    def school_class(self, school: School, name: str = "10A1"):
        school_class = add_class(None, school, current_year(school), name)
        db.session.commit()
        return school_class

    def enrol(self, student: User, school_class) -> None:
        db.session.add(
            ClassMembership(
                school_id=student.school_id, class_id=school_class.id, student_id=student.id
            )
        )
        db.session.commit()

    def link(self, parent: User, student: User) -> None:
        db.session.add(
            ParentLink(school_id=student.school_id, parent_id=parent.id, student_id=student.id)
        )
        db.session.commit()

    def course(self, school: School, school_class, teacher: User, subject: str = "Toán"):
        from app.models import Course

        course = Course(
            school_id=school.id,
            school_year_id=school_class.school_year_id,
            class_id=school_class.id,
            subject_id=ensure_subject(school, subject).id,
            teacher_id=teacher.id,
        )
        db.session.add(course)
        db.session.commit()
        return course

    def gradebook_course(self, school: School, subject: str = "Toán", students: int = 3, **kw):
        """A class with `students` students (codes HS001...), its teacher and one course."""
        teacher = self.user(school, "teacher", username=kw.get("teacher", "gv.toan"))
        school_class = self.school_class(school, kw.get("class_name", "10A1"))
        pupils = []
        for i in range(1, students + 1):
            code = f"{kw.get('prefix', 'HS')}{i:03d}"
            pupil = self.user(school, "student", student_code=code, full_name=f"Học sinh {code}")
            self.enrol(pupil, school_class)
            pupils.append(pupil)
        course = self.course(school, school_class, teacher, subject)
        return course, teacher, pupils

    def scores(self, course, student, semester: int, tx, gk=None, ck=None) -> None:
        """Enter a student's semester scores through the gradebook service, as the system."""
        from app.services.gradebook import record_score

        for i, value in enumerate(tx, start=1):
            record_score(None, course.id, student.id, f"tx{i}", value, semester=semester)
        for column, value in (("gk", gk), ("ck", ck)):
            if value is not None:
                record_score(None, course.id, student.id, column, value, semester=semester)

    def section(self, course, title: str = "Chủ đề 1: Hàm số", week: int | None = 1):
        from app.models import CourseSection

        section = CourseSection(
            school_id=course.school_id, course_id=course.id, position=1, title=title, week=week
        )
        db.session.add(section)
        db.session.commit()
        return section

    def lesson(self, section, title: str = "Bài 1. Hàm số bậc nhất", body_html: str = "<p>x</p>"):
        from app.models import Lesson

        lesson = Lesson(
            school_id=section.school_id,
            section_id=section.id,
            course_id=section.course_id,
            position=1,
            title=title,
            body_html=body_html,
        )
        db.session.add(lesson)
        db.session.commit()
        return lesson

    def assignment(self, course, title: str = "Bài tập 1", **fields):
        from datetime import timedelta

        from app.core.clock import now_utc
        from app.models import Assignment

        fields.setdefault("opens_at", now_utc() - timedelta(hours=1))
        fields.setdefault("due_at", now_utc() + timedelta(days=2))
        assignment = Assignment(
            school_id=course.school_id, course_id=course.id, title=title, **fields
        )
        db.session.add(assignment)
        db.session.commit()
        return assignment


@pytest.fixture
def make(app, password_hash) -> Factory:
    return Factory(password_hash)


@pytest.fixture
def school(make) -> School:
    return make.school()


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browserless:
    """Form and API helpers that behave as the browser and API clients do."""

    def __init__(self, client):
        self.client = client

    def csrf(self, path: str = "/login") -> str:
        """The CSRF token a page hands out; forms are posted with it, as a browser would."""
        html = self.client.get(path).get_data(as_text=True)
        match = CSRF_RE.search(html)
        assert match, f"no CSRF token on {path}"
        return match[1]

    def login(self, username: str, password: str = PASSWORD):
        token = self.csrf("/login")
        return self.client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )

    def post_form(self, path: str, data: dict | None = None, token_page: str = "/profile", **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf(token_page))
        return self.client.post(path, data=data, **kw)

    def bearer(self, username: str, password: str = PASSWORD) -> dict:
        response = self.client.post(
            "/api/v1/auth/token", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.fixture
def web(client) -> Browserless:
    return Browserless(client)


@pytest.fixture
def other_browser(app) -> Browserless:
    """A second, independent browser (its own cookies)."""
    return Browserless(app.test_client())
