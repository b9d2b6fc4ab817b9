"""A student takes an exam on a 375-px phone in a real headless Chromium: autosave, reload,
offline and back, submit with the score; past the deadline the page closes and saves are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models import Attempt, Question, Response
from app.services import exams, question_bank_access, question_files

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
GIFT = (
    "::Cộng::Hai cộng hai bằng mấy?{=4 ~3 ~5}\n\n"
    "::Thủ đô::Thủ đô của Việt Nam là thành phố nào?{=Hà Nội}\n\n"
    "::Nhân::Ba nhân ba bằng mấy?{=9 ~6 ~8}\n"
).encode()


def _exam(make, school, **settings):
    """A published exam of three questions (4, Hà Nội, 9) for one student; returns both."""
    teacher = make.user(school, "teacher", username="gv")
    student = make.user(school, "student", username="hs", full_name="Nguyễn Văn An")
    school_class = make.school_class(school)
    make.enrol(student, school_class)
    course = make.course(school, school_class, teacher)
    bank = question_bank_access.ensure_bank(None, school.id, "Kiểm tra 15 phút")
    question_files.import_file(None, bank, GIFT, "de.gift", "gift")
    ids = list(db.session.scalars(select(Question.id).order_by(Question.id)))
    data = {
        "title": "Kiểm tra 15 phút",
        "question_ids": ids,
        "duration_minutes": 30,
        "published": True,
        "release": "immediately",
        "shuffle_questions": False,
        "shuffle_options": False,
    } | settings
    return exams.create_exam(teacher, course.id, data), student


def _sign_in(page, live_url):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_url}/login")
    page.fill("#username", "hs")
    page.fill("#password", "matkhau123")
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")


def _card(page, number: int):
    return page.locator(f'.exam-q[data-number="{number}"]')


def _status(page, number: int):
    return _card(page, number).locator(".exam-q-status")


def _saved_answers(attempt_id: int) -> dict:
    db.session.rollback()
    rows = db.session.execute(
        select(Response.question_id, Response.answer).where(Response.attempt_id == attempt_id)
    ).all()
    return {row.question_id: row.answer for row in rows}


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_student_answers_survive_reload_and_offline_then_submits(page, live_url, make, school):
    exam, _student = _exam(make, school)
    _sign_in(page, live_url)
    page.goto(f"{live_url}/exams/{exam.id}/take")
    page.wait_for_selector(".exam-q")
    assert page.locator(".exam-map-item").count() == 3
    assert _no_horizontal_scroll(page)

    _card(page, 1).get_by_label("4", exact=True).check()
    page.wait_for_selector('.exam-q[data-number="1"] .exam-q-status[data-state="saved"]')
    assert _status(page, 1).inner_text() == "Đã lưu"
    _card(page, 2).locator("input.exam-text").fill("Hà Nội")
    page.wait_for_selector('.exam-q[data-number="2"] .exam-q-status[data-state="saved"]')
    assert _status(page, 2).inner_text() == "Đã lưu"
    _card(page, 3).locator(".exam-flag").click()
    attempt_id = db.session.scalar(select(Attempt.id))
    questions_by_number = dict(
        page.evaluate(
            "Array.from(document.querySelectorAll('.exam-q'))"
            ".map(c => [Number(c.dataset.number), Number(c.dataset.qid)])"
        )
    )
    assert _saved_answers(attempt_id) == {
        questions_by_number[1]: _card(page, 1).get_by_label("4", exact=True).get_attribute("value"),
        questions_by_number[2]: "Hà Nội",
    }

    page.reload()
    page.wait_for_selector(".exam-q")
    assert _card(page, 1).get_by_label("4", exact=True).is_checked()
    assert _card(page, 2).locator("input.exam-text").input_value() == "Hà Nội"
    assert page.locator(".exam-map-item.is-answered").count() == 2
    assert page.locator(".exam-map-item.is-flagged").count() == 1

    page.context.set_offline(True)
    _card(page, 3).get_by_label("9", exact=True).check()
    page.wait_for_selector('.exam-q[data-number="3"] .exam-q-status[data-state="offline"]')
    assert "sẽ gửi lại" in _status(page, 3).inner_text()
    assert questions_by_number[3] not in _saved_answers(attempt_id)
    page.context.set_offline(False)
    page.wait_for_selector('.exam-q[data-number="3"] .exam-q-status[data-state="saved"]')
    assert questions_by_number[3] in _saved_answers(attempt_id)

    page.click("#exam-review")
    page.wait_for_selector("#exam-confirm:not([hidden])")
    assert page.inner_text("#exam-confirm-unanswered") == "Không có"
    assert page.inner_text("#exam-confirm-flagged") == "3"
    page.click("#exam-submit")
    page.wait_for_selector("#exam-result-score:not([hidden])")
    assert "10" in page.inner_text("#exam-result-score")
    db.session.rollback()
    assert db.session.get(Attempt, attempt_id).status == "submitted"
    assert _no_horizontal_scroll(page)
    assert page.problems == []


def test_after_the_deadline_the_page_closes_and_a_late_save_is_refused(
    page, live_url, make, school
):
    start = datetime.now(UTC).replace(microsecond=0)
    clock.freeze(start)
    exam, _student = _exam(make, school)
    _sign_in(page, live_url)
    page.goto(f"{live_url}/exams/{exam.id}/take")
    page.wait_for_selector(".exam-q")
    _card(page, 1).get_by_label("4", exact=True).check()
    page.wait_for_selector('.exam-q[data-number="1"] .exam-q-status[data-state="saved"]')
    attempt_id = db.session.scalar(select(Attempt.id))

    # The server's clock jumps past deadline + grace; the device clock does not move.
    clock.freeze(start + timedelta(minutes=30, seconds=20))
    _card(page, 3).get_by_label("9", exact=True).check()
    page.wait_for_selector(
        '.exam-q[data-number="3"] .exam-q-status[data-state="refused"]', state="attached"
    )
    page.wait_for_selector("#exam-result:not([hidden])")
    assert "Hết giờ" in page.inner_text("#exam-notice")
    assert page.locator("#exam-questions").is_hidden()
    assert len(_saved_answers(attempt_id)) == 1
    db.session.rollback()
    assert db.session.get(Attempt, attempt_id).status != "in_progress"
    # The refused save is the only failed request the page made.
    assert len(page.problems) == 1
    assert page.problems[0].startswith("409 ") and "/answers/" in page.problems[0]


def test_at_zero_seconds_left_the_page_submits_by_itself(page, live_url, make, school):
    start = datetime.now(UTC).replace(microsecond=0)
    clock.freeze(start)
    exam, _student = _exam(make, school)
    _sign_in(page, live_url)
    page.goto(f"{live_url}/exams/{exam.id}/take")
    page.wait_for_selector(".exam-q")
    _card(page, 1).get_by_label("4", exact=True).check()
    page.wait_for_selector('.exam-q[data-number="1"] .exam-q-status[data-state="saved"]')
    attempt_id = db.session.scalar(select(Attempt.id))

    # Two seconds before the deadline on the server; the page learns it on its next refresh.
    clock.freeze(start + timedelta(minutes=30) - timedelta(seconds=2))
    page.context.set_offline(True)
    page.context.set_offline(False)
    page.wait_for_selector("#exam-result:not([hidden])", timeout=15000)
    assert "Hết giờ" in page.inner_text("#exam-notice")
    assert page.inner_text("#exam-timer") == "0:00"
    db.session.rollback()
    assert db.session.get(Attempt, attempt_id).status == "submitted"
    assert page.problems == []
