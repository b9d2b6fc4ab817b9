"""Exam storm: N students start the same sitting within a second or so, save answers, submit.

Usage (the server already running on the same DATABASE_URL, e.g. `lophoc run` or gunicorn):
    DATABASE_URL=... python bench/exam_storm.py --url http://127.0.0.1:5000 --students 200 \
        --saves-per-student 20 --think 2.0 --start-window 1.0 [--saturate] [--json]

The sitting (school, students in classes of --class-size, a bank, one published exam per
class, a bearer token per student) is prepared in this process through the service layer
(bench/exam_setup.py); tokens are issued in-process, so logins are not measured. Then one
asyncio task per student, each with its own keep-alive HTTP/1.1 connection (stdlib only),
does what the exam page does: POST /exams/{id}/attempts at a random moment of the start
window, PUT an answer every --think seconds (x0.5-1.5 jitter; none with --saturate), POST
submit. Afterwards the database is read back: no (exam, student) may hold two attempts, and
every acknowledged save must be stored with its seq or a higher one.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from exam_setup import Seat, make_app, prepare


class HttpError(Exception):
    """The connection failed or timed out (no HTTP status to count)."""


class Connection:
    """One keep-alive HTTP/1.1 connection, as one browser tab holds; reconnects when closed."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0

    async def request(self, method: str, path: str, token: str, body=None) -> tuple[int, object]:
        data = b"" if body is None else json.dumps(body).encode()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Accept: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        ).encode()
        for attempt in (1, 2):
            fresh = self.writer is None
            try:
                if fresh:
                    self.reader, self.writer = await asyncio.wait_for(
                        asyncio.open_connection(self.host, self.port), self.timeout
                    )
                    self.used = 0
                self.writer.write(head + data)
                status, close, payload = await asyncio.wait_for(self._response(), self.timeout)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
                await self.close()
                # A kept-alive socket the server had already closed: send once more (saves
                # and starts are idempotent, as the exam page's retry relies on).
                if attempt == 1 and not fresh:
                    continue
                raise HttpError(type(exc).__name__) from exc
            except TimeoutError as exc:
                await self.close()
                raise HttpError("timeout") from exc
            self.used += 1
            if close:
                await self.close()
            return status, payload
        raise AssertionError("unreachable")

    async def _response(self) -> tuple[int, bool, object]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        version, status = lines[0].split(" ", 2)[:2]
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                key, value = line.split(":", 1)
                headers[key.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = body[:200].decode("utf-8", "replace")
        return int(status), close, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


@dataclass
class Stats:
    """Everything the clients saw, to be summed up and compared with the database."""

    t0: float = 0.0
    start_latency: list[float] = field(default_factory=list)
    start_done: list[float] = field(default_factory=list)
    save_latency: list[float] = field(default_factory=list)
    save_sent: list[float] = field(default_factory=list)
    save_done: list[float] = field(default_factory=list)
    submit_latency: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    error_samples: dict = field(default_factory=dict)
    # (attempt id, question id) -> (highest acknowledged seq, the answer sent with it)
    acked: dict = field(default_factory=dict)
    attempts: dict = field(default_factory=dict)  # student id -> attempt id
    new_attempts: int = 0
    start_queued: int = 0  # 503 "start queue full" answers, retried
    submitted: int = 0

    def error(self, phase: str, status, payload=None) -> None:
        key = f"{phase} {status}"
        self.errors[key] += 1
        if key not in self.error_samples and payload is not None:
            self.error_samples[key] = str(payload)[:300]


def answer_for(question: dict, rng: random.Random):
    """A plausible answer of the question's type (CONTRACT.md answer JSON)."""
    options = [o["id"] for o in question.get("options") or []]
    kind = question.get("type")
    if kind == "single_choice" and options:
        return rng.choice(options)
    if kind in ("multiple_response", "ordering") and options:
        return rng.sample(options, k=max(1, len(options) // 2))
    if kind == "true_false":
        return rng.random() < 0.5
    if kind == "true_false_cluster" and options:
        return {o: rng.random() < 0.5 for o in options}
    return str(rng.randint(1, 999))


async def student(seat: Seat, args, stats: Stats, host: str, port: int, rng: random.Random):
    conn = Connection(host, port, args.timeout)
    try:
        await asyncio.sleep(max(0.0, stats.t0 + rng.uniform(0, args.start_window) - now()))
        sent = now()
        while True:
            try:
                status, body = await conn.request(
                    "POST", f"/api/v1/exams/{seat.exam_id}/attempts", seat.token, {}
                )
            except HttpError as exc:
                stats.error("start", exc)
                return
            if status != 503 or now() - sent > args.timeout:
                break
            # The start queue is full: wait and ask again, as the exam page's waiting room does.
            stats.start_queued += 1
            await asyncio.sleep(rng.uniform(0.2, 1.0))
        if status not in (200, 201):
            stats.error("start", status, body)
            return
        done = now()
        stats.start_latency.append(done - sent)
        stats.start_done.append(done)
        stats.new_attempts += status == 201
        attempt_id, questions = body["id"], body["questions"]
        stats.attempts[seat.student_id] = attempt_id
        for seq in range(1, args.saves_per_student + 1):
            if not args.saturate:
                await asyncio.sleep(args.think * rng.uniform(0.5, 1.5))
            question = rng.choice(questions)
            answer = answer_for(question, rng)
            path = f"/api/v1/attempts/{attempt_id}/answers/{question['id']}"
            sent = now()
            try:
                status, body = await conn.request(
                    "PUT", path, seat.token, {"answer": answer, "seq": seq}
                )
            except HttpError as exc:
                stats.error("save", exc)
                continue
            done = now()
            if status != 200:
                stats.error("save", status, body)
                continue
            stats.save_latency.append(done - sent)
            stats.save_sent.append(sent)
            stats.save_done.append(done)
            stats.acked[(attempt_id, question["id"])] = (seq, answer)
        sent = now()
        try:
            status, body = await conn.request(
                "POST", f"/api/v1/attempts/{attempt_id}/submit", seat.token, {}
            )
        except HttpError as exc:
            stats.error("submit", exc)
            return
        if status != 200:
            stats.error("submit", status, body)
            return
        stats.submit_latency.append(now() - sent)
        stats.submitted += 1
    finally:
        await conn.close()


def now() -> float:
    return time.perf_counter()


def tree_cpu(pids: list[int] | None) -> float:
    """CPU seconds used so far by processes and their children (gunicorn workers), /proc."""
    if not pids:
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    total, wanted = 0.0, set(pids)
    stats = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats.append((int(entry), int(fields[1]), int(fields[11]) + int(fields[12])))
    for _round in range(3):
        wanted |= {p for p, parent, _t in stats if parent in wanted}
    total = sum(t for p, _parent, t in stats if p in wanted)
    return total / tick


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


async def storm(seats: list[Seat], args) -> Stats:
    url = urlsplit(args.url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    stats = Stats()
    rng = random.Random(args.seed)
    stats.t0 = now() + 0.2  # every task is scheduled before the window opens
    tasks = [student(seat, args, stats, host, port, random.Random(rng.random())) for seat in seats]
    await asyncio.gather(*tasks)
    return stats


def verify(seats: list[Seat], stats: Stats) -> dict:
    """Read the database back: duplicate attempts, and acknowledged saves missing or older."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Attempt, Response

    exam_ids = sorted({s.exam_id for s in seats})
    duplicates = db.session.execute(
        select(Attempt.exam_id, Attempt.student_id, func.count())
        .where(Attempt.exam_id.in_(exam_ids))
        .group_by(Attempt.exam_id, Attempt.student_id)
        .having(func.count() > 1)
    ).all()
    attempts = db.session.scalar(select(func.count()).where(Attempt.exam_id.in_(exam_ids)))
    submitted = db.session.scalar(
        select(func.count()).where(Attempt.exam_id.in_(exam_ids), Attempt.status == "submitted")
    )
    stored = {}
    ids = list(stats.attempts.values())
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            select(Response.attempt_id, Response.question_id, Response.seq, Response.answer).where(
                Response.attempt_id.in_(ids[start : start + 500])
            )
        )
        stored.update({(a, q): (seq, answer) for a, q, seq, answer in rows})
    lost = [key for key, (seq, _a) in stats.acked.items() if stored.get(key, (0, None))[0] < seq]
    changed = [
        key
        for key, (seq, answer) in stats.acked.items()
        if stored.get(key, (0, None))[0] == seq and stored[key][1] != answer
    ]
    return {
        "attempts_in_db": attempts,
        "submitted_in_db": submitted,
        "duplicate_attempts": len(duplicates),
        "acked_answers": len(stats.acked),
        "acked_missing_or_older": len(lost),
        "acked_with_other_answer": len(changed),
        "lost_samples": [list(k) for k in (lost + changed)[:5]],
    }


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def summarise(args, seats, stats: Stats, wall: float, cpu: float, check: dict, setup) -> dict:
    starts = len(stats.start_done)
    all_started = max(stats.start_done) - stats.t0 if stats.start_done else None
    save_span = (max(stats.save_done) - min(stats.save_sent)) if stats.save_done else None
    saves = len(stats.save_done)
    return {
        "url": args.url,
        "database": args.database_url.split(":", 1)[0],
        "students": len(seats),
        "exams": len(setup.exam_ids),
        "mode": "saturate" if args.saturate else f"think {args.think}s",
        "saves_per_student": args.saves_per_student,
        "start_window_s": args.start_window,
        "tokens": setup.token_source,
        "setup_s": setup.setup_s,
        "started": starts,
        "new_attempts": stats.new_attempts,
        "start_retries_503": stats.start_queued,
        "all_started_after_s": None if all_started is None else round(all_started, 3),
        "starts_per_s": round(starts / all_started, 1) if all_started else None,
        "start_p50_ms": ms(percentile(stats.start_latency, 50)),
        "start_p99_ms": ms(percentile(stats.start_latency, 99)),
        "start_max_ms": ms(max(stats.start_latency, default=None)),
        "saves": saves,
        "saves_per_s": round(saves / save_span, 1) if save_span else None,
        "offered_saves_per_s": None if args.saturate else round(len(seats) / args.think, 1),
        "save_p50_ms": ms(percentile(stats.save_latency, 50)),
        "save_p95_ms": ms(percentile(stats.save_latency, 95)),
        "save_p99_ms": ms(percentile(stats.save_latency, 99)),
        "save_max_ms": ms(max(stats.save_latency, default=None)),
        "submitted": stats.submitted,
        "submit_p99_ms": ms(percentile(stats.submit_latency, 99)),
        "errors": dict(stats.errors),
        "error_samples": stats.error_samples,
        "wall_s": round(wall, 2),
        "client_cpu_s": round(cpu, 2),
        **check,
    }


def print_table(result: dict) -> None:
    rows = [
        ("students / exams", f"{result['students']} / {result['exams']}"),
        ("mode", f"{result['mode']}, {result['saves_per_student']} saves each"),
        ("tokens", result["tokens"]),
        (
            "started (new, 503 retries)",
            f"{result['started']} ({result['new_attempts']}, {result['start_retries_503']})",
        ),
        (
            "all started after",
            f"{result['all_started_after_s']} s (window {result['start_window_s']} s)",
        ),
        ("attempts started/s", result["starts_per_s"]),
        (
            "start p50 / p99 / max",
            f"{result['start_p50_ms']} / {result['start_p99_ms']} / {result['start_max_ms']} ms",
        ),
        ("saves acknowledged", result["saves"]),
        (
            "saves/s sustained",
            f"{result['saves_per_s']}"
            + (
                f" (offered {result['offered_saves_per_s']})"
                if result["offered_saves_per_s"]
                else ""
            ),
        ),
        (
            "save p50 / p95 / p99 / max",
            f"{result['save_p50_ms']} / {result['save_p95_ms']} / "
            f"{result['save_p99_ms']} / {result['save_max_ms']} ms",
        ),
        ("submitted", f"{result['submitted']} (p99 {result['submit_p99_ms']} ms)"),
        ("errors", ", ".join(f"{k}: {v}" for k, v in result["errors"].items()) or "none"),
        ("duplicate attempts (db)", result["duplicate_attempts"]),
        (
            "acked answers missing/older (db)",
            f"{result['acked_missing_or_older']} of {result['acked_answers']}",
        ),
        ("acked, other answer stored (db)", result["acked_with_other_answer"]),
        ("wall / client CPU", f"{result['wall_s']} s / {result['client_cpu_s']} s"),
        (
            "machine CPU busy",
            f"{result['machine_cpu_busy_s']} s of {round(result['wall_s'] * result['cores'], 1)} s",
        ),
    ]
    if "server_cpu_s" in result:
        rows.append(
            (
                "server CPU (per request)",
                f"{result['server_cpu_s']} s "
                f"({result['server_cpu_ms_per_request']} ms); others "
                f"(database, other programs) {result['other_cpu_s']} s",
            )
        )
    width = max(len(k) for k, _v in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    for key, sample in result["error_samples"].items():
        print(f"  e.g. {key}: {sample}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="the server's database (default: $DATABASE_URL)",
    )
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--class-size", type=int, default=40, help="students per class/exam")
    parser.add_argument("--saves-per-student", type=int, default=20)
    parser.add_argument("--think", type=float, default=2.0, help="seconds between saves")
    parser.add_argument(
        "--start-window",
        type=float,
        default=1.0,
        help="students start at random moments within this many seconds",
    )
    parser.add_argument(
        "--saturate",
        action="store_true",
        help="no think time: every student saves as fast as answers come back",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument("--school", default="BENCHEXAM")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--server-pid",
        type=lambda text: [int(pid) for pid in text.split(",") if pid.strip()],
        default=None,
        help="the server's pid (gunicorn master), or several, comma-separated (one per "
        "process behind nginx): report their CPU per request",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args()
    if not args.database_url:
        raise SystemExit("Set DATABASE_URL (or --database-url) to the server's database.")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(
        resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * args.students + 256)), hard)
    )
    app = make_app(args.database_url)
    with app.test_request_context():
        setup = prepare(args.students, args.class_size, args.school)
        seats = setup.seats
        cpu0, wall0 = time.process_time(), now()
        server0, busy0 = tree_cpu(args.server_pid), machine_busy()
        stats = asyncio.run(storm(seats, args))
        wall, cpu = now() - wall0, time.process_time() - cpu0
        server, busy = tree_cpu(args.server_pid) - server0, machine_busy() - busy0
        check = verify(seats, stats)
    result = summarise(args, seats, stats, wall, cpu, check, setup)
    requests = len(stats.start_done) + len(stats.save_done) + stats.submitted
    result["machine_cpu_busy_s"] = round(busy, 2)
    result["cores"] = os.cpu_count()
    if args.server_pid:
        result["server_cpu_s"] = round(server, 2)
        result["server_cpu_ms_per_request"] = round(1000 * server / max(1, requests), 2)
        # what neither the server nor this client used: the database server, other programs
        result["other_cpu_s"] = round(busy - server - cpu, 2)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print_table(result)
    failed = result["duplicate_attempts"] or result["acked_missing_or_older"]
    sys.exit(1 if failed or result["acked_with_other_answer"] else 0)


if __name__ == "__main__":
    main()
