"""Request ids, structured logs (text or JSON) and the process's Prometheus metrics.

Logs: LOPHOC_LOG_FORMAT=json writes one JSON object per line (time, level, logger, message,
request_id, and for the access line method/path/endpoint/status/duration_ms); `text` (the
default outside tests) writes the same fields as one readable line. Every request gets an id:
the caller's X-Request-ID when it looks like one (nginx's $request_id), else a new one; it is
echoed in the response and carried by every log line written while the request runs.

Metrics use prometheus_client. Under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR
(an empty folder, wiped at each start) before the server starts: each worker then writes its
counters to files there and /metrics adds them up (docs/deploy.md).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def request_id_from(header: str | None) -> str:
    """The caller's id when it is a sane token (no spaces or control characters), else new."""
    if header and _VALID_ID.match(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


_EXTRA_FIELDS = ("method", "path", "endpoint", "status", "duration_ms", "remote_addr")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; non-ASCII kept readable (Vietnamese messages)."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for name in _EXTRA_FIELDS:
            if hasattr(record, name):
                payload[name] = getattr(record, name)
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [f"{n}={getattr(record, n)}" for n in _EXTRA_FIELDS if hasattr(record, n)]
        return f"{line} {' '.join(extras)}" if extras else line


_HANDLER_MARK = "_lophoc_handler"


def configure_logging(fmt: str, level: str = "INFO", stream=None) -> logging.Handler:
    """Install one handler on the root logger (replacing an earlier LopHoc one)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    setattr(handler, _HANDLER_MARK, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler


access_log = logging.getLogger("lophoc.access")


# Prometheus metrics of this process (or of every worker, in multiprocess mode). Created at
# import; prometheus_client reads PROMETHEUS_MULTIPROC_DIR when this module is first imported.
from prometheus_client import Counter, Histogram  # noqa: E402

REQUESTS = Counter(
    "lophoc_http_requests_total",
    "HTTP requests by endpoint (Flask rule), method and status.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "lophoc_http_request_duration_seconds",
    "HTTP request latency by endpoint (Flask rule).",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
JOB_RUNS = Counter(
    "lophoc_worker_step_runs_total",
    "Worker steps run, by step and outcome (ok/error/enqueued).",
    ["step", "outcome"],
)
ANSWER_LANE = Counter(
    "lophoc_answer_lane_total",
    "Answer saves seen by the direct path (app/api/answer_lane.py): written there, or handed "
    "over to the full request path (first save of an attempt, refusals, errors).",
    ["outcome"],
)
