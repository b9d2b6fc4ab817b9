"""The production stack measured at 1, 2 and 4 processes, on SQLite and on PostgreSQL, with one
command (issue 10): for each (database, processes) it starts bench/stack.py's stack (nginx +
N gunicorn processes of deploy/gunicorn.conf.py, and N of bench/hello_app.py behind the same
nginx), then, through nginx:
  1. the ceiling: GET /bench/hello, then answer saves, as fast as --connections keep-alive
     connections are answered (bench/hello_ceiling.py's phases), "a save costs X hellos";
  2. the exam storm (bench/exam_storm.py, a subprocess): --students start the same sitting
     within --start-window, save --saves-per-student answers each with no think time, submit;
     then the database is checked (no duplicate attempt, every acknowledged save stored);
  3. memory: RSS of each LopHoc worker at the end;
and, with --live-rooms N (PostgreSQL only), a second stack of N processes in gunicorn's gevent
worker (docs/deploy.md) sharing Redis, where bench/live_room.py's N rooms of 40 python-socketio
clients connect through nginx (WebSocket) and each teacher's chat line is timed to every
student: connected, delivered, p50/p99, and the workers' RSS before and with the clients.
Prints one table per part (or --json, one line per configuration).

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
import stack as stack_mod  # noqa: E402

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


def live(workers: int, args) -> dict:
    """bench/live_room.py through nginx to `workers` gevent live processes (lophoc-live@)
    sharing Redis, beside one web process."""
    stack = stack_mod.Stack(1, args.postgres_url, redis_url=args.redis_url, live_workers=workers)
    with stack:
        env = os.environ | stack.env() | {"LOPHOC_ENV": "development"}
        plan = stack.tmp / "live-plan.json"
        script = str(ROOT / "bench" / "live_room.py")
        rooms = str(args.live_rooms)
        subprocess.run(
            [PYTHON, script, "setup", "--rooms", rooms, "--plan", str(plan)],
            env=env,
            check=True,
            capture_output=True,
            timeout=600,
        )
        pids = [c for proc in stack.live_procs for c in stack_mod._children(proc.pid)]
        idle = stack.memory()["live_rss_mb"]
        done = subprocess.run(
            [
                PYTHON,
                script,
                "run",
                "--plan",
                str(plan),
                "--rooms",
                rooms,
                "--servers",
                f"http://127.0.0.1:{stack.port}",
                "--procs",
                str(args.live_procs),
                "--messages",
                str(args.live_messages),
                "--pids",
                ",".join(map(str, pids)),
                "--spread",
                str(args.live_spread),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        result = json.loads(lines[-1]) if lines else {"failed": done.stderr[-2000:]}
    result.update(workers=workers, rss_mb_idle=idle)
    return result


def _live_row(r: dict) -> str:
    server = r.get("server") or {}
    with_clients = server.get("rss_mb_connected")
    idle = sum(r["rss_mb_idle"])
    per_1000 = (
        round((with_clients - idle) / r["connected"] * 1000, 1)
        if with_clients and r.get("connected")
        else None
    )
    return (
        f"| {r['workers']} | {r.get('connected')} / {r.get('clients')} "
        f"| {r.get('connect_seconds')} s | {r.get('delivered')} / {r.get('expected')} "
        f"| {r.get('p50_ms')} / {r.get('p99_ms')} ms "
        f"| {idle:.0f} -> {with_clients} MB ({per_1000} MB per 1,000 clients) "
        f"| {server.get('cpu_s_joining')} / {server.get('cpu_s_messages')} |"
    )


def run(database: str, workers: int, args) -> dict:
    url = args.postgres_url if database == "postgresql" else None
    report = hello_ceiling.measure(
        workers,
        args.connections,
        args.seconds,
        args.threads,
        url,
        during=lambda stack: _storm(stack, args),
        worker_class=args.worker_class,
    )
    report["database"] = database
    return report


def _row(report: dict) -> str:
    hello, save = report["results"]
    storm = report.get("during") or {}
    errors = sum((storm.get("errors") or {}).values()) + hello["errors"] + save["errors"]
    return (
        f"| {report['database']} | {report['workers']} ({report['worker_class']}) "
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
    parser.add_argument(
        "--worker-class", help="of the web processes (default gthread, as lophoc-web@)"
    )
    parser.add_argument("--students", type=int, default=200, help="exam storm")
    parser.add_argument("--saves-per-student", type=int, default=30)
    parser.add_argument("--start-window", type=float, default=1.0)
    parser.add_argument(
        "--live-rooms", type=int, default=0, help="live-room part: rooms of 40 (0: skip it)"
    )
    parser.add_argument("--live-messages", type=int, default=5, help="chat lines per teacher")
    parser.add_argument("--live-procs", type=int, default=2, help="client processes")
    parser.add_argument(
        "--live-spread",
        type=float,
        default=0.0,
        help="teachers send at their own moment within this many seconds (0: all at once)",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
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
    if args.live_rooms:
        if not args.json:
            print(
                "\n| processes (gevent) | connected | joined in | delivered | p50 / p99 "
                "| worker RSS idle -> with clients | CPU s joining / messages |\n"
                "|---|---|---|---|---|---|---|",
                flush=True,
            )
        for workers in (int(w) for w in args.workers.split(",")):
            result = live(workers, args)
            print(json.dumps(result) if args.json else _live_row(result), flush=True)
            if result.get("connected") != result.get("clients") or (
                result.get("delivered") != result.get("expected")
            ):
                reports.append({"results": [{"errors": 1}], "during": {"exit_code": 1}})
    bad = [
        r
        for r in reports
        if (r.get("during") or {}).get("exit_code", 1) != 0
        or any(row["errors"] for row in r["results"])
    ]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
