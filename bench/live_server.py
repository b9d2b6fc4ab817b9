"""Serve LopHoc (HTTP + Socket.IO, WebSocket via simple-websocket) on one port: one server
process of the scale-out test and of bench/live_room.py. Configuration from the environment as
in production (DATABASE_URL, REDIS_URL, SECRET_KEY, LOPHOC_SOCKETIO_CHANNEL).

    python bench/live_server.py --port 5001                      # threading (Werkzeug)
    python bench/live_server.py --port 5001 --async-mode gevent  # gevent under gunicorn's
        # gevent worker, exactly the production set-up of docs/deploy.md (gevent's own pywsgi
        # server when gunicorn is not installed, or with --server pywsgi)

gevent must patch the standard library before anything else is imported (psycopg picks its
waiting strategy, and redis-py its sockets, at import): gunicorn's gevent worker does it before
it loads the app; for pywsgi it is done up here, before any other import.
"""

from __future__ import annotations

import importlib.util
import sys


def _wanted(option: str, default: str) -> str:
    argv = " ".join(sys.argv[1:]).replace("=", " ").split()
    return argv[argv.index(option) + 1] if option in argv[:-1] else default


_MODE = _wanted("--async-mode", "threading")
_SERVER = _wanted("--server", "auto")
if _SERVER == "auto":
    _SERVER = {"threading": "werkzeug"}.get(_MODE) or (
        "gunicorn" if importlib.util.find_spec("gunicorn") else "pywsgi"
    )
if _SERVER == "pywsgi":
    from gevent import monkey

    monkey.patch_all()


def main() -> None:
    import argparse
    import os

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--async-mode", choices=("threading", "gevent"), default="threading")
    parser.add_argument("--server", choices=("auto", "werkzeug", "gunicorn", "pywsgi"))
    args = parser.parse_args()
    overrides = {"RATELIMIT_STORAGE_URI": "memory://", "SOCKETIO_ASYNC_MODE": args.async_mode}
    if os.environ.get("LOPHOC_SOCKETIO_CHANNEL"):
        overrides["SOCKETIO_CHANNEL"] = os.environ["LOPHOC_SOCKETIO_CHANNEL"]
    if _SERVER == "gunicorn":
        _gunicorn(args.host, args.port, overrides)
    else:
        _socketio_run(args.host, args.port, overrides)


def _create(overrides: dict):
    import logging

    from app import create_app
    from app.extensions import socketio

    app = create_app(overrides)
    mode = socketio.server.eio.async_mode
    assert mode == overrides["SOCKETIO_ASYNC_MODE"], mode
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    _report_waits(app)
    return app, socketio


def _report_waits(app) -> None:
    """Say on stderr how this process waits on PostgreSQL (psycopg's wait function must be a
    cooperative one under gevent, not wait_c, or every query blocks the whole worker) and
    the size of its SQLAlchemy pool (each greenlet in a handler holds a connection). With
    LOPHOC_BENCH_POOL_STATS=1, every 5 s while busy: connections checked out at most, and the
    time handlers waited for one (a pool too small for the joins queues them there)."""
    import os
    import threading
    import time

    if "psycopg" not in sys.modules:
        return
    from psycopg import waiting

    from app.extensions import db

    with app.app_context():
        pool = db.engine.pool
    size = getattr(pool, "size", lambda: "-")()
    overflow = getattr(pool, "_max_overflow", "-")
    print(
        f"live_server pid {os.getpid()}: psycopg wait={waiting.wait.__name__}, "
        f"pool {type(pool).__name__} size={size} overflow={overflow}",
        file=sys.stderr,
        flush=True,
    )
    if os.environ.get("LOPHOC_BENCH_POOL_STATS") != "1" or not hasattr(pool, "_do_get"):
        return
    stats = {"gets": 0, "wait_s": 0.0, "max_wait_s": 0.0, "max_out": 0}
    do_get = pool._do_get

    def timed_get():
        t0 = time.perf_counter()
        try:
            return do_get()
        finally:
            waited = time.perf_counter() - t0
            stats["gets"] += 1
            stats["wait_s"] += waited
            stats["max_wait_s"] = max(stats["max_wait_s"], waited)
            stats["max_out"] = max(stats["max_out"], pool.checkedout())

    pool._do_get = timed_get

    def report():
        while True:
            time.sleep(5)
            if stats["gets"]:
                print(
                    f"live_server pid {os.getpid()} pool: {stats['gets']} checkouts, "
                    f"waited {stats['wait_s']:.2f} s in all, max {stats['max_wait_s'] * 1000:.0f}"
                    f" ms, at most {stats['max_out']} out",
                    file=sys.stderr,
                    flush=True,
                )
                stats.update(gets=0, wait_s=0.0, max_wait_s=0.0, max_out=0)

    threading.Thread(target=report, daemon=True).start()  # a greenlet once gevent patched


def _socketio_run(host: str, port: int, overrides: dict) -> None:
    app, socketio = _create(overrides)
    if _MODE == "gevent":  # gevent.pywsgi: one greenlet per connection
        socketio.run(app, host=host, port=port, log_output=False, backlog=2048)
    else:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)


def _gunicorn(host: str, port: int, overrides: dict) -> None:
    """One gunicorn worker of class gevent (a Socket.IO connection lives in one worker; more
    processes are more of these behind nginx, sharing Redis): docs/deploy.md."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            settings = {
                "bind": f"{host}:{port}",
                "worker_class": "gevent" if _MODE == "gevent" else "gthread",
                "workers": 1,
                "threads": 1000,  # gthread only
                "worker_connections": 10000,  # gevent: simultaneous clients of the worker
                "backlog": 2048,
                "timeout": 60,
                "graceful_timeout": 5,
                "loglevel": "warning",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            from app.core import gc_tuning

            app = _create(overrides)[0]  # in the worker, after gevent patched it
            gc_tuning.settle()  # as wsgi.py does
            return app

    Server().run()


if __name__ == "__main__":
    main()
