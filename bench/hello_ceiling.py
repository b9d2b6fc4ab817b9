"""The ceiling of this stack and what an exam save costs against it (issue 10: a save should
cost no more than 3 hellos). Starts bench/stack.py's stack (N LopHoc gunicorn processes behind
a temporary nginx) plus N gunicorn processes of bench/hello_app.py with the same
deploy/gunicorn.conf.py behind the same nginx, then, for --seconds each, drives
--connections keep-alive connections as fast as they are answered:
  1. GET /bench/hello (plain Flask through nginx + gunicorn)
  2. PUT /api/v1/attempts/{id}/answers/{qid} (one student per connection, seq 1, 2, 3...)
and prints requests/s, latency and the server CPU per request of each (from /proc).

    python bench/hello_ceiling.py --workers 1 --connections 8 --seconds 5        # smoke
    python bench/hello_ceiling.py --workers 4 --connections 64 --seconds 30 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import stack as stack_mod  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def _tree_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) of these processes and their children."""
    total = 0.0
    seen = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
        todo += stack_mod._children(pid)
    return total


async def _connection(port: int, make_request, stop_at: float, latencies: list, errors: list):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    n = 0
    try:
        while time.monotonic() < stop_at:
            n += 1
            raw = make_request(n)
            sent = time.perf_counter()
            writer.write(raw)
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - sent)
            status = int(status_line.split()[1]) if status_line else 0
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


def _request(method: str, path: str, host: str, body: bytes = b"", token: str = "") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def _drive(port, makers, seconds):
    latencies, errors = [], []
    stop_at = time.monotonic() + seconds
    started = time.monotonic()
    await asyncio.gather(*(_connection(port, m, stop_at, latencies, errors) for m in makers))
    wall = time.monotonic() - started
    return latencies, errors, wall


def _summary(name, latencies, errors, wall, cpu) -> dict:
    done = len(latencies)
    ordered = sorted(latencies) or [0.0]
    return {
        "what": name,
        "requests": done,
        "per_s": round(done / wall, 1) if wall else 0,
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
        "errors": len(errors),
        "server_cpu_ms_per_request": round(cpu / done * 1000, 2) if done else None,
    }


def measure(
    workers: int,
    connections: int,
    seconds: float,
    threads: int = 32,
    database_url: str | None = None,
    during=None,
    worker_class: str | None = None,
) -> dict:
    """Start the stack, drive the hello and the save phases, return the report. The web
    processes (and the hello's) run `worker_class`, by default deploy/'s lophoc-web@ unit's
    (gthread) (Socket.IO goes to the gevent lophoc-live@ processes, not measured
    here). `during`, if
    given, is called with the running stack after both phases (bench/stack_matrix.py runs the
    exam storm there) and its result is added to the report as "during"."""

    worker_class = worker_class or stack_mod.WEB_ENV["LOPHOC_WORKER_CLASS"]
    hello_ports = [stack_mod.free_port() for _ in range(workers)]
    location = (
        "        location = /bench/hello {\n"
        "            proxy_pass http://hello/hello;\n"
        "            proxy_http_version 1.1;\n"
        '            proxy_set_header Connection "";\n'
        "        }\n"
    )
    stack = stack_mod.Stack(
        workers,
        database_url,
        threads=threads,
        extra_upstreams={"hello": hello_ports},
        extra_locations=location,
        worker_class=worker_class,
        live_workers=0,
    )
    with stack:
        hello_procs = [stack._start_gunicorn(p, "bench.hello_app:app") for p in hello_ports]
        for port, proc in zip(hello_ports, hello_procs, strict=True):
            stack_mod._wait_http(port, "/hello", proc=proc)
        host = f"127.0.0.1:{stack.port}"
        import exam_setup

        with stack.app_context():
            sitting = exam_setup.prepare(connections, class_size=40, n_questions=10)
            seats = [(s.exam_id, s.token) for s in sitting.seats]
        attempts = []
        for exam_id, token in seats:
            client = stack_mod.Client(stack.port, token)
            status, body, _ = client.call("POST", f"/api/v1/exams/{exam_id}/attempts", {})
            if status not in (200, 201):
                raise SystemExit(f"could not start an attempt: {status} {body}")
            by_id = {q["id"]: q for q in body["questions"]}
            attempts.append((body["id"], token, by_id))

        def hello_maker(_n):
            return _request("GET", "/bench/hello", host)

        def save_maker(attempt):
            attempt_id, token, by_id = attempt
            ids = list(by_id)

            def make(n):
                question = by_id[ids[n % len(ids)]]
                answer = (
                    question["options"][n % len(question["options"])]["id"]
                    if question["options"]
                    else str(n)
                )
                body = json.dumps({"answer": answer, "seq": n}).encode()
                path = f"/api/v1/attempts/{attempt_id}/answers/{question['id']}"
                return _request("PUT", path, host, body, token)

            return make

        results = []
        app_pids = [p.pid for p in stack.procs[:workers]]
        hello_pids = [p.pid for p in hello_procs]
        for name, makers, pids in (
            ("hello", [hello_maker] * connections, hello_pids),
            ("exam save", [save_maker(a) for a in attempts], app_pids),
        ):
            cpu_before = _tree_cpu(pids)
            latencies, errors, wall = asyncio.run(_drive(stack.port, makers, seconds))
            cpu = _tree_cpu(pids) - cpu_before
            results.append(_summary(name, latencies, errors, wall, cpu))
        memory = stack.memory()
        extra = during(stack) if during is not None else None
    hello, save = results
    ratio_throughput = round(hello["per_s"] / save["per_s"], 2) if save["per_s"] else None
    ratio_cpu = (
        round(save["server_cpu_ms_per_request"] / hello["server_cpu_ms_per_request"], 2)
        if hello["server_cpu_ms_per_request"] and save["server_cpu_ms_per_request"]
        else None
    )
    report = {
        "workers": workers,
        "worker_class": worker_class,
        "connections": connections,
        "database": "postgresql" if database_url else "sqlite",
        "results": results,
        "save_cost_in_hellos_by_throughput": ratio_throughput,
        "save_cost_in_hellos_by_server_cpu": ratio_cpu,
        "target": "<= 3",
        "memory": memory,
    }
    if extra is not None:
        report["during"] = extra
    return report


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=32, help="gthread threads per process")
    parser.add_argument("--database-url", help="PostgreSQL server for a throw-away database")
    parser.add_argument(
        "--worker-class",
        help="gunicorn worker class of the web processes (default gthread, as lophoc-web@)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = measure(
        args.workers,
        args.connections,
        args.seconds,
        args.threads,
        args.database_url,
        worker_class=args.worker_class,
    )
    results = report["results"]
    ratio_throughput = report["save_cost_in_hellos_by_throughput"]
    ratio_cpu = report["save_cost_in_hellos_by_server_cpu"]
    memory = report["memory"]
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{args.workers} worker(s), {args.connections} connections, {report['database']}")
        for row in results:
            print(
                f"  {row['what']:<10} {row['per_s']:>8} req/s  p50 {row['p50_ms']} ms  "
                f"p99 {row['p99_ms']} ms  errors {row['errors']}  "
                f"server CPU {row['server_cpu_ms_per_request']} ms/request"
            )
        print(
            f"  a save costs {ratio_throughput} hellos (throughput), {ratio_cpu} (server CPU); "
            "target <= 3"
        )
        print(f"  worker RSS (MB): {memory['rss_mb']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
