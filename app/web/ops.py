"""Operations endpoints: /readyz and /metrics (the liveness /healthz is in home.py), and the
app-wide request id, access log and request metrics.

/metrics is refused (403) unless the caller sends `Authorization: Bearer LOPHOC_METRICS_TOKEN`
or comes from an address in LOPHOC_METRICS_ALLOW (comma-separated addresses or networks;
default loopback only). Behind nginx the address is the client's (LOPHOC_PROXY_COUNT)."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request

from app.core import observability as obs

bp = Blueprint("ops", __name__)
DEFAULT_ALLOW = "127.0.0.1/32,::1/128"


@bp.record_once
def _setup(state) -> None:
    from app.services import lifecycle  # noqa: F401 - registers the archived-year write guard

    app: Flask = state.app

    fmt = app.config.get("LOPHOC_LOG_FORMAT") or os.environ.get("LOPHOC_LOG_FORMAT")
    if fmt or not app.testing:
        from flask.logging import default_handler

        obs.configure_logging(
            (fmt or "text").lower(),
            app.config.get("LOPHOC_LOG_LEVEL") or os.environ.get("LOPHOC_LOG_LEVEL", "INFO"),
        )
        app.logger.removeHandler(default_handler)  # the root handler writes it once, formatted


@bp.before_app_request
def _start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = obs.request_id_from(request.headers.get(obs.REQUEST_ID_HEADER))
    g.request_id_token = obs.request_id_var.set(g.request_id)


@bp.after_app_request
def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id")
    if not request_id:  # an earlier hook refused the request before ours ran (413, CSRF)
        request_id = obs.request_id_from(request.headers.get(obs.REQUEST_ID_HEADER))
    response.headers[obs.REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    if started is not None:
        elapsed = time.perf_counter() - started
        endpoint = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
        obs.REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        obs.LATENCY.labels(endpoint).observe(elapsed)
        if obs.access_log.isEnabledFor(logging.INFO):
            obs.access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "endpoint": endpoint,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 1),
                    "remote_addr": request.remote_addr,
                },
            )
    return response


@bp.teardown_app_request
def _forget_request_id(_exc) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        try:
            obs.request_id_var.reset(token)
        except ValueError:  # set in another context (streamed response): just clear it
            obs.request_id_var.set("-")


@bp.get("/readyz")
def readyz():
    from app.services.ops_health import readiness

    report = readiness()
    return jsonify(report.as_dict()), 200 if report.ready else 503


def _metrics_allowed() -> bool:
    token = current_app.config.get("LOPHOC_METRICS_TOKEN") or os.environ.get("LOPHOC_METRICS_TOKEN")
    sent = request.headers.get("Authorization", "")
    if token and sent.lower().startswith("bearer "):
        return hmac.compare_digest(sent[7:].strip().encode(), token.encode())
    allow = current_app.config.get("LOPHOC_METRICS_ALLOW") or os.environ.get(
        "LOPHOC_METRICS_ALLOW", DEFAULT_ALLOW
    )
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    for item in (part.strip() for part in allow.split(",")):
        if not item:
            continue
        try:
            if address in ipaddress.ip_network(item, strict=False):
                return True
        except ValueError:
            current_app.logger.warning("LOPHOC_METRICS_ALLOW: not an address: %s", item)
    return False


@bp.get("/metrics")
def metrics():
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.core import GaugeMetricFamily

    from app.services.ops_health import gauges

    if not _metrics_allowed():
        return jsonify(
            {"error": {"code": "forbidden", "message": "Metrics need the metrics token."}}
        ), 403

    values = gauges()

    class DatabaseCollector:
        def collect(self):
            yield GaugeMetricFamily(
                "lophoc_exam_attempts_active",
                "Exam attempts in progress with time left.",
                value=values["active_attempts"],
            )
            yield GaugeMetricFamily(
                "lophoc_live_clients_connected",
                "Open live-classroom sockets (all processes).",
                value=values["live_clients"],
            )
            backlog = GaugeMetricFamily(
                "lophoc_outbox_backlog", "Rows waiting in a database outbox.", labels=["outbox"]
            )
            oldest = GaugeMetricFamily(
                "lophoc_outbox_oldest_due_seconds",
                "Age of the oldest due row of a database outbox.",
                labels=["outbox"],
            )
            for name, row in values["outbox"].items():
                backlog.add_metric([name], row["pending"])
                oldest.add_metric([name], row["oldest_due_seconds"])
            yield backlog
            yield oldest

    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (obs.REQUESTS, obs.LATENCY, obs.JOB_RUNS, obs.ANSWER_LANE):
            registry.register(collector)
    registry.register(DatabaseCollector())
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
