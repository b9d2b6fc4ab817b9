"""Roster import: classes, students, teachers and parents from one file, all or nothing."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import ValidationFailed
from app.core.text import fold
from app.extensions import db
from app.models import ClassMembership, ParentLink, Role, School, SchoolClass, SchoolYear, User
from app.services import audit
from app.services.identity import normalise_username, role_label, search_text_for
from app.services.roster_files import read_roster
from app.services.roster_rows import ParentInfo, PersonRecord, RowError, to_record
from app.services.school import add_class, current_year, ensure_year

PERSON_FIELDS = {
    "full_name": "full_name",
    "date_of_birth": "date_of_birth",
    "gender": "gender",
    "email": "email",
    "phone": "phone",
}
MAX_REPORTED_ERRORS = 50


@dataclass
class RosterSummary:
    """What an import did; `as_dict()` is the `--json` line of CONTRACT.md."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    classes_created: int = 0
    errors: list[dict] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def import_roster(
    actor: User | None, school: School, data: bytes, filename: str, year_name: str | None = None
) -> RosterSummary:
    """Import a CSV/XLSX roster into `school` in one transaction.

    Raises BadInput/TooLarge for unreadable files and ValidationFailed for the first bad row
    (with every bad row in `details["errors"]`); on any error nothing is written.
    """
    table = read_roster(data, filename)
    records = _validate(table.rows)
    summary = RosterSummary(skipped=table.blank_rows, ignored_columns=table.ignored_headers)
    try:
        year = ensure_year(school, year_name) if year_name else current_year(school)
        _Importer(actor, school, year.id, set(table.columns), summary).run(records)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return summary


def _validate(rows) -> list[PersonRecord]:
    records, errors, codes = [], [], {}
    for row in rows:
        try:
            record = to_record(row)
            if record.student_code:
                key = record.student_code.upper()
                if key in codes:
                    raise RowError(
                        row.number,
                        "student_code",
                        _(
                            "mã học sinh “%(c)s” trùng với dòng %(r)s.",
                            c=record.student_code,
                            r=codes[key],
                        ),
                    )
                codes[key] = row.number
            records.append(record)
        except RowError as exc:
            errors.append(
                {"where": _("Dòng %(r)s", r=exc.row), "column": exc.column, "message": str(exc)}
            )
            if len(errors) >= MAX_REPORTED_ERRORS:
                break
    if errors:
        raise ValidationFailed(
            errors[0]["message"], code="invalid_roster", details={"errors": errors}
        )
    return records


class _Importer:
    """Matches validated records against what the school already has, in bulk.

    New rows are linked through relationships and flushed once at the end, and the audit rows
    are written after that flush, so a 1,500-student file costs a handful of round trips.
    """

    def __init__(self, actor, school: School, year_id: int, columns: set[str], summary):
        self.actor, self.school, self.year_id = actor, school, year_id
        self.columns, self.summary = columns, summary
        people = db.session.scalars(select(User).where(User.school_id == school.id)).all()
        by_id = {u.id: u for u in people}
        self.by_code = {u.student_code.upper(): u for u in people if u.student_code}
        self.by_username = {u.username: u for u in people}
        self.taken: set[str] = set()  # usernames used in other schools
        self.parents_by_contact = {
            c: u for u in people if u.role == Role.PARENT for c in (u.phone, u.email) if c
        }
        self.classes = {
            c.name.upper(): c
            for c in db.session.scalars(
                select(SchoolClass).where(SchoolClass.school_year_id == year_id)
            )
        }
        self.memberships = {
            by_id[m.student_id]: m
            for m in db.session.scalars(
                select(ClassMembership)
                .join(SchoolClass)
                .where(SchoolClass.school_year_id == year_id)
            )
            if m.student_id in by_id
        }
        self.links = {
            (by_id[p], by_id[s])
            for p, s in db.session.execute(
                select(ParentLink.parent_id, ParentLink.student_id).where(
                    ParentLink.school_id == school.id
                )
            ).all()
        }
        self.touched: dict[User, str] = {}  # "new" | "changed"
        self.audits: list[tuple[str, object, dict]] = []
        self.row_changed = False

    def run(self, records: list[PersonRecord]) -> None:
        self._load_taken_usernames(records)
        for role in ("student", "teacher", "parent"):
            for record in (r for r in records if r.role == role):
                self.row_changed = False
                try:
                    self._one(record)
                except ValidationFailed as exc:
                    raise ValidationFailed(
                        _("Dòng %(r)s: %(m)s", r=record.row, m=exc.message), code="invalid_roster"
                    ) from exc
                except RowError as exc:
                    raise ValidationFailed(str(exc), code="invalid_roster") from exc
                self.summary.unchanged += 0 if self.row_changed else 1
        db.session.flush()
        for action, entity, changes in self.audits:
            audit.record(self.actor, action, entity, changes, school_id=self.school.id)
        states = list(self.touched.values())
        self.summary.imported += states.count("new")
        self.summary.updated += states.count("changed")

    def _load_taken_usernames(self, records: list[PersonRecord]) -> None:
        wanted = set()
        for record in records:
            for raw in (
                record.username,
                record.student_code,
                record.email,
                record.parent and record.parent.username,
                record.parent and record.parent.email,
                record.parent and record.parent.phone and f"ph{record.parent.phone}",
                record.phone and f"ph{record.phone}",
            ):
                if raw:
                    name = fold(raw).replace(" ", "")
                    wanted.update({name, f"{self.school.code.lower()}.{name}"})
        wanted -= set(self.by_username)
        names = sorted(wanted)
        for start in range(0, len(names), 500):
            self.taken.update(
                db.session.scalars(
                    select(User.username).where(User.username.in_(names[start : start + 500]))
                )
            )

    def _one(self, record: PersonRecord) -> None:
        if record.role == "student":
            student = self._person(record, self.by_code.get(record.student_code.upper()))
            self._enrol(record, student)
            if record.parent:
                self._link(self._parent(record), student, record.parent.relationship)
        elif record.role == "teacher":
            teacher = self._person(record, self.by_username.get(self._teacher_username(record)))
            self._homeroom(record, teacher)
        else:
            parent = self._parent(record)
            for code in record.children:
                child = self.by_code.get(code.upper())
                if child is None:
                    raise RowError(
                        record.row, "children", _("không có học sinh mã “%(c)s”.", c=code)
                    )
                self._link(parent, child, "")

    def _mark(self, user: User, state: str) -> None:
        self.row_changed = True
        if self.touched.get(user) != "new":
            self.touched[user] = state

    def _teacher_username(self, record: PersonRecord) -> str:
        return normalise_username(record.username or record.email or "")

    def _person(self, record: PersonRecord, user: User | None) -> User:
        fields = {
            k: getattr(record, v)
            for k, v in PERSON_FIELDS.items()
            if k == "full_name" or k in self.columns
        }
        if user is None:
            return self._create(record, fields)
        if user.role != record.role:
            raise RowError(
                record.row,
                "username",
                _("“%(u)s” đã là tài khoản %(r)s.", u=user.username, r=role_label(user.role)),
            )
        changes = audit.diff(user, fields)
        if changes:
            user.search_text = search_text_for(user)
            self.audits.append(("user.update", user, changes))
            self._mark(user, "changed")
        return user

    def _create(self, record: PersonRecord, fields: dict, wanted: str | None = None) -> User:
        if record.role == "student":
            username = self._free_username(record.username or record.student_code, record)
        elif record.role == "teacher":
            username = self._free_username(self._teacher_username(record), record, strict=True)
        else:
            username = self._free_username(wanted, record)
        user = User(
            school_id=self.school.id,
            username=username,
            role=record.role,
            student_code=record.student_code,
            **fields,
        )
        user.search_text = search_text_for(user)
        db.session.add(user)
        self.audits.append(("user.create", user, {"role": [None, user.role]}))
        self.by_username[username] = user
        if user.student_code:
            self.by_code[user.student_code.upper()] = user
        self._mark(user, "new")
        return user

    def _free_username(self, wanted: str, record: PersonRecord, strict: bool = False) -> str:
        base = normalise_username(wanted)
        candidates = [base] if strict else [base, f"{self.school.code.lower()}.{base}"]
        for name in candidates:
            if name not in self.by_username and name not in self.taken:
                return name
        raise RowError(
            record.row,
            "username",
            _("tên đăng nhập “%(u)s” đã có người dùng ở trường khác.", u=base),
        )

    def _class(self, record: PersonRecord) -> SchoolClass:
        key = record.class_name.upper()
        school_class = self.classes.get(key)
        if school_class is None:
            year = db.session.get(SchoolYear, self.year_id)
            school_class = add_class(self.actor, self.school, year, record.class_name, record.grade)
            self.classes[key] = school_class
            self.summary.classes_created += 1
        return school_class

    def _enrol(self, record: PersonRecord, student: User) -> None:
        if not record.class_name:
            return
        school_class = self._class(record)
        current = self.memberships.get(student)
        if current is not None and current.class_id == school_class.id:
            return
        if current is not None:
            db.session.delete(current)
        self.memberships[student] = ClassMembership(
            school_id=self.school.id, school_class=school_class, student=student
        )
        db.session.add(self.memberships[student])
        self.audits.append(
            (
                "class.enrol",
                student,
                {"class_id": [current.class_id if current else None, school_class.id]},
            )
        )
        self._mark(student, "changed")

    def _homeroom(self, record: PersonRecord, teacher: User) -> None:
        if not record.class_name:
            return
        school_class = self._class(record)
        if teacher.id is None:
            db.session.flush()  # a brand-new teacher needs an id to be homeroom teacher
        changes = audit.diff(school_class, {"homeroom_teacher_id": teacher.id})
        if changes:
            self.audits.append(("class.homeroom", school_class, changes))
            self._mark(teacher, "changed")

    def _parent(self, record: PersonRecord) -> User:
        if record.role == "parent":
            info = ParentInfo(record.full_name, record.username, record.phone, record.email, "")
        else:
            info = record.parent
        parent = self.by_username.get(normalise_username(info.username)) if info.username else None
        contacts = [c for c in (info.phone, info.email) if c]
        parent = parent or next(
            (self.parents_by_contact[c] for c in contacts if c in self.parents_by_contact), None
        )
        if parent is None:
            wanted = info.username or (f"ph{info.phone}" if info.phone else info.email)
            parent = self._create(
                PersonRecord(row=record.row, role="parent", full_name=info.full_name),
                {"full_name": info.full_name, "email": info.email, "phone": info.phone},
                wanted,
            )
        for contact in contacts:
            self.parents_by_contact[contact] = parent
        return parent

    def _link(self, parent: User, student: User, label: str) -> None:
        if (parent, student) in self.links:
            return
        link = ParentLink(
            school_id=self.school.id, parent=parent, student=student, relationship_label=label[:40]
        )
        db.session.add(link)
        self.audits.append(("parent_link.create", link, {"student": [None, student.student_code]}))
        self.links.add((parent, student))
        self._mark(parent, "changed")
