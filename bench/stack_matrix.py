"""The production stack measured at 1, 2 and 4 processes, on SQLite and on PostgreSQL, with one
command (issue 10): for each (database, processes) it starts bench/stack.py's stack (nginx +
N gunicorn processes of deploy/gunicorn.conf.py, and N of bench/hello_app.py behind the same
nginx), then, through nginx:
  1. the ceiling: GET /bench/hello, then answer saves, as fast as --connections keep-alive
     connections are answered (bench/hello_ceiling.py's phases), "a save costs X hellos";
  2. the exam storm (bench/exam_storm.py, a subprocess): --students start the same sitting
     within --start-window, save --saves-per-student answers each with no think time, submit;
     then the database is checked (no duplicate attempt, every acknowledged save stored);
  3. memory: RSS of each LopHoc worker at the end.
and prints one table (or --json, one line per configuration).

    .venv/bin/python bench/stack_matrix.py                         # SQLite and PostgreSQL, 1/2/4
    .venv/bin/python bench/stack_matrix.py --databases postgresql --workers 1,2 --seconds 5 \\
        --students 100 --saves-per-student 10                      # a quick look

PostgreSQL: --postgres-url names the server (a throw-away database is created and dropped per
configuration). The clients run on the same machine as the servers: on a 2-core box they take
a share of the CPU, so the numbers are a floor for the stack, not its ceiling.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import hello_ceiling  # noqa: E402

PYTHON = sys.executable


def _storm(stack, args) -> dict:
    """exam_storm.py against the stack's nginx, on the stack's database."""
    command = [
        PYTHON,
        str(ROOT / "bench" / "exam_storm.py"),
        "--url",
        f"http://127.0.0.1:{stack.port}",
        "--database-url",
        stack.database_url,
        "--students",
        str(args.students),
        "--saves-per-student",
        str(args.saves_per_student),
        "--start-window",
        str(args.start_window),
        "--saturate",
        "--server-pid",
        ",".join(str(proc.pid) for proc in stack.procs[: stack.workers]),
        "--json",
    ]
    env = os.environ | {"SECRET_KEY": stack.env()["SECRET_KEY"], "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"failed": done.returncode, "stderr": done.stderr[-2000:]}
    result = json.loads(lines[-1])
    result["exit_code"] = done.returncode  # 1: a duplicate attempt or a lost save
    return result


def run(database: str, workers: int, args) -> dict:
    url = args.postgres_url if database == "postgresql" else None
    report = hello_ceiling.measure(
        workers,
        args.connections,
        args.seconds,
        args.threads,
        url,
        during=lambda stack: _storm(stack, args),
    )
    report["database"] = database
    return report


def _row(report: dict) -> str:
    hello, save = report["results"]
    storm = report.get("during") or {}
    errors = sum((storm.get("errors") or {}).values()) + hello["errors"] + save["errors"]
    return (
        f"| {report['database']} | {report['workers']} "
        f"| {hello['per_s']:,.0f} ({hello['server_cpu_ms_per_request']} ms) "
        f"| {save['per_s']:,.0f} ({save['server_cpu_ms_per_request']} ms), p99 {save['p99_ms']} ms "
        f"| {report['save_cost_in_hellos_by_throughput']} / "
        f"{report['save_cost_in_hellos_by_server_cpu']} "
        f"| {storm.get('all_started_after_s')} s "
        f"| {storm.get('saves_per_s')} "
        f"| {storm.get('save_p50_ms')} / {storm.get('save_p99_ms')} ms "
        f"| {errors} / {storm.get('duplicate_attempts')} / {storm.get('acked_missing_or_older')} "
        f"| {', '.join(str(r) for r in report['memory']['rss_mb'])} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2,4", help="processes, comma-separated")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--connections", type=int, default=64, help="ceiling phases")
    parser.add_argument("--seconds", type=float, default=15, help="per ceiling phase")
    parser.add_argument("--threads", type=int, default=8, help="gthread threads per process")
    parser.add_argument("--students", type=int, default=200, help="exam storm")
    parser.add_argument("--saves-per-student", type=int, default=30)
    parser.add_argument("--start-window", type=float, default=1.0)
    parser.add_argument("--json", action="store_true", help="one JSON line per configuration")
    args = parser.parse_args()

    reports = []
    if not args.json:
        print(
            "| database | processes | hello req/s (CPU) | save req/s (CPU), p99 "
            "| a save costs (req/s / CPU) hellos | storm: all started | storm saves/s "
            "| storm save p50 / p99 | errors / dup / lost | worker RSS MB |\n"
            "|---|---|---|---|---|---|---|---|---|---|",
            flush=True,
        )
    for database in args.databases.split(","):
        for workers in (int(w) for w in args.workers.split(",")):
            report = run(database, workers, args)
            reports.append(report)
            print(json.dumps(report) if args.json else _row(report), flush=True)
    bad = [
        r
        for r in reports
        if (r.get("during") or {}).get("exit_code", 1) != 0
        or any(row["errors"] for row in r["results"])
    ]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
