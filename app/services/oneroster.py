"""IMS OneRoster 1.2 read views of a school: users, classes, enrollments, lineItems, results.

Students are identified by their student code (as in every grade export), other people by
"user-<id>", classes by "course-<id>", line items by "course-<id>-<semester>-<column>".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import ClassMembership, Course, GradeEntry, Role, School, Semester, User
from app.services.access import acting_school_id, require_school_admin

ROLES = {
    Role.STUDENT: "student",
    Role.TEACHER: "teacher",
    Role.PARENT: "parent",
    Role.ADMIN: "administrator",
}


def _stamp(at: datetime | None) -> str | None:
    return at.isoformat(timespec="seconds").replace("+00:00", "Z") if at else None


def user_sourced_id(user: User) -> str:
    return (
        user.student_code if user.role == Role.STUDENT and user.student_code else f"user-{user.id}"
    )


def _school(actor: User) -> School:
    require_school_admin(actor)
    return db.session.get(School, acting_school_id(actor))


def users(actor: User) -> list[dict]:
    school = _school(actor)
    stmt = (
        select(User)
        .where(User.school_id == school.id, User.role.in_(list(ROLES)))
        .order_by(User.id)
    )
    return [_user(user, school) for user in db.session.scalars(stmt)]


def _user(user: User, school: School) -> dict:
    words = user.full_name.split()
    return {
        "sourcedId": user_sourced_id(user),
        "status": "active" if user.is_active else "tobedeleted",
        "dateLastModified": _stamp(user.updated_at),
        "enabledUser": user.is_active,
        "username": user.username,
        "identifier": user.student_code or "",
        "givenName": words[-1] if words else "",
        "familyName": " ".join(words[:-1]),
        "email": user.email or "",
        "roles": [
            {
                "roleType": "primary",
                "role": ROLES[Role(user.role)],
                "org": {"sourcedId": school.code, "type": "org"},
            }
        ],
    }


def _courses(school: School) -> list[Course]:
    stmt = select(Course).where(Course.school_id == school.id).order_by(Course.id)
    return list(db.session.scalars(stmt))


def classes(actor: User) -> list[dict]:
    school = _school(actor)
    return [
        {
            "sourcedId": f"course-{c.id}",
            "status": "active" if c.is_active else "tobedeleted",
            "dateLastModified": _stamp(c.updated_at),
            "title": c.title,
            "classCode": c.school_class.name,
            "classType": "scheduled",
            "grades": [f"{c.school_class.grade:02d}"],
            "subjects": [c.subject.name],
            "course": {"sourcedId": f"subject-{c.subject_id}", "type": "course"},
            "school": {"sourcedId": school.code, "type": "org"},
            "terms": [{"sourcedId": f"year-{c.school_year_id}", "type": "academicSession"}],
        }
        for c in _courses(school)
    ]


def enrollments(actor: User) -> list[dict]:
    school = _school(actor)
    courses = _courses(school)
    members: dict[int, list[User]] = {}
    stmt = (
        select(ClassMembership.class_id, User)
        .join(User, User.id == ClassMembership.student_id)
        .where(ClassMembership.school_id == school.id)
        .order_by(User.full_name)
    )
    for class_id, student in db.session.execute(stmt):
        members.setdefault(class_id, []).append(student)
    rows = []
    for course in courses:
        people = [(course.teacher, "teacher", True)]
        people += [(s, "student", False) for s in members.get(course.class_id, [])]
        for user, role, primary in people:
            rows.append(
                {
                    "sourcedId": f"course-{course.id}-{user_sourced_id(user)}",
                    "status": "active",
                    "dateLastModified": _stamp(course.updated_at),
                    "class": {"sourcedId": f"course-{course.id}", "type": "class"},
                    "user": {"sourcedId": user_sourced_id(user), "type": "user"},
                    "school": {"sourcedId": school.code, "type": "org"},
                    "role": role,
                    "primary": primary,
                }
            )
    return rows


def _entries(school: School):
    stmt = (
        select(GradeEntry)
        .where(GradeEntry.school_id == school.id, GradeEntry.score.is_not(None))
        .order_by(GradeEntry.course_id, GradeEntry.semester, GradeEntry.column, GradeEntry.id)
    )
    return list(db.session.scalars(stmt))


def _line_item_id(entry: GradeEntry) -> str:
    return f"course-{entry.course_id}-{entry.semester}-{entry.column}"


def line_items(actor: User) -> list[dict]:
    """One line item per course, semester and column that holds at least one score."""
    school = _school(actor)
    semesters = {
        (s.school_year_id, s.number): s
        for s in db.session.scalars(select(Semester).where(Semester.school_id == school.id))
    }
    items: dict[str, dict] = {}
    for entry in _entries(school):
        key = _line_item_id(entry)
        if key in items:
            continue
        course = entry.course
        term = semesters.get((course.school_year_id, entry.semester))
        items[key] = {
            "sourcedId": key,
            "status": "active",
            "dateLastModified": _stamp(entry.updated_at),
            "title": f"{course.title} {entry.column.upper()} HK{entry.semester}",
            "description": "",
            "assignDate": term.starts_on.isoformat() if term else None,
            "dueDate": term.ends_on.isoformat() if term else None,
            "class": {"sourcedId": f"course-{course.id}", "type": "class"},
            "school": {"sourcedId": school.code, "type": "org"},
            "category": {
                "sourcedId": "tx" if entry.column.startswith("tx") else entry.column,
                "type": "category",
            },
            "gradingPeriod": {
                "sourcedId": f"year-{course.school_year_id}-{entry.semester}",
                "type": "academicSession",
            },
            "resultValueMin": 0.0,
            "resultValueMax": 10.0,
        }
    return list(items.values())


def results(actor: User) -> list[dict]:
    school = _school(actor)
    return [
        {
            "sourcedId": f"{_line_item_id(e)}-{user_sourced_id(e.student)}",
            "status": "active",
            "dateLastModified": _stamp(e.updated_at),
            "lineItem": {"sourcedId": _line_item_id(e), "type": "lineItem"},
            "student": {"sourcedId": user_sourced_id(e.student), "type": "user"},
            "class": {"sourcedId": f"course-{e.course_id}", "type": "class"},
            "scoreStatus": "fully graded",
            # OneRoster's score is a float; a one-decimal score survives the trip exactly.
            "score": float(e.score),
            "scoreDate": e.updated_at.date().isoformat(),
            "comment": "",
        }
        for e in _entries(school)
    ]
