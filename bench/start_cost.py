"""What one exam start costs in-process: CPU, wall time and SQL statements per request.

Usage:
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/lophoc_bench_start \\
        python bench/start_cost.py [--students 100] [--class-size 40] [--profile out.txt] [--json]

The database must be migrated (`lophoc db upgrade`) and is written to: it gets a bench school
(reused between runs) and new exams on every run (bench/exam_setup.py `prepare`). The app is
built with create_app("production") (SECRET_KEY is set to a bench value when absent, Redis is
left out) and called through the Flask test client, so no server, socket or other process is
involved: the numbers are the application's own cost, the floor under a real start storm.

Per student it measures, in this order:
  new     the first POST /api/v1/exams/{id}/attempts (201: the attempt is created)
  resume  a second POST by the same student (200: the same attempt, nothing to change)
For each: CPU (time.process_time, this process: Flask, SQLAlchemy, the driver's client side),
wall (time.perf_counter, includes the database's round trips) and the number of SQL
statements sent (SQLAlchemy before_cursor_execute; BEGIN/COMMIT are not counted, a
commit is reported separately as `commits`). The first start of each exam is left out of
the figures (it fills the per-process question caches, as the first student of a real
sitting does); mean, median and p90 are in milliseconds.
--profile PATH writes a cProfile summary (CPU time, cumulative, top 60) of the measured new starts;
--show-sql prints the statements of the last new start and the last resume to stderr;
--json prints the figures as one JSON line instead of the table.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


class Counter:
    """SQL statements and commits seen on the engine since the last reset."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.statements = 0
        self.commits = 0
        self.texts: list[str] = []
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, _conn, _cursor, statement, *_args):
        self.statements += 1
        self.texts.append(" ".join(statement.split())[:160])

    def _commit(self, *_args):
        self.commits += 1

    def reset(self) -> None:
        self.statements = 0
        self.commits = 0
        self.texts = []


def _figures(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "mean": round(statistics.fmean(ordered), 2),
        "median": round(statistics.median(ordered), 2),
        "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 2),
    }


def _call(client, counter, seat, expect: int) -> tuple[float, float, int, int]:
    url = f"/api/v1/exams/{seat.exam_id}/attempts"
    headers = {"Authorization": f"Bearer {seat.token}", "X-Exam-Session": f"s{seat.student_id}"}
    counter.reset()
    cpu, wall = time.process_time(), time.perf_counter()
    reply = client.post(url, json={}, headers=headers)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if reply.status_code != expect:
        raise SystemExit(f"{url}: {reply.status_code}, not {expect}: {reply.get_data()[:300]}")
    return cpu * 1000, wall * 1000, counter.statements, counter.commits


def run(students: int, class_size: int, profile_path: str | None, show_sql: bool) -> dict:
    from app import create_app
    from app.extensions import db
    from bench.exam_setup import prepare

    app = create_app("production")
    with app.test_request_context():
        sitting = prepare(students, class_size, "BENCHSTART")
        counter = Counter(db.engine)
    client = app.test_client()
    first_of_exam = {}
    for seat in sitting.seats:
        first_of_exam.setdefault(seat.exam_id, seat)
    warm = set(map(id, first_of_exam.values()))
    for seat in first_of_exam.values():  # fill the per-process caches, as a sitting's first start
        _call(client, counter, seat, 201)
    measured = [s for s in sitting.seats if id(s) not in warm]
    # CPU time, not wall: the waits on the database are not what a start costs the server
    profiler = cProfile.Profile(time.process_time) if profile_path else None
    new = []
    for seat in measured:
        if profiler:
            profiler.enable()
        new.append(_call(client, counter, seat, 201))
        if profiler:
            profiler.disable()
    shown = {"new": counter.texts} if show_sql else {}
    resume = [_call(client, counter, seat, 200) for seat in measured]
    if show_sql:
        shown["resume"] = counter.texts
        for name, texts in shown.items():
            print(f"-- {name}: {len(texts)} statements", *texts, sep="\n", file=sys.stderr)
    if profiler:
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).sort_stats("cumulative")
        stats.print_stats(60)
        stats.print_callees("start_attempt|_entry|attempt_view|exams.py.*post")
        Path(profile_path).write_text(text.getvalue())
    result = {"students": len(measured), "database": app.config["SQLALCHEMY_DATABASE_URI"]}
    for name, rows in (("new", new), ("resume", resume)):
        result[name] = {
            "cpu_ms": _figures([r[0] for r in rows]),
            "wall_ms": _figures([r[1] for r in rows]),
            "statements": max(r[2] for r in rows),
            "commits": max(r[3] for r in rows),
        }
    return result


def _table(result: dict) -> str:
    lines = [
        f"{result['students']} students measured ({result['database'].split('@')[-1]})",
        f"{'':8}{'cpu mean':>10}{'median':>8}{'p90':>8}{'wall mean':>11}{'median':>8}"
        f"{'p90':>8}{'stmts':>7}{'commits':>9}",
    ]
    for name in ("new", "resume"):
        row = result[name]
        cpu, wall = row["cpu_ms"], row["wall_ms"]
        lines.append(
            f"{name:8}{cpu['mean']:>10}{cpu['median']:>8}{cpu['p90']:>8}{wall['mean']:>11}"
            f"{wall['median']:>8}{wall['p90']:>8}{row['statements']:>7}{row['commits']:>9}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--class-size", type=int, default=40)
    parser.add_argument("--profile", metavar="PATH", help="write a cProfile summary of new starts")
    parser.add_argument("--show-sql", action="store_true", help="the last start's SQL to stderr")
    parser.add_argument("--json", action="store_true", help="one JSON line instead of a table")
    args = parser.parse_args()
    if not args.database_url:
        raise SystemExit("Give --database-url or set DATABASE_URL (a migrated bench database).")
    os.environ["DATABASE_URL"] = args.database_url  # read by app.config when it is imported
    os.environ.setdefault("SECRET_KEY", "bench-start-cost-not-secret")
    os.environ.pop("REDIS_URL", None)
    result = run(args.students, args.class_size, args.profile, args.show_sql)
    print(json.dumps(result) if args.json else _table(result))


if __name__ == "__main__":
    main()
