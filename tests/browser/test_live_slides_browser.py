"""A teacher uploads a PDF in the live room (real Chromium): its pages become slides, the room
turns to the first one, a student sees it drawn, and a student who joins late sees the page the
teacher turned to."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import LiveSlide
from app.services import live
from tests.live.test_live_slides_pdf import BLUE, GREEN, RED, make_pdf

pytestmark = pytest.mark.browser


def _open_room(browser, base_url, username, session_id):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", "matkhau123")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{base_url}/live/{session_id}")
    page.wait_for_selector("#live-room[data-joined=true]", timeout=20000)
    page.problems = problems
    return context, page


SHOWN = (
    "() => { const i = document.getElementById('board-image');"
    " return i && !i.classList.contains('d-none') && i.complete && i.naturalWidth === 1600"
    " && i.getAttribute('src').endsWith('/' + document.body.dataset.expectSlide); }"
)


def _expect(page, slide_id: int) -> None:
    page.evaluate(f"() => {{ document.body.dataset.expectSlide = '{slide_id}'; }}")
    page.wait_for_function(SHOWN, timeout=20000)


def test_a_pdf_becomes_slides_and_everyone_sees_the_current_page(browser, live_url, make, school):
    course, teacher, (pupil, late) = make.gradebook_course(school, students=2)
    session = live.start_session(teacher, course.id)
    contexts = []
    try:
        t_ctx, teacher_page = _open_room(browser, live_url, teacher.username, session.id)
        s_ctx, student_page = _open_room(browser, live_url, pupil.username, session.id)
        contexts += [t_ctx, s_ctx]
        teacher_page.set_input_files(
            "#slide-file",
            files=[
                {
                    "name": "bai-giang.pdf",
                    "mimeType": "application/pdf",
                    "buffer": make_pdf([RED, GREEN, BLUE]),
                }
            ],
        )
        teacher_page.wait_for_function(
            "() => document.querySelectorAll('#slide-list button').length === 3", timeout=20000
        )
        db.session.expire_all()
        first, second, _third = (
            s.id for s in db.session.query(LiveSlide).order_by(LiveSlide.position)
        )
        _expect(student_page, first)  # the room turned to the PDF's first page
        teacher_page.click("#slide-list button:nth-child(2)")
        _expect(student_page, second)

        l_ctx, late_page = _open_room(browser, live_url, late.username, session.id)
        contexts.append(l_ctx)
        _expect(late_page, second)  # a late joiner sees the current page
        for page in (teacher_page, student_page, late_page):
            assert page.problems == []
    finally:
        for ctx in contexts:
            ctx.close()
