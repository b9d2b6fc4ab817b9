"""The weekly family digest: one e-mail per parent for all their children, correct Vietnamese
content in local time, text + HTML parts through a real SMTP server, idempotent per
parent x week, the preference, the command and the worker's Sunday-evening step."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.core import clock
from app.extensions import db
from app.models import (
    AttendanceRecord,
    GradeRelease,
    OutboxMail,
    Submission,
    TimetableSlot,
    WeeklyDigest,
)
from app.services import announcements, mail_outbox, notifications, weekly_digest

SUNDAY_EVENING = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)  # 19:00 in Hà Nội


def _slot(w, course, klass, start: datetime) -> TimetableSlot:
    slot = TimetableSlot(
        school_id=w.school.id,
        class_id=klass.id,
        course_id=course.id,
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
    )
    db.session.add(slot)
    db.session.flush()
    return slot


def _attend(w, slot, student, status):
    db.session.add(
        AttendanceRecord(
            school_id=w.school.id, slot_id=slot.id, student_id=student.id, status=status
        )
    )


@pytest.fixture
def week(world, make):
    """A week (23/11–29/11/2026) in the life of Mẹ An Chi's two children."""
    w = world
    clock.freeze(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    _attend(w, _slot(w, w.course, w.a1, datetime(2026, 11, 24, 1, 0, tzinfo=UTC)), w.an, "present")
    _attend(w, _slot(w, w.course, w.a1, datetime(2026, 11, 25, 1, 0, tzinfo=UTC)), w.an, "late")
    _attend(
        w, _slot(w, w.course2, w.a2, datetime(2026, 11, 26, 2, 0, tzinfo=UTC)), w.chi, "unexcused"
    )
    _attend(
        w, _slot(w, w.course, w.a1, datetime(2026, 11, 17, 1, 0, tzinfo=UTC)), w.an, "unexcused"
    )
    db.session.commit()
    done = make.assignment(
        w.course, "Bài tập hàm số", due_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    )
    make.assignment(w.course, "Bài tập đồ thị", due_at=datetime(2026, 11, 26, 10, 0, tzinfo=UTC))
    make.assignment(w.course2, "Viết đoạn văn", due_at=datetime(2026, 12, 2, 10, 0, tzinfo=UTC))
    db.session.add(
        Submission(
            school_id=w.school.id,
            assignment_id=done.id,
            student_id=w.an.id,
            submitted_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
            score=Decimal("8.5"),
            returned_at=datetime(2026, 11, 27, 3, 0, tzinfo=UTC),
        )
    )
    db.session.commit()
    make.scores(w.course, w.an, 1, tx=[Decimal("9")])
    make.scores(w.course2, w.chi, 1, tx=[Decimal("7.5")])  # not released: not in the digest
    db.session.add(GradeRelease(school_id=w.school.id, course_id=w.course.id, semester=1))
    db.session.commit()
    announcements.create(
        w.admin, title="Nghỉ lễ Nhà giáo", body_html="<p>Học sinh nghỉ.</p>", target_kind="school"
    )
    clock.freeze(SUNDAY_EVENING)
    return w


def test_one_digest_per_family_with_every_child_in_vietnamese(week, smtp):
    counts = weekly_digest.send_week(date(2026, 11, 25))
    assert counts == {"week": "2026-11-23", "queued": 1, "already": 0, "skipped": 1}
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.kind == "weekly_digest"))
    assert mail.to_address == "me@nha.vn"
    assert mail.subject == "LopHoc – Tóm tắt tuần 23/11–29/11 của gia đình"
    text = mail.body
    assert "Kính gửi Mẹ An Chi," in text
    assert "== Nguyễn Văn An ==" in text and "== Nguyễn Thị Chi ==" in text
    chi_part, an_part = text.split("== Nguyễn Văn An ==")  # children by name
    assert "có mặt 1, đi muộn 1, vắng có phép 0, vắng không phép 0" in an_part
    assert "08:00 25/11 Toán: đi muộn" in an_part  # local time, and last week's absence left out
    assert "Toán: Bài tập hàm số (hạn 17:00 25/11) – đã nộp" in an_part
    assert "Toán: Bài tập đồ thị (hạn 17:00 26/11) – chưa nộp (quá hạn)" in an_part
    assert "Toán – Bài tập hàm số: 8,5/10" in an_part
    assert "Toán – điểm TX1 (học kì 1): 9" in an_part
    assert "7,5" not in text
    assert "vắng không phép 1" in chi_part and "09:00 26/11 Ngữ văn: vắng không phép" in chi_part
    assert "Ngữ văn: Viết đoạn văn (hạn 17:00 02/12) – chưa nộp" in chi_part
    assert an_part.count("Nghỉ lễ Nhà giáo") == 1  # announcements once, for the family
    assert mail_outbox.send_pending()["sent"] >= 1
    message = next(m for m in smtp.inbox.to("me@nha.vn") if "Tóm tắt" in m["Subject"])
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Nguyễn Thị Chi" in plain and "<h2" in html and "Nguyễn Thị Chi" in html
    assert "chưa nộp (quá hạn)" in html


def test_running_twice_sends_once(week):
    weekly_digest.send_week(date(2026, 11, 23))
    again = weekly_digest.send_week(date(2026, 11, 29))
    assert again["queued"] == 0 and again["already"] == 1
    assert db.session.scalar(select(func.count(WeeklyDigest.id))) == 1
    assert (
        db.session.scalar(
            select(func.count(OutboxMail.id)).where(OutboxMail.kind == "weekly_digest")
        )
        == 1
    )
    next_week = weekly_digest.send_week(date(2026, 11, 30))
    assert next_week["queued"] == 1


def test_a_parent_who_turned_the_digest_off_gets_none(week):
    kinds = {k for k in notifications.KINDS if k != "weekly_digest"}
    notifications.set_preferences(week.me, kinds)
    assert weekly_digest.send_week(date(2026, 11, 23))["queued"] == 0
    assert db.session.scalar(select(WeeklyDigest.id)) is None


def test_command_and_worker_step(week, app):
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["notify", "weekly-digest", "--week", "2026-11-25", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["queued"] == 1
    human = runner.invoke(main, ["notify", "weekly-digest"])  # default: this week (Sunday)
    assert "đã gửi trước đó 1" in human.output
    bad = runner.invoke(main, ["notify", "weekly-digest", "--week", "29/11/2026"])
    assert bad.exit_code != 0


def test_worker_sends_on_sunday_evening_only(week, app):
    from app.cli_notices import weekly_step

    assert weekly_digest.is_due(SUNDAY_EVENING)
    assert not weekly_digest.is_due(datetime(2026, 11, 29, 3, 0, tzinfo=UTC))  # Sunday 10:00
    assert not weekly_digest.is_due(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # Saturday
    assert weekly_digest.default_week(datetime(2026, 11, 27, 3, 0, tzinfo=UTC)) == date(
        2026, 11, 16
    )
    clock.freeze(datetime(2026, 11, 29, 3, 0, tzinfo=UTC))
    weekly_step(True)
    assert db.session.scalar(select(WeeklyDigest.id)) is None
    clock.freeze(SUNDAY_EVENING)
    weekly_step(True)
    weekly_step(True)
    assert db.session.scalar(select(func.count(WeeklyDigest.id))) == 1


def test_html_part_escapes_names_and_titles(week, make):
    week.an.full_name = "An <script>x</script>"
    db.session.commit()
    weekly_digest.send_week(date(2026, 11, 23))
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.kind == "weekly_digest"))
    assert "<script>" not in mail.html_body and "An &lt;script&gt;" in mail.html_body
    assert "An <script>x</script>" in mail.body  # the plain-text part is plain text
