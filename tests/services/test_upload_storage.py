"""Uploaded bytes live outside the web root under random names: never the user's file name nor
the content digest; the same bytes are stored once per school; rows from before random names
still download; downloads stay access-checked attachments with nosniff."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from sqlalchemy import select

from app.core import storage
from app.extensions import db
from app.models import LessonFile, StoredBlob
from app.services import courses, homework, homework_files, homework_records
from app.services.uploads import read_blob, store_blob

PDF = "%PDF-1.4\nPhiếu học tập\n".encode()
NAME = "Phiếu học tập tuần 1.pdf"


def _files_on_disk() -> list[Path]:
    return [p for p in storage.root().rglob("*") if p.is_file()]


def test_a_stored_upload_gets_a_random_name_not_its_digest_nor_its_file_name(app, make, school):
    teacher = make.user(school, "teacher")
    course = make.course(school, make.school_class(school), teacher)
    lesson = make.lesson(make.section(course))
    row = courses.attach_file(teacher, lesson.id, NAME, PDF)
    blob = db.session.scalar(select(StoredBlob))
    assert row.sha256 == blob.sha256 == hashlib.sha256(PDF).hexdigest()
    assert len(blob.storage_name) == 32 and blob.storage_name not in blob.sha256
    path = storage.named_path(blob.storage_name)
    assert path.read_bytes() == PDF
    assert not storage.path_for(blob.sha256).exists()
    assert all(blob.sha256 not in p.name and "Phiếu" not in p.name for p in _files_on_disk())
    assert not str(path).startswith(str(Path(app.static_folder)))
    assert read_blob(school.id, row.sha256) == PDF


def test_random_names_differ_and_the_same_bytes_are_stored_once_per_school(app, make, school):
    other = make.school("THPT2", "Trường khác")
    before = set(_files_on_disk())
    first, second = store_blob(school.id, PDF), store_blob(school.id, PDF)
    store_blob(school.id, b"%PDF-1.4\nkhac\n")
    store_blob(other.id, PDF)
    db.session.commit()
    assert first == second
    blobs = db.session.scalars(select(StoredBlob).order_by(StoredBlob.id)).all()
    assert [(b.school_id, b.size_bytes) for b in blobs] == [
        (school.id, len(PDF)),
        (school.id, 14),
        (other.id, len(PDF)),
    ]
    assert len({b.storage_name for b in blobs}) == 3
    assert set(_files_on_disk()) - before == {storage.named_path(b.storage_name) for b in blobs}


def test_a_lost_file_is_written_again_when_the_same_bytes_come_back(app, make, school):
    digest = store_blob(school.id, PDF)
    db.session.commit()
    name = db.session.scalar(select(StoredBlob.storage_name))
    storage.named_path(name).unlink()
    assert store_blob(school.id, PDF) == digest
    assert storage.read_named(name) == PDF


def test_a_file_stored_before_random_names_still_downloads(web, make, school):
    teacher = make.user(school, "teacher", username="gv")
    course = make.course(school, make.school_class(school), teacher)
    lesson = make.lesson(make.section(course))
    legacy = LessonFile(
        school_id=school.id,
        lesson_id=lesson.id,
        filename=NAME,
        mime_type="application/pdf",
        size_bytes=len(PDF),
        sha256=storage.put(PDF),  # the old digest-named layout, no stored_blobs row
    )
    db.session.add(legacy)
    db.session.commit()
    web.login("gv")
    response = web.client.get(f"/courses/files/{legacy.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_submission_and_attachment_bytes_use_random_names_and_stay_access_checked(
    web, other_browser, make, school
):
    teacher = make.user(school, "teacher", username="gv")
    klass = make.school_class(school)
    student = make.user(school, "student", username="hs")
    make.enrol(student, klass)
    make.enrol(make.user(school, "student", username="hs.khac"), klass)
    course = make.course(school, klass, teacher)
    assignment = make.assignment(course)
    homework_files.attach(teacher, assignment.id, "Đề bài.pdf", PDF)
    submission = homework.submit(student, assignment.id, "", [("Bài làm của em.pdf", PDF)])
    assert db.session.scalar(
        select(StoredBlob.id).where(StoredBlob.sha256 == submission.files[0].sha256)
    )
    assert len(db.session.scalars(select(StoredBlob)).all()) == 1  # same bytes, one copy
    file_url = f"/homework/files/{submission.files[0].id}"
    other_browser.login("hs.khac")
    assert other_browser.client.get(file_url).status_code == 404
    web.login("hs")
    response = web.client.get(file_url)
    assert response.status_code == 200 and response.data == PDF
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    _name, data = homework_records.submissions_zip(teacher, assignment.id)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert [z.read(n) for n in z.namelist()] == [PDF]
