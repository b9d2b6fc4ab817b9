"""Smoke test of the production stack: bench/stack.py starts 2 gunicorn web processes behind a
temporary nginx, with Redis between them (on PostgreSQL when TEST_DATABASE_URL is set: a
throw-away database beside it, and deploy/'s layout - the 2 web processes in gthread for HTTP
and 2 gevent live processes for Socket.IO), runs an exam, a proctor's pause heard by the exam
page's socket and a live-room join through nginx, and stops everything."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
GUNICORN = Path(sys.executable).parent / "gunicorn"


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light)")
@pytest.mark.skipif(
    not GUNICORN.exists(), reason='gunicorn is not installed (pip install -e ".[production]")'
)
def test_exam_and_live_room_through_nginx_and_gunicorn():
    args = [sys.executable, str(ROOT / "bench" / "stack.py"), "--workers", "2", "--json"]
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        server = make_url(url).set(database="postgres").render_as_string(hide_password=False)
        args += ["--database-url", server]
    # Two processes share exam changes and live messages through Redis (docs/deploy.md); on
    # PostgreSQL it also splits them into web (gthread) and live (gevent) processes.
    redis_url = os.environ.get("LOPHOC_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except Exception as exc:
        pytest.skip(f"two processes need Redis (none at {redis_url}: {exc})")
    args += ["--redis-url", redis_url]
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ok"] is True
    assert report["database"] == ("postgresql" if url else "sqlite")
    failed = [name for name, ok in report["checks"].items() if not ok]
    assert failed == []
    assert {
        "exam_submit",
        "exam_change_reaches_page",
        "live_join_websocket",
        "live_join_polling",
        "static_by_nginx",
    } <= set(report["checks"])
    assert report["memory"]["workers"] == 2
    assert report["memory"]["live_workers"] == (2 if url else 0)
