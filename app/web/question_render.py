"""Turning a question's public view into form controls (bank preview now, exam page later)."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_GAP = re.compile(r"\{\{(\d+)\}\}")


def _gap_control(gap: dict, name: str) -> str:
    if gap.get("options"):
        choices = "".join(
            f'<option value="{escape(o["id"])}">{o["html"]}</option>' for o in gap["options"]
        )
        return (
            f'<select class="form-select form-select-sm d-inline-block w-auto" '
            f'name="{name}" aria-label="{escape(name)}"><option value="">…</option>'
            f"{choices}</select>"
        )
    return (
        f'<input class="form-control form-control-sm d-inline-block w-auto" name="{name}" '
        f'aria-label="{escape(name)}" size="8">'
    )


def with_gaps(view: dict, prefix: str = "gap") -> Markup:
    """The stem of a cloze view with each `{{n}}` replaced by its select or text box.

    Option and stem HTML were sanitised when stored, so they are trusted here."""
    gaps = {str(g["number"]): g for g in view.get("gaps", [])}

    def replace(match: re.Match) -> str:
        gap = gaps.get(match[1])
        return _gap_control(gap, f"{prefix}-{match[1]}") if gap else match[0]

    return Markup(_GAP.sub(replace, view.get("stem_html", "")))  # noqa: S704 - stored HTML is bleach-cleaned


def register(app) -> None:
    app.jinja_env.filters["with_gaps"] = with_gaps
