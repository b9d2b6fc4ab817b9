"""Validating roster rows: one clear message per bad cell ("Dòng 12, cột Ngày sinh: ...")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from app.core.text import clean_line, fold
from app.services.roster_files import LABELS, RosterRow

ROLE_WORDS = {
    "student": "student",
    "hoc sinh": "student",
    "hs": "student",
    "teacher": "teacher",
    "giao vien": "teacher",
    "gv": "teacher",
    "parent": "parent",
    "phu huynh": "parent",
    "ph": "parent",
}
GENDER_WORDS = {
    "nam": "nam",
    "male": "nam",
    "m": "nam",
    "nu": "nu",
    "female": "nu",
    "f": "nu",
    "khac": "khac",
    "other": "khac",
}
DATE_PATTERNS = (
    re.compile(r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CODE_RE = re.compile(r"^[A-Za-z0-9._/-]{1,32}$")


class RowError(ValueError):
    """A bad cell: the message already names the row and the column."""

    def __init__(self, row: int, column: str, message: str):
        label = str(LABELS.get(column, column))
        super().__init__(_("Dòng %(r)s, cột %(c)s: %(m)s", r=row, c=label, m=message))
        self.row, self.column, self.text = row, label, message


@dataclass
class ParentInfo:
    """A parent named on a student's row (or on a parent row of its own)."""

    full_name: str
    username: str | None
    phone: str | None
    email: str | None
    relationship: str


@dataclass
class PersonRecord:
    """A validated row, ready to be matched against the database."""

    row: int
    role: str
    full_name: str
    student_code: str | None = None
    username: str | None = None
    date_of_birth: date | None = None
    gender: str | None = None
    class_name: str | None = None
    grade: int | None = None
    email: str | None = None
    phone: str | None = None
    parent: ParentInfo | None = None
    children: list[str] = field(default_factory=list)


def parse_date(row: RosterRow, column: str) -> date | None:
    """Dates as dd/mm/yyyy (Vietnamese order), yyyy-mm-dd, or an Excel date cell."""
    if column in row.dates:
        return row.dates[column]
    raw = row.values.get(column, "").strip()
    if not raw:
        return None
    for pattern in DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            try:
                value = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                break
            if not 1900 <= value.year <= 2100:
                break
            return value
    raise RowError(row.number, column, _("%(v)s không phải ngày hợp lệ (dd/mm/yyyy).", v=raw))


def _choice(row: RosterRow, column: str, words: dict[str, str], default: str | None) -> str | None:
    raw = row.values.get(column, "")
    if not raw.strip():
        return default
    value = words.get(fold(raw))
    if value is None:
        raise RowError(row.number, column, _("“%(v)s” không hợp lệ.", v=raw))
    return value


def _text(row: RosterRow, column: str, limit: int = 200) -> str | None:
    value = clean_line(row.values.get(column))
    if len(value) > limit:
        raise RowError(row.number, column, _("dài quá %(n)s ký tự.", n=limit))
    return value or None


def _email(row: RosterRow, column: str) -> str | None:
    value = _text(row, column, 254)
    if value and not EMAIL_RE.match(value):
        raise RowError(row.number, column, _("“%(v)s” không phải email hợp lệ.", v=value))
    return value.lower() if value else None


def _phone(row: RosterRow, column: str) -> str | None:
    value = _text(row, column, 32)
    if not value:
        return None
    digits = re.sub(r"[\s.()-]", "", value)
    if not re.fullmatch(r"\+?\d{8,15}", digits):
        raise RowError(row.number, column, _("“%(v)s” không phải số điện thoại hợp lệ.", v=value))
    return digits


def _grade(row: RosterRow) -> int | None:
    raw = clean_line(row.values.get("grade"))
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 12:
        raise RowError(row.number, "grade", _("khối phải từ 1 đến 12."))
    return int(raw)


def _parent(row: RosterRow) -> ParentInfo | None:
    name = _text(row, "parent_name")
    phone, email = _phone(row, "parent_phone"), _email(row, "parent_email")
    username = _text(row, "parent_username", 80)
    if not (name or phone or email or username):
        return None
    if not name:
        raise RowError(row.number, "parent_name", _("thiếu họ tên phụ huynh."))
    if not (phone or email or username):
        raise RowError(
            row.number,
            "parent_phone",
            _("cần số điện thoại, email hoặc tên đăng nhập của phụ huynh."),
        )
    return ParentInfo(name, username, phone, email, _text(row, "relationship", 40) or "")


def to_record(row: RosterRow) -> PersonRecord:
    """Validate one row. Raises RowError naming the row and column."""
    role = _choice(row, "role", ROLE_WORDS, "student")
    full_name = _text(row, "full_name")
    if not full_name:
        raise RowError(row.number, "full_name", _("thiếu họ và tên."))
    code = _text(row, "student_code", 32)
    if role == "student" and not code:
        raise RowError(row.number, "student_code", _("học sinh phải có mã học sinh."))
    if code and not CODE_RE.match(code):
        raise RowError(row.number, "student_code", _("“%(v)s” chứa ký tự không hợp lệ.", v=code))
    record = PersonRecord(
        row=row.number,
        role=role,
        full_name=full_name,
        student_code=code if role == "student" else None,
        username=_text(row, "username", 80),
        date_of_birth=parse_date(row, "date_of_birth"),
        gender=_choice(row, "gender", GENDER_WORDS, None),
        class_name=_text(row, "class", 40),
        grade=_grade(row),
        email=_email(row, "email"),
        phone=_phone(row, "phone"),
        parent=_parent(row) if role == "student" else None,
    )
    if role == "parent":
        record.children = [c for c in re.split(r"[;,\s]+", row.values.get("children", "")) if c]
        if not record.children and code:
            record.children = [code]
        if not record.children:
            raise RowError(row.number, "children", _("phụ huynh phải có mã học sinh của con."))
    if role == "teacher" and not (record.username or record.email):
        raise RowError(row.number, "username", _("giáo viên cần tên đăng nhập hoặc email."))
    return record
