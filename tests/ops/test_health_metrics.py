"""/healthz, /readyz, /metrics, request ids and JSON logs, against the real test database."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from app.core import observability as obs
from app.core.clock import now_utc
from app.extensions import db
from app.models import OutboxMail


def _mail(school, minutes_ago: int) -> OutboxMail:
    mail = OutboxMail(
        school_id=school.id,
        kind="test",
        to_address="a@example.edu.vn",
        subject="Thử",
        body="Nội dung",
        next_attempt_at=now_utc() - timedelta(minutes=minutes_ago),
    )
    db.session.add(mail)
    db.session.commit()
    return mail


def _samples(text: str) -> dict:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_healthz_needs_no_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_reports_database_and_outbox(client, school, app):
    _mail(school, minutes_ago=30)
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"]["status"] == "not_configured"
    mail = body["checks"]["outbox"]["outboxes"]["mail"]
    assert mail["pending"] == 1
    assert 29 * 60 < mail["oldest_due_seconds"] < 31 * 60


def test_readyz_503_when_outbox_stale_or_redis_down(client, school, app):
    _mail(school, minutes_ago=30)
    app.config["LOPHOC_READY_OUTBOX_MAX_AGE"] = 600
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/readyz")
    finally:
        app.config["LOPHOC_READY_OUTBOX_MAX_AGE"] = 0
        app.config["REDIS_URL"] = None
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not_ready"
    assert body["checks"]["outbox"]["status"] == "fail"
    assert body["checks"]["outbox"]["stale"] == ["mail"]
    assert body["checks"]["redis"]["status"] == "fail"
    assert body["checks"]["database"]["status"] == "ok"


def test_request_id_accepted_or_generated(client):
    sent = client.get("/healthz", headers={"X-Request-ID": "abc-123.x"})
    assert sent.headers["X-Request-ID"] == "abc-123.x"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    assert made.headers["X-Request-ID"] not in ("", "bad id <script>")
    assert len(made.headers["X-Request-ID"]) == 32
    other = client.get("/healthz")
    assert other.headers["X-Request-ID"] != made.headers["X-Request-ID"]


def test_json_log_lines_carry_the_request_id(client):
    stream = io.StringIO()
    handler = obs.configure_logging("json", stream=stream)
    try:
        client.get("/healthz", headers={"X-Request-ID": "req-42"})
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "lophoc.access"]
    assert access, lines
    assert access[-1]["request_id"] == "req-42"
    assert access[-1]["status"] == 200
    assert access[-1]["endpoint"] == "/healthz"
    assert access[-1]["duration_ms"] >= 0


def test_metrics_counts_requests_and_reads_gauges(client, school, app):
    _mail(school, minutes_ago=5)
    before = _samples(client.get("/metrics").get_data(as_text=True))
    client.get("/healthz")
    client.get("/no/such/page")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    after = _samples(response.get_data(as_text=True))
    key = (
        "lophoc_http_requests_total",
        (("endpoint", "/healthz"), ("method", "GET"), ("status", "200")),
    )
    assert after[key] == before.get(key, 0) + 1
    missing = (
        "lophoc_http_requests_total",
        (("endpoint", "<unmatched>"), ("method", "GET"), ("status", "404")),
    )
    assert after[missing] >= 1
    count = ("lophoc_http_request_duration_seconds_count", (("endpoint", "/healthz"),))
    assert after[count] == before.get(count, 0) + 1
    assert after[("lophoc_outbox_backlog", (("outbox", "mail"),))] == 1
    assert after[("lophoc_outbox_backlog", (("outbox", "grade_push"),))] == 0
    assert after[("lophoc_exam_attempts_active", ())] == 0
    assert after[("lophoc_live_clients_connected", ())] == 0


def test_metrics_protected_by_address_or_token(client, app):
    app.config["LOPHOC_METRICS_ALLOW"] = "10.0.0.0/8"
    app.config["LOPHOC_METRICS_TOKEN"] = "s3cret-token"
    try:
        refused = client.get("/metrics")  # the test client comes from 127.0.0.1
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        with_token = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        from_lan = client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    finally:
        app.config.pop("LOPHOC_METRICS_ALLOW")
        app.config.pop("LOPHOC_METRICS_TOKEN")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden"
    assert wrong.status_code == 403
    assert with_token.status_code == 200
    assert from_lan.status_code == 200
