"""Live-room load: N python-socketio clients in rooms of 40 (1 teacher + 39 students); the time
from a teacher's chat message to its arrival at every student of the room (p50/p99), and how
many connected clients the servers hold.

    # 1. data: rooms, people, open sessions and API tokens, written to a plan file
    DATABASE_URL=... python bench/live_room.py setup --rooms 50 --plan /tmp/live-plan.json
    # 2. servers: one, or two sharing Redis (REDIS_URL set, same DATABASE_URL);
    #    --async-mode gevent for gunicorn's gevent worker (production), threading otherwise
    python bench/live_server.py --port 5001 --async-mode gevent &
    python bench/live_server.py --port 5002 --async-mode gevent &
    # 3. load: asyncio clients spread over the servers and over --procs client processes;
    #    --pids: the server processes whose threads, memory (RSS before the clients connect, with
#    all of them in their rooms, after the message bursts) and CPU seconds are reported; the
#    client processes' own CPU seconds are always reported (client_cpu_s_*), since on one
#    machine the clients take CPU from the servers
    python bench/live_room.py run --plan /tmp/live-plan.json --rooms 50 \
        --servers http://127.0.0.1:5001,http://127.0.0.1:5002 --procs 4 --messages 10 \
        --pids PID_A,PID_B
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import statistics
import sys
import time

ROOM_SIZE = 40
NS = "/live"


def setup(rooms: int, plan_path: str) -> None:
    """Create school BENCH with `rooms` classes of 39 students, their teachers, one course
    and one open live session each, and an API token per person (bulk, one transaction)."""
    from app import create_app
    from app.core.security import new_token, token_digest
    from app.extensions import db
    from app.models import ApiToken, ClassMembership, Course, LiveSession, School, User
    from app.services.school import add_class, current_year, ensure_subject

    app = create_app()
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        stamp = int(time.time())
        school = School(code=f"BENCH{stamp}", name="Bench")
        db.session.add(school)
        db.session.flush()
        year = current_year(school)
        subject = ensure_subject(school, "Toán")
        plan = []
        expires = None
        tokens: list[tuple[User, str]] = []
        for r in range(rooms):
            school_class = add_class(None, school, year, f"10B{r}")
            teacher = User(
                school_id=school.id, username=f"b{stamp}t{r}", role="teacher", full_name=f"GV {r}"
            )
            db.session.add(teacher)
            students = [
                User(
                    school_id=school.id,
                    username=f"b{stamp}r{r}s{i}",
                    role="student",
                    full_name=f"HS {r}-{i}",
                    student_code=f"B{stamp}{r}-{i}",
                )
                for i in range(ROOM_SIZE - 1)
            ]
            db.session.add_all(students)
            db.session.flush()
            db.session.add_all(
                ClassMembership(school_id=school.id, class_id=school_class.id, student_id=s.id)
                for s in students
            )
            course = Course(
                school_id=school.id,
                school_year_id=year.id,
                class_id=school_class.id,
                subject_id=subject.id,
                teacher_id=teacher.id,
            )
            db.session.add(course)
            db.session.flush()
            session = LiveSession(
                school_id=school.id,
                course_id=course.id,
                teacher_id=teacher.id,
                title=f"B{r}",
                state={},
            )
            db.session.add(session)
            db.session.flush()
            room = {"session_id": session.id, "tokens": []}
            for person in [teacher, *students]:
                token = new_token()
                tokens.append((person, token))
                room["tokens"].append(token)
                db.session.add(
                    ApiToken(
                        user_id=person.id,
                        school_id=school.id,
                        kind="session",
                        digest=token_digest(token),
                        expires_at=expires,
                    )
                )
            plan.append(room)
        db.session.commit()
    with open(plan_path, "w") as f:
        json.dump(plan, f)
    print(f"{rooms} rooms, {rooms * ROOM_SIZE} people -> {plan_path}")


def _worker(
    rooms: list[dict], servers: list[str], messages: int, offset: int, out, start, spread: float
) -> None:
    """One client process: its rooms' members as python-socketio AsyncClients on one asyncio
    loop (no thread per client, so the clients' own cost stays small next to the server's)."""
    import asyncio

    asyncio.run(_clients(rooms, servers, messages, offset, out, start, spread))
    import os

    os._exit(0)  # leftover client tasks must not keep the process alive


async def _clients(rooms, servers, messages, offset, out, start, spread) -> None:
    """Connect every member of `rooms` (50 handshakes at a time), wait for all workers, then
    each teacher sends `messages` chat lines 1 s apart; report latencies to `out`.

    spread 0: every teacher sends in the same instant of each second (the worst burst);
    spread S: each teacher keeps its own moment within the first S seconds (fixed per room,
    so a run is repeatable), as teachers who do not type in step do."""
    import asyncio

    import socketio

    gate = asyncio.Semaphore(50)
    jobs = []
    for r, room in enumerate(rooms):
        for i, token in enumerate(room["tokens"]):
            url = servers[(offset + r * ROOM_SIZE + i) % len(servers)]
            jobs.append((url, token, room["session_id"], [] if i else None, r, i))

    async def connect(job):
        url, token, session_id, inbox, _r, _i = job
        client = socketio.AsyncClient(reconnection=False)
        if inbox is not None:
            client.on(
                "chat_message", lambda m: inbox.append((time.time(), m["text"])), namespace=NS
            )
        try:
            async with gate:
                await client.connect(
                    url,
                    namespaces=[NS],
                    auth={"token": token},
                    transports=["websocket"],
                    wait_timeout=30,
                )
                ack = await client.call(
                    "join_session", {"session_id": session_id}, namespace=NS, timeout=60
                )
            if not ack or not ack.get("ok"):
                raise RuntimeError(f"join refused: {ack}")
            return job, client
        except Exception as exc:  # counted, reported
            return job, exc

    results = await asyncio.gather(*(connect(job) for job in jobs))
    clients = [(job, c) for job, c in results if not isinstance(c, Exception)]
    failures = len(results) - len(clients)
    inboxes = [job[3] for job, _c in clients if job[3] is not None]
    out.put(("connected", len(clients), failures, _cpu_seconds()))
    await asyncio.get_running_loop().run_in_executor(None, start.wait)  # the full load is on
    teachers = {job[4]: c for job, c in clients if job[5] == 0}

    async def teach(r: int, client) -> None:
        first = time.time() + random.Random(offset * 1000 + r).uniform(0, spread)
        for n in range(messages):
            await asyncio.sleep(max(0.0, first + n - time.time()))
            await client.emit(
                "chat_message",
                {"session_id": rooms[r]["session_id"], "text": f"{time.time():.6f} {n}"},
                namespace=NS,
            )

    await asyncio.gather(*(teach(r, client) for r, client in teachers.items()))
    await asyncio.sleep(4.0)  # the last lines' deliveries
    latencies, delivered = [], 0
    for inbox in inboxes:
        for arrived, text in inbox:
            sent = float(text.split()[0])
            latencies.append((arrived - sent) * 1000)
            delivered += 1
    expected = len(inboxes) * messages
    out.put(("done", latencies, delivered, expected, _cpu_seconds()))
    await asyncio.wait([asyncio.ensure_future(c.disconnect()) for _job, c in clients], timeout=10)


def _cpu_seconds() -> float:
    """This client process's CPU seconds so far: the clients share the machine with the
    servers when both run on it, and this says how much of it they took."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _process_stats(pids: list[int]) -> dict:
    """CPU seconds and threads of the server processes (Linux /proc), for the profile."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    cpu, threads, rss = 0.0, 0, 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu += (int(fields[11]) + int(fields[12])) / tick
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Threads:"):
                    threads += int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
    return {"cpu_s": round(cpu, 1), "threads": threads, "rss_mb": round(rss / 1024)}


def _report(queue, workers) -> tuple:
    """The next client process's report; stops the run with the reason if a client process
    died instead of reporting (it would otherwise wait for it forever)."""
    import queue as queues

    while True:
        try:
            return queue.get(timeout=5)
        except queues.Empty:
            dead = [w.exitcode for w in workers if w.exitcode not in (None, 0)]
            if dead:
                raise SystemExit(f"a client process died (exit {dead[0]}): no result") from None


def run(
    plan_path: str,
    rooms: int,
    servers: list[str],
    procs: int,
    messages: int,
    pids: list[int] | None = None,
    spread: float = 0.0,
) -> dict:
    with open(plan_path) as f:
        plan = json.load(f)[:rooms]
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    start = ctx.Event()
    chunks = [plan[i::procs] for i in range(procs)]
    before = _process_stats(pids) if pids else None
    t0 = time.time()
    workers = [
        ctx.Process(
            target=_worker,
            args=(chunk, servers, messages, i, queue, start, spread),
            daemon=True,
        )
        for i, chunk in enumerate(chunks)
        if chunk
    ]
    for w in workers:
        w.start()
    connected = failed = 0
    client_cpu_joining = client_cpu = 0.0
    for _ in workers:
        _kind, ok, bad, cpu = _report(queue, workers)
        connected, failed = connected + ok, failed + bad
        client_cpu_joining += cpu
    connect_seconds = time.time() - t0
    joined = _process_stats(pids) if pids else None
    start.set()
    latencies, delivered, expected = [], 0, 0
    for _ in workers:
        _kind, lat, got, want, cpu = _report(queue, workers)
        client_cpu += cpu
        latencies += lat
        delivered, expected = delivered + got, expected + want
    for w in workers:
        w.join(timeout=60)
    latencies.sort()
    result = {
        "clients": len(plan) * ROOM_SIZE,
        "connected": connected,
        "failed": failed,
        "connect_seconds": round(connect_seconds, 1),
        "servers": len(servers),
        "spread_s": spread,
        "delivered": delivered,
        "expected": expected,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else None,
        "max_ms": round(latencies[-1], 1) if latencies else None,
        "client_cpu_s_joining": round(client_cpu_joining, 1),
        "client_cpu_s_messages": round(client_cpu - client_cpu_joining, 1),
    }
    if pids:
        after = _process_stats(pids)
        result["server"] = {
            "threads_connected": joined["threads"],
            "rss_mb_idle": before["rss_mb"],
            "rss_mb_connected": joined["rss_mb"],
            "rss_mb_after": after["rss_mb"],
            "cpu_s_joining": round(joined["cpu_s"] - before["cpu_s"], 1),
            "cpu_s_messages": round(after["cpu_s"] - joined["cpu_s"], 1),
        }
    print(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--rooms", type=int, default=50)
    s.add_argument("--plan", default="/tmp/live-plan.json")
    r = sub.add_parser("run")
    r.add_argument("--plan", default="/tmp/live-plan.json")
    r.add_argument("--rooms", type=int, default=5)
    r.add_argument("--servers", default="http://127.0.0.1:5001")
    r.add_argument("--procs", type=int, default=2)
    r.add_argument("--messages", type=int, default=10)
    r.add_argument("--pids", default="", help="server process ids: report their CPU and threads")
    r.add_argument(
        "--spread",
        type=float,
        default=0.0,
        help="teachers send at their own moment within this many seconds (0: all at once)",
    )
    args = parser.parse_args()
    if args.command == "setup":
        setup(args.rooms, args.plan)
    else:
        pids = [int(p) for p in args.pids.split(",") if p]
        run(
            args.plan,
            args.rooms,
            args.servers.split(","),
            args.procs,
            args.messages,
            pids,
            args.spread,
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
