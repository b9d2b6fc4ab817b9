"""Importing scores from the flat csv/xlsx export layout (keyed by student code), all or nothing.

Rows name the class ("Lớp") and subject ("Môn"); columns TX1…, GK and CK carry the scores.
Blank cells are left as they are; other columns (names, averages, status) are ignored.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlalchemy import select

from app.core.errors import BadInput, NotFound, ValidationFailed
from app.core.text import fold
from app.extensions import db
from app.models import Course, SchoolClass, SchoolYear, Subject
from app.services.gradebook import EntryInput, apply_entries, check_entries
from app.services.gradebook_primary import is_primary
from app.services.gradebook_values import parse_semester
from app.services.school import school_by_code

SCORE_HEADER = re.compile(r"^(tx\d{1,2}|gk|ck|xl|ket qua)$")
KEY_HEADERS = {
    "ma hoc sinh": "code",
    "student_code": "code",
    "lop": "class",
    "class": "class",
    "mon": "subject",
    "subject": "subject",
}


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    changed: int

    def as_dict(self) -> dict:
        return {"imported": self.changed, "rows": self.rows, "errors": []}


def _table(data: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception:  # any unreadable workbook is the same user error
            raise BadInput(_("%(f)s: không đọc được tệp Excel.", f=filename)) from None
        return [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(_("%(f)s: tệp CSV phải mã hoá UTF-8.", f=filename)) from None
    return list(csv.reader(io.StringIO(text)))


def import_scores(
    school_code: str,
    year_name: str,
    semester: object,
    data: bytes,
    filename: str,
    reason: str = "",
) -> ImportSummary:
    """Import a file for one semester of a school year (command line: no actor, one commit).

    Raises BadInput (unreadable file), NotFound (school, year), ValidationFailed naming every
    bad row (unknown student code, class or subject, bad score, locked without reason).
    """
    school = school_by_code(school_code)
    number = parse_semester(semester)
    year = db.session.scalar(
        select(SchoolYear).where(SchoolYear.school_id == school.id, SchoolYear.name == year_name)
    )
    if year is None:
        raise NotFound(_("Trường chưa có năm học %(y)s.", y=year_name))
    table = [row for row in _table(data, filename) if any(cell.strip() for cell in row)]
    if not table:
        raise ValidationFailed(_("%(f)s: tệp trống.", f=filename))
    keys, scores = _columns(table[0], filename)
    by_course, errors = _entries_by_course(
        table, keys, scores, _courses(school.id, year.id), reason
    )
    checked = []
    for course, entries in by_course.values():
        parsed, problems = check_entries(course, number, entries)
        errors += [{"where": p["student_code"], "message": p["message"]} for p in problems]
        checked.append((course, parsed))
    if errors:
        raise ValidationFailed(f"{filename}: {errors[0]['message']}", details={"errors": errors})
    changed = sum(apply_entries(None, course, number, parsed) for course, parsed in checked)
    db.session.commit()
    return ImportSummary(rows=len(table) - 1, changed=changed)


def _columns(first: list[str], filename: str) -> tuple[dict[str, int], list[tuple[int, str]]]:
    header = [fold(cell).replace("đ", "d") for cell in first]
    keys = {KEY_HEADERS[h]: i for i, h in enumerate(header) if h in KEY_HEADERS}
    if set(keys) != {"code", "class", "subject"}:
        raise ValidationFailed(_("%(f)s: cần các cột Mã học sinh, Lớp, Môn.", f=filename))
    return keys, [(i, h) for i, h in enumerate(header) if SCORE_HEADER.match(h)]


def _entries_by_course(table, keys, scores, courses, reason):
    by_course: dict[int, tuple[Course, list[EntryInput]]] = {}
    errors: list[dict] = []
    width = len(table[0])
    for n, raw in enumerate(table[1:], start=2):
        row = [cell.strip() for cell in raw] + [""] * (width - len(raw))
        course = courses.get((fold(row[keys["class"]]), fold(row[keys["subject"]])))
        if course is None:
            message = _(
                "Dòng %(n)s: không có môn “%(s)s” của lớp “%(c)s”.",
                n=n,
                s=row[keys["subject"]],
                c=row[keys["class"]],
            )
            errors.append({"where": _("Dòng %(n)s", n=n), "message": message})
            continue
        entries = by_course.setdefault(course.id, (course, []))[1]
        for i, column in scores:
            if column == "ket qua":  # the result column carries the rating of primary courses
                if not is_primary(course):
                    continue
                column = "xl"
            if row[i]:
                entries.append(EntryInput(row[keys["code"]], column, row[i], reason))
    return by_course, errors


def _courses(school_id: int, year_id: int) -> dict[tuple[str, str], Course]:
    stmt = (
        select(Course, SchoolClass.search_text, Subject.search_text)
        .join(SchoolClass, SchoolClass.id == Course.class_id)
        .join(Subject, Subject.id == Course.subject_id)
        .where(Course.school_id == school_id, Course.school_year_id == year_id)
    )
    return {(k, s): course for course, k, s in db.session.execute(stmt)}
