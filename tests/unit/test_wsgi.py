"""wsgi.py exposes `app` and `socketio` and refuses to start production without a key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _import_wsgi(env: dict) -> subprocess.CompletedProcess:
    code = "import wsgi; print(type(wsgi.app).__name__, type(wsgi.socketio).__name__)"
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


def test_production_without_secret_key_fails_fast(tmp_path):
    result = _import_wsgi({"PATH": "/usr/bin:/bin", "LOPHOC_INSTANCE_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
