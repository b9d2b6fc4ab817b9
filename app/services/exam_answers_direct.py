"""The answer save as one statement on a raw pooled connection, for the exam's hot path
(app/api/answer_lane.py): the caller's credential, the attempt's owner and state, the deadline
(+ grace) and the seq are all checked by the database in the statement that writes, so a save
is one round trip and no ORM, Flask request or session object is built for it.

It only ever says "written" or "not written here". Anything it cannot decide from warm caches
(first save of an attempt, a question not yet seen), every refusal (bad token, another
student's attempt, closed, paused, late, an older seq) and every error goes back to the full
request path (exam_answers.save_answer), which gives the answer and its message. So the rules
live in one place: what this statement accepts is exactly what save_answer would write."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass

from sqlalchemy import Integer, String, bindparam, or_
from sqlalchemy.engine import Engine

from app.core.clock import now_utc
from app.core.security import token_digest
from app.models import ApiToken, Attempt, Response, User
from app.services import exam_answers, exam_content, question_types

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Bearer:
    """A session API token as presented (Authorization: Bearer ...)."""

    token: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A signed-in browser session: Flask-Login's "user id:session version" claim."""

    user_id: int
    version: int


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # positional parameter order (SQLite), None for named
    defaults: dict
    processors: dict


_compiled: dict[tuple[str, str], _Compiled] = {}
_compiled_lock = threading.Lock()


def _statement(dialect_name: str, kind: str):
    """exam_answers' save statement, with the caller's credential joined in: the attempt must
    belong to the active user the token (a session token, unrevoked, unexpired) or the signed-in
    session (current session version) names, in that user's school."""
    source = (
        exam_answers.save_source()
        .join(User, User.id == Attempt.student_id)
        .where(User.is_active.is_(True), User.school_id == Attempt.school_id)
    )
    if kind == "token":
        source = source.join(ApiToken, ApiToken.user_id == User.id).where(
            ApiToken.digest == bindparam("digest", type_=String),
            ApiToken.kind == "session",
            ApiToken.revoked_at.is_(None),
            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > bindparam("saved_at")),
        )
    else:
        source = source.where(
            User.id == bindparam("user_id", type_=Integer),
            User.session_version == bindparam("version", type_=Integer),
        )
    return exam_answers.upsert_from(dialect_name, source)


def _compile(engine: Engine, kind: str) -> _Compiled:
    key = (engine.dialect.name, kind)
    found = _compiled.get(key)
    if found is None:
        dialect = engine.dialect
        compiled = _statement(dialect.name, kind).compile(dialect=dialect)
        processors = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        defaults = compiled.construct_params(_check=False)
        columns = Response.__table__.c
        for name, value in defaults.items():
            # A column the insert fills from its Python default (grader_comment = "").
            column = columns.get(name)
            if value is None and column is not None and getattr(column.default, "is_scalar", False):
                defaults[name] = column.default.arg
        found = _Compiled(
            sql=compiled.string,
            names=tuple(compiled.positiontup) if compiled.positional else None,
            defaults=defaults,
            processors=processors,
        )
        with _compiled_lock:
            _compiled[key] = found
    return found


def _cached_question(attempt_id: int, question_id: int):
    """The attempt's exam and the question's (version id, content), from the caches the full
    path fills; None when either is not known yet."""
    owner = exam_answers._attempt_heads.get(attempt_id)
    if owner is None:
        return None
    questions = exam_answers._exam_questions.get(owner[0])
    if questions is None:
        return None
    return questions.get(question_id)


def save(
    engine: Engine,
    credential: Bearer | SignedIn,
    attempt_id: int,
    question_id: int,
    raw,
    seq,
    ip: str,
) -> bool:
    """Write the answer if the statement accepts it; True when written (committed, durable).
    False means "not decided here": the caller hands the request to the full path."""
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < 2**62:
        return False
    found = _cached_question(attempt_id, question_id)
    if found is None:
        return False
    if len(json.dumps(raw, ensure_ascii=False)) > exam_answers.MAX_ANSWER_BYTES:
        return False
    try:
        answer = question_types.normalise_answer(exam_content.version_content(*found), raw)
    except Exception:
        return False
    now = now_utc()
    values = {
        "attempt_id": attempt_id,
        "question_id": question_id,
        "answer": answer,
        "seq": seq,
        "saved_at": now,
        "ip": ip[:45],
        "cutoff": now - exam_answers.GRACE,
    }
    if isinstance(credential, Bearer):
        compiled = _compile(engine, "token")
        values["digest"] = token_digest(credential.token)
    else:
        compiled = _compile(engine, "session")
        values["user_id"] = credential.user_id
        values["version"] = credential.version
    params = dict(compiled.defaults)
    params.update(values)
    for name, processor in compiled.processors.items():
        params[name] = processor(params[name])
    if compiled.names is not None:
        params = [params[name] for name in compiled.names]
    return _execute(engine, compiled.sql, params)


def _execute(engine: Engine, sql: str, params) -> bool:
    connection = engine.raw_connection()  # the pool's checkout events (idle ping) apply
    dbapi = connection.driver_connection
    autocommit = getattr(dbapi, "autocommit", None)
    try:
        if autocommit is False:
            dbapi.autocommit = True  # one round trip: no BEGIN/COMMIT around the statement
        cursor = connection.cursor()
        try:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        finally:
            cursor.close()
        connection.commit()
        return row is not None
    except Exception:
        # The full path runs the request again and answers it (a lost database: 503).
        log.debug("direct answer save fell back", exc_info=True)
        connection.invalidate()
        return False
    finally:
        if autocommit is False and connection.dbapi_connection is not None:
            dbapi.autocommit = False
        connection.close()
