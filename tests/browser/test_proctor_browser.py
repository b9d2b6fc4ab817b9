"""A proctor and a student in two real headless Chromium contexts: the proctor's pause, extra
time and acceptance of offline answers reach the student's open exam page over Socket.IO in a
couple of seconds (the page's own resynchronisation is every 30 s), and the proctor view
shows the student's progress and events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models import Attempt, Question, Response
from app.services import exam_changes, exams, question_bank_access, question_files

pytestmark = pytest.mark.browser

PUSHED = 4000  # ms: well under the page's 30-second resynchronisation
GIFT = (
    "::Cộng::Hai cộng hai bằng mấy?{=4 ~3 ~5}\n\n::Nhân::Ba nhân ba bằng mấy?{=9 ~6 ~8}\n"
).encode()


@pytest.fixture
def setup(make, school):
    teacher = make.user(school, "teacher", username="gv.giamthi")
    student = make.user(school, "student", username="hs.lan", full_name="Trần Thị Lan")
    school_class = make.school_class(school)
    make.enrol(student, school_class)
    course = make.course(school, school_class, teacher)
    bank = question_bank_access.ensure_bank(None, school.id, "Giữa kỳ")
    question_files.import_file(None, bank, GIFT, "de.gift", "gift")
    ids = list(db.session.scalars(select(Question.id).order_by(Question.id)))
    exam = exams.create_exam(
        teacher,
        course.id,
        {
            "title": "Giữa kỳ Toán",
            "question_ids": ids,
            "duration_minutes": 30,
            "published": True,
            "release": "immediately",
            "shuffle_questions": False,
            "shuffle_options": False,
        },
    )
    return exam


def _sign_in(page, live_url, username):
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", "matkhau123")
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")


def _proctor_act(proctor, label, reason, minutes=None):
    proctor.locator("#proctor-table button", has_text=label).first.click()
    if minutes is not None:
        proctor.fill("#proctor-form-minutes", str(minutes))
    proctor.fill("#proctor-form-reason", reason)
    proctor.click("#proctor-form-go")
    proctor.wait_for_selector("#proctor-notice.alert-success")


def _timer_seconds(page) -> int:
    minutes, seconds = page.inner_text("#exam-timer").split(":")[-2:]
    return int(minutes) * 60 + int(seconds)


def test_pause_extend_and_progress_reach_the_open_pages_at_once(browser, page, live_url, setup):
    exam = setup
    page.set_viewport_size({"width": 375, "height": 740})
    _sign_in(page, live_url, "hs.lan")
    page.goto(f"{live_url}/exams/{exam.id}/take")
    page.wait_for_selector(".exam-q")
    page.locator('.exam-q[data-number="1"]').get_by_label("4", exact=True).check()
    page.wait_for_selector('.exam-q[data-number="1"] .exam-q-status[data-state="saved"]')

    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    proctor = context.new_page()
    _sign_in(proctor, live_url, "gv.giamthi")
    proctor.goto(f"{live_url}/exams/{exam.id}/proctor")
    proctor.wait_for_selector("#proctor-link.text-bg-success")
    row = proctor.locator("#proctor-table tbody tr", has_text="Trần Thị Lan")
    row.wait_for()
    assert "Đang làm" in row.inner_text() and "1/2" in row.inner_text()

    page.wait_for_selector("#exam-app[data-live=on]", timeout=20000)
    _proctor_act(proctor, "Tạm dừng", "Mất điện phòng máy 2")
    page.wait_for_selector("#exam-paused:not([hidden])", timeout=PUSHED)
    assert page.locator('.exam-q[data-number="2"] input').first.is_disabled()
    proctor.wait_for_selector("#proctor-table tbody tr >> text=Tạm dừng")

    _proctor_act(proctor, "Cho làm tiếp", "Có điện lại")
    page.wait_for_selector("#exam-paused", state="hidden", timeout=PUSHED)
    before = _timer_seconds(page)
    proctor.fill("#proctor-extend-all input[name=minutes]", "10")
    proctor.fill("#proctor-extend-all input[name=reason]", "Sự cố mạng")
    proctor.click("#proctor-extend-all button")
    proctor.wait_for_selector("#proctor-notice.alert-success")
    page.wait_for_function(
        f"() => {{ const [m, s] = document.querySelector('#exam-timer').textContent"
        f".split(':').map(Number); return m * 60 + s > {before} + 500; }}",
        timeout=PUSHED,
    )

    # A faulty question dropped by the teacher leaves the open page at once.
    dropped = db.session.scalars(select(Question.id).order_by(Question.id)).all()[1]
    exam_changes.drop_question(exam.course.teacher, exam.id, dropped, "Đề in sai")
    page.wait_for_function(
        "() => document.querySelectorAll('.exam-q').length === 1", timeout=PUSHED
    )

    # A focus loss on the student's page shows up in the proctor's row.
    page.evaluate("window.dispatchEvent(new Event('blur'))")
    proctor.wait_for_selector("#proctor-table tbody tr >> text=rời cửa sổ", timeout=PUSHED)
    context.close()
    assert page.problems == []


def test_answers_kept_offline_count_once_the_proctor_accepts_them(browser, page, live_url, setup):
    exam = setup
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)  # after opens_at
    clock.freeze(start)
    _sign_in(page, live_url, "hs.lan")
    page.goto(f"{live_url}/exams/{exam.id}/take")
    page.wait_for_selector(".exam-q")
    page.locator('.exam-q[data-number="1"]').get_by_label("4", exact=True).check()
    page.wait_for_selector('.exam-q[data-number="1"] .exam-q-status[data-state="saved"]')
    attempt_id = db.session.scalar(select(Attempt.id))

    # The school's network drops; the student answers question 2 in time, on the device only.
    page.context.set_offline(True)
    page.locator('.exam-q[data-number="2"]').get_by_label("9", exact=True).check()
    page.wait_for_selector('.exam-q[data-number="2"] .exam-q-status[data-state="offline"]')
    # The network is back only after the deadline: the save is refused and kept on the device.
    clock.freeze(start + timedelta(minutes=31))
    page.context.set_offline(False)
    page.wait_for_selector("#exam-late:not([hidden])", timeout=20000)
    assert "báo giám thị" in page.inner_text("#exam-late")
    db.session.rollback()
    assert db.session.get(Attempt, attempt_id).status == "submitted"
    assert db.session.get(Attempt, attempt_id).score10 == 5

    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    proctor = context.new_page()
    _sign_in(proctor, live_url, "gv.giamthi")
    proctor.goto(f"{live_url}/exams/{exam.id}/proctor")
    proctor.wait_for_selector("#proctor-table tbody tr >> text=Đã nộp")
    page.wait_for_selector("#exam-app[data-live=on]", timeout=20000)  # the page rejoined
    _proctor_act(proctor, "Nhận bài offline", "Mạng phòng máy 2 bị ngắt lúc 8:20")
    page.wait_for_selector("#exam-late.alert-success", timeout=PUSHED)
    assert "Đã gửi 1 câu" in page.inner_text("#exam-late")
    page.wait_for_selector("#exam-result-score:not([hidden])")
    db.session.rollback()
    assert db.session.get(Attempt, attempt_id).score10 == 10
    assert len(db.session.scalars(select(Response)).all()) == 2
    context.close()
