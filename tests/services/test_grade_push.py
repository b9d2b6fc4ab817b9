"""Grade push sync against a real HTTP receiver (http.server in a thread) that checks the
HMAC signature and deduplicates by Idempotency-Key: outbox in the change's transaction,
delivery, outage with back-off, worker restarts, two workers, replay, the CLI."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections import Counter, defaultdict
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.cli import main
from app.core import clock
from app.core.errors import ValidationFailed
from app.extensions import db
from app.models import GradePush
from app.services import grade_push_delivery as delivery
from app.services.grade_push import push_summary, replay
from app.services.gradebook import EntryInput, record_score, save_entries, set_lock

SECRET = "bi-mat-cua-truong"


class Receiver:
    """A school system stand-in: verifies the signature, applies each key once, can be down
    (nothing listening: connection refused) or failing (HTTP 500), or refuse (HTTP 400)."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.mode = "ok"
        self.applied: dict[str, dict] = {}
        self.order: list[dict] = []
        self.requests: Counter = Counter()
        self.bad_signatures = 0
        self.server: ThreadingHTTPServer | None = None
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/lophoc/grades"

    def up(self) -> None:
        if self.server is not None:
            return
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.handle(self.headers, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def handle(self, headers, body: bytes) -> int:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, headers.get("X-LopHoc-Signature", "")):
            self.bad_signatures += 1
            return 401
        if self.mode == "error":
            return 500
        if self.mode == "refuse":
            return 400
        key = headers["Idempotency-Key"]
        payload = json.loads(body)
        with self.lock:
            self.requests[key] += 1
            if key not in self.applied:  # a repeated key is acknowledged, not applied again
                self.applied[key] = payload
                self.order.append(payload)
        return 200


@pytest.fixture
def receiver(app, monkeypatch):
    receiver = Receiver()
    monkeypatch.setitem(app.config, "SIS_PUSH_URL", receiver.url)
    monkeypatch.setitem(app.config, "SIS_PUSH_SECRET", SECRET)
    yield receiver
    receiver.down()


def _pushes():
    return list(db.session.scalars(select(GradePush).order_by(GradePush.id)))


def test_no_outbox_rows_while_push_is_not_configured(make, school, frozen_now):
    course, _teacher, (pupil, *_) = make.gradebook_course(school)
    record_score(None, course.id, pupil.id, "tx1", "8,5", semester=1)
    assert _pushes() == []


def test_each_change_writes_one_outbox_row_keyed_by_student_code(
    make, school, frozen_now, receiver
):
    course, teacher, (pupil, *_) = make.gradebook_course(school)
    record_score(None, course.id, pupil.id, "tx1", "8,5", semester=1)
    record_score(None, course.id, pupil.id, "tx1", "8,5", semester=1)  # unchanged: no row
    save_entries(teacher, course.id, 1, [EntryInput("HS001", "gk", "7", "")])
    first, second = _pushes()
    assert first.state == "pending" and first.attempts == 0
    assert first.payload == {
        "idempotency_key": first.idempotency_key,
        "school_code": "THPT1",
        "student_code": "HS001",
        "year": course.school_class.school_year.name,
        "semester": 1,
        "subject": "Toán",
        "class": "10A1",
        "column": "tx1",
        "score": "8.5",
        "rating": None,
        "source": "manual",
        "reason": "",
        "changed_at": frozen_now.isoformat(),
    }
    assert second.payload["column"] == "gk" and second.payload["score"] == "7"
    assert first.idempotency_key != second.idempotency_key


def test_a_refused_save_writes_no_outbox_row(make, school, frozen_now, receiver):
    course, teacher, _pupils = make.gradebook_course(school)
    with pytest.raises(ValidationFailed):
        save_entries(
            teacher,
            course.id,
            1,
            [EntryInput("HS001", "tx1", "8"), EntryInput("HS002", "tx1", "11")],
        )
    db.session.rollback()
    assert _pushes() == []


def test_a_change_with_a_reason_on_a_locked_semester_is_pushed_with_the_reason(
    make, school, frozen_now, receiver
):
    course, teacher, _pupils = make.gradebook_course(school)
    admin = make.user(school, "admin")
    set_lock(admin, course.school_year_id, 1, True)
    with pytest.raises(ValidationFailed):
        save_entries(teacher, course.id, 1, [EntryInput("HS001", "tx1", "8")])
    db.session.rollback()
    save_entries(teacher, course.id, 1, [EntryInput("HS001", "tx1", "8", "Chấm phúc khảo")])
    (push,) = _pushes()
    assert push.payload["reason"] == "Chấm phúc khảo"


def test_delivery_is_signed_and_marks_the_row_delivered(make, school, frozen_now, receiver):
    course, _teacher, (pupil, *_) = make.gradebook_course(school)
    record_score(None, course.id, pupil.id, "tx1", "9", semester=1)
    receiver.up()
    result = delivery.deliver_pending()
    assert result.delivered == 1
    (push,) = _pushes()
    assert (push.state, push.attempts, push.last_error) == ("delivered", 1, None)
    assert push.delivered_at == frozen_now
    assert receiver.applied[push.idempotency_key]["score"] == "9"
    assert receiver.bad_signatures == 0


def test_a_wrong_secret_is_refused_by_the_receiver_and_not_marked_delivered(
    app, make, school, frozen_now, receiver, monkeypatch
):
    course, _teacher, (pupil, *_) = make.gradebook_course(school)
    record_score(None, course.id, pupil.id, "tx1", "9", semester=1)
    monkeypatch.setitem(app.config, "SIS_PUSH_SECRET", "sai")
    receiver.up()
    result = delivery.deliver_pending()
    assert result.failed == 1 and receiver.bad_signatures == 1
    (push,) = _pushes()
    assert push.state == "failed" and "401" in push.last_error


def _many_changes(make, school):
    """Three students, each cell changed several times: 3 x (3 tx1 values + 1 gk) = 12."""
    course, _teacher, pupils = make.gradebook_course(school)
    for pupil in pupils:
        for value in ("5", "6,5", "7"):
            record_score(None, course.id, pupil.id, "tx1", value, semester=1)
        record_score(None, course.id, pupil.id, "gk", "8", semester=1)
    return course


def test_receiver_down_for_an_hour_then_up_gets_everything_once_and_in_order(
    make, school, frozen_now, receiver
):
    _many_changes(make, school)
    pushes = _pushes()
    assert len(pushes) == 12
    errors_seen, abandoned = set(), []
    for minute in range(0, 121):
        clock.freeze(frozen_now + timedelta(minutes=minute))
        if minute == 30:  # the server comes back but fails every request
            receiver.mode = "error"
            receiver.up()
        if minute == 60:
            receiver.mode = "ok"
        if minute >= 40 and not abandoned:
            # A worker claims a batch and dies before trying it (restart between attempts).
            _token, abandoned = delivery.claim(batch_size=5)
        delivery.deliver_pending()
        db.session.expire_all()
        errors_seen |= {p.last_error.split(":")[0] for p in _pushes() if p.last_error}
        if minute == 59:
            assert receiver.applied == {}
            assert all(p.state == "pending" for p in _pushes())
    rows = _pushes()
    assert abandoned
    assert [p.state for p in rows] == ["delivered"] * 12
    assert any(p.attempts > 3 for p in rows)
    assert {"ConnectionRefusedError", "URLError", "HTTP 500 Internal Server Error"} & errors_seen
    assert "HTTP 500 Internal Server Error" in errors_seen
    assert set(receiver.applied) == {p.idempotency_key for p in rows}
    assert set(receiver.requests.values()) == {1}  # each key arrived once
    by_cell = defaultdict(list)
    for payload in receiver.order:
        by_cell[(payload["student_code"], payload["column"])].append(payload["score"])
    for code in ("HS001", "HS002", "HS003"):
        assert by_cell[(code, "tx1")] == ["5", "6.5", "7"]
        assert by_cell[(code, "gk")] == ["8"]


def test_the_back_off_grows_and_is_capped_while_the_receiver_is_down(
    make, school, frozen_now, receiver
):
    course, _teacher, (pupil, *_) = make.gradebook_course(school)
    record_score(None, course.id, pupil.id, "tx1", "9", semester=1)
    delays = []
    now = frozen_now
    for _attempt in range(12):
        clock.freeze(now)
        delivery.deliver_pending()
        db.session.expire_all()
        (push,) = _pushes()
        delays.append((push.next_attempt_at - now).total_seconds())
        now = push.next_attempt_at
    assert push.attempts == 12 and push.state == "pending"
    assert delays[0] <= delivery.BACKOFF_BASE_SECONDS
    assert max(delays) <= delivery.BACKOFF_CAP_SECONDS
    assert delays[-1] >= delivery.BACKOFF_CAP_SECONDS / 2


def test_a_worker_dying_after_the_post_leads_to_a_resend_the_receiver_ignores(
    make, school, frozen_now, receiver
):
    course, _teacher, (pupil, *_) = make.gradebook_course(school)
    record_score(None, course.id, pupil.id, "tx1", "9", semester=1)
    receiver.up()
    _token, (push,) = delivery.claim()
    assert delivery.post(receiver.url, push, SECRET).is_delivered  # ... and the worker dies
    assert delivery.deliver_pending().delivered == 0  # still leased to the dead worker
    clock.freeze(frozen_now + delivery.LEASE + timedelta(seconds=1))
    assert delivery.deliver_pending().delivered == 1
    assert receiver.requests[push.idempotency_key] == 2
    assert list(receiver.applied) == [push.idempotency_key]


def test_two_workers_at_once_deliver_each_change_once(app, make, school, frozen_now, receiver):
    course, _teacher, pupils = make.gradebook_course(school, students=20)
    for pupil in pupils:
        for value in ("5", "6"):
            record_score(None, course.id, pupil.id, "tx1", value, semester=1)
    receiver.up()
    failures = []

    def worker():
        with app.app_context():
            try:
                for _ in range(5):
                    delivery.deliver_pending(batch_size=3)
            except Exception as exc:
                failures.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    delivery.deliver_pending()
    db.session.expire_all()
    assert [p.state for p in _pushes()] == ["delivered"] * 40
    assert set(receiver.requests.values()) == {1}
    for pupil in pupils:
        scores = [p["score"] for p in receiver.order if p["student_code"] == pupil.student_code]
        assert scores == ["5", "6"]


def test_refused_changes_fail_at_once_and_the_admin_replays_them(
    make, school, frozen_now, receiver
):
    course, _teacher, (one, two, _) = make.gradebook_course(school)
    record_score(None, course.id, one.id, "tx1", "9", semester=1)
    record_score(None, course.id, two.id, "tx1", "8", semester=1)
    receiver.mode = "refuse"
    receiver.up()
    assert delivery.deliver_pending().failed == 2
    admin = make.user(school, "admin")
    summary = push_summary(admin)
    assert (summary.pending, summary.delivered, summary.failed) == (0, 0, 2)
    assert all("HTTP 400" in p.last_error for p in summary.failures)
    receiver.mode = "ok"
    assert replay(admin, summary.failures[0].id) == 1
    assert delivery.deliver_pending().delivered == 1
    assert replay(admin) == 1
    assert delivery.deliver_pending().delivered == 1
    assert push_summary(admin).delivered == 2


def test_replay_is_scoped_to_the_admins_school(make, school, frozen_now, receiver):
    course, _teacher, (pupil, *_) = make.gradebook_course(school)
    record_score(None, course.id, pupil.id, "tx1", "9", semester=1)
    receiver.mode = "refuse"
    receiver.up()
    delivery.deliver_pending()
    other = make.school("THPT2", "Trường khác")
    assert replay(make.user(other, "admin")) == 0
    assert db.session.scalar(select(func.count()).where(GradePush.state == "failed")) == 1


def test_cli_sync_run_once_delivers_and_refuses_without_a_url(
    app, make, school, frozen_now, receiver, monkeypatch
):
    course, _teacher, (pupil, *_) = make.gradebook_course(school)
    record_score(None, course.id, pupil.id, "tx1", "9", semester=1)
    receiver.up()
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["sync", "run", "--once", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"delivered": 1, "retried": 0, "failed": 0}
    monkeypatch.setitem(app.config, "SIS_PUSH_URL", "")
    result = runner.invoke(main, ["sync", "run", "--once"])
    assert result.exit_code == 1
    assert "SIS_PUSH_URL" in result.output


@given(st.integers(min_value=1, max_value=60), st.randoms(use_true_random=False))
def test_backoff_stays_between_half_the_ceiling_and_the_cap(attempts, rng):
    delay = delivery.backoff(attempts, rng).total_seconds()
    ceiling = min(delivery.BACKOFF_CAP_SECONDS, delivery.BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))
    assert ceiling / 2 <= delay <= ceiling


def test_signature_is_the_hmac_of_the_exact_body():
    body = b'{"score": "8.5"}'
    expected = hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert delivery.sign(body, "k") == f"sha256={expected}"


def test_an_import_queues_every_changed_cell_and_a_refused_import_none(
    make, school, frozen_now, receiver
):
    from app.services.gradebook_import import import_scores

    course, _teacher, _pupils = make.gradebook_course(school)
    year = course.school_class.school_year.name
    bad = "Mã học sinh,Lớp,Môn,TX1\nHS001,10A1,Toán,8\nHS002,10A1,Toán,12\n".encode()
    with pytest.raises(ValidationFailed):
        import_scores("THPT1", year, "1", bad, "diem.csv")
    db.session.rollback()
    assert _pushes() == []
    good = 'Mã học sinh,Lớp,Môn,TX1,GK\nHS001,10A1,Toán,8,7\nHS002,10A1,Toán,"6,5",\n'
    import_scores("THPT1", year, "1", good.encode(), "diem.csv")
    assert sorted((p.payload["student_code"], p.payload["column"]) for p in _pushes()) == [
        ("HS001", "gk"),
        ("HS001", "tx1"),
        ("HS002", "tx1"),
    ]
