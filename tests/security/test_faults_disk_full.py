"""Fault: the disk fills up during an upload. The storage write fails with ENOSPC after half
the bytes are on disk; the user gets a clean Vietnamese message with 507, no row is kept and
no partial file is left in the store (lesson file, homework attachment, submission, API)."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core import storage
from app.extensions import db
from app.models import AssignmentFile, LessonFile, StoredBlob, Submission, SubmissionFile

pytestmark = pytest.mark.security

PDF = b"%PDF-1.4\n" + b"x" * 4096 + b"\n%%EOF\n"
FULL_MESSAGE = "Máy chủ hết chỗ lưu tệp"


class _FillsUp(io.FileIO):
    """A real file whose write puts half the bytes on disk, then fails as a full disk does."""

    def write(self, data):
        super().write(bytes(data)[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def disk_full(monkeypatch):
    real_fdopen = os.fdopen
    calls = []

    def fdopen(fd, mode="r", *args, **kwargs):
        if "w" in mode:
            calls.append(fd)
            return _FillsUp(fd, "wb", closefd=True)
        return real_fdopen(fd, mode, *args, **kwargs)

    monkeypatch.setattr(storage.os, "fdopen", fdopen)
    return calls


def _files() -> list[Path]:
    top = storage.root()
    return [p for p in top.rglob("*") if p.is_file()] if top.exists() else []


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _setup(make, school):
    teacher = make.user(school, "teacher", username="gv")
    klass = make.school_class(school, "10A1")
    make.enrol(make.user(school, "student", username="hs"), klass)
    course = make.course(school, klass, teacher)
    return course, make.lesson(make.section(course)), make.assignment(course)


def _refused_cleanly(response, before, disk_full):
    assert disk_full, "the upload never reached the storage write"
    assert response.status_code == 507
    assert FULL_MESSAGE in response.get_data(as_text=True)
    db.session.rollback()
    assert _count(StoredBlob) == 0
    assert set(_files()) == set(before)  # no temporary file, no half-written blob


def test_a_lesson_file_on_a_full_disk(web, make, school, disk_full):
    course, lesson, _assignment = _setup(make, school)
    web.login("gv")
    before = _files()
    response = web.post_form(
        f"/courses/{course.id}/lessons/{lesson.id}/files",
        {"file": (io.BytesIO(PDF), "Đề cương.pdf")},
        content_type="multipart/form-data",
    )
    _refused_cleanly(response, before, disk_full)
    assert _count(LessonFile) == 0


def test_a_homework_attachment_on_a_full_disk(web, make, school, disk_full, frozen_now):
    _course, _lesson, assignment = _setup(make, school)
    web.login("gv")
    before = _files()
    response = web.post_form(
        f"/homework/{assignment.id}/attachments",
        {"file": (io.BytesIO(PDF), "Đề bài.pdf")},
        content_type="multipart/form-data",
    )
    _refused_cleanly(response, before, disk_full)
    assert _count(AssignmentFile) == 0


def test_a_submission_on_a_full_disk(web, make, school, disk_full, frozen_now):
    _course, _lesson, assignment = _setup(make, school)
    web.login("hs")
    before = _files()
    response = web.post_form(
        f"/homework/{assignment.id}/submit",
        {"text": "Lời giải", "files": (io.BytesIO(PDF), "Bài làm.pdf")},
        content_type="multipart/form-data",
    )
    _refused_cleanly(response, before, disk_full)
    assert _count(SubmissionFile) == 0
    assert _count(Submission) == 0  # the text is not kept without its file: one transaction


def test_the_upload_works_again_once_there_is_room(web, make, school, monkeypatch):
    course, lesson, _assignment = _setup(make, school)
    web.login("gv")
    url = f"/courses/{course.id}/lessons/{lesson.id}/files"
    real_fdopen, before = os.fdopen, set(_files())
    monkeypatch.setattr(
        storage.os, "fdopen", lambda fd, mode="r", *a, **k: _FillsUp(fd, "wb", closefd=True)
    )
    form = {"file": (io.BytesIO(PDF), "Đề cương.pdf")}
    assert web.post_form(url, form, content_type="multipart/form-data").status_code == 507
    monkeypatch.setattr(storage.os, "fdopen", real_fdopen)
    form = {"file": (io.BytesIO(PDF), "Đề cương.pdf")}
    assert web.post_form(url, form, content_type="multipart/form-data").status_code == 302
    row = db.session.scalar(select(LessonFile))
    assert storage.read_named(db.session.scalar(select(StoredBlob.storage_name))) == PDF
    assert row.size_bytes == len(PDF) and len(set(_files()) - before) == 1
