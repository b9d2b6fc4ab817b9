"""The e-mail outbox worker: claim due rows, send them over SMTP (smtplib), retry with
exponential back-off up to a maximum, and the admin's view of pending/sent/failed mail."""

from __future__ import annotations

import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from app.core.clock import now_utc
from app.core.errors import Conflict, ValidationFailed
from app.core.pagination import Page, paginate
from app.extensions import db
from app.models import OutboxMail, User
from app.services import audit
from app.services.access import acting_school_id, get_scoped, require_school_admin

STATES = ("pending", "sent", "failed")
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: base, 2x, 4x ... capped at 6 hours."""
    base = timedelta(seconds=current_app.config["MAIL_RETRY_SECONDS"])
    return min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def claim(limit: int = 50) -> list[OutboxMail]:
    """Take up to `limit` due rows for this worker. Each row is claimed by a conditional UPDATE
    (state still pending, lease free), so two workers at once never take the same row."""
    now = now_utc()
    free = or_(OutboxMail.locked_until.is_(None), OutboxMail.locked_until < now)
    candidates = db.session.scalars(
        select(OutboxMail.id)
        .where(OutboxMail.state == "pending", OutboxMail.next_attempt_at <= now, free)
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(limit)
    ).all()
    claimed = []
    for mail_id in candidates:
        result = db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail_id, OutboxMail.state == "pending", free)
            .values(locked_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if result.rowcount == 1:
            claimed.append(mail_id)
    return [db.session.get(OutboxMail, i) for i in claimed]


def _connect() -> smtplib.SMTP:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise ValidationFailed(_("Chưa cấu hình máy chủ thư (MAIL_SERVER)."), code="no_mail_server")
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    if config.get("MAIL_USE_SSL"):
        server: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            server.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        server.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return server


def _message(mail: OutboxMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="lophoc")
    message["X-LopHoc-Outbox"] = str(mail.id)
    message.set_content(mail.body, charset="utf-8")
    if mail.html_body:
        message.add_alternative(mail.html_body, subtype="html", charset="utf-8")
    return message


def _failed(mail: OutboxMail, error: Exception) -> str:
    mail.attempts += 1
    mail.last_error = f"{type(error).__name__}: {error}"[:2000]
    mail.locked_until = None
    if mail.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        mail.state = "failed"
    else:
        mail.next_attempt_at = now_utc() + backoff(mail.attempts)
    db.session.commit()
    return mail.state


def send_pending(limit: int = 50) -> dict:
    """Deliver the due mail once: {"sent", "retrying", "failed"} counts. A server that is down
    leaves the rows pending for a later try (or failed after MAIL_MAX_ATTEMPTS).
    Raises ValidationFailed when no MAIL_SERVER is configured (nothing is claimed)."""
    if not current_app.config.get("MAIL_SERVER"):
        _connect()
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    mails = claim(limit)
    if not mails:
        return counts
    try:
        server = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        for mail in mails:
            counts["retrying" if _failed(mail, exc) == "pending" else "failed"] += 1
        return counts
    try:
        for mail in mails:
            try:
                server.send_message(_message(mail))
            except (OSError, smtplib.SMTPException) as exc:
                counts["retrying" if _failed(mail, exc) == "pending" else "failed"] += 1
                continue
            mail.state, mail.sent_at, mail.locked_until = "sent", now_utc(), None
            mail.attempts += 1
            db.session.commit()
            counts["sent"] += 1
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    return counts


def listing(actor: User, state: str | None, page: int = 1, per_page: int = 50) -> Page:
    """The school's outbox for its admin, newest first, optionally one state."""
    require_school_admin(actor)
    stmt = select(OutboxMail).where(OutboxMail.school_id == acting_school_id(actor))
    if state in STATES:
        stmt = stmt.where(OutboxMail.state == state)
    return paginate(db.session, stmt.order_by(OutboxMail.id.desc()), page, per_page)


def retry(actor: User, mail_id: object) -> OutboxMail:
    """Put a failed (or waiting) mail back to be sent now. Raises Conflict for a sent one."""
    require_school_admin(actor)
    mail = get_scoped(OutboxMail, mail_id, actor)
    if mail.state == "sent":
        raise Conflict(_("Thư này đã được gửi."))
    audit.record(actor, "mail.retry", mail, {"state": [mail.state, "pending"]})
    mail.state, mail.attempts, mail.next_attempt_at, mail.locked_until = (
        "pending",
        0,
        now_utc(),
        None,
    )
    db.session.commit()
    return mail
