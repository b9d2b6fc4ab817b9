"""deploy/gunicorn.conf.py's worker class: every open exam or live-classroom page holds a
WebSocket as long as it is open. Under gthread each holds one of the worker's threads, and once
they are all taken the process no longer answers any HTTP request (answer saves included); so
on PostgreSQL the production worker is gevent (one greenlet per connection), and the pages a
process can hold are no longer bounded by its threads."""

from __future__ import annotations

import asyncio
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _conf(monkeypatch, **env) -> dict:
    for name in ("DATABASE_URL", "LOPHOC_WORKER_CLASS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_the_worker_class_follows_the_database(monkeypatch):
    pg = _conf(monkeypatch, DATABASE_URL="postgresql+psycopg://lophoc@db/lophoc")
    assert (pg["worker_class"], pg["workers"]) == ("gevent", 1)
    assert _conf(monkeypatch, DATABASE_URL="sqlite:////var/lib/lophoc/x.db")["worker_class"] == (
        "gthread"
    )
    assert _conf(monkeypatch)["worker_class"] == "gthread"  # SQLite is the default database
    chosen = _conf(
        monkeypatch, DATABASE_URL="postgresql+psycopg://x@y/z", LOPHOC_WORKER_CLASS="gthread"
    )
    assert chosen["worker_class"] == "gthread"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthz(port: int, timeout: float) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as reply:
        return reply.status


async def _open_pages(port: int, count: int):
    import socketio

    clients = []
    for _ in range(count):
        client = socketio.AsyncClient(reconnection=False)
        await asyncio.wait_for(
            client.connect(f"http://127.0.0.1:{port}", transports=["websocket"]), 10
        )
        clients.append(client)
    return clients


@pytest.mark.skipif(
    not GUNICORN.exists(), reason='gunicorn is not installed (pip install -e ".[production]")'
)
def test_open_pages_do_not_take_the_http_capacity_on_postgresql(app, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("the gevent worker needs PostgreSQL (TEST_DATABASE_URL)")
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": url,
        "LOPHOC_ENV": "production",
        "SECRET_KEY": "worker-class-test-" + "k" * 30,
        "LOPHOC_BIND": f"127.0.0.1:{port}",
        "LOPHOC_THREADS": "4",  # what a gthread worker would be stuck at
        "LOPHOC_PROXY_COUNT": "0",
        "LOPHOC_LOG_LEVEL": "WARNING",
        "RUNTIME_DIRECTORY": str(Path(app.instance_path)),
    }
    env.pop("LOPHOC_WORKER_CLASS", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(GUNICORN), "-c", str(CONF), "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert _healthz(port, 2) == 200
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)

        async def scenario():
            pages = await _open_pages(port, 12)  # three times the threads
            try:
                started = time.monotonic()
                status = await asyncio.get_running_loop().run_in_executor(None, _healthz, port, 5)
                return status, time.monotonic() - started, all(p.connected for p in pages)
            finally:
                for page in pages:
                    await page.disconnect()

        status, seconds, connected = asyncio.run(scenario())
        assert connected
        assert status == 200 and seconds < 2.0
        assert "Booting worker" in log.read_text() and "gevent" in log.read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
