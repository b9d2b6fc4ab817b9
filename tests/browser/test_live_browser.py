"""The Done-when of issue 8: two real browsers (headless Chromium) and 40 python-socketio
clients share one live room across two server processes joined by Redis; after process B
restarts (a dropped school network), its clients rejoin and get the current state."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from app.extensions import db
from app.models import LiveChatMessage, LivePresence
from app.services import identity, live
from tests.live.servers import NS, Client, Server, servers  # noqa: F401 - fixture

pytestmark = pytest.mark.browser
CLIENTS = 40


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


def test_two_browsers_and_40_clients_share_a_room_across_two_processes(
    browser,
    servers,  # noqa: F811 - the fixture imported above
    make,
    school,
):
    a, b = servers
    course, teacher, students = make.gradebook_course(school, students=CLIENTS + 1)
    session = live.start_session(teacher, course.id)
    session_id = session.id  # plain value: the pool's threads have no app context
    tokens = [identity.issue_session_token(s, 1).token for s in students[:CLIENTS]]
    with ThreadPoolExecutor(8) as pool:
        clients = list(
            pool.map(lambda i: Client((a, b)[i % 2].url, tokens[i], session_id), range(CLIENTS))
        )
    contexts, restarted = [], []
    try:
        t_ctx, teacher_page = _open_room(browser, a.url, teacher.username, session.id)
        s_ctx, student_page = _open_room(browser, b.url, students[CLIENTS].username, session.id)
        contexts += [t_ctx, s_ctx]
        teacher_page.wait_for_function(
            "document.getElementById('presence-count').textContent === '42'", timeout=20000
        )

        teacher_page.fill("#chat-text", "Các em mở sách trang 12")
        teacher_page.click("#chat-form button[type=submit]")
        for client in clients:
            assert client.got.wait(15), "a client did not get the teacher's message"
            assert client.received[-1]["text"] == "Các em mở sách trang 12"
        student_page.wait_for_selector("#chat li:has-text('Các em mở sách trang 12')")

        clients[1].client.call(
            "chat_message",
            {"session_id": session.id, "text": "Em có mặt"},
            namespace=NS,
            timeout=10,
        )  # from process B to the teacher on A
        teacher_page.wait_for_selector("#chat li:has-text('Em có mặt')")

        teacher_page.fill("#poll-form [name=prompt]", "Hàm số y = 2x + 1 đồng biến?")
        teacher_page.fill("#poll-form [name=options]", "Đúng\nSai")
        teacher_page.click("#poll-open")
        student_page.wait_for_selector("#poll [data-option=A] button")
        student_page.click("#poll [data-option=A] button")
        teacher_page.wait_for_selector("#poll [data-option=A] .count:text-is('1')")

        # Process B goes away (the school's network drops) and comes back on the same port.
        b.stop()
        b_clients = [c for i, c in enumerate(clients) if i % 2]
        student_page.wait_for_selector("#live-room[data-joined=false]", timeout=20000)
        restarted.append(Server(b.env, b.port).start())
        student_page.wait_for_selector("#live-room[data-joined=true]", timeout=40000)
        assert "Hàm số y = 2x + 1" in student_page.inner_text("#poll")  # state after rejoin
        student_page.wait_for_selector("#poll [data-option=A] button.btn-primary")  # own answer
        for client in b_clients:
            client.joined.clear()
        for client in b_clients:
            assert client.joins >= 2 or client.joined.wait(30), "a client did not rejoin"
            assert client.state["poll"]["prompt_html"].startswith("<p>Hàm số")
        assert teacher_page.problems == [] and student_page.problems == []
    finally:
        for ctx in contexts:
            ctx.close()
        for client in clients:
            client.close()
        for server in restarted:
            server.stop()
    db.session.expire_all()
    assert db.session.query(LiveChatMessage).count() == 2
    # 40 clients + 2 browsers, one presence row each: the restart was a short drop.
    assert db.session.query(LivePresence).count() == CLIENTS + 2
