"""Prepare an exam sitting for load and durability runs: a school, N students in classes, a
question bank, one published exam per class and a bearer token per student (service layer).

Usage: python bench/exam_setup.py --database-url URL --students 200 [--class-size 40] [--json]
Everything but the exams and tokens is reused when it already exists (same school code), so
a second run against the same database is quick; the exams are new on every run because
each student may sit an exam once. Tokens are issued in-process
(app.services.identity.issue_session_token), so the login rate limit and password hashing
stay out of what a bench measures.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TEACHER = "gv.bench"
TEACHER_PASSWORD = "bench-2026"
BANK = "Ngân hàng bench"
SUBJECT = "Toán"
CLASS_PREFIX = "12B"


@dataclass
class Seat:
    """One student's place in the sitting: the exam of their class and their bearer token."""

    student_id: int
    exam_id: int
    token: str


@dataclass
class Sitting:
    """What a run needs: every seat, the exams and the questions (all exams share them)."""

    school_code: str
    exam_ids: list[int]
    question_ids: list[int]
    seats: list[Seat] = field(default_factory=list)
    setup_s: float = 0.0
    token_source: str = "issued in-process (identity.issue_session_token)"

    def as_dict(self) -> dict:
        return asdict(self)


def gift_text(count: int = 30) -> str:
    """A GIFT bank of `count` questions: two thirds single choice, one third short answer."""
    lines = ["$CATEGORY: Bench/Đại số", ""]
    for n in range(1, count + 1):
        a, b = n + 3, 2 * n + 1
        if n % 3:
            wrong = " ".join(f"~{a + b + d}" for d in (1, 2, -1))
            lines.append(f"::Câu {n}:: Tính {a} + {b} = ? {{={a + b} {wrong}}}")
        else:
            lines.append(f"::Câu {n}:: Viết kết quả của {a} × {b} {{={a * b}}}")
        lines.append("")
    return "\n".join(lines)


def roster_csv(n: int, class_size: int) -> bytes:
    """Students BX00000001…, `class_size` to a class (12B1, 12B2, …)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Mã học sinh", "Họ và tên", "Lớp"])
    for i in range(n):
        writer.writerow([f"BX{i + 1:08d}", f"Học Sinh Bench {i + 1}", class_name(i, class_size)])
    return buffer.getvalue().encode("utf-8")


def class_name(index: int, class_size: int) -> str:
    return f"{CLASS_PREFIX}{index // class_size + 1}"


def make_app(database_url: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url})


def prepare(
    n_students: int,
    class_size: int = 40,
    school_code: str = "BENCHEXAM",
    n_questions: int = 30,
    duration_minutes: int = 60,
) -> Sitting:
    """Build (or reuse) the sitting. Call inside `app.test_request_context()` of an app bound to
    the target database: services translate their messages, which needs a request."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Question, User
    from app.services import exams, identity, roster

    started = time.perf_counter()
    school = _school(school_code)
    teacher = _teacher(school)
    roster.import_roster(None, school, roster_csv(n_students, class_size), "bench.csv")
    bank_id = _bank(teacher, n_questions)
    question_ids = list(
        db.session.scalars(
            select(Question.id)
            .where(Question.bank_id == bank_id, Question.is_archived.is_(False))
            .order_by(Question.id)
        )
    )[:n_questions]
    codes = [f"BX{i + 1:08d}" for i in range(n_students)]
    students = {
        u.student_code: u
        for u in db.session.scalars(
            select(User).where(User.school_id == school.id, User.student_code.in_(codes))
        )
    }
    stamp = time.strftime("%H:%M:%S")
    exam_of_class: dict[str, int] = {}
    seats = []
    for index, code in enumerate(codes):
        name = class_name(index, class_size)
        if name not in exam_of_class:
            course_id = _course(school, name)
            exam = exams.create_exam(
                teacher,
                course_id,
                {
                    "title": f"Bench {stamp} {name}",
                    "question_ids": question_ids,
                    "duration_minutes": duration_minutes,
                    "published": True,
                    "release": "immediately",
                    "max_attempts": 1,
                },
            )
            exam_of_class[name] = exam.id
        student = students[code]
        token = identity.issue_session_token(student, hours=12).token
        seats.append(Seat(student.id, exam_of_class[name], token))
    return Sitting(
        school_code=school.code,
        exam_ids=list(exam_of_class.values()),
        question_ids=question_ids,
        seats=seats,
        setup_s=round(time.perf_counter() - started, 2),
    )


def _school(code: str):
    from app.core.errors import NotFound
    from app.services.school import create_school, school_by_code

    try:
        return school_by_code(code)
    except NotFound:
        return create_school(code, "Trường bench")


def _teacher(school):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User
    from app.services.people import NewUser, create_user_cli

    teacher = db.session.scalar(select(User).where(User.username == TEACHER))
    if teacher is None:
        teacher = create_user_cli(
            school,
            NewUser(
                username=TEACHER,
                full_name="Giáo viên Bench",
                role="teacher",
                password=TEACHER_PASSWORD,
            ),
        )
    return teacher


def _bank(teacher, n_questions: int) -> int:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import QuestionBank
    from app.services import question_bank_access, question_files

    bank = db.session.scalar(
        select(QuestionBank).where(
            QuestionBank.school_id == teacher.school_id, QuestionBank.name == BANK
        )
    )
    if bank is None:
        bank = question_bank_access.create_bank(teacher, BANK, SUBJECT, 12)
    question_files.import_file(teacher, bank, gift_text(n_questions).encode(), "bench.gift", "gift")
    return bank.id


def _course(school, name: str) -> int:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Course, User
    from app.services.school import create_course, current_year, find_class

    school_class = find_class(school.id, current_year(school).id, name)
    teacher_id = db.session.scalar(select(User.id).where(User.username == TEACHER))
    course_id = db.session.scalar(
        select(Course.id).where(Course.class_id == school_class.id, Course.teacher_id == teacher_id)
    )
    if course_id is None:
        course_id = create_course(None, school, name, SUBJECT, TEACHER).id
    return course_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--class-size", type=int, default=40)
    parser.add_argument("--school", default="BENCHEXAM")
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--duration", type=int, default=60, help="exam minutes")
    parser.add_argument("--json", action="store_true", help="print the sitting as one JSON line")
    parser.add_argument(
        "--upgrade", action="store_true", help="apply the migrations first (`lophoc db upgrade`)"
    )
    args = parser.parse_args()
    if not args.database_url:
        raise SystemExit("Give --database-url or set DATABASE_URL (the server's database).")
    app = make_app(args.database_url)
    if args.upgrade:
        from flask_migrate import upgrade

        with app.app_context():
            upgrade()
    with app.test_request_context():
        sitting = prepare(
            args.students, args.class_size, args.school, args.questions, args.duration
        )
    if args.json:
        print(json.dumps(sitting.as_dict(), ensure_ascii=False))
    else:
        print(
            f"{len(sitting.seats)} students, exams {sitting.exam_ids}, "
            f"{len(sitting.question_ids)} questions, {sitting.setup_s} s"
        )


if __name__ == "__main__":
    main()
