"""Registry of gradebook export layouts: csv, xlsx, smas, vnedu, oneroster.

A layout turns a GradeExport into the bytes of one file. Add a layout by decorating a
function with `@layout("name", "extension", "mime type")` in a module imported below.
"""

from __future__ import annotations

# Importing a layout module registers its layouts.
from app.services.exports import oneroster, smas, tabular, tt27, vnedu  # noqa: F401
from app.services.exports.registry import LAYOUTS, Layout, get_layout, layout, render

__all__ = ["LAYOUTS", "Layout", "get_layout", "layout", "render"]
