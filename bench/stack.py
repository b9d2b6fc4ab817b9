"""Start the production stack on this machine - N gunicorn processes (deploy/gunicorn.conf.py,
one gthread worker each) behind nginx with deploy/nginx/lophoc-locations.conf, on high ports
with a temporary config (never the system nginx) - run a small exam (start, save, submit) and a
live-room join (WebSocket and long-polling) through it, report, and stop everything.

    python bench/stack.py --workers 2                       # SQLite file in a temp folder
    python bench/stack.py --workers 2 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
        (a throw-away database lophoc_stack_XXXX is created on that server and dropped after)
    python bench/stack.py --workers 2 --redis-url redis://127.0.0.1:6379/6 --json

Exit status 0 when every check passed. bench/hello_ceiling.py reuses `Stack`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent


def unit_env(unit: str) -> dict[str, str]:
    """The KEY=VALUE pairs a deploy/systemd unit puts before gunicorn on its command line
    (`ExecStart=/usr/bin/env ...`): the worker class and pool of lophoc-web@ and lophoc-live@,
    so that the stack runs what deploy/ runs."""
    text = (ROOT / "deploy" / "systemd" / unit).read_text()
    command = re.search(r"^ExecStart=/usr/bin/env (.*?) \S*/gunicorn ", text, flags=re.M)[1]
    return dict(pair.split("=", 1) for pair in command.split())


WEB_ENV = unit_env("lophoc-web@.service")
LIVE_ENV = unit_env("lophoc-live@.service")


def _servers(ports: list[int]) -> str:
    return "".join(f"    server 127.0.0.1:{p};\n" for p in ports)


def _with_servers(http_conf: str, name: str, ports: list[int]) -> str:
    """deploy/'s `upstream name { ... }` with its server lines replaced by `ports` (its
    balancing method and keepalive kept as they are)."""

    def rewrite(block: re.Match) -> str:
        return (
            block[1] + re.sub(r"^\s*server .*\n", "", block[2], flags=re.M) + _servers(ports) + "}"
        )

    return re.sub(rf"(upstream {name} \{{\n)(.*?\n)\}}", rewrite, http_conf, count=1, flags=re.S)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(port: int, path: str = "/healthz", timeout: float = 60.0, proc=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process on port {port} exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port} within {timeout:.0f} s")


def _rss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"VmRSS:\s+(\d+)", text)
    return int(match[1]) if match else 0


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Stack:
    """Database, N gunicorn web processes, M Socket.IO (live) processes and nginx, as
    docs/deploy.md sets them up; use as a context manager.

    live_workers: None picks deploy/'s layout - on PostgreSQL with Redis one gevent live process
    per web process (lophoc-live@, nginx's `lophoc_live` upstream) and the web processes in
    gthread (lophoc-web@); otherwise (SQLite, or no Redis) 0: the web processes also hold the
    Socket.IO connections (both upstreams point at them) in deploy/gunicorn.conf.py's class."""

    def __init__(
        self,
        workers: int = 2,
        database_url: str | None = None,
        redis_url: str | None = None,
        threads: int = 32,
        extra_upstreams: dict[str, list[int]] | None = None,
        extra_locations: str = "",
        worker_class: str | None = None,
        live_workers: int | None = None,
    ):
        self.workers = workers
        if live_workers is None:
            live_workers = workers if database_url and redis_url else 0
        self.live_workers = live_workers
        self.live_ports: list[int] = []
        self.live_procs: list[subprocess.Popen] = []
        # None: deploy/gunicorn.conf.py's choice (gevent on PostgreSQL, gthread on SQLite).
        self.worker_class = worker_class or (
            WEB_ENV["LOPHOC_WORKER_CLASS"] if live_workers else None
        )
        self.admin_url = database_url
        self.redis_url = redis_url
        self.threads = threads
        self.tmp = Path(tempfile.mkdtemp(prefix="lophoc-stack-"))
        self.procs: list[subprocess.Popen] = []
        self.ports: list[int] = []
        self.nginx: subprocess.Popen | None = None
        self.port = 0
        self.db_name: str | None = None
        self.database_url = ""
        self.extra_upstreams = extra_upstreams or {}
        self.extra_locations = extra_locations

    # -- database ---------------------------------------------------------------------
    def _create_database(self) -> None:
        if not self.admin_url:
            self.database_url = f"sqlite:///{self.tmp / 'lophoc.sqlite3'}"
            return
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(self.admin_url)
        self.db_name = f"lophoc_stack_{secrets.token_hex(4)}"
        with psycopg.connect(self._libpq(url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        self.database_url = url.set(database=self.db_name).render_as_string(hide_password=False)

    @staticmethod
    def _libpq(url) -> str:
        return url.set(drivername="postgresql").render_as_string(hide_password=False)

    def _drop_database(self) -> None:
        if not self.db_name:
            return
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(self.admin_url)
        with psycopg.connect(self._libpq(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    # -- processes --------------------------------------------------------------------
    def env(self) -> dict:
        env = {
            "PATH": f"{BIN}:/usr/bin:/bin:/usr/sbin:/sbin",
            "HOME": str(self.tmp),
            "LOPHOC_ENV": "production",
            "SECRET_KEY": "stack-" + "k" * 40,
            "DATABASE_URL": self.database_url,
            "LOPHOC_INSTANCE_DIR": str(self.tmp / "instance"),
            "LOPHOC_STORAGE_DIR": str(self.tmp / "storage"),
            "LOPHOC_PROXY_COUNT": "1",
            "LOPHOC_SECURE_COOKIES": "0",
            "LOPHOC_LOG_FORMAT": "json",
            "LOPHOC_LOG_LEVEL": "INFO",  # as in production: an access line per request
            "LOPHOC_THREADS": str(self.threads),
            "LOPHOC_LOGIN_RATE_LIMIT": "10000 per minute",
            "PROMETHEUS_MULTIPROC_DIR": str(self.tmp / "prometheus"),
            "PYTHONPATH": str(ROOT),
            "RUNTIME_DIRECTORY": str(self.tmp),
        }
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        if self.worker_class:
            env["LOPHOC_WORKER_CLASS"] = self.worker_class
        return env

    def _start_gunicorn(
        self, port: int, app: str = "wsgi:app", extra_env: dict | None = None
    ) -> subprocess.Popen:
        env = self.env() | {"LOPHOC_BIND": f"127.0.0.1:{port}"} | (extra_env or {})
        log = (self.tmp / f"gunicorn-{port}.log").open("wb")
        proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), app],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def _nginx_config(self) -> Path:
        http_conf = (ROOT / "deploy" / "nginx" / "lophoc-http.conf").read_text()
        # The upstreams as deploy/ sets them (balancing, keepalive: too few idle connections and
        # every request past them opens a new one to gunicorn), on this stack's ports; without
        # live processes the web processes also hold the sockets.
        keepalive = re.search(r"upstream lophoc \{.*?keepalive (\d+);", http_conf, flags=re.S)[1]
        http_conf = _with_servers(http_conf, "lophoc", self.ports)
        http_conf = _with_servers(http_conf, "lophoc_live", self.live_ports or self.ports)
        for name, ports in self.extra_upstreams.items():
            http_conf += f"\nupstream {name} {{\n{_servers(ports)}    keepalive {keepalive};\n}}\n"
        temp = {
            name: self.tmp / "nginx" / name for name in ("body", "proxy", "fcgi", "uwsgi", "scgi")
        }
        for path in temp.values():
            path.mkdir(parents=True, exist_ok=True)
        user = "user root root;\n" if os.geteuid() == 0 else ""
        config = f"""{user}worker_processes 1;
pid {self.tmp}/nginx.pid;
error_log {self.tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
{http_conf}
    server {{
        listen 127.0.0.1:{self.port};
        set $lophoc_root {ROOT / "app"};
{self.extra_locations}
        include {ROOT / "deploy" / "nginx" / "lophoc-locations.conf"};
    }}
}}
"""
        path = self.tmp / "nginx.conf"
        path.write_text(config)
        return path

    def start(self) -> Stack:
        nginx = shutil.which("nginx") or (
            "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
        )
        if nginx is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
        if not (BIN / "gunicorn").exists():
            raise RuntimeError('gunicorn is not installed (pip install -e ".[production]")')
        (self.tmp / "prometheus").mkdir()
        self._create_database()
        subprocess.run(
            [str(BIN / "lophoc"), "db", "upgrade"],
            cwd=ROOT,
            env=self.env(),
            check=True,
            capture_output=True,
        )
        self.ports = [free_port() for _ in range(self.workers)]
        for port in self.ports:
            self._start_gunicorn(port)
        self.live_ports = [free_port() for _ in range(self.live_workers)]
        self.live_procs = [self._start_gunicorn(p, extra_env=LIVE_ENV) for p in self.live_ports]
        for port, proc in zip(self.ports + self.live_ports, self.procs, strict=True):
            _wait_http(port, proc=proc)
        self.port = free_port()
        config = self._nginx_config()
        check = subprocess.run(
            [nginx, "-t", "-c", str(config), "-p", str(self.tmp)], capture_output=True, text=True
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
        self.nginx = subprocess.Popen(
            [nginx, "-c", str(config), "-p", str(self.tmp), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(self.tmp / "nginx-stderr.log").open("wb"),
            start_new_session=True,
        )
        _wait_http(self.port, proc=self.nginx)
        return self

    def memory(self) -> dict:
        """RSS of each gunicorn worker process (the master forks one worker): web, then live."""
        workers = [c for proc in self.procs[: self.workers] for c in _children(proc.pid)]
        live = [c for proc in self.live_procs for c in _children(proc.pid)]
        rss = [_rss_kb(pid) for pid in workers]
        return {
            "workers": len(rss),
            "rss_mb": [round(r / 1024, 1) for r in rss],
            "live_workers": len(live),
            "live_rss_mb": [round(_rss_kb(pid) / 1024, 1) for pid in live],
        }

    def stop(self) -> None:
        for proc in [*self.procs, *([self.nginx] if self.nginx else [])]:
            if proc.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in [*self.procs, *([self.nginx] if self.nginx else [])]:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        try:
            self._drop_database()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:
            self.logs_tail()
            self.stop()
            raise

    def __exit__(self, *_exc) -> None:
        self.stop()

    def logs_tail(self, lines: int = 30) -> str:
        out = []
        for path in sorted(self.tmp.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"== {path.name}\n" + "\n".join(text))
        report = "\n".join(out)
        if report:
            print(report, file=sys.stderr)
        return report

    # -- in-process set-up against the same database ----------------------------------
    @contextmanager
    def app_context(self):
        for key, value in self.env().items():
            if key not in ("PATH", "HOME"):
                os.environ[key] = value
        from app import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": self.database_url})
        with app.test_request_context():
            yield app
        from app.extensions import db

        with app.app_context():
            db.engine.dispose()


class Client:
    """A keep-alive HTTP/1.1 connection to nginx, JSON in and out."""

    def __init__(self, port: int, token: str | None = None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def call(self, method: str, path: str, body: object = None):
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode(errors="replace")
        return response.status, payload, dict(response.getheaders())


def prepare(stack: Stack) -> dict:
    """One school with 2 students, an exam and a teacher token (bench/exam_setup.py)."""
    import exam_setup  # bench/exam_setup.py

    from app.extensions import db
    from app.models import Exam, User
    from app.services import identity

    with stack.app_context():
        sitting = exam_setup.prepare(2, class_size=40, n_questions=5)
        exam = db.session.get(Exam, sitting.exam_ids[0])
        teacher = db.session.get(User, exam.course.teacher_id)
        teacher_token = identity.issue_session_token(teacher, hours=2).token
        db.session.commit()
        return {
            "exam_id": exam.id,
            "course_id": exam.course_id,
            "tokens": [s.token for s in sitting.seats],
            "teacher_token": teacher_token,
        }


def run_checks(stack: Stack, plan: dict) -> dict:
    checks: dict[str, object] = {}
    plain = Client(stack.port)
    status, body, headers = plain.call("GET", "/healthz")
    checks["healthz"] = status == 200 and bool(headers.get("X-Request-ID"))
    status, body, _ = plain.call("GET", "/readyz")
    checks["readyz"] = status == 200 and body["status"] == "ready"
    status, _, headers = plain.call("GET", "/static/favicon.svg")
    # Served by nginx: none of the app's headers (request id, CSP) on it.
    checks["static_by_nginx"] = status == 200 and "X-Request-ID" not in headers

    student = Client(stack.port, plan["tokens"][0])
    status, attempt, _ = student.call("POST", f"/api/v1/exams/{plan['exam_id']}/attempts", {})
    checks["exam_start"] = status == 201
    # A proctor's pause saved by a web process reaches the student's exam page, whose
    # WebSocket is held by a live process (through Redis when they are separate processes).
    teacher = Client(stack.port, plan["teacher_token"])

    def pause_and_resume() -> bool:
        path = f"/api/v1/attempts/{attempt['id']}/proctor"
        done = [
            teacher.call("POST", path, {"action": action, "reason": "Kiểm tra máy"})[0]
            for action in ("pause", "resume")
        ]
        return done == [200, 200]

    checks["exam_change_reaches_page"] = _exam_page_hears(
        stack.port, plan["tokens"][0], attempt["id"], pause_and_resume
    )
    saved = 0
    for seq, question in enumerate(attempt["questions"], start=1):
        option = question["options"][0]["id"] if question.get("options") else "42"
        path = f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}"
        status, body, _ = student.call("PUT", path, {"answer": option, "seq": seq})
        saved += status == 200 and body == {"saved": True, "seq": seq}
    checks["exam_saves"] = saved == len(attempt["questions"])
    status, body, _ = student.call("GET", f"/api/v1/attempts/{attempt['id']}")
    checks["exam_answers_back"] = status == 200 and len(body["answers"]) == saved
    status, body, _ = student.call("POST", f"/api/v1/attempts/{attempt['id']}/submit")
    checks["exam_submit"] = status == 200 and body.get("status") == "submitted"

    status, session, _ = teacher.call(
        "POST", f"/api/v1/courses/{plan['course_id']}/live-sessions", {}
    )
    checks["live_session"] = status == 201
    for transport in ("websocket", "polling"):
        checks[f"live_join_{transport}"] = _live_join(
            stack.port, plan["tokens"][1], session["id"], transport
        )

    # Plain requests carry no affinity cookie, so nginx spreads them over every process;
    # /metrics (any process) must count all of them (PROMETHEUS_MULTIPROC_DIR).
    before = _healthz_count(plain)
    for _ in range(20):
        plain.call("GET", "/healthz")
    status, text, _ = plain.call("GET", "/metrics")
    checks["metrics"] = status == 200 and "lophoc_http_requests_total" in str(text)
    checks["metrics_all_processes"] = _healthz_count(plain) - before == 20
    return checks


def _healthz_count(client: Client) -> float:
    _status, text, _ = client.call("GET", "/metrics")
    match = re.search(
        r'lophoc_http_requests_total\{endpoint="/healthz",method="GET",status="200"\} (\S+)',
        str(text),
    )
    return float(match[1]) if match else 0.0


def _exam_page_hears(port: int, token: str, attempt_id: int, act) -> bool:
    """An exam page's socket (/exam, joined to its attempt) is told of the change `act` makes
    (both the pause and the resume)."""
    import socketio

    heard: list[str] = []
    both = threading.Event()
    client = socketio.Client(reconnection=False)

    def changed(data):
        if data.get("attempt_id") == attempt_id:
            heard.append(data.get("kind"))
            if len(heard) >= 2:
                both.set()

    client.on("exam_changed", changed, namespace="/exam")
    try:
        client.connect(
            f"http://127.0.0.1:{port}",
            namespaces=["/exam"],
            auth={"token": token},
            transports=["websocket"],
            wait_timeout=20,
        )
        ack = client.call("join_attempt", {"attempt_id": attempt_id}, namespace="/exam", timeout=20)
        if not (ack and ack.get("ok")) or not act():
            return False
        return both.wait(10) and heard[:2] == ["pause", "resume"]
    except Exception as exc:
        print(f"exam page socket failed: {exc!r}", file=sys.stderr)
        return False
    finally:
        client.disconnect()


def _live_join(port: int, token: str, session_id: int, transport: str) -> bool:
    import socketio

    client = socketio.Client(reconnection=False)
    try:
        client.connect(
            f"http://127.0.0.1:{port}",
            namespaces=["/live"],
            auth={"token": token},
            transports=[transport],
            wait_timeout=20,
        )
        ack = client.call("join_session", {"session_id": session_id}, namespace="/live", timeout=20)
        # a few more polls, which must all reach the same process (the affinity cookie)
        time.sleep(1.0)
        again = client.call(
            "join_session", {"session_id": session_id}, namespace="/live", timeout=20
        )
        return bool(ack and ack.get("ok") and again and again.get("ok"))
    except Exception as exc:
        print(f"live join over {transport} failed: {exc!r}", file=sys.stderr)
        return False
    finally:
        client.disconnect()


def _serve(stack: Stack) -> None:
    env = stack.env()
    print(
        f"serving: http://127.0.0.1:{stack.port}\n"
        f"export DATABASE_URL='{stack.database_url}' SECRET_KEY='{env['SECRET_KEY']}'\n"
        f"web pids {[p.pid for p in stack.procs[: stack.workers]]}, "
        f"live pids {[p.pid for p in stack.live_procs]}; Ctrl-C stops",
        flush=True,
    )
    try:
        while all(proc.poll() is None for proc in stack.procs):
            time.sleep(1)
    except KeyboardInterrupt:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes (ports)")
    parser.add_argument("--database-url", help="PostgreSQL server to create a temp database on")
    parser.add_argument("--redis-url", help="Socket.IO message queue for several processes")
    parser.add_argument(
        "--live-workers",
        type=int,
        help="Socket.IO (gevent) processes; default: as many as --workers on PostgreSQL with "
        "--redis-url, else none (the web processes hold the sockets)",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--serve",
        action="store_true",
        help="keep the stack up after the checks, print its address, database and SECRET_KEY "
        "(for bench/exam_storm.py or exam_class.py against it), stop on Ctrl-C",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    started = time.monotonic()
    with Stack(
        args.workers, args.database_url, args.redis_url, live_workers=args.live_workers
    ) as stack:
        try:
            plan = prepare(stack)
            checks = run_checks(stack, plan)
            memory = stack.memory()
        except Exception:
            stack.logs_tail()
            raise
        if not all(checks.values()):
            stack.logs_tail()
        if args.serve and all(checks.values()):
            _serve(stack)
    result = {
        "ok": all(checks.values()),
        "workers": args.workers,
        "database": "postgresql" if args.database_url else "sqlite",
        "checks": checks,
        "memory": memory,
        "seconds": round(time.monotonic() - started, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for name, ok in checks.items():
            print(f"{'ok ' if ok else 'FAIL'} {name}")
        print(
            f"worker RSS (MB): web {memory['rss_mb']}, live {memory['live_rss_mb']}  "
            f"total {result['seconds']} s"
        )
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
