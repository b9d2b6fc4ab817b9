"""Shared fixture for the question-bank format tests: where the real sample files live."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    """`shared/fixtures` beside the repository (CI clones it there); skip when it is absent."""
    if not FIXTURES_DIR.is_dir():
        pytest.skip(f"shared fixtures not found at {FIXTURES_DIR} (clone 'shared' beside the repo)")
    return FIXTURES_DIR
