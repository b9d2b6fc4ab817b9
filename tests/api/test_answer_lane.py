"""The direct path of an answer save (app/api/answer_lane.py): a plain save from the attempt's
student is written there, with the API's reply; everything else reaches the full request path,
which answers exactly as before. Real database; the lane's counter says which path wrote."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core import clock
from app.core import observability as obs
from app.extensions import db
from app.models import Response, User
from app.services import exam_proctor, identity
from tests.exam_world import choice, exam_class, publish


def _count(outcome: str) -> float:
    return obs.ANSWER_LANE.labels(outcome)._value.get()


@pytest.fixture
def world(make, school, frozen_now):
    setting = exam_class(
        make,
        school,
        teacher="gv.lane",
        class_name="11A2",
        students=["hs.a", "hs.b"],
        bank="Lý 11",
        items=[choice(n) for n in range(1, 4)],
    )
    setting["exam"] = publish(setting)
    return setting


class Seat:
    """One student's attempt, driven through the WSGI app like the exam page or the API."""

    def __init__(self, web, headers: dict, exam_id: int):
        self.web, self.headers = web, headers
        started = web.client.post(f"/api/v1/exams/{exam_id}/attempts", json={}, headers=headers)
        assert started.status_code == 201, started.get_json()
        self.attempt = started.get_json()
        self.questions = self.attempt["questions"]

    def put(self, question: dict, answer, seq: int, *, headers: dict | None = None, **body):
        db.session.commit()  # the request must not share an open transaction of the test
        return self.web.client.put(
            f"/api/v1/attempts/{self.attempt['id']}/answers/{question['id']}",
            json={"answer": answer, "seq": seq} | body,
            headers=self.headers | (headers or {}),
        )

    def option(self, question: dict, index: int) -> str:
        return question["options"][index]["id"]

    def stored(self, question: dict):
        db.session.expire_all()
        return db.session.scalar(
            select(Response).where(
                Response.attempt_id == self.attempt["id"], Response.question_id == question["id"]
            )
        )


def test_a_plain_save_is_written_by_the_lane_with_the_apis_reply(web, world, app):
    seat = Seat(web, web.bearer("hs.a"), world["exam"].id)
    first, second = seat.questions[:2]
    written, handed = _count("written"), _count("handed_over")

    # The first save of an attempt fills the per-process caches on the full path.
    assert seat.put(first, seat.option(first, 0), 1).status_code == 200
    assert (_count("written"), _count("handed_over")) == (written, handed + 1)

    reply = seat.put(first, seat.option(first, 1), 2, headers={"X-Request-ID": "req-lane-1"})
    assert reply.status_code == 200
    assert reply.get_json() == {"saved": True, "seq": 2}
    assert _count("written") == written + 1
    assert reply.headers["X-Request-ID"] == "req-lane-1"
    assert seat.stored(first).seq == 2
    assert seat.stored(first).answer == seat.option(first, 1)

    # The same reply, body and headers, as the full path gives.
    app.config["LOPHOC_ANSWER_LANE"] = False
    try:
        full = seat.put(second, seat.option(second, 2), 1, headers={"X-Request-ID": "req-full"})
    finally:
        app.config["LOPHOC_ANSWER_LANE"] = True
    assert full.status_code == 200 and full.get_json() == {"saved": True, "seq": 1}
    assert reply.get_data() == b'{"saved":true,"seq":2}\n'
    assert full.get_data() == b'{"saved":true,"seq":1}\n'
    assert set(reply.headers.keys()) - {"Vary"} == set(full.headers.keys()) - {"Vary"}
    for name in ("Content-Type", "Content-Security-Policy", "X-Content-Type-Options"):
        assert reply.headers[name] == full.headers[name]

    # /metrics shows both counts (an operator sees whether saves take the direct path).
    exposed = web.client.get("/metrics").get_data(as_text=True)
    assert f'lophoc_answer_lane_total{{outcome="written"}} {_count("written")}' in exposed


def test_an_older_or_repeated_seq_changes_nothing_and_says_what_is_stored(web, world):
    seat = Seat(web, web.bearer("hs.a"), world["exam"].id)
    question = seat.questions[0]
    seat.put(question, seat.option(question, 0), 1)
    assert seat.put(question, seat.option(question, 1), 7).get_json() == {"saved": True, "seq": 7}
    handed = _count("handed_over")
    for seq in (7, 3):
        reply = seat.put(question, seat.option(question, 2), seq)
        assert reply.status_code == 200 and reply.get_json() == {"saved": True, "seq": 7}
    assert _count("handed_over") == handed + 2
    assert seat.stored(question).answer == seat.option(question, 1)


def test_every_refusal_is_answered_by_the_full_path(web, world, other_browser):
    seat = Seat(web, web.bearer("hs.a"), world["exam"].id)
    question = seat.questions[0]
    seat.put(question, seat.option(question, 0), 1)  # caches warm: the lane would write
    other = other_browser.bearer("hs.b")
    written = _count("written")

    cases = [
        # another student's attempt, with a valid token of theirs
        ({"headers": other}, 403, None),
        # an option id the question does not have
        ({"answer_override": "Z"}, 422, None),
        # a field that does not belong
        ({"extra": {"school_id": 1}}, 422, None),
        # NUL in the body, refused at the door
        ({"answer_override": "\x00"}, 400, None),
        # a token nobody issued
        ({"headers": {"Authorization": "Bearer not-a-token"}}, 401, "invalid_token"),
    ]
    for n, (case, status, code) in enumerate(cases, start=2):
        reply = seat.put(
            question,
            case.get("answer_override", seat.option(question, 1)),
            n,
            headers=case.get("headers"),
            **case.get("extra", {}),
        )
        assert reply.status_code == status, (case, reply.get_json())
        if code:
            assert reply.get_json()["error"]["code"] == code
    assert _count("written") == written
    assert seat.stored(question).seq == 1


def test_a_signed_out_device_a_disabled_account_and_an_integration_token_cannot_save(
    web, world, make, school
):
    seat = Seat(web, web.bearer("hs.a"), world["exam"].id)
    question = seat.questions[0]
    seat.put(question, seat.option(question, 0), 1)
    written = _count("written")

    admin = make.user(school, "admin", "qt.lane")
    integration = identity.create_integration_token(admin, "SMAS", ["grades:read"]).token
    reply = seat.put(
        question, seat.option(question, 1), 2, headers={"Authorization": f"Bearer {integration}"}
    )
    assert reply.status_code == 403

    student = db.session.scalar(select(User).where(User.username == "hs.a"))
    identity.log_out_everywhere(student)  # revokes the session tokens
    reply = seat.put(question, seat.option(question, 1), 3)
    assert reply.status_code == 401 and reply.get_json()["error"]["code"] == "invalid_token"
    assert _count("written") == written and seat.stored(question).seq == 1


def test_closed_paused_and_late_attempts_are_refused_with_409(web, world, frozen_now):
    seat = Seat(web, web.bearer("hs.a"), world["exam"].id)
    question = seat.questions[0]
    seat.put(question, seat.option(question, 0), 1)
    written = _count("written")

    exam_proctor.act(world["teacher"], seat.attempt["id"], "pause", reason="Mất điện")
    reply = seat.put(question, seat.option(question, 1), 2)
    assert reply.status_code == 409 and reply.get_json()["error"]["code"] == "attempt_paused"
    exam_proctor.act(world["teacher"], seat.attempt["id"], "resume", reason="Có điện")

    clock.freeze(frozen_now + timedelta(minutes=15, seconds=16))  # deadline + grace passed
    reply = seat.put(question, seat.option(question, 1), 3)
    assert reply.status_code == 409 and reply.get_json()["error"]["code"] == "deadline_passed"
    assert _count("written") == written and seat.stored(question).seq == 1


def test_the_exam_page_session_saves_through_the_lane_only_with_its_csrf_token(web, world):
    web.login("hs.a")
    token = web.csrf("/profile")
    seat = Seat(web, {"X-CSRFToken": token}, world["exam"].id)
    question = seat.questions[0]
    assert seat.put(question, seat.option(question, 0), 1).status_code == 200
    written = _count("written")

    reply = seat.put(question, seat.option(question, 1), 2)
    assert reply.status_code == 200 and reply.get_json() == {"saved": True, "seq": 2}
    assert _count("written") == written + 1

    # Without the CSRF header, or with a forged one, the hooks refuse it (400).
    for forged in ({"X-CSRFToken": ""}, {"X-CSRFToken": token[:-2] + "xx"}):
        assert seat.put(question, seat.option(question, 2), 3, headers=forged).status_code == 400
    assert _count("written") == written + 1

    # "Log out everywhere" ends this browser's session too: the lane does not write for it.
    student = db.session.scalar(select(User).where(User.username == "hs.a"))
    identity.log_out_everywhere(student)
    reply = seat.put(question, seat.option(question, 2), 4)
    assert reply.status_code == 401
    assert _count("written") == written + 1 and seat.stored(question).seq == 2


def test_turned_off_every_save_takes_the_full_path(web, world, app):
    seat = Seat(web, web.bearer("hs.a"), world["exam"].id)
    question = seat.questions[0]
    app.config["LOPHOC_ANSWER_LANE"] = False
    try:
        written = _count("written")
        for seq in (1, 2, 3):
            assert seat.put(question, seat.option(question, seq), seq).status_code == 200
        assert _count("written") == written
    finally:
        app.config["LOPHOC_ANSWER_LANE"] = True
    assert seat.stored(question).seq == 3
