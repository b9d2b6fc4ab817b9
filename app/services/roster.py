"""Roster import: classes, students, teachers and parents from one file, all or nothing."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import ValidationFailed
from app.extensions import db
from app.models import ClassMembership, ParentLink, Role, School, SchoolClass, SchoolYear, User
from app.services import audit
from app.services.identity import normalise_username, search_text_for
from app.services.roster_files import read_roster
from app.services.roster_rows import PersonRecord, RowError, to_record
from app.services.school import add_class, current_year, ensure_year

PERSON_FIELDS = {"full_name": "full_name", "date_of_birth": "date_of_birth", "gender": "gender",
                 "email": "email", "phone": "phone"}
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


def import_roster(actor: User | None, school: School, data: bytes, filename: str,
                  year_name: str | None = None) -> RosterSummary:
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
                    raise RowError(row.number, "student_code", _(
                        "mã học sinh “%(c)s” trùng với dòng %(r)s.", c=record.student_code,
                        r=codes[key]))
                codes[key] = row.number
            records.append(record)
        except RowError as exc:
            errors.append({"where": _("Dòng %(r)s", r=exc.row), "column": exc.column,
                           "message": str(exc)})
            if len(errors) >= MAX_REPORTED_ERRORS:
                break
    if errors:
        raise ValidationFailed(errors[0]["message"], code="invalid_roster",
                               details={"errors": errors})
    return records


class _Importer:
    """Matches validated records against what the school already has, in bulk."""

    def __init__(self, actor, school: School, year_id: int, columns: set[str], summary):
        self.actor, self.school, self.year_id = actor, school, year_id
        self.columns, self.summary = columns, summary
        people = db.session.scalars(select(User).where(User.school_id == school.id)).all()
        self.by_code = {u.student_code.upper(): u for u in people if u.student_code}
        self.by_username = {u.username: u for u in people}
        self.parents_by_contact = {c: u for u in people if u.role == Role.PARENT
                                   for c in (u.phone, u.email) if c}
        self.classes = {c.name.upper(): c for c in db.session.scalars(
            select(SchoolClass).where(SchoolClass.school_year_id == year_id))}
        self.memberships = {m.student_id: m for m in db.session.scalars(
            select(ClassMembership).join(SchoolClass)
            .where(SchoolClass.school_year_id == year_id))}
        self.links = set(db.session.execute(
            select(ParentLink.parent_id, ParentLink.student_id)
            .where(ParentLink.school_id == school.id)).tuples())
        self.touched: dict[int, str] = {}  # user id -> "new" | "changed"

    def run(self, records: list[PersonRecord]) -> None:
        for role in ("student", "teacher", "parent"):
            for record in (r for r in records if r.role == role):
                self.row_changed = False
                try:
                    self._one(record)
                except ValidationFailed as exc:
                    raise ValidationFailed(_("Dòng %(r)s: %(m)s", r=record.row, m=exc.message),
                                           code="invalid_roster") from exc
                except RowError as exc:
                    raise ValidationFailed(str(exc), code="invalid_roster") from exc
                self.summary.unchanged += 0 if self.row_changed else 1
        states = list(self.touched.values())
        self.summary.imported += states.count("new")
        self.summary.updated += states.count("changed")

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
                    raise RowError(record.row, "children",
                                   _("không có học sinh mã “%(c)s”.", c=code))
                self._link(parent, child, "")

    def _mark(self, user: User, state: str) -> None:
        self.row_changed = True
        if self.touched.get(user.id) != "new":
            self.touched[user.id] = state

    def _teacher_username(self, record: PersonRecord) -> str:
        return normalise_username(record.username or record.email or "")

    def _person(self, record: PersonRecord, user: User | None) -> User:
        fields = {k: getattr(record, v) for k, v in PERSON_FIELDS.items()
                  if k == "full_name" or k in self.columns}
        if user is None:
            return self._create(record, fields)
        if user.role != record.role:
            raise RowError(record.row, "username", _("“%(u)s” đã là tài khoản %(r)s.",
                                                    u=user.username, r=user.role))
        changes = audit.diff(user, fields)
        if changes:
            user.search_text = search_text_for(user)
            audit.record(self.actor, "user.update", user, changes)
            self._mark(user, "changed")
        return user

    def _create(self, record: PersonRecord, fields: dict) -> User:
        if record.role == "student":
            username = self._free_username(record.username or record.student_code, record)
        else:
            username = self._free_username(self._teacher_username(record), record, strict=True)
        user = User(school_id=self.school.id, username=username, role=record.role,
                    student_code=record.student_code, **fields)
        user.search_text = search_text_for(user)
        db.session.add(user)
        db.session.flush()
        audit.record(self.actor, "user.create", user, {"role": [None, user.role]})
        self.by_username[username] = user
        if user.student_code:
            self.by_code[user.student_code.upper()] = user
        self._mark(user, "new")
        return user

    def _free_username(self, wanted: str, record: PersonRecord, strict: bool = False) -> str:
        base = normalise_username(wanted)
        candidates = [base] if strict else [base, f"{self.school.code.lower()}.{base}"]
        for name in candidates:
            if name not in self.by_username and not db.session.scalar(
                    select(User.id).where(User.username == name)):
                return name
        raise RowError(record.row, "username",
                       _("tên đăng nhập “%(u)s” đã có người dùng ở trường khác.", u=base))

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
        current = self.memberships.get(student.id)
        if current is not None and current.class_id == school_class.id:
            return
        if current is not None:
            db.session.delete(current)
            db.session.flush()
        membership = ClassMembership(school_id=self.school.id, class_id=school_class.id,
                                     student_id=student.id)
        db.session.add(membership)
        self.memberships[student.id] = membership
        audit.record(self.actor, "class.enrol", student,
                     {"class_id": [current.class_id if current else None, school_class.id]})
        self._mark(student, "changed")

    def _homeroom(self, record: PersonRecord, teacher: User) -> None:
        if not record.class_name:
            return
        school_class = self._class(record)
        changes = audit.diff(school_class, {"homeroom_teacher_id": teacher.id})
        if changes:
            audit.record(self.actor, "class.homeroom", school_class, changes)
            self._mark(teacher, "changed")

    def _parent(self, record: PersonRecord) -> User:
        info = record.parent
        if record.role == "parent":
            username = record.username
            contact = [record.phone, record.email]
            name, fields_record = record.full_name, record
        else:
            username, contact, name = info.username, [info.phone, info.email], info.full_name
            fields_record = PersonRecord(row=record.row, role="parent", full_name=name,
                                         username=username, email=info.email, phone=info.phone)
        parent = self.by_username.get(normalise_username(username)) if username else None
        parent = parent or next((self.parents_by_contact[c] for c in contact
                                 if c and c in self.parents_by_contact), None)
        if parent is None:
            wanted = username or (f"ph{contact[0]}" if contact[0] else contact[1])
            fields = {"full_name": name, "email": fields_record.email, "phone": fields_record.phone}
            parent = self._create_parent(record, wanted, fields)
        for c in contact:
            if c:
                self.parents_by_contact[c] = parent
        return parent

    def _create_parent(self, record: PersonRecord, wanted: str, fields: dict) -> User:
        parent_record = PersonRecord(row=record.row, role="parent", full_name=fields["full_name"])
        username = self._free_username(wanted, parent_record)
        user = User(school_id=self.school.id, username=username, role="parent", **fields)
        user.search_text = search_text_for(user)
        db.session.add(user)
        db.session.flush()
        audit.record(self.actor, "user.create", user, {"role": [None, "parent"]})
        self.by_username[username] = user
        self._mark(user, "new")
        return user

    def _link(self, parent: User, student: User, label: str) -> None:
        if (parent.id, student.id) in self.links:
            return
        link = ParentLink(school_id=self.school.id, parent_id=parent.id, student_id=student.id,
                          relationship_label=label[:40])
        db.session.add(link)
        db.session.flush()
        audit.record(self.actor, "parent_link.create", link, {"student_id": [None, student.id]})
        self.links.add((parent.id, student.id))
        self._mark(parent, "changed")
