"""Archiving a finished school year (read-only, 409 on writes) and purging a student's
personal data while the scores stay under an anonymous code."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.core import storage
from app.core.errors import Conflict
from app.extensions import db
from app.models import AuditLog, GradeEntry, ParentLink, Submission, SubmissionFile, User
from app.services import lifecycle
from app.services.school import add_class, ensure_year


@pytest.fixture(autouse=True)
def _fresh_cache():
    lifecycle.forget_archived_cache()
    yield
    lifecycle.forget_archived_cache()


def _cli(app, *args):
    return app.test_cli_runner().invoke(main, list(args))


def _put(client, course, headers, entries):
    return client.put(
        f"/api/v1/courses/{course.id}/gradebook",
        json={"semester": 1, "entries": entries},
        headers=headers,
    )


@pytest.fixture
def past_course(make, school, web):
    """A 2024-2025 class and course (the year is over) with one score entered."""
    year = ensure_year(school, "2024-2025")
    school_class = add_class(None, school, year, "12A1")
    db.session.commit()
    teacher = make.user(school, "teacher", "gv.cu")
    pupil = make.user(school, "student", student_code="HS900", full_name="Nguyễn Văn Cũ")
    make.enrol(pupil, school_class)
    course = make.course(school, school_class, teacher)
    headers = web.bearer("gv.cu")
    entry = {"student_code": "HS900", "column": "tx1", "score": "8,5"}
    assert _put(web.client, course, headers, [entry]).status_code == 200
    return {"course": course, "headers": headers, "year": year, "pupil": pupil}


def test_an_archived_year_is_read_only(app, web, make, school, past_course):
    course, headers = past_course["course"], past_course["headers"]
    result = _cli(app, "years", "archive", "2024-2025", "--school", school.code, "--json")
    assert result.exit_code == 0, result.output

    refused = _put(
        web.client, course, headers, [{"student_code": "HS900", "column": "tx2", "score": 7}]
    )
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "year_archived"
    assert "2024-2025" in error["message"] and "chỉ đọc" in error["message"]
    assert db.session.scalar(select(func.count()).select_from(GradeEntry)) == 1

    read = web.client.get(f"/api/v1/courses/{course.id}/gradebook?semester=1", headers=headers)
    assert read.status_code == 200
    assert read.get_json()["items"][0]["tx"][:2] == ["8.5", None]

    with pytest.raises(Conflict):
        make.assignment(course, "Bài tập năm cũ")
    db.session.rollback()

    # This year's courses are untouched by the archive.
    current, teacher, _pupils = make.gradebook_course(school)
    ok = _put(
        web.client,
        current,
        web.bearer(teacher.username),
        [{"student_code": "HS001", "column": "tx1", "score": 9}],
    )
    assert ok.status_code == 200

    again = _cli(app, "years", "archive", "2024-2025", "--school", school.code)
    assert again.exit_code == 1 and "đã được lưu trữ" in again.output
    logged = db.session.scalar(select(AuditLog).where(AuditLog.action == "school_year.archive"))
    assert logged is not None

    reopened = _cli(
        app,
        "years",
        "unarchive",
        "2024-2025",
        "--school",
        school.code,
        "--reason",
        "Sửa điểm phúc khảo",
    )
    assert reopened.exit_code == 0, reopened.output
    after = _put(
        web.client, course, headers, [{"student_code": "HS900", "column": "tx2", "score": 7}]
    )
    assert after.status_code == 200


def test_a_year_with_an_exam_in_progress_cannot_be_archived(app, school, past_course):
    """The answer save writes with one Core statement the ORM guard does not see; it writes
    only into attempts in progress, so a year is archived only once none is."""
    from datetime import timedelta

    from app.core.clock import now_utc
    from app.models import Attempt, Exam

    course, pupil = past_course["course"], past_course["pupil"]
    exam = Exam(
        school_id=school.id,
        course_id=course.id,
        title="Kiểm tra cuối kỳ",
        opens_at=now_utc() - timedelta(hours=1),
        duration_minutes=45,
    )
    db.session.add(exam)
    db.session.flush()
    attempt = Attempt(
        school_id=school.id,
        exam_id=exam.id,
        student_id=pupil.id,
        seed=7,
        deadline_at=now_utc() + timedelta(minutes=30),
    )
    db.session.add(attempt)
    db.session.commit()

    refused = _cli(app, "years", "archive", "2024-2025", "--school", school.code)
    assert refused.exit_code == 1
    assert "còn 1 bài thi đang làm" in refused.output
    db.session.rollback()
    assert not past_course["year"].is_archived

    attempt.status = "submitted"
    attempt.submitted_at = now_utc()
    db.session.commit()
    archived = _cli(app, "years", "archive", "2024-2025", "--school", school.code)
    assert archived.exit_code == 0, archived.output


def test_an_exam_of_an_archived_year_cannot_be_started(app, web, school, past_course):
    """A new attempt is written by one Core INSERT, which the flush's guard does not see: the
    start asks the guard itself, so the archived year stays read-only."""
    from datetime import timedelta

    from app.core.clock import now_utc
    from app.models import Attempt, Exam

    exam = Exam(
        school_id=school.id,
        course_id=past_course["course"].id,
        title="Kiểm tra bù",
        opens_at=now_utc() - timedelta(hours=1),
        duration_minutes=45,
        is_published=True,
    )
    db.session.add(exam)
    db.session.commit()
    headers = web.bearer(past_course["pupil"].username)
    assert _cli(app, "years", "archive", "2024-2025", "--school", school.code).exit_code == 0

    refused = web.client.post(f"/api/v1/exams/{exam.id}/attempts", json={}, headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "year_archived"
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_the_current_year_cannot_be_archived(app, school):
    from app.services.school import current_year

    year = current_year(school)
    db.session.commit()
    result = _cli(app, "years", "archive", year.name, "--school", school.code)
    assert result.exit_code == 1
    assert "chưa kết thúc" in result.output


def test_purge_erases_personal_data_and_keeps_anonymous_scores(app, web, make, school):
    course, teacher, pupils = make.gradebook_course(school, students=2)
    student, classmate = pupils
    student.email, student.phone = "em@example.edu.vn", "0901234567"
    from datetime import date

    student.date_of_birth = date(2010, 3, 4)
    parent = make.user(school, "parent", "ph.em")
    make.link(parent, student)
    headers = web.bearer(teacher.username)
    entries = [
        {"student_code": p.student_code, "column": "tx1", "score": s}
        for p, s in ((student, "8"), (classmate, "6"))
    ]
    assert _put(web.client, course, headers, entries).status_code == 200
    assignment = make.assignment(course)
    own, shared = storage.put(b"bai lam rieng"), storage.put(b"de bai chung")
    for pupil, digests in ((student, (own, shared)), (classmate, (shared,))):
        submission = Submission(
            school_id=school.id,
            assignment_id=assignment.id,
            student_id=pupil.id,
            text_html="<p>Em tên là Học sinh HS001</p>",
        )
        db.session.add(submission)
        db.session.flush()
        for digest in digests:
            db.session.add(
                SubmissionFile(
                    school_id=school.id,
                    submission_id=submission.id,
                    filename="bai.pdf",
                    mime_type="application/pdf",
                    size_bytes=10,
                    sha256=digest,
                )
            )
    db.session.commit()
    from app.services import audit

    earlier = audit.record(
        None,
        "user.update",
        student,
        {"full_name": ["Học sinh HS001", "Nguyễn Thị A"], "is_active": [True, True]},
    )
    db.session.commit()
    earlier_id = earlier.id
    old_username = student.username
    before = web.client.get(f"/api/v1/courses/{course.id}/gradebook?semester=1", headers=headers)

    result = _cli(
        app,
        "students",
        "purge",
        "HS001",
        "--school",
        school.code,
        "--yes",
        "--reason",
        "Đơn số 12",
        "--json",
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    purged = db.session.get(User, student.id)
    assert purged.full_name != "Học sinh HS001" and "HS001" not in purged.full_name
    assert purged.student_code.startswith("AN-")
    assert (purged.email, purged.phone, purged.date_of_birth) == (None, None, None)
    assert purged.password_hash is None and purged.is_active is False
    assert purged.username == f"purged-{student.id}"
    assert db.session.scalar(select(func.count()).select_from(ParentLink)) == 0
    assert not storage.path_for(own).exists()
    assert storage.path_for(shared).exists()  # the classmate's copy still needs it
    own_sub = db.session.scalar(select(Submission).where(Submission.student_id == student.id))
    assert own_sub.text_html == "" and own_sub.files == []
    assert web.client.post(
        "/api/v1/auth/token", json={"username": old_username, "password": "matkhau123"}
    ).status_code in (401, 403, 422)

    after = web.client.get(f"/api/v1/courses/{course.id}/gradebook?semester=1", headers=headers)
    rows_before = {r["student_code"]: r["tx"] for r in before.get_json()["items"]}
    rows_after = {r["student_code"]: r["tx"] for r in after.get_json()["items"]}
    assert rows_before == {"HS001": ["8", None], "HS002": ["6", None]}
    assert rows_after == {purged.student_code: ["8", None], "HS002": ["6", None]}
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "student.purge"))
    assert entry.entity_id == student.id and entry.reason == "Đơn số 12"
    assert "HS001" not in str(entry.changes) and "Học sinh HS001" not in str(entry.changes)

    scrubbed = db.session.get(AuditLog, earlier_id)
    assert scrubbed.changes["full_name"] == [lifecycle.ERASED, lifecycle.ERASED]
    assert scrubbed.changes["is_active"] == [True, True]

    unknown = _cli(app, "students", "purge", "HS404", "--school", school.code, "--yes")
    assert unknown.exit_code == 1 and "HS404" in unknown.output


def test_purge_works_in_an_archived_year(app, school, past_course):
    assert _cli(app, "years", "archive", "2024-2025", "--school", school.code).exit_code == 0
    result = _cli(app, "students", "purge", "HS900", "--school", school.code, "--yes")
    assert result.exit_code == 0, result.output
    assert db.session.get(User, past_course["pupil"].id).full_name != "Nguyễn Văn Cũ"
