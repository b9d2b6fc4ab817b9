"""Hands, board, polls (ad hoc and from the bank, saved to the gradebook) and rejoining."""

from __future__ import annotations

from decimal import Decimal

from app.extensions import db
from app.models import GradeEntry, LiveEvent
from app.services import question_bank_access, questions
from question_banks.model import Option, QuestionType
from question_banks.model import Question as QuestionData
from tests.live.conftest import events

NS = "/live"


def call(client, event, session_id, **data):
    return client.emit(event, {"session_id": session_id, **data}, namespace=NS, callback=True)


def _in_room(connect, room, session, n=2):
    people = [connect(room.teacher)] + [connect(s) for s in room.students[:n]]
    for c in people:
        assert call(c, "join_session", session.id)["ok"]
    return people


def test_hands_queue_in_order_and_the_teacher_takes_the_next(connect, room):
    session = room.start()
    teacher, first, second = _in_room(connect, room, session)
    call(second, "raise_hand", session.id, raised=True)
    call(first, "raise_hand", session.id, raised=True)
    assert events(teacher, "hands")[-1]["hands"] == [room.students[1].id, room.students[0].id]
    assert call(first, "lower_hand", session.id)["error"]["code"] == "teacher_only"
    call(teacher, "lower_hand", session.id)
    assert events(first, "hands")[-1]["hands"] == [room.students[0].id]


def test_late_joiners_get_the_board_page_and_the_open_poll(connect, room):
    session = room.start()
    teacher, pupil, _other = _in_room(connect, room, session)
    assert call(teacher, "board_set", session.id, slide_id=None)["ok"]
    stroke = {"points": [[0.1, 0.2], [2, -1]], "color": "#00f"}
    assert call(teacher, "board_stroke", session.id, stroke=stroke)["ok"]
    bad = call(teacher, "board_stroke", session.id, stroke={"points": [["x", 1]]})
    assert bad["error"]["code"] == "malformed"
    assert call(pupil, "board_stroke", session.id, stroke=stroke)["error"]["code"] == "teacher_only"
    assert call(teacher, "poll_open", session.id, prompt="Chọn", options=["Có", "Không"])["ok"]
    poll = events(pupil, "poll")[-1]
    assert [o["html"] for o in poll["options"]] == ["Có", "Không"] and "correct" not in poll
    assert call(pupil, "poll_answer", session.id, poll_id=poll["poll_id"], choice=["B"])["ok"]

    late = connect(room.students[2])
    state = call(late, "join_session", session.id)["state"]
    assert state["board"]["page"] == 1
    assert state["board"]["strokes"] == [{"points": [[0.1, 0.2], [1.0, 0.0]], "color": "#00f"}]
    assert state["poll"]["poll_id"] == poll["poll_id"] and state["poll"]["counts"] == {
        "A": 0,
        "B": 1,
    }
    again = call(pupil, "join_session", session.id)["state"]  # a reconnect sees its own answer
    assert again["poll"]["my_choice"] == ["B"]


def test_poll_answers_are_checked(connect, room):
    session = room.start()
    teacher, pupil, _other = _in_room(connect, room, session)
    call(teacher, "poll_open", session.id, prompt="?", options=["a", "b"])
    poll_id = events(pupil, "poll")[-1]["poll_id"]
    cases = [
        ({"poll_id": poll_id, "choice": ["Z"]}, "invalid_choice"),
        ({"poll_id": poll_id, "choice": ["A", "B"]}, "invalid_choice"),
        ({"poll_id": poll_id + 1, "choice": ["A"]}, "poll_closed"),
    ]
    for data, code in cases:
        assert call(pupil, "poll_answer", session.id, **data)["error"]["code"] == code
    assert (
        call(teacher, "poll_answer", session.id, poll_id=poll_id, choice=["A"])["error"]["code"]
        == "student_only"
    )
    assert (
        call(teacher, "poll_open", session.id, prompt="?", options=["one"])["error"]["code"]
        == "options"
    )


def test_a_bank_question_is_scored_into_the_gradebook(connect, room):
    bank = question_bank_access.create_bank(room.teacher, "Toán 10")
    question = questions.save_question(
        room.teacher,
        bank.id,
        QuestionData(
            type=QuestionType.SINGLE_CHOICE,
            stem_html="<p>2 + 2 = ?</p>",
            options=[
                Option(key=k, html=v, is_correct=k == "B")
                for k, v in zip("ABC", ["3", "4", "5"], strict=True)
            ],
            points=Decimal(1),
        ),
    )
    session = room.start()
    teacher, right, wrong = _in_room(connect, room, session)
    assert call(teacher, "poll_open", session.id, question_id=question.id)["ok"]
    poll = events(right, "poll")[-1]
    assert poll["kind"] == "question" and "correct" not in poll
    key = next(o["id"] for o in poll["options"] if o["html"] == "4")
    other = next(o["id"] for o in poll["options"] if o["html"] == "3")
    call(right, "poll_answer", session.id, poll_id=poll["poll_id"], choice=[key])
    call(wrong, "poll_answer", session.id, poll_id=poll["poll_id"], choice=[other])
    early = call(teacher, "poll_save", session.id, poll_id=poll["poll_id"])
    assert early["error"]["code"] == "not_savable"
    call(teacher, "poll_close", session.id)
    closed = events(right, "poll_closed")[-1]
    assert closed["correct"] == [key] and closed["answered"] == 2
    saved = call(teacher, "poll_save", session.id, poll_id=poll["poll_id"])
    assert saved["ok"] and saved["written"] == 2
    scores = {e.student_id: e.score for e in db.session.query(GradeEntry)}
    assert scores == {room.students[0].id: Decimal(10), room.students[1].id: Decimal(0)}
    assert (
        call(teacher, "poll_save", session.id, poll_id=poll["poll_id"])["error"]["code"]
        == "not_savable"
    )
    kinds = [e.kind for e in db.session.query(LiveEvent).order_by(LiveEvent.id)]
    assert "poll_open" in kinds and "poll_close" in kinds and "poll_saved" in kinds


def test_after_the_end_events_are_refused_and_the_room_is_told(connect, room):
    session = room.start()
    teacher, pupil, _other = _in_room(connect, room, session)
    assert call(teacher, "end_session", session.id)["ok"]
    assert events(pupil, "session_ended")[-1] == {"session_id": session.id}
    ack = call(pupil, "chat_message", session.id, text="còn ai không?")
    assert ack["error"]["code"] == "session_ended"
    late = connect(room.students[2])
    assert call(late, "join_session", session.id)["error"]["code"] == "session_ended"
