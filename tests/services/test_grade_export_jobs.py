"""Background gradebook exports: queued in one transaction, run by the worker with progress,
crash-safe through the lease, bad input refused before anything is queued."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.cli import main
from app.core import clock
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import GradeExportJob
from app.services import exports, gradebook_jobs
from app.services.gradebook_export import GradeQuery, school_grades
from app.services.school import current_year


@pytest.fixture
def graded(make, school, frozen_now):
    course, _teacher, (one, two, _three) = make.gradebook_course(school)
    make.scores(course, one, 1, ["8", "7", "9"], "7,5", "8")  # 7.9
    make.scores(course, two, 1, ["9"], "8", "8")  # incomplete
    admin = make.user(school, "admin", username="qt")
    return school, admin


def _query(school, period="1", **kw):
    return GradeQuery(current_year(school).name, period, **kw)


def _jobs() -> int:
    return db.session.scalar(select(func.count()).select_from(GradeExportJob))


def _fresh(job_id: int) -> GradeExportJob:
    db.session.expire_all()
    return db.session.get(GradeExportJob, job_id)


def test_start_queues_one_job_and_the_worker_writes_the_file(graded):
    school, admin = graded
    job = gradebook_jobs.start_export(admin, school.code, _query(school), "xlsx")
    assert (job.state, job.year, job.period, job.requested_by_id) == (
        "queued",
        current_year(school).name,
        "1",
        admin.id,
    )
    assert gradebook_jobs.run_pending() == {"done": 1, "failed": 0}
    done = _fresh(job.id)
    assert done.state == "done" and done.rows == 3
    assert (done.progress_done, done.progress_total) == (3, 3)
    assert done.filename == f"Điểm THPT1 {done.year} HK1 (xlsx).xlsx"
    _job, data = gradebook_jobs.job_file(admin, job.id)
    sheet = load_workbook(io.BytesIO(data)).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == [r.student_code for r in school_grades(None, "THPT1", _query(school)).rows]
    assert gradebook_jobs.run_pending() == {"done": 0, "failed": 0}  # nothing left to run


def test_a_file_built_in_small_chunks_equals_the_direct_export(graded, monkeypatch):
    school, admin = graded
    monkeypatch.setattr(gradebook_jobs, "CHUNK_ROWS", 1)
    job = gradebook_jobs.start_export(admin, school.code, _query(school), "csv")
    gradebook_jobs.run_pending()
    _job, data = gradebook_jobs.job_file(admin, job.id)
    direct = exports.get_layout("csv").render(school_grades(None, "THPT1", _query(school)))
    assert data == direct


@pytest.mark.parametrize(
    ("query", "fmt", "error"),
    [
        ({"class_name": "12Z9"}, "xlsx", NotFound),
        ({}, "pdf", ValidationFailed),
        ({"period": "3"}, "xlsx", ValidationFailed),
    ],
)
def test_bad_filters_are_refused_and_nothing_is_queued(graded, query, fmt, error):
    school, admin = graded
    period = query.pop("period", "1")
    with pytest.raises(error):
        gradebook_jobs.start_export(admin, school.code, _query(school, period, **query), fmt)
    assert _jobs() == 0


def test_a_teacher_cannot_start_an_export_and_another_school_cannot_see_it(graded, make):
    school, admin = graded
    teacher = make.user(school, "teacher", username="gv2")
    with pytest.raises(Forbidden):
        gradebook_jobs.start_export(teacher, school.code, _query(school), "xlsx")
    job = gradebook_jobs.start_export(admin, school.code, _query(school), "xlsx")
    other = make.school("THPT2", "Trường khác")
    stranger = make.user(other, "admin", username="qt2")
    with pytest.raises(NotFound):
        gradebook_jobs.get_job(stranger, job.id)
    with pytest.raises(NotFound):
        gradebook_jobs.start_export(stranger, school.code, _query(school), "xlsx")


def test_the_file_of_an_unfinished_job_is_a_conflict(graded):
    school, admin = graded
    job = gradebook_jobs.start_export(admin, school.code, _query(school), "xlsx")
    with pytest.raises(Conflict):
        gradebook_jobs.job_file(admin, job.id)


def test_a_job_whose_worker_died_is_taken_up_after_the_lease(graded, frozen_now):
    school, admin = graded
    job = gradebook_jobs.start_export(admin, school.code, _query(school), "vnedu")
    claimed = gradebook_jobs._claim()  # worker A takes the job, then dies
    assert claimed is not None and claimed[0] == job.id
    assert _fresh(job.id).state == "running"
    assert gradebook_jobs.run_pending() == {"done": 0, "failed": 0}  # lease still held
    clock.freeze(frozen_now + gradebook_jobs.LEASE + timedelta(seconds=1))
    assert gradebook_jobs.run_pending() == {"done": 1, "failed": 0}
    done = _fresh(job.id)
    assert done.state == "done" and done.attempts == 2
    # Worker A comes back late: its lease is gone, it can neither report nor finish.
    with pytest.raises(gradebook_jobs.LeaseLost):
        gradebook_jobs._progress(job.id, claimed[1], 0, 3)
    assert gradebook_jobs._finish(job.id, claimed[1], state="failed", error="x") is None
    assert _fresh(job.id).state == "done"


def test_a_job_that_kills_its_worker_every_time_is_failed(graded, frozen_now):
    school, admin = graded
    job = gradebook_jobs.start_export(admin, school.code, _query(school), "xlsx")
    at = frozen_now
    for _n in range(gradebook_jobs.MAX_ATTEMPTS):
        assert gradebook_jobs._claim() is not None
        at += gradebook_jobs.LEASE + timedelta(seconds=1)
        clock.freeze(at)
    assert gradebook_jobs.run_pending() == {"done": 0, "failed": 0}
    failed = _fresh(job.id)
    assert failed.state == "failed" and "dừng giữa chừng" in failed.error


def test_worker_command_runs_a_job_left_by_a_dead_worker(app, graded, frozen_now, monkeypatch):
    school, admin = graded
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")  # mail step: nothing queued
    job = gradebook_jobs.start_export(admin, school.code, _query(school), "smas")
    gradebook_jobs._claim()
    clock.freeze(frozen_now + timedelta(minutes=6))
    result = app.test_cli_runner().invoke(main, ["worker", "--every", "0", "--json"])
    assert result.exit_code == 0, result.output
    assert '"grade_exports": {"done": 1, "failed": 0}' in result.output
    assert _fresh(job.id).state == "done"


def test_without_a_worker_development_runs_the_job_in_a_thread(app, graded, monkeypatch):
    school, admin = graded
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setitem(app.config, "LOPHOC_EXPORT_IN_PROCESS", True)
    job = gradebook_jobs.start_export(admin, school.code, _query(school), "oneroster")
    deadline = time.monotonic() + 20
    while _fresh(job.id).state in ("queued", "running") and time.monotonic() < deadline:
        db.session.commit()
        time.sleep(0.1)
    assert _fresh(job.id).state == "done"
