"""Page arithmetic shared by every list: `?page=&per_page=` with a hard maximum."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.core.errors import ValidationFailed

MAX_PER_PAGE = 500
MAX_PAGE = 1_000_000  # the offset must fit the database's integer
DEFAULT_PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    """One page of a list, shaped like the API's `{"items", "page", "per_page", "total"}`."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def page_args(page: object, per_page: object, default: int = DEFAULT_PER_PAGE) -> tuple[int, int]:
    """Validate raw page numbers from a query string."""
    try:
        page_n = int(page) if page not in (None, "") else 1
        per_n = int(per_page) if per_page not in (None, "") else default
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("page và per_page phải là số nguyên.") from exc
    if not 1 <= page_n <= MAX_PAGE or not 1 <= per_n <= MAX_PER_PAGE:
        raise ValidationFailed(f"page phải ≥ 1 và per_page từ 1 đến {MAX_PER_PAGE}.")
    return page_n, per_n


def paginate(session: Session, stmt: Select, page: int, per_page: int) -> Page:
    """Run `stmt` for one page and count the whole result."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)
