"""Time the gradebook export of a generated school: XLSX file and paging the JSON API.

Usage: python bench/gradebook_export.py [--students 2000] [--subjects 12] [--database-url URL]
       [--per-page 500] [--profile]
Seeds a fresh database (SQLite in a temp folder by default; a PostgreSQL URL has its schema
dropped and re-created by migrations) with every student scored in every subject
(3 ĐĐGtx, ĐĐGgk, ĐĐGck), then times `export_to_file(..., "xlsx")` and pages through
GET /api/v1/schools/{code}/grades?per_page=N with an integration token. Prints wall and CPU
time (this process's CPU, less affected by other jobs on a shared machine than wall time).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from cli_runner import reset_postgres

SUBJECTS = [
    "Toán",
    "Ngữ văn",
    "Tiếng Anh",
    "Vật lí",
    "Hoá học",
    "Sinh học",
    "Lịch sử",
    "Địa lí",
    "Tin học",
    "Công nghệ",
    "GDKT và PL",
    "Giáo dục quốc phòng",
]


def seed(app, students: int, subjects: int) -> tuple[str, str]:
    from sqlalchemy import insert

    from app.extensions import db
    from app.models import ClassMembership, Course, GradeEntry, User
    from app.services import identity
    from app.services.school import add_class, create_school, current_year, ensure_subject

    school = create_school("BENCH", "Trường THPT Bench")
    year = current_year(school)
    admin = User(school_id=school.id, username="bench.admin", full_name="Quản trị", role="admin")
    teacher = User(school_id=school.id, username="bench.gv", full_name="Giáo viên", role="teacher")
    db.session.add_all([admin, teacher])
    db.session.flush()
    now = datetime.now(UTC)
    rng = random.Random(7)
    per_class = 40
    entries = []
    for k in range(-(-students // per_class)):
        school_class = add_class(None, school, year, f"{10 + k % 3}A{k + 1}")
        size = min(per_class, students - k * per_class)
        pupils = [
            User(
                school_id=school.id,
                username=f"hs{k}_{i}",
                role="student",
                full_name=f"Học sinh {k}-{i}",
                student_code=f"HS{k:03d}{i:02d}",
            )
            for i in range(size)
        ]
        db.session.add_all(pupils)
        db.session.flush()
        db.session.add_all(
            [
                ClassMembership(school_id=school.id, class_id=school_class.id, student_id=p.id)
                for p in pupils
            ]
        )
        for name in SUBJECTS[:subjects]:
            course = Course(
                school_id=school.id,
                school_year_id=year.id,
                class_id=school_class.id,
                subject_id=ensure_subject(school, name).id,
                teacher_id=teacher.id,
            )
            db.session.add(course)
            db.session.flush()
            for pupil in pupils:
                for column in ("tx1", "tx2", "tx3", "gk", "ck"):
                    entries.append(
                        {
                            "school_id": school.id,
                            "course_id": course.id,
                            "student_id": pupil.id,
                            "semester": 1,
                            "column": column,
                            "score": Decimal(rng.randint(30, 100)) / 10,
                            "source": "manual",
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
    db.session.execute(insert(GradeEntry), entries)
    db.session.commit()
    token = identity.create_integration_token(admin, "bench", ["grades:read"]).token
    return year.name, token


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--subjects", type=int, default=12)
    parser.add_argument("--database-url")
    parser.add_argument("--per-page", type=int, default=500, help="API page size (max 5000)")
    parser.add_argument("--profile", action="store_true", help="cProfile one API page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        if url.startswith("postgresql"):
            reset_postgres(url)
        from flask_migrate import upgrade

        from app import create_app

        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            year, token = seed(app, args.students, args.subjects)
            print(f"seeded in {time.perf_counter() - started:.1f} s")
            from app.services.gradebook_export import GradeQuery
            from app.services.gradebook_files import export_to_file

            started, cpu = time.perf_counter(), time.process_time()
            summary = export_to_file("BENCH", GradeQuery(year, "1"), "xlsx", Path(tmp, "b.xlsx"))
            print(
                f"xlsx: {summary.rows} rows in {time.perf_counter() - started:.2f} s "
                f"(cpu {time.process_time() - cpu:.2f} s)"
            )
            size = args.per_page
            client = app.test_client()
            headers = {"Authorization": f"Bearer {token}"}
            started, cpu, page, total = time.perf_counter(), time.process_time(), 1, 0
            while True:
                body = client.get(
                    f"/api/v1/schools/BENCH/grades?year={year}&semester=1&per_page={size}"
                    f"&page={page}",
                    headers=headers,
                ).get_json()
                total += len(body["items"])
                if page * size >= body["total"]:
                    break
                page += 1
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(
                f"json api: {total} rows in {page} pages of {size}, {elapsed:.2f} s in total "
                f"(cpu {cpu:.2f} s)"
            )
            if args.profile:
                _profile(client, headers, year)


def _profile(client, headers, year: str) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    client.get(
        f"/api/v1/schools/BENCH/grades?year={year}&semester=1&per_page=500&page=7", headers=headers
    )
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
