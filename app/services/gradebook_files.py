"""Writing a gradebook export to a file for the command line (and later background jobs)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from app.core.errors import BadInput, ValidationFailed
from app.services import exports
from app.services.exports.smas import set_columns
from app.services.gradebook_export import GradeQuery, school_grades
from app.services.school import school_by_code


@dataclass(frozen=True)
class ExportSummary:
    path: str
    format: str
    rows: int
    year: str
    period: str

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "path": self.path,
            "format": self.format,
            "year": self.year,
            "semester": self.period,
        }


def export_to_file(school_code: str, query: GradeQuery, fmt: str, path: Path) -> ExportSummary:
    """Render the school's grades in layout `fmt` and write them to `path` atomically.

    Raises NotFound, ValidationFailed (bad year, semester, format) and BadInput (cannot write).
    """
    layout = exports.get_layout(fmt)
    export = school_grades(None, school_code, query)
    data = layout.render(export)
    folder = path.resolve().parent
    if not folder.is_dir():
        raise BadInput(_("Thư mục “%(d)s” không tồn tại.", d=folder))
    temp = None
    try:
        handle, temp = tempfile.mkstemp(dir=folder, prefix=".lophoc-export-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except OSError as exc:
        if temp is not None and os.path.exists(temp):
            os.unlink(temp)
        raise BadInput(_("Không ghi được tệp “%(p)s”: %(e)s", p=path, e=exc.strerror)) from None
    return ExportSummary(
        str(path), layout.name, len(export.rows), export.query.year or "", export.query.period or ""
    )


def load_smas_columns(school_code: str, path: Path) -> list[list[str]]:
    """Read a JSON [[header, field], ...] file and store it as the school's SMAS mapping."""
    school = school_by_code(school_code)
    try:
        columns = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(
            _("%(f)s: không đọc được JSON (%(e)s).", f=path.name, e=exc)
        ) from None
    return set_columns(school, columns)
