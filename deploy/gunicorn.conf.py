"""gunicorn settings for LopHoc (docs/deploy.md): `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Flask-SocketIO runs in threading mode, so each gunicorn is ONE gthread worker with many threads
(a Socket.IO connection lives in the worker that accepted it); scale out with more gunicorn
processes on more ports (lophoc-web@PORT units) behind nginx's sticky upstream.
Environment: LOPHOC_BIND (127.0.0.1:8001), LOPHOC_THREADS (100), PROMETHEUS_MULTIPROC_DIR.
"""

import os
import tempfile

bind = os.environ.get("LOPHOC_BIND", "127.0.0.1:8001")
worker_class = "gthread"
workers = 1
threads = int(os.environ.get("LOPHOC_THREADS", "100"))
timeout = 120  # a WebSocket is a long request; gthread keeps it on its own thread
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
