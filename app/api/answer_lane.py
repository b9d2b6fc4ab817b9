"""The exam's hot path at the WSGI door: PUT /api/v1/attempts/{id}/answers/{qid}.

A whole school saving answers at once is most of an exam's traffic, and through Flask a save
cost 6-30 Flask "hello" requests of CPU (routing, before/after hooks, the limiter, Flask-Login,
the ORM session, two statements). Here a well-formed save from a signed-in student is written
by one statement that checks everything in the database (app/services/exam_answers_direct.py),
and answered with the same body and headers the API gives, the same request id, access log
line and metrics. Everything else - any other request, a body or credential that is not plain,
every refusal and every error - goes on, untouched, to the Flask app, which decides and words
it as before. A request is never answered twice: the direct path either wrote the answer and
replies, or wrote nothing and hands over.

Turned off with LOPHOC_ANSWER_LANE = False (config); the API tests run both ways."""

from __future__ import annotations

import hmac
import io
import json
import logging
import re
import time
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from flask import Flask
from flask.globals import _cv_app
from itsdangerous import BadData, URLSafeTimedSerializer

from app.core import observability as obs
from app.extensions import db
from app.services import exam_answers_direct
from app.web.hooks import CSP

PATH = re.compile(r"/api/v1/attempts/([0-9]{1,10})/answers/([0-9]{1,10})")
ENDPOINT = "/api/v1/attempts/<int:attempt_id>/answers/<int:question_id>"
ROW_ID_MAX = 2**31 - 1
log = logging.getLogger(__name__)


class AnswerLane:
    """WSGI middleware in front of the Flask app (inside ProxyFix, so REMOTE_ADDR and the
    scheme are the client's)."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._engine = None
        self._session_serializer = None
        self._csrf_serializer = None

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "PUT":
            return self.wsgi_app(environ, start_response)
        match = PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match is None or not self.app.config.get("LOPHOC_ANSWER_LANE", True):
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        body = self._read_body(environ)
        if body is None:
            return self.wsgi_app(environ, start_response)
        try:
            reply = self._save(environ, match, body)
        except Exception:
            log.debug("answer lane handed over", exc_info=True)
            reply = None
        if reply is None:
            obs.ANSWER_LANE.labels("handed_over").inc()
            environ["wsgi.input"] = io.BytesIO(body)
            return self.wsgi_app(environ, start_response)
        obs.ANSWER_LANE.labels("written").inc()
        return self._respond(environ, start_response, reply, started)

    @staticmethod
    def _read_body(environ) -> bytes | None:
        """The body as bytes, when it is a small JSON document; None leaves it unread."""
        if not environ.get("CONTENT_TYPE", "").startswith("application/json"):
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if not 0 < length <= 8192:  # a larger answer (an essay) takes the full path
            return None
        body = environ["wsgi.input"].read(length)
        if len(body) != length:
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            return None
        return body

    def _save(self, environ, match, body: bytes) -> dict | None:
        attempt_id, question_id = int(match[1]), int(match[2])
        if attempt_id > ROW_ID_MAX or question_id > ROW_ID_MAX:
            return None
        if b"\x00" in body or b"\\u0000" in body:  # the hooks refuse NUL with 400
            return None
        if _cv_app.get(None) is not None and db.session().in_transaction():
            # A test (or CLI) whose session holds a transaction the request shares: only the
            # full path sees its rows, and a second connection could wait on its locks.
            return None
        credential = self._credential(environ)
        if credential is None:
            return None
        data = json.loads(body)
        if not isinstance(data, dict) or set(data) != {"answer", "seq"}:
            return None
        ip = environ.get("REMOTE_ADDR") or ""
        written = exam_answers_direct.save(
            self._db_engine(),
            credential,
            attempt_id,
            question_id,
            data["answer"],
            data["seq"],
            ip,
        )
        return {"saved": True, "seq": data["seq"]} if written else None

    def _db_engine(self):
        if self._engine is None:
            with self.app.app_context():
                self._engine = db.engine
        return self._engine

    # -- who is calling ---------------------------------------------------------------------

    def _credential(self, environ):
        header = environ.get("HTTP_AUTHORIZATION", "")
        if header[:7].lower() == "bearer ":
            token = header[7:].strip()
            return exam_answers_direct.Bearer(token) if token else None
        if header:
            return None
        return self._signed_in(environ)

    def _signed_in(self, environ):
        """The student of a signed-in browser session whose CSRF token checks, by the rules of
        Flask's session cookie and Flask-WTF's CSRFProtect (as the hooks apply them)."""
        config = self.app.config
        raw_cookie = environ.get("HTTP_COOKIE")
        if not raw_cookie:
            return None
        cookie = SimpleCookie()
        cookie.load(raw_cookie)
        morsel = cookie.get(config["SESSION_COOKIE_NAME"])
        if morsel is None or not morsel.value:
            return None
        if self._session_serializer is None:
            self._session_serializer = self.app.session_interface.get_signing_serializer(self.app)
        session = self._session_serializer.loads(
            morsel.value, max_age=int(self.app.permanent_session_lifetime.total_seconds())
        )
        claim = session.get("_user_id")
        if not isinstance(claim, str):
            return None
        user_id, _sep, version = claim.partition(":")
        if not (user_id.isdigit() and version.isdigit()) or int(user_id) > ROW_ID_MAX:
            return None
        if not self._csrf_ok(environ, session):
            return None
        return exam_answers_direct.SignedIn(int(user_id), int(version))

    def _csrf_ok(self, environ, session) -> bool:
        config = self.app.config
        field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        stored = session.get(field)
        if not stored:
            return False
        sent = None
        for name in config.get("WTF_CSRF_HEADERS", ["X-CSRFToken", "X-CSRF-Token"]):
            sent = environ.get("HTTP_" + name.upper().replace("-", "_"))
            if sent:
                break
        if not sent:
            return False
        if self._csrf_serializer is None:
            secret = config.get("WTF_CSRF_SECRET_KEY") or self.app.secret_key
            self._csrf_serializer = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
        try:
            token = self._csrf_serializer.loads(
                sent, max_age=config.get("WTF_CSRF_TIME_LIMIT", 3600)
            )
        except BadData:
            return False
        if not hmac.compare_digest(stored, token):
            return False
        if environ.get("wsgi.url_scheme") == "https" and config.get("WTF_CSRF_SSL_STRICT", True):
            referrer = urlsplit(environ.get("HTTP_REFERER", ""))
            host = environ.get("HTTP_HOST", "")
            if referrer.scheme != "https" or referrer.netloc != host:
                return False
        return True

    # -- the reply ----------------------------------------------------------------------------

    def _respond(self, environ, start_response, reply: dict, started: float):
        request_id = obs.request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        payload = (json.dumps(reply, separators=(",", ":"), sort_keys=True) + "\n").encode()
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            (obs.REQUEST_ID_HEADER, request_id),
            ("Content-Security-Policy", CSP),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
            ("X-Frame-Options", "SAMEORIGIN"),
            ("Permissions-Policy", "geolocation=(), microphone=(self), camera=(self)"),
        ]
        if "HTTP_COOKIE" in environ and "HTTP_AUTHORIZATION" not in environ:
            headers.append(("Vary", "Cookie"))
        start_response("200 OK", headers)
        elapsed = time.perf_counter() - started
        obs.REQUESTS.labels(ENDPOINT, "PUT", "200").inc()
        obs.LATENCY.labels(ENDPOINT).observe(elapsed)
        if obs.access_log.isEnabledFor(logging.INFO):
            token = obs.request_id_var.set(request_id)
            try:
                obs.access_log.info(
                    "%s %s %s",
                    "PUT",
                    environ["PATH_INFO"],
                    200,
                    extra={
                        "method": "PUT",
                        "path": environ["PATH_INFO"],
                        "endpoint": ENDPOINT,
                        "status": 200,
                        "duration_ms": round(elapsed * 1000, 1),
                        "remote_addr": environ.get("REMOTE_ADDR"),
                    },
                )
            finally:
                obs.request_id_var.reset(token)
        return [payload]
