"""Time the family pages of a generated school: the parent home (cards), a child's subject
progress page, the homeroom overview of a class, with the number of SQL statements of each.

Usage: python bench/family_pages.py [--classes 3] [--students 45] [--subjects 12]
       [--homework 20] [--lessons 60] [--children 3] [--database-url URL]
Seeds a fresh database (SQLite in a temp folder by default; a PostgreSQL URL has its schema
dropped and re-created by migrations): every class has every subject, scores (3 ĐĐGtx, ĐĐGgk,
ĐĐGck) released in semester 1, homework with most of it handed in, lessons with attendance.
One parent is linked to `--children` students in different classes.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from cli_runner import reset_postgres

SUBJECTS = [
    "Toán", "Ngữ văn", "Tiếng Anh", "Vật lí", "Hoá học", "Sinh học",
    "Lịch sử", "Địa lí", "Tin học", "Công nghệ", "GDKT và PL", "Giáo dục quốc phòng",
]  # fmt: skip


def _class(db, school, year, k: int, args, rng, now):
    from app.models import (
        Assignment,
        AttendanceRecord,
        ClassMembership,
        Course,
        GradeEntry,
        GradeRelease,
        Submission,
        TimetableSlot,
        User,
    )
    from app.services.school import add_class, ensure_subject

    school_class = add_class(None, school, year, f"10A{k + 1}")
    pupils = [
        User(
            school_id=school.id,
            username=f"hs{k}_{i}",
            role="student",
            full_name=f"Học sinh {k}-{i}",
            student_code=f"HS{k:02d}{i:03d}",
        )
        for i in range(args.students)
    ]
    teacher = User(school_id=school.id, username=f"gv{k}", full_name="Giáo viên", role="teacher")
    db.session.add_all([*pupils, teacher])
    db.session.flush()
    school_class.homeroom_teacher_id = teacher.id
    db.session.add_all(
        ClassMembership(school_id=school.id, class_id=school_class.id, student_id=p.id)
        for p in pupils
    )
    courses = []
    for name in SUBJECTS[: args.subjects]:
        course = Course(
            school_id=school.id,
            school_year_id=year.id,
            class_id=school_class.id,
            subject_id=ensure_subject(school, name).id,
            teacher_id=teacher.id,
        )
        db.session.add(course)
        db.session.flush()
        courses.append(course)
        db.session.add(GradeRelease(school_id=school.id, course_id=course.id, semester=1))
        for p in pupils:
            for column in ("tx1", "tx2", "tx3", "gk", "ck"):
                db.session.add(
                    GradeEntry(
                        school_id=school.id,
                        course_id=course.id,
                        student_id=p.id,
                        semester=1,
                        column=column,
                        score=Decimal(rng.randint(40, 100)) / 10,
                    )
                )
    for h in range(args.homework):
        course = courses[h % len(courses)]
        due = now - timedelta(days=args.homework - h - 3)
        assignment = Assignment(
            school_id=school.id,
            course_id=course.id,
            title=f"Bài tập {h + 1}",
            opens_at=due - timedelta(days=7),
            due_at=due,
        )
        db.session.add(assignment)
        db.session.flush()
        for p in pupils:
            if rng.random() < 0.85:
                db.session.add(
                    Submission(
                        school_id=school.id,
                        assignment_id=assignment.id,
                        student_id=p.id,
                        submitted_at=due - timedelta(hours=2),
                        score=Decimal(8),
                        comment="Tốt",
                        returned_at=due + timedelta(days=1),
                    )
                )
    for n in range(args.lessons):
        course = courses[n % len(courses)]
        start = now - timedelta(days=n // 3, hours=n % 3)
        slot = TimetableSlot(
            school_id=school.id,
            class_id=school_class.id,
            course_id=course.id,
            starts_at=start,
            ends_at=start + timedelta(minutes=45),
            attendance_taken_at=start,
        )
        db.session.add(slot)
        db.session.flush()
        db.session.add_all(
            AttendanceRecord(
                school_id=school.id,
                slot_id=slot.id,
                student_id=p.id,
                status="present" if rng.random() < 0.93 else "unexcused",
            )
            for p in pupils
        )
    db.session.flush()
    return school_class, pupils, courses


def seed(app, args):
    from app.extensions import db
    from app.models import ParentLink, User
    from app.services.school import create_school, current_year

    school = create_school("BENCH", "Trường THPT Bench")
    year = current_year(school)
    rng = random.Random(7)
    now = datetime.now(UTC)
    classes = [_class(db, school, year, k, args, rng, now) for k in range(args.classes)]
    parent = User(school_id=school.id, username="ph.bench", full_name="Phụ huynh", role="parent")
    db.session.add(parent)
    db.session.flush()
    for i in range(args.children):
        _klass, pupils, _courses = classes[i % len(classes)]
        db.session.add(
            ParentLink(school_id=school.id, parent_id=parent.id, student_id=pupils[i].id)
        )
    db.session.commit()
    return parent.id, classes


def timed(label: str, run) -> None:
    from sqlalchemy import event

    from app.extensions import db

    statements = []

    def count(*_args):
        statements.append(1)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    try:
        run()
    finally:
        elapsed = time.perf_counter() - started
        event.remove(db.engine, "before_cursor_execute", count)
    print(f"{label:<42} {elapsed * 1000:8.1f} ms  {len(statements):4d} statements")


def _ok(response):
    if response.status_code != 200:
        raise SystemExit(f"HTTP {response.status_code}")
    return response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--students", type=int, default=45)
    parser.add_argument("--subjects", type=int, default=12)
    parser.add_argument("--homework", type=int, default=20)
    parser.add_argument("--lessons", type=int, default=60)
    parser.add_argument("--children", type=int, default=3)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        if url.startswith("postgresql"):
            reset_postgres(url)
        from flask_migrate import upgrade

        from app import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            parent_id, classes = seed(app, args)
            print(f"seeded in {time.perf_counter() - started:.1f} s")
            from app.extensions import db
            from app.models import User
            from app.services import homeroom, progress, progress_pages

            parent = db.session.get(User, parent_id)
            klass, pupils, courses = classes[0]
            teacher_id = klass.homeroom_teacher_id
            code, course_id, class_id = pupils[0].student_code, courses[0].id, klass.id
            timed(
                f"parent home cards ({args.children} children)",
                lambda: progress.family_cards(db.session.get(User, parent_id)),
            )
            timed(
                "subject progress page (service)",
                lambda: progress_pages.subject_progress(
                    db.session.get(User, parent_id), code, course_id
                ),
            )
            timed(
                f"homeroom overview ({args.students} students)",
                lambda: homeroom.class_overview(db.session.get(User, teacher_id), class_id, "1"),
            )
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = parent.get_id()
                session["_fresh"] = True
            for _round in range(2):  # the first round includes compiling queries and templates
                timed("GET / as the parent (rendered)", lambda: _ok(client.get("/")))
                timed(f"GET /children/{code}", lambda: _ok(client.get(f"/children/{code}")))
                timed(
                    f"GET /children/{code}/subjects/{course_id}",
                    lambda: _ok(client.get(f"/children/{code}/subjects/{course_id}")),
                )


if __name__ == "__main__":
    main()
