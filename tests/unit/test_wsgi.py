"""wsgi.py exposes `app` and `socketio` and refuses to start production without a key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _import_wsgi(env: dict, code: str | None = None) -> subprocess.CompletedProcess:
    code = code or "import wsgi; print(type(wsgi.app).__name__, type(wsgi.socketio).__name__)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_wsgi_exposes_app_and_socketio(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 32, "LOPHOC_INSTANCE_DIR": str(tmp_path)}
    result = _import_wsgi(env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Flask", "SocketIO"]


GC_STATE = "import gc, wsgi; print(gc.get_threshold(), gc.get_freeze_count() > 10000)"


def test_wsgi_freezes_the_app_and_sets_the_collectors_thresholds(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 32, "LOPHOC_INSTANCE_DIR": str(tmp_path)}
    result = _import_wsgi(env, GC_STATE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(20000, 50, 10) True"
    result = _import_wsgi({**env, "LOPHOC_GC_THRESHOLDS": "python"}, GC_STATE)
    assert result.stdout.strip() == "(700, 10, 10) True"


def test_wsgi_refuses_thresholds_it_cannot_read(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 32, "LOPHOC_INSTANCE_DIR": str(tmp_path)}
    result = _import_wsgi({**env, "LOPHOC_GC_THRESHOLDS": "20000,50"}, GC_STATE)
    assert result.returncode != 0
    assert "LOPHOC_GC_THRESHOLDS='20000,50': three positive whole numbers" in result.stderr


def test_production_without_secret_key_fails_fast(tmp_path):
    result = _import_wsgi({"PATH": "/usr/bin:/bin", "LOPHOC_INSTANCE_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
