"""The outbox against a real SMTP server: delivery, server down then up, back-off, max attempts,
two workers at once, and a restart (rows persist and go out from a new process)."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from app import create_app
from app.cli import main
from app.core import clock
from app.extensions import db
from app.models import OutboxMail
from app.services import homework, mail_outbox


def _set_homework(family):
    return homework.create_assignment(
        family["teacher"],
        family["course"].id,
        {"title": "Ôn tập chương 1", "due_at": "2026-11-25T17:00"},
    )


def _states() -> dict[str, str]:
    db.session.expire_all()
    return {m.to_address: m.state for m in db.session.scalars(select(OutboxMail))}


def test_pending_mail_is_delivered_in_vietnamese_to_the_smtp_server(family, smtp):
    _set_homework(family)
    assert mail_outbox.send_pending() == {"sent": 2, "retrying": 0, "failed": 0}
    assert _states() == {"an@hs.vn": "sent", "me@nha.vn": "sent"}
    [message] = smtp.inbox.to("me@nha.vn")
    assert message["Subject"] == "Bài tập mới: Ôn tập chương 1"
    body = message.get_content()
    assert "Con của bạn, Nguyễn Văn An" in body and "17:00 25/11/2026" in body
    assert "http://127.0.0.1:5000/homework/" in body
    assert mail_outbox.send_pending()["sent"] == 0  # nothing sent twice


def test_server_down_keeps_mail_pending_with_the_error_then_sends_after_the_backoff(
    family, smtp, frozen_now
):
    _set_homework(family)
    smtp.stop()
    assert mail_outbox.send_pending() == {"sent": 0, "retrying": 2, "failed": 0}
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.to_address == "me@nha.vn"))
    assert mail.state == "pending" and mail.attempts == 1 and mail.last_error
    assert mail.next_attempt_at == frozen_now + timedelta(seconds=60)
    smtp.start()
    assert mail_outbox.send_pending()["sent"] == 0  # not yet due again
    clock.freeze(frozen_now + timedelta(seconds=61))
    assert mail_outbox.send_pending()["sent"] == 2
    assert len(smtp.inbox.to("me@nha.vn")) == 1


def test_backoff_doubles_and_mail_fails_after_the_max_attempts(app, family, smtp, frozen_now):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    try:
        _set_homework(family)
        smtp.stop()
        waits = []
        now = frozen_now
        for _ in range(3):
            mail_outbox.send_pending()
            mail = db.session.scalar(select(OutboxMail).where(OutboxMail.to_address == "an@hs.vn"))
            waits.append(mail.next_attempt_at - now)
            now = mail.next_attempt_at
            clock.freeze(now)
        assert waits[:2] == [timedelta(seconds=60), timedelta(seconds=120)]
        assert mail.state == "failed" and mail.attempts == 3
        smtp.start()
        assert mail_outbox.send_pending()["sent"] == 0
    finally:
        app.config["MAIL_MAX_ATTEMPTS"] = 8


def test_admin_retry_puts_a_failed_mail_back(app, family, smtp, make, school):
    admin = make.user(school, "admin", username="qt")
    _set_homework(family)
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.to_address == "an@hs.vn"))
    mail.state, mail.attempts, mail.last_error = "failed", 8, "boom"
    db.session.commit()
    assert [m.id for m in mail_outbox.listing(admin, "failed").items] == [mail.id]
    mail_outbox.retry(admin, mail.id)
    assert mail_outbox.send_pending()["sent"] == 2
    assert _states()["an@hs.vn"] == "sent"


def test_a_claimed_row_is_not_claimed_again_by_a_second_worker(family, smtp):
    _set_homework(family)
    first = mail_outbox.claim()
    assert len(first) == 2
    assert mail_outbox.claim() == []


def test_two_workers_at_once_send_each_mail_exactly_once(app, family, smtp, make, school):
    klass = family["course"].school_class
    for n in range(20):
        pupil = make.user(school, "student", username=f"x{n}", email=f"x{n}@hs.vn")
        make.enrol(pupil, klass)
    _set_homework(family)
    total = db.session.query(OutboxMail).count()
    errors = []

    def work():
        with app.app_context():
            try:
                while mail_outbox.send_pending(limit=3)["sent"]:
                    pass
            except Exception as exc:  # collected, asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    assert len(smtp.inbox.messages) == total == 22
    assert len({m["To"] for m in smtp.inbox.messages}) == total
    assert set(_states().values()) == {"sent"}


def test_rows_survive_a_restart_and_a_new_process_sends_them(app, family, smtp):
    _set_homework(family)
    smtp.stop()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    db.engine.dispose()  # the first process is gone
    smtp.start()
    fresh = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": uri,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp.port,
        }
    )
    result = fresh.test_cli_runner().invoke(main, ["mail", "send", "--once", "--json"])
    assert result.exit_code == 0, result.output
    assert '"sent": 2' in result.output
    assert len(smtp.inbox.to("me@nha.vn")) == 1
    with fresh.app_context():
        db.engine.dispose()


def test_mail_send_without_a_server_configured_says_so(app, family):
    app.config["MAIL_SERVER"] = ""
    result = app.test_cli_runner().invoke(main, ["mail", "send", "--once"])
    assert result.exit_code == 1
    assert "MAIL_SERVER" in result.output


def test_due_tomorrow_command_is_idempotent(app, family, make):
    from datetime import UTC, datetime

    make.assignment(family["course"], due_at=datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    runner = app.test_cli_runner()
    first = runner.invoke(main, ["notify", "due-tomorrow", "--json"])
    second = runner.invoke(main, ["notify", "due-tomorrow", "--json"])
    assert '"homework_due": 4' in first.output, first.output
    assert '"homework_due": 0' in second.output, second.output
