"""The garbage collector of a long-running server process (wsgi.py, bench/live_server.py).

CPython frees most objects by reference counting; its collector exists for cycles, and every
collection stops the whole process: every request thread of a web process, every socket of a
live one. Two settings keep those stops short:

- freeze what is loaded at start-up (the app, its modules, SQLAlchemy's mappers): it lives as
  long as the process, so the collections need never scan it again;
- collect the young generation every 20,000 new objects instead of Python's 700. With 2,000
  clients joining one live process, Python's thresholds promoted objects so often that 23 full
  collections of 250-395 ms ran within a minute and stopped every socket each time (p99 of a
  chat line 450-475 ms); with 20,000 the only stops were young collections of 40-56 ms (p99
  88 ms). docs/bench.md, "What the full collections were collecting".

`LOPHOC_GC_THRESHOLDS` overrides the three thresholds ("20000,50,10"); "python" keeps
Python's own (700,10,10)."""

from __future__ import annotations

import gc
import os

DEFAULT_THRESHOLDS = (20_000, 50, 10)
PYTHON_THRESHOLDS = (700, 10, 10)


def thresholds_from(value: str | None) -> tuple[int, int, int]:
    """The thresholds `LOPHOC_GC_THRESHOLDS` asks for; ValueError, saying what is wrong, for
    anything but three positive whole numbers (or "python")."""
    if value is None or not value.strip():
        return DEFAULT_THRESHOLDS
    if value.strip().lower() == "python":
        return PYTHON_THRESHOLDS
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ValueError(
            f"LOPHOC_GC_THRESHOLDS={value!r}: three positive whole numbers are needed, "
            'e.g. "20000,50,10", or "python" for Python\'s own 700,10,10'
        )
    return int(parts[0]), int(parts[1]), int(parts[2])


def settle(environ=os.environ) -> tuple[int, int, int]:
    """Once the app is loaded: freeze it out of the collections and set the thresholds.
    Returns the thresholds in effect."""
    thresholds = thresholds_from(environ.get("LOPHOC_GC_THRESHOLDS"))
    gc.freeze()
    gc.set_threshold(*thresholds)
    return thresholds
