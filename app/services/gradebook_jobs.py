"""Background gradebook exports: a job row per request, run outside the request by
`lophoc worker` (or, in development only, a thread of the web process) under a lease."""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import replace
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update

from app.core import storage
from app.core.clock import now_utc
from app.core.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.models import GradeExportJob, User
from app.services import exports
from app.services.access import acting_school_id, can_see_school, require_school_admin
from app.services.gradebook_export import GradeExport, GradeQuery, check_query, school_grades
from app.services.uploads import safe_filename

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
# A job whose worker died this many times (e.g. killed for memory) is failed, not retried.
MAX_ATTEMPTS = 3
# Rows built between two progress updates (each also renews the lease).
CHUNK_ROWS = 5000
PERIOD_NAMES = {"1": "HK1", "2": "HK2", "year": "Cả năm"}


class LeaseLost(Exception):
    """Another worker took the job over (this one was too slow to renew its lease)."""


def start_export(actor: User, school_code: str, query: GradeQuery, fmt: str) -> GradeExportJob:
    """Queue an export of a school's grades (one committed row); it runs in the background.

    The filters are checked now, so a bad year, semester, class, subject or format is refused
    at once and nothing is queued. Raises Forbidden (not a school admin), NotFound (another
    school, unknown year, class or subject), ValidationFailed.
    """
    require_school_admin(actor)
    layout = exports.get_layout(fmt)
    school, resolved = check_query(actor, school_code, query)
    job = GradeExportJob(
        school_id=school.id,
        requested_by_id=actor.id,
        year=resolved.year,
        period=resolved.period,
        class_name=(query.class_name or "").strip() or None,
        subject=(query.subject or "").strip() or None,
        format=layout.name,
    )
    db.session.add(job)
    db.session.commit()
    # Tests run jobs explicitly (run_pending); they never get a stray thread.
    if current_app.config.get("LOPHOC_EXPORT_IN_PROCESS") and not current_app.testing:
        _run_in_thread(current_app._get_current_object())
    return job


def get_job(actor: User, job_id: object, school_code: str | None = None) -> GradeExportJob:
    """A job of the actor's school (admins only); another school's job is NotFound."""
    require_school_admin(actor)
    try:
        job = db.session.get(GradeExportJob, int(job_id))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        job = None
    if (
        job is None
        or not can_see_school(actor, job.school_id)
        or (school_code is not None and job.school.code != school_code)
    ):
        raise NotFound(_("Không có yêu cầu xuất điểm số %(n)s.", n=job_id))
    return job


def recent_jobs(actor: User, limit: int = 10) -> list[GradeExportJob]:
    """The school's latest export jobs, newest first."""
    require_school_admin(actor)
    return list(
        db.session.scalars(
            select(GradeExportJob)
            .where(GradeExportJob.school_id == acting_school_id(actor))
            .order_by(GradeExportJob.id.desc())
            .limit(limit)
        )
    )


def job_file(actor: User, job_id: object, school_code: str | None = None):
    """(job, bytes) of a finished export. Raises NotFound, Conflict while not done."""
    job = get_job(actor, job_id, school_code)
    if job.state != "done" or job.sha256 is None:
        raise Conflict(_("Tệp chưa sẵn sàng: yêu cầu đang ở trạng thái “%(s)s”.", s=job.state))
    return job, storage.get(job.sha256)


def run_pending(limit: int = 5) -> dict:
    """Run up to `limit` queued jobs (and jobs whose worker died) one after the other:
    {"done", "failed"} counts. Each job commits its progress as it goes."""
    counts = {"done": 0, "failed": 0}
    for _n in range(limit):
        claimed = _claim()
        if claimed is None:
            break
        job_id, token = claimed
        state = _run(job_id, token)
        if state in counts:
            counts[state] += 1
    return counts


def _claim() -> tuple[int, str] | None:
    """Take the oldest runnable job with a conditional UPDATE (two workers never both win)."""
    now = now_utc()
    runnable = or_(
        GradeExportJob.state == "queued",
        and_(GradeExportJob.state == "running", GradeExportJob.claimed_until < now),
    )
    candidates = db.session.scalars(
        select(GradeExportJob.id).where(runnable).order_by(GradeExportJob.id).limit(10)
    ).all()
    db.session.commit()
    for job_id in candidates:
        token = str(uuid.uuid4())
        result = db.session.execute(
            update(GradeExportJob)
            .where(GradeExportJob.id == job_id, runnable)
            .values(
                state="running",
                claim_token=token,
                claimed_until=now + LEASE,
                attempts=GradeExportJob.attempts + 1,
                started_at=now,
                progress_done=0,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if result.rowcount != 1:
            continue
        attempts = db.session.scalar(
            select(GradeExportJob.attempts).where(GradeExportJob.id == job_id)
        )
        if attempts > MAX_ATTEMPTS:
            message = _(
                "Tiến trình xuất bị dừng giữa chừng %(n)s lần; hãy thử lọc theo lớp hoặc môn.",
                n=attempts - 1,
            )
            _finish(job_id, token, state="failed", error=message)
            continue
        return job_id, token
    return None


def _run(job_id: int, token: str) -> str | None:
    job = db.session.get(GradeExportJob, job_id)
    db.session.refresh(job)
    try:
        return _build(job, token)
    except LeaseLost:
        db.session.rollback()
        return None
    except DomainError as exc:
        db.session.rollback()
        return _finish(job_id, token, state="failed", error=exc.message)
    except Exception:  # the worker goes on with the next job; the admin sees the failure
        db.session.rollback()
        log.exception("grade export job %s failed", job_id)
        message = _("Lỗi hệ thống khi tạo tệp; hãy báo quản trị hệ thống (nhật ký máy chủ).")
        return _finish(job_id, token, state="failed", error=message)


def _build(job: GradeExportJob, token: str) -> str | None:
    layout = exports.get_layout(job.format)
    code = job.school.code
    job_id = job.id
    query = GradeQuery(job.year, job.period, job.class_name, job.subject)
    first = school_grades(None, code, query, window=(0, CHUNK_ROWS))
    rows, total = list(first.rows), first.total
    _progress(job_id, token, len(rows), total)
    while len(rows) < total:
        page = school_grades(None, code, query, window=(len(rows), len(rows) + CHUNK_ROWS))
        if not page.rows:
            break
        rows.extend(page.rows)
        _progress(job_id, token, len(rows), total)
    export = replace(first, rows=rows, total=len(rows))
    data = layout.render(export)
    return _finish(
        job_id,
        token,
        state="done",
        sha256=storage.put(data),
        size_bytes=len(data),
        rows=len(rows),
        progress_done=len(rows),
        progress_total=len(rows),
        filename=_filename(export, job, layout.extension),
        mime_type=layout.mime_type,
    )


def _filename(export: GradeExport, job: GradeExportJob, extension: str) -> str:
    """A readable Vietnamese name, e.g. "Điểm THPT1 2026-2027 HK1 10A1 Toán (smas).xlsx"."""
    parts = ["Điểm", export.school.code, job.year, PERIOD_NAMES.get(job.period, job.period)]
    parts += [p for p in (job.class_name, job.subject) if p]
    return safe_filename(f"{' '.join(parts)} ({job.format}).{extension}")


def _progress(job_id: int, token: str, done: int, total: int) -> None:
    """Record progress and renew the lease, in its own commit; LeaseLost when taken over."""
    result = db.session.execute(
        update(GradeExportJob)
        .where(GradeExportJob.id == job_id, GradeExportJob.claim_token == token)
        .values(progress_done=done, progress_total=total, claimed_until=now_utc() + LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:
        raise LeaseLost()


def _finish(job_id: int, token: str, **values) -> str | None:
    """End the job if this worker still holds it; the new state, or None (lease lost)."""
    result = db.session.execute(
        update(GradeExportJob)
        .where(GradeExportJob.id == job_id, GradeExportJob.claim_token == token)
        .values(claim_token=None, claimed_until=None, finished_at=now_utc(), **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return values["state"] if result.rowcount == 1 else None


def _run_in_thread(app) -> None:
    """Development fallback (LOPHOC_EXPORT_IN_PROCESS): run the queue in a daemon thread of
    this process. A production server runs `lophoc worker` instead (docs/grade-export.md)."""

    def work() -> None:
        with app.app_context():
            try:
                run_pending()
            finally:
                db.session.remove()

    threading.Thread(target=work, name="grade-export", daemon=True).start()
