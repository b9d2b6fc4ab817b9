"""Running the real `lophoc` command in a subprocess and timing it (shared by bench scripts)."""

from __future__ import annotations

import subprocess
import sys
import time


def lophoc(env: dict, *args: str) -> tuple[float, str]:
    """(seconds, last line of output); exits with the command's stderr when it fails."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"lophoc {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    lines = result.stdout.strip().splitlines()
    return elapsed, lines[-1] if lines else ""


def reset_postgres(url: str) -> None:
    """Drop and re-create the public schema of a benchmark database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
