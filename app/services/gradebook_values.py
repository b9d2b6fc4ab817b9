"""Gradebook cell values: column names, typed scores and Đạt / Chưa đạt ratings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from app.core.errors import ValidationFailed
from app.core.text import fold
from app.services.grading import CommentResult, ScoreError, parse_score, round_score
from app.services.grading_scores import check_score, to_decimal

MAX_REGULAR = 10
COLUMN_RE = re.compile(r"^(?:tx([1-9]|10)|gk|ck|xl)$")
SOURCES = ("manual", "homework", "exam", "scorm", "live")
_DAT = {"d", "dat", "đ", "đat", "pass", "true", "1"}
_CHUA_DAT = {"cd", "chua dat", "chua_dat", "cđ", "fail", "false", "0"}


@dataclass(frozen=True)
class CellValue:
    """What a cell holds after parsing: a score, a rating code, or nothing (cleared)."""

    score: Decimal | None = None
    rating: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.score is None and self.rating is None


def parse_column(raw: object) -> str:
    """ "TX1", " gk " -> "tx1", "gk"; raises ValidationFailed for anything else."""
    column = str(raw or "").strip().lower()
    if not COLUMN_RE.match(column):
        raise ValidationFailed(
            _(
                "Cột “%(c)s” không hợp lệ; dùng tx1 … tx%(n)s, gk, ck (tiểu học: xl).",
                c=raw,
                n=MAX_REGULAR,
            )
        )
    return column


def tx_index(column: str) -> int | None:
    """1 for "tx1"; None for gk and ck."""
    return int(column[2:]) if column.startswith("tx") else None


def parse_semester(raw: object) -> int:
    """1 or 2 (also "I", "II", "hk1"); raises ValidationFailed."""
    text = str(raw if raw is not None else "").strip().lower().removeprefix("hk")
    value = {"1": 1, "2": 2, "i": 1, "ii": 2}.get(text)
    if value is None:
        raise ValidationFailed(_("Học kỳ “%(s)s” không hợp lệ; dùng 1 hoặc 2.", s=raw))
    return value


def parse_source(raw: str) -> str:
    if raw not in SOURCES:
        raise ValidationFailed(_("Nguồn điểm “%(s)s” không hợp lệ.", s=raw))
    return raw


def parse_cell(raw: object, *, is_comment: bool, decimals: int = 1) -> CellValue:
    """A typed or fed value: "8,5", 8.5, Decimal("7.75") (rounded half up), "Đạt", None.

    Text is read as a teacher types it (at most `decimals` decimals); numbers fed by other
    areas (exam, homework scores) are rounded once to one decimal. Blank clears the cell.
    Raises ValidationFailed with a Vietnamese message.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return CellValue()
    if is_comment:
        return CellValue(rating=_parse_rating(raw))
    try:
        if isinstance(raw, str):
            return CellValue(score=parse_score(raw, decimals))
        if isinstance(raw, bool) or not isinstance(raw, Decimal | int | float):
            raise ScoreError(_("Điểm không hợp lệ: %(t)s", t=raw))
        return CellValue(score=round_score(check_score(to_decimal(raw))))
    except ScoreError as exc:
        raise ValidationFailed(str(exc)) from None


def _parse_rating(raw: object) -> str:
    if isinstance(raw, bool):
        return CommentResult.DAT.value if raw else CommentResult.CHUA_DAT.value
    text = fold(str(raw)).replace("_", " ").strip()
    if text in _DAT or str(raw).strip().lower() in _DAT:
        return CommentResult.DAT.value
    if text in _CHUA_DAT or str(raw).strip().lower() in _CHUA_DAT:
        return CommentResult.CHUA_DAT.value
    raise ValidationFailed(
        _("Môn đánh giá bằng nhận xét: nhập “Đạt” hoặc “Chưa đạt”, không phải “%(t)s”.", t=raw)
    )


def display(score: Decimal | None) -> str | None:
    """Decimal("8.50") -> "8.5"; None stays None (the API and exports show this form)."""
    if score is None:
        return None
    text = f"{score.normalize():f}"
    return text
