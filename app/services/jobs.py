"""The background job registry that `lophoc worker` runs (docs/deploy.md, "The worker").

A *step* is a module-level function that does one pass of some background work and returns a
small summary (a dict or a number). Steps are idempotent passes over database rows that carry
their own state and lease (mail outbox, grade pushes, expired attempts, export jobs...), so a
worker killed half-way loses nothing: the rows it had leased are taken again when the lease
runs out, by the same worker restarted or by another.

Adding a step (other areas): in your service module

    from app.services import jobs

    @jobs.step("gradebook_exports", every=5)
    def run_exports() -> dict: ...

and add the module's name to STEP_MODULES below (one line). After creating work in a request
(an export row), `jobs.kick("gradebook_exports")` starts it at once on RQ; on the database
queue the worker's next check (at most a second later) does.

Two queues:
- database (default): `lophoc worker` runs every due step itself; a failed step is retried
  after 5, 10, 20 ... seconds (capped at 5 minutes, and at the step's own interval).
- RQ (REDIS_URL set and LOPHOC_QUEUE=rq): the worker enqueues each due step as an RQ job
  (one job per step at a time, job id "lophoc-step-NAME"), with RQ's retries, and works the
  queue; more consumers can be started with `lophoc jobs consume`.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

from app.core.errors import DomainError
from app.core.observability import JOB_RUNS
from app.extensions import db

log = logging.getLogger("lophoc.worker")

# Modules whose import registers steps with @jobs.step (one line per area).
STEP_MODULES: list[str] = [
    "app.services.jobs_builtin",
]

QUEUE_NAME = "lophoc"
RQ_RETRIES = 3
RETRY_BASE_SECONDS = 5.0
RETRY_CAP_SECONDS = 300.0


@dataclass
class Step:
    name: str
    func: Callable[[], object]
    every: float
    enabled: Callable[[], bool] | None = None

    def is_enabled(self) -> bool:
        return self.enabled is None or bool(self.enabled())


_STEPS: dict[str, Step] = {}


def step(name: str, every: float = 60.0, enabled: Callable[[], bool] | None = None):
    """Register the decorated function as the background step `name`, due every `every` s.
    `enabled` (optional) is asked before each run: a step whose feature is not configured
    (no SIS_PUSH_URL) is skipped, not failed."""

    def decorator(func: Callable[[], object]):
        _STEPS[name] = Step(name, func, float(every), enabled)
        return func

    return decorator


def steps() -> dict[str, Step]:
    for module in STEP_MODULES:
        importlib.import_module(module)
    return dict(_STEPS)


def get_step(name: str) -> Step:
    registered = steps()
    if name not in registered:
        raise KeyError(f"no background step named {name!r} (known: {', '.join(registered)})")
    return registered[name]


def queue_mode() -> str:
    """ "rq" when REDIS_URL and LOPHOC_QUEUE=rq are both set, else "db"."""
    config = current_app.config
    wanted = (config.get("LOPHOC_QUEUE") or "").strip().lower()
    return "rq" if wanted == "rq" and config.get("REDIS_URL") else "db"


def _summary(result: object) -> object:
    if hasattr(result, "as_dict"):
        return result.as_dict()
    return result


def run_now(name: str) -> object:
    """Run one step in this process; an exception rolls back and propagates."""
    selected = get_step(name)
    try:
        result = _summary(selected.func())
        db.session.commit()
    except Exception:
        db.session.rollback()
        JOB_RUNS.labels(name, "error").inc()
        raise
    JOB_RUNS.labels(name, "ok").inc()
    return result


def run_step(name: str) -> object:
    """The RQ job: run step `name` in an app context (a plain `rq worker` gets one made)."""
    from flask import has_app_context

    if has_app_context():
        return run_now(name)
    from app import create_app

    with create_app().app_context():
        return run_now(name)


# --- RQ ---------------------------------------------------------------------------------


def redis_connection():
    import redis

    return redis.Redis.from_url(current_app.config["REDIS_URL"])


def rq_queue(connection=None, name: str | None = None):
    from rq import Queue

    return Queue(
        name or current_app.config.get("LOPHOC_QUEUE_NAME") or QUEUE_NAME,
        connection=connection or redis_connection(),
    )


def job_id(name: str) -> str:
    return f"lophoc-step-{name}"


def enqueue(name: str, queue=None) -> bool:
    """Put step `name` on the RQ queue unless its job is already waiting or running.
    Returns whether a job was enqueued."""
    from rq import Retry
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    get_step(name)  # unknown names fail here, not in the consumer
    queue = queue or rq_queue()
    try:
        existing = Job.fetch(job_id(name), connection=queue.connection)
        status = existing.get_status(refresh=True)
    except NoSuchJobError:
        status = None
    busy = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
    if status in busy:
        return False
    queue.enqueue(
        run_step,
        name,
        job_id=job_id(name),
        retry=Retry(max=RQ_RETRIES),
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
        description=f"lophoc step {name}",
    )
    JOB_RUNS.labels(name, "enqueued").inc()
    return True


def kick(name: str) -> None:
    """Start step `name` soon: enqueue it on RQ, or (database queue) nothing: the worker
    checks for due work every second and the step's rows are already committed."""
    if queue_mode() == "rq":
        try:
            enqueue(name)
        except Exception:  # Redis down: the worker's schedule still picks the rows up
            log.warning("could not enqueue step %s; the worker will run it", name, exc_info=True)


def consume(queue=None, burst: bool = False) -> None:
    """Work the RQ queue in this process (no fork: the app context and its engine stay)."""
    from rq import SimpleWorker

    queue = queue or rq_queue()
    worker = SimpleWorker([queue], connection=queue.connection)
    worker.work(burst=burst, logging_level="WARNING")


# --- the worker loop --------------------------------------------------------------------


@dataclass
class Runner:
    """Decides which steps are due; runs them (database queue) or enqueues them (RQ)."""

    mode: str = "db"
    queue: object = None
    only: set[str] | None = None
    clock: Callable[[], float] = time.monotonic
    next_due: dict[str, float] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)

    def due(self, now: float) -> list[Step]:
        return [
            s
            for s in steps().values()
            if (self.only is None or s.name in self.only) and self.next_due.get(s.name, 0) <= now
        ]

    def tick(self) -> dict[str, object]:
        """One pass over the due steps; returns {step: summary or {"error": ...}}."""
        outcomes: dict[str, object] = {}
        for selected in self.due(self.clock()):
            if not selected.is_enabled():
                self.next_due[selected.name] = self.clock() + selected.every
                continue
            outcomes[selected.name] = self._run(selected)
        return outcomes

    def _run(self, selected: Step) -> object:
        name = selected.name
        if self.mode == "rq":
            try:
                outcome: object = {"enqueued": enqueue(name, self.queue)}
            except Exception as exc:  # Redis unreachable: try again soon, run nothing twice
                outcome = {"error": f"{type(exc).__name__}: {exc}"}
                log.warning("step %s: could not enqueue: %s", name, exc)
                self._retry_later(selected)
                return outcome
            self.next_due[name] = self.clock() + selected.every
            return outcome
        try:
            outcome = run_now(name)
        except DomainError as exc:  # e.g. not configured: a message, not a traceback
            log.warning("step %s: %s", name, exc.message)
            self._retry_later(selected)
            return {"error": exc.message}
        except Exception as exc:
            log.exception("step %s failed", name)
            self._retry_later(selected)
            return {"error": f"{type(exc).__name__}: {exc}"}
        self.failures.pop(name, None)
        self.next_due[name] = self.clock() + selected.every
        return outcome

    def _retry_later(self, selected: Step) -> None:
        failures = self.failures.get(selected.name, 0) + 1
        self.failures[selected.name] = failures
        wait = min(RETRY_BASE_SECONDS * 2 ** (failures - 1), RETRY_CAP_SECONDS, selected.every)
        self.next_due[selected.name] = self.clock() + wait
