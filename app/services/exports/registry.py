"""The export-layout registry: a name, a file type and a render function per layout."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from app.core.errors import ValidationFailed
from app.services.gradebook_export import GradeExport


@dataclass(frozen=True)
class Layout:
    name: str
    extension: str
    mime_type: str
    render: Callable[[GradeExport], bytes]


LAYOUTS: dict[str, Layout] = {}


def layout(name: str, extension: str, mime_type: str):
    """Register `render(export) -> bytes` as the layout `name`."""

    def decorator(render: Callable[[GradeExport], bytes]):
        LAYOUTS[name] = Layout(name, extension, mime_type, render)
        return render

    return decorator


def get_layout(name: str) -> Layout:
    """The layout called `name`; raises ValidationFailed naming the known ones."""
    try:
        return LAYOUTS[str(name or "").strip().lower()]
    except KeyError:
        raise ValidationFailed(
            _("Định dạng “%(f)s” không hỗ trợ; dùng: %(all)s.", f=name, all=", ".join(LAYOUTS))
        ) from None


def render(export: GradeExport, name: str) -> tuple[Layout, bytes]:
    chosen = get_layout(name)
    return chosen, chosen.render(export)
