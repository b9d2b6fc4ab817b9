"""Accent folding, NFC, school years and the UTC column type."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.clock import school_year_of, to_local
from app.core.text import clean_line, fold, like_pattern, nfc


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Nguyễn Văn Dũng", "nguyen van dung"),
        ("ĐẶNG QUỐC BẢO", "dang quoc bao"),
        ("  Lê   Hoàng  Đức ", "le hoang duc"),
        (unicodedata.normalize("NFD", "Võ Thị Ánh"), "vo thi anh"),
    ],
)
def test_fold_removes_accents_case_and_extra_spaces(raw, folded):
    assert fold(raw) == folded


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


def test_nfc_composes_decomposed_vietnamese():
    assert nfc(unicodedata.normalize("NFD", "Trường")) == "Trường"
    assert clean_line(" a \t b\n") == "a b"


def test_like_pattern_escapes_wildcards():
    assert like_pattern("50%_x") == "%50\\%\\_x%"
    assert like_pattern("Nguyễn Dũng") == "%nguyen%dung%"


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 11, 22), "2026-2027"),
        (date(2027, 5, 31), "2026-2027"),
        (date(2027, 8, 1), "2027-2028"),
    ],
)
def test_school_year_starts_in_august(day, year):
    assert school_year_of(day) == year


def test_to_local_is_hanoi_time():
    local = to_local(datetime(2026, 11, 22, 17, 30, tzinfo=UTC))
    assert local.utcoffset() == timedelta(hours=7)
    assert (local.day, local.hour) == (23, 0)


def test_utc_column_round_trips_aware_and_refuses_naive(app, make, school):
    from app.extensions import db
    from app.models import User

    user = make.user(school, "teacher")
    user.last_login_at = datetime(2026, 11, 22, 8, 0, tzinfo=timezone(timedelta(hours=7)))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(User, user.id).last_login_at
    assert stored == datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    assert stored.tzinfo is not None
    user = db.session.get(User, user.id)
    user.last_login_at = datetime(2026, 11, 22, 8, 0)  # naive on purpose
    with pytest.raises(Exception, match="naive"):
        db.session.commit()
    db.session.rollback()
