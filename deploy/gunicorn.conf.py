"""gunicorn settings for LopHoc (docs/deploy.md): `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

ONE worker per gunicorn (a Socket.IO connection lives in the worker that accepted it); scale out
with more gunicorn processes on more ports (lophoc-web@PORT units) behind nginx's sticky
upstream. The worker class:
- gevent on PostgreSQL (the default there): one greenlet per connection. Every open exam page
  and live-classroom page holds a WebSocket for as long as it is open; under gthread each holds
  one of the worker's threads, and once they are all taken the process stops answering HTTP at
  all (answer saves included) - with 100 threads, 100 students' pages would do it.
- gthread with SQLite (gevent cannot be used there: SQLite's calls block the event loop):
  LOPHOC_THREADS threads, so at most that many open pages per process; a lab server's size.
Environment: LOPHOC_BIND (127.0.0.1:8001), LOPHOC_WORKER_CLASS (gevent | gthread, default by
the database), LOPHOC_THREADS (100, gthread), LOPHOC_WORKER_CONNECTIONS (10000, gevent),
PROMETHEUS_MULTIPROC_DIR.
"""

import os
import tempfile

bind = os.environ.get("LOPHOC_BIND", "127.0.0.1:8001")
_on_postgresql = os.environ.get("DATABASE_URL", "").startswith("postgresql")
worker_class = os.environ.get("LOPHOC_WORKER_CLASS") or ("gevent" if _on_postgresql else "gthread")
workers = 1
threads = int(os.environ.get("LOPHOC_THREADS", "100"))
worker_connections = int(os.environ.get("LOPHOC_WORKER_CONNECTIONS", "10000"))
timeout = 120  # the worker heartbeat; a WebSocket is a long request (its own thread or greenlet)
graceful_timeout = 30
keepalive = 75  # above nginx's upstream keepalive_timeout (60 s)
accesslog = None  # LopHoc logs every request itself (lophoc.access, with the request id)
errorlog = "-"
forwarded_allow_ips = "127.0.0.1"
# gunicorn's control socket, one per process (several units share the lophoc user's home).
control_socket = os.path.join(
    os.environ.get("RUNTIME_DIRECTORY") or tempfile.gettempdir(),
    f"gunicorn-{bind.rsplit(':', 1)[-1]}.ctl",
)


def child_exit(server, worker):
    """Prometheus multiprocess mode: forget a dead worker's live gauges (counters stay)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
