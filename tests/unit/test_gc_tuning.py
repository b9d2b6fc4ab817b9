"""LOPHOC_GC_THRESHOLDS: what it accepts, and what settle() does to the collector."""

from __future__ import annotations

import gc

import pytest

from app.core import gc_tuning


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, (20_000, 50, 10)),
        ("", (20_000, 50, 10)),
        ("python", (700, 10, 10)),
        (" Python ", (700, 10, 10)),
        ("5000, 20, 10", (5000, 20, 10)),
    ],
)
def test_thresholds_read(value, expected):
    assert gc_tuning.thresholds_from(value) == expected


@pytest.mark.parametrize("value", ["20000,50", "a,b,c", "0,10,10", "-1,10,10", "1.5,10,10"])
def test_thresholds_refused_with_the_reason(value):
    with pytest.raises(ValueError, match="three positive whole numbers"):
        gc_tuning.thresholds_from(value)


def test_settle_freezes_and_sets_the_thresholds():
    before = gc.get_threshold()
    try:
        assert gc_tuning.settle({"LOPHOC_GC_THRESHOLDS": "9000,40,10"}) == (9000, 40, 10)
        assert gc.get_threshold() == (9000, 40, 10)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
