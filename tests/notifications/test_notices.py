"""Who is told what: new homework, due tomorrow (idempotent), feedback returned, opt-outs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.core import clock
from app.extensions import db
from app.models import Notification, OutboxMail
from app.services import homework, homework_notices, notifications


def _notes(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def _mails(address: str) -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.to_address == address)))


def _set_homework(family, **extra):
    data = {"title": "Bài tập hàm số", "due_at": "2026-11-25T17:00", **extra}
    return homework.create_assignment(family["teacher"], family["course"].id, data)


def test_new_homework_tells_students_and_parents_and_mails_only_those_with_an_address(family):
    assignment = _set_homework(family)
    for person in ("an", "binh", "mother", "father"):
        notes = _notes(family[person])
        assert [n.kind for n in notes] == ["homework_new"], person
        assert notes[0].link == f"/homework/{assignment.id}"
    assert _notes(family["teacher"]) == []
    assert "Nguyễn Văn An" in _notes(family["mother"])[0].body
    mail = _mails("me@nha.vn")
    assert len(mail) == 1 and mail[0].state == "pending"
    assert mail[0].subject == "Bài tập mới: Bài tập hàm số"
    assert "Toán – 10A1" in mail[0].body and "17:00 25/11/2026" in mail[0].body
    assert f"/homework/{assignment.id}" in mail[0].body
    assert len(_mails("an@hs.vn")) == 1
    assert db.session.scalar(select(func.count(OutboxMail.id))) == 2


def test_a_refused_homework_notifies_nobody(family):
    import pytest

    from app.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        _set_homework(family, due_at="2026-11-01T08:00")
    db.session.rollback()
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_homework_opening_later_is_announced_once_when_it_opens(family, frozen_now):
    _set_homework(family, opens_at="2026-11-23T07:00")
    assert _notes(family["an"]) == []
    assert homework_notices.opened_since() == 0
    clock.freeze(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    assert homework_notices.opened_since() == 4
    assert homework_notices.opened_since() == 0
    assert len(_notes(family["an"])) == 1


def test_due_tomorrow_reminds_only_those_who_have_not_submitted_and_only_once(family, make):
    # 22/11 08:00 Hanoi now; due 23/11 17:00 Hanoi is "tomorrow"
    assignment = make.assignment(family["course"], due_at=datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    make.assignment(family["course"], title="Còn xa", due_at=datetime(2026, 11, 28, tzinfo=UTC))
    homework.submit(family["binh"], assignment.id, "Bài làm", [])
    assert homework_notices.due_tomorrow() == 2  # An and her mother
    assert homework_notices.due_tomorrow() == 0
    assert [n.kind for n in _notes(family["an"])] == ["homework_due"]
    assert _notes(family["binh"]) == [] and _notes(family["father"]) == []
    mail = _mails("me@nha.vn")
    assert len(mail) == 1 and "Ngày mai hết hạn" in mail[0].subject
    assert "17:00 23/11/2026" in mail[0].body


def test_feedback_returned_tells_the_student_and_parents(family, make):
    assignment = make.assignment(family["course"])
    submission = homework.submit(family["an"], assignment.id, "Bài làm", [])
    homework.grade(family["teacher"], submission.id, "8,5", "Làm tốt")
    homework.return_all(family["teacher"], assignment.id)
    for person in ("an", "mother"):
        notes = _notes(family[person])
        assert [n.kind for n in notes] == ["feedback"]
        assert "8,5/10" in notes[0].body and "Làm tốt" in notes[0].body
    assert _notes(family["binh"]) == []


def test_opting_out_of_an_email_kind_keeps_the_in_app_notice(family):
    notifications.set_preferences(family["mother"], {"feedback"})
    _set_homework(family)
    assert len(_notes(family["mother"])) == 1
    assert _mails("me@nha.vn") == []
    prefs = {p["kind"]: p["is_email_enabled"] for p in notifications.preferences(family["mother"])}
    assert prefs["homework_new"] is False and prefs["feedback"] is True


def test_mark_read_and_unread_count_are_per_person(family):
    import pytest

    from app.core.errors import NotFound

    _set_homework(family)
    an, binh = family["an"], family["binh"]
    assert notifications.unread_count(an) == 1
    note = _notes(an)[0]
    with pytest.raises(NotFound):
        notifications.mark_read(binh, note.id)
    notifications.mark_read(an, note.id)
    assert notifications.unread_count(an) == 0
    assert notifications.unread_count(binh) == 1
    assert notifications.mark_all_read(binh) == 1
    assert notifications.unread_count(binh) == 0


def test_due_tomorrow_uses_the_vietnam_date(family, make):
    # 22/11 23:30 Hanoi (16:30 UTC): "tomorrow" is 23/11 in Hanoi, not 22/11 as in UTC
    clock.freeze(datetime(2026, 11, 22, 16, 30, tzinfo=UTC))
    make.assignment(
        family["course"],
        opens_at=datetime(2026, 11, 22, tzinfo=UTC),
        due_at=datetime(2026, 11, 23, 16, 0, tzinfo=UTC),  # 23:00 on 23/11 in Hanoi
    )
    make.assignment(
        family["course"],
        title="Hôm nay",
        opens_at=datetime(2026, 11, 22, tzinfo=UTC),
        due_at=datetime(2026, 11, 22, 16, 45, tzinfo=UTC) + timedelta(0),
    )
    assert homework_notices.due_tomorrow() == 4
