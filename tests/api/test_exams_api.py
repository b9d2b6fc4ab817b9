"""The exam-taking API of CONTRACT.md, end to end on the real database: start once, save with
seq, deadline enforced by the server, submit once, scoring, results and the logged changes."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import jsonify
from sqlalchemy import event, func, select

from app.api.exams import AttemptView
from app.core import clock
from app.extensions import db
from app.models import Attempt, IntegrityEvent, Response
from app.services import exam_attempts, exam_changes, exam_content, exams, questions
from question_banks.model import Level, Option, QuestionType
from question_banks.model import Question as QuestionData
from tests.exam_world import choice, exam_class, publish


def _cluster() -> QuestionData:
    truths = [True, False, True, True]
    return QuestionData(
        type=QuestionType.TRUE_FALSE_CLUSTER,
        stem_html="<p>Cho hàm số y = x².</p>",
        options=[
            Option(key=k, html=f"Mệnh đề {k}", is_correct=t)
            for k, t in zip("abcd", truths, strict=True)
        ],
        points=Decimal(1),
        category="Hàm số",
        level=Level.THONG_HIEU,
    )


@pytest.fixture
def setting(make, school, frozen_now):
    items = [
        choice(
            n,
            stem=f"<p>Câu số {n}: 1 + {n} = ?</p>",
            category="Đại số",
            level=Level.NHAN_BIET if n <= 4 else Level.THONG_HIEU,
            points=Decimal("0.25"),
        )
        for n in range(1, 7)
    ]
    return exam_class(
        make,
        school,
        teacher="gv.toan",
        class_name="10A1",
        students=[f"hs{i}" for i in range(3)],
        bank="Toán 10",
        items=[*items, _cluster()],
    )


def _exam(setting, **overrides):
    return publish(setting, **{"title": "Kiểm tra 15 phút"} | overrides)


def _start(web, headers, exam_id, **body):
    return web.client.post(f"/api/v1/exams/{exam_id}/attempts", json=body, headers=headers)


def _key_of(question: dict, right: str) -> str:
    return next(o["id"] for o in question["options"] if o["html"] == right)


def test_start_twice_gives_the_same_attempt_and_never_the_keys(web, setting):
    exam = _exam(setting)
    headers = web.bearer("hs0")
    first = _start(web, headers, exam.id)
    assert first.status_code == 201
    body = first.get_json()
    assert body["seconds_left"] == 15 * 60
    assert len(body["questions"]) == 7
    text = first.get_data(as_text=True)
    assert "is_correct" not in text and "fraction" not in text
    again = _start(web, headers, exam.id)
    assert again.status_code == 200
    assert again.get_json()["id"] == body["id"]
    assert [q["id"] for q in again.get_json()["questions"]] == [q["id"] for q in body["questions"]]
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_save_is_idempotent_by_seq_and_a_lower_seq_is_ignored(web, setting):
    exam = _exam(setting)
    headers = web.bearer("hs0")
    attempt = _start(web, headers, exam.id).get_json()
    question = next(q for q in attempt["questions"] if q["type"] == "single_choice")
    url = f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}"
    a, b = question["options"][0]["id"], question["options"][1]["id"]
    assert web.client.put(url, json={"answer": a, "seq": 2}, headers=headers).get_json() == {
        "saved": True,
        "seq": 2,
    }
    stale = web.client.put(url, json={"answer": b, "seq": 1}, headers=headers)
    assert stale.status_code == 200 and stale.get_json()["seq"] == 2
    again = web.client.put(url, json={"answer": b, "seq": 2}, headers=headers)
    assert again.get_json()["seq"] == 2
    stored = db.session.scalar(select(Response))
    assert (stored.answer, stored.seq) == (a, 2)
    view = web.client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).get_json()
    assert view["answers"] == {str(question["id"]): a}


def test_bad_answers_are_refused_with_clear_errors(web, setting):
    exam = _exam(setting)
    headers = web.bearer("hs0")
    attempt = _start(web, headers, exam.id).get_json()
    qs = [q for q in attempt["questions"] if q["type"] == "single_choice"]
    base = f"/api/v1/attempts/{attempt['id']}/answers"
    other_option = "Z"
    wrong = web.client.put(
        f"{base}/{qs[0]['id']}", json={"answer": other_option, "seq": 1}, headers=headers
    )
    assert wrong.status_code == 422
    assert (
        web.client.put(
            f"{base}/999999", json={"answer": "A", "seq": 1}, headers=headers
        ).status_code
        == 404
    )
    huge = web.client.put(
        f"{base}/{qs[0]['id']}", json={"answer": "x" * 1_000_000, "seq": 1}, headers=headers
    )
    assert huge.status_code in (413, 422)
    assert (
        web.client.put(
            f"{base}/{qs[0]['id']}", json={"answer": "A", "seq": "1"}, headers=headers
        ).status_code
        == 422
    )
    intruder = web.bearer("hs1")
    theirs = web.client.put(
        f"{base}/{qs[0]['id']}", json={"answer": "A", "seq": 5}, headers=intruder
    )
    assert theirs.status_code == 403
    assert web.client.get(f"/api/v1/attempts/{attempt['id']}", headers=intruder).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_save_after_the_deadline_is_refused_and_the_server_closes_the_attempt(
    web, setting, frozen_now
):
    exam = _exam(setting)
    headers = web.bearer("hs0")
    attempt = _start(web, headers, exam.id).get_json()
    question = attempt["questions"][0]
    url = f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}"
    answer = question["options"][0]["id"] if question["type"] == "single_choice" else {}
    clock.freeze(frozen_now + timedelta(minutes=15, seconds=5))  # inside the grace
    assert (
        web.client.put(url, json={"answer": answer, "seq": 1}, headers=headers).status_code == 200
    )
    clock.freeze(frozen_now + timedelta(minutes=16))
    late = web.client.put(url, json={"answer": answer, "seq": 2}, headers=headers)
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "deadline_passed"
    assert exam_attempts.close_expired() == 1
    row = db.session.get(Attempt, attempt["id"])
    assert (row.status, row.submitted_by) == ("submitted", "deadline")
    assert db.session.scalar(select(Response.seq)) == 1


def test_scoring_follows_option_ids_and_the_2025_cluster_rule(web, setting):
    exam = _exam(setting)
    headers = web.bearer("hs0")
    attempt = _start(web, headers, exam.id).get_json()
    base = f"/api/v1/attempts/{attempt['id']}/answers"
    for seq, question in enumerate(attempt["questions"], start=1):
        if question["type"] == "single_choice":
            n = int(question["stem_html"].split("Câu số ")[1].split(":")[0])
            answer = _key_of(question, str(n + 1))  # the right one, wherever it was shuffled
        else:
            answer = {"a": True, "b": False, "c": False, "d": False}  # 2 of 4 right: 0.25
        put = web.client.put(
            f"{base}/{question['id']}", json={"answer": answer, "seq": seq}, headers=headers
        )
        assert put.status_code == 200, put.get_json()
    result = web.client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
    body = result.get_json()
    assert body["status"] == "submitted" and body["released"] is True
    assert Decimal(body["score"]) == Decimal("1.75")  # 6 x 0.25 + 0.25
    assert Decimal(body["max_score"]) == Decimal("2.50")
    assert Decimal(body["score10"]) == Decimal("7.00")
    again = web.client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
    assert again.get_json() == body
    late = web.client.put(
        f"{base}/{attempt['questions'][0]['id']}", json={"answer": None, "seq": 99}, headers=headers
    )
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "attempt_closed"


def test_results_hidden_until_release_when_the_exam_says_so(web, setting):
    exam = _exam(setting, release="manual")
    headers = web.bearer("hs0")
    attempt = _start(web, headers, exam.id).get_json()
    body = web.client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).get_json()
    assert body["released"] is False and body["score10"] is None
    exams.release_results(setting["teacher"], exam.id)
    body = web.client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).get_json()
    assert body["released"] is True and body["score10"] == "0.00"


def test_blueprint_draws_per_topic_and_level_and_names_what_is_missing(web, setting):
    teacher = web.bearer("gv.toan")
    url = f"/api/v1/courses/{setting['course'].id}/exams"
    ok = web.client.post(
        url,
        headers=teacher,
        json={
            "title": "Giữa kỳ",
            "bank_id": setting["bank"].id,
            "duration_minutes": 45,
            "blueprint": [
                {"category": "Đại số", "level": "nhan_biet", "count": 3},
                {"category": "Hàm số", "count": 1, "points": 1},
            ],
        },
    )
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["question_count"] == 4
    assert Decimal(ok.get_json()["max_points"]) == Decimal("1.75")
    short = web.client.post(
        url,
        headers=teacher,
        json={
            "title": "Quá nhiều",
            "bank_id": setting["bank"].id,
            "blueprint": [{"category": "Đại số", "level": "thong_hieu", "count": 5}],
        },
    )
    assert short.status_code == 422
    message = short.get_json()["error"]["message"]
    assert "Đại số" in message and "Thông hiểu" in message and "2" in message
    student = web.bearer("hs0")
    assert (
        web.client.post(url, headers=student, json={"title": "x", "question_ids": [1]}).status_code
        == 403
    )


def test_access_code_ip_range_and_window_are_enforced(web, setting, frozen_now):
    coded = _exam(setting, access_code="1234")
    headers = web.bearer("hs0")
    assert _start(web, headers, coded.id).get_json()["error"]["code"] == "access_code_required"
    assert _start(web, headers, coded.id, access_code="9999").status_code == 403
    assert _start(web, headers, coded.id, access_code="1234").status_code == 201
    lab = _exam(setting, allowed_ips="10.10.0.0/16")
    refused = _start(web, headers, lab.id)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "ip_not_allowed"
    later = _exam(setting, opens_at=(frozen_now + timedelta(hours=1)).isoformat())
    waiting = _start(web, headers, later.id)
    assert waiting.status_code == 409
    assert waiting.get_json()["error"]["details"]["opens_at"]
    closed = _exam(setting, closes_at=(frozen_now + timedelta(minutes=5)).isoformat())
    clock.freeze(frozen_now + timedelta(minutes=6))
    assert _start(web, headers, closed.id).get_json()["error"]["code"] == "exam_closed"


def test_an_attempt_ends_at_close_time_even_if_the_duration_is_longer(web, setting, frozen_now):
    exam = _exam(setting, closes_at=(frozen_now + timedelta(minutes=5)).isoformat())
    body = _start(web, web.bearer("hs0"), exam.id).get_json()
    assert body["seconds_left"] == 5 * 60


def test_extending_time_moves_open_deadlines_and_is_logged(web, setting):
    exam = _exam(setting)
    attempt = _start(web, web.bearer("hs0"), exam.id).get_json()
    with pytest.raises(Exception, match="lý do"):
        exam_changes.extend_time(setting["teacher"], exam.id, 5, "")
    assert exam_changes.extend_time(setting["teacher"], exam.id, 5, "Mất điện phòng máy") == 1
    view = web.client.get(f"/api/v1/attempts/{attempt['id']}", headers=web.bearer("hs0"))
    assert view.get_json()["seconds_left"] == 20 * 60
    one = exam_changes.extend_time(
        setting["teacher"], exam.id, 10, "Khuyết tật vận động", student_id=setting["students"][1].id
    )
    assert one == 0  # not started yet: the accommodation applies when they start
    started = _start(web, web.bearer("hs1"), exam.id).get_json()
    assert started["seconds_left"] == (20 + 10) * 60


def test_dropping_a_question_regrades_submitted_attempts(web, setting):
    exam = _exam(setting)
    headers = web.bearer("hs0")
    attempt = _start(web, headers, exam.id).get_json()
    cluster = next(q for q in attempt["questions"] if q["type"] == "true_false_cluster")
    web.client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
    exam_changes.drop_question(setting["teacher"], exam.id, cluster["id"], "Đề sai")
    row = db.session.get(Attempt, attempt["id"])
    assert row.max_score == Decimal("1.50")
    view = web.client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).get_json()
    assert cluster["id"] not in [q["id"] for q in view["questions"]]  # cache forgotten


def test_fixing_a_key_regrades(web, setting):
    exam = _exam(setting)
    headers = web.bearer("hs0")
    attempt = _start(web, headers, exam.id).get_json()
    question = next(q for q in attempt["questions"] if q["type"] == "single_choice")
    chosen = question["options"][0]["id"]
    web.client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}",
        json={"answer": chosen, "seq": 1},
        headers=headers,
    )
    web.client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
    exam_changes.fix_key(setting["teacher"], exam.id, question["id"], [chosen], "Đáp án in sai")
    assert db.session.get(Attempt, attempt["id"]).score == Decimal("0.25")


def test_teacher_results_have_histogram_and_item_analysis(web, setting):
    exam = _exam(setting)
    for username in ("hs0", "hs1"):
        headers = web.bearer(username)
        attempt = _start(web, headers, exam.id).get_json()
        web.client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
    results = web.client.get(f"/api/v1/exams/{exam.id}/results", headers=web.bearer("gv.toan"))
    body = results.get_json()
    assert results.status_code == 200, body
    assert sum(body["histogram"]) == 2
    assert [r["status"] for r in body["rows"]].count("missing") == 1
    assert len(body["items"]) == 7 and body["items"][0]["difficulty"] == 0
    assert (
        web.client.get(f"/api/v1/exams/{exam.id}/results", headers=web.bearer("hs0")).status_code
        == 403
    )


def test_integrity_events_are_logged_and_a_second_device_is_noted(web, setting):
    exam = _exam(setting)
    headers = web.bearer("hs0")
    attempt = _start(web, headers | {"X-Exam-Session": "may-1"}, exam.id).get_json()
    ok = web.client.post(
        f"/api/v1/attempts/{attempt['id']}/events", headers=headers, json={"kind": "blur"}
    )
    assert ok.status_code == 204
    assert (
        web.client.post(
            f"/api/v1/attempts/{attempt['id']}/events", headers=headers, json={"kind": "<script>"}
        ).status_code
        == 422
    )
    _start(web, headers | {"X-Exam-Session": "may-2"}, exam.id)
    kinds = sorted(db.session.scalars(select(IntegrityEvent.kind)))
    assert kinds == ["blur", "second_device"]


def test_open_exams_list_only_the_students_own(web, setting, make, school):
    exam = _exam(setting)
    other_class = make.school_class(school, "10A2")
    outsider = make.user(school, "student", "hs.khac")
    make.enrol(outsider, other_class)
    assert [
        e["id"]
        for e in web.client.get("/api/v1/exams", headers=web.bearer("hs0")).get_json()["items"]
    ] == [exam.id]
    outsider_headers = web.bearer("hs.khac")
    assert web.client.get("/api/v1/exams", headers=outsider_headers).get_json()["items"] == []
    assert _start(web, outsider_headers, exam.id).status_code == 404


def test_essays_wait_for_the_teacher_and_then_count(web, setting):
    essay = questions.save_question(
        setting["teacher"],
        setting["bank"].id,
        QuestionData(
            type=QuestionType.ESSAY, stem_html="<p>Trình bày cách giải.</p>", points=Decimal(2)
        ),
    )
    exam = _exam(setting, question_ids=[setting["ids"][0], essay.id])
    headers = web.bearer("hs0")
    attempt = _start(web, headers, exam.id).get_json()
    web.client.put(
        f"/api/v1/attempts/{attempt['id']}/answers/{essay.id}",
        json={"answer": "Đặt ẩn x rồi giải.", "seq": 1},
        headers=headers,
    )
    body = web.client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).get_json()
    assert body["needs_grading"] is True
    teacher = web.bearer("gv.toan")
    url = f"/api/v1/attempts/{attempt['id']}/responses/{essay.id}/grade"
    assert web.client.put(url, json={"points": "3"}, headers=teacher).status_code == 422
    assert web.client.put(url, json={"points": "1,5"}, headers=headers).status_code == 403
    graded = web.client.put(
        url, json={"points": "1,5", "comment": "Thiếu kết luận"}, headers=teacher
    ).get_json()
    assert graded["needs_grading"] is False
    assert Decimal(graded["score"]) == Decimal("1.50")
    assert Decimal(graded["score10"]) == Decimal("6.67")  # 1.5 of 2.25


def test_the_exam_pages_cookie_saves_hold_only_while_the_session_does(web, setting):
    """The save route checks a signed-in session without loading the user: the same rules
    as every page (CSRF, active account, session version) must still hold."""
    exam = _exam(setting)
    web.login("hs0")
    csrf = {"X-CSRFToken": web.csrf("/profile")}
    attempt = _start(web, csrf, exam.id).get_json()
    question = next(q for q in attempt["questions"] if q["type"] == "single_choice")
    url = f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}"
    option = question["options"][0]["id"]
    assert web.client.put(url, json={"answer": option, "seq": 1}, headers=csrf).status_code == 200
    assert web.client.put(url, json={"answer": option, "seq": 2}).status_code == 400  # no CSRF

    student = setting["students"][0]
    student.session_version += 1  # "log out everywhere" / a password change elsewhere
    db.session.commit()
    ended = web.client.put(url, json={"answer": option, "seq": 3}, headers=csrf)
    assert ended.status_code == 401
    assert db.session.scalar(select(Response.seq)) == 1

    web.login("hs0")
    csrf = {"X-CSRFToken": web.csrf("/profile")}
    assert web.client.put(url, json={"answer": option, "seq": 4}, headers=csrf).status_code == 200
    student.is_active = False
    db.session.commit()
    assert web.client.put(url, json={"answer": option, "seq": 5}, headers=csrf).status_code == 401
    assert db.session.scalar(select(Response.seq)) == 4


class _Statements:
    """The SQL statements and commits the application sends while the block runs."""

    def __enter__(self):
        self.sent: list[str] = []
        self.commits = 0
        event.listen(db.engine, "before_cursor_execute", self._sent)
        event.listen(db.engine, "commit", self._commit)
        return self

    def __exit__(self, *_exc):
        event.remove(db.engine, "before_cursor_execute", self._sent)
        event.remove(db.engine, "commit", self._commit)

    def _sent(self, _conn, _cursor, statement, *_args):
        self.sent.append(statement)

    def _commit(self, _conn):
        self.commits += 1

    @property
    def writes(self) -> list[str]:
        return [s for s in self.sent if s.lstrip().split()[0].upper() != "SELECT"]


def test_a_new_start_takes_three_statements(web, setting):
    """Token, the exam with the student's membership, extra time and attempts, the INSERT:
    the synchronised start of a school is this times the students."""
    exam_id = _exam(setting).id
    assert _start(web, web.bearer("hs0"), exam_id).status_code == 201  # fills the caches
    headers = web.bearer("hs1")
    with _Statements() as seen:
        started = _start(web, headers, exam_id)
    assert started.status_code == 201
    assert len(seen.sent) <= 3, "\n".join(s[:120] for s in seen.sent)
    assert len(seen.writes) == 1 and seen.commits == 1


def test_resuming_on_the_same_device_writes_nothing(web, setting):
    exam_id = _exam(setting).id
    headers = web.bearer("hs0") | {"X-Exam-Session": "may-1"}
    first = _start(web, headers, exam_id).get_json()
    for again in (headers, {"Authorization": headers["Authorization"]}):  # same key, or none
        with _Statements() as seen:
            resumed = _start(web, again, exam_id)
        assert resumed.status_code == 200
        assert resumed.get_json()["id"] == first["id"]
        assert resumed.get_json()["deadline"] == first["deadline"]
        assert seen.writes == [] and seen.commits == 0
        assert len(seen.sent) <= 3, seen.sent  # token, exam and attempt, the saved answers
    assert db.session.scalar(select(func.count()).select_from(IntegrityEvent)) == 0


def test_the_start_reply_is_the_attempt_schemas_dump(app, web, setting):
    """The start builds its JSON by hand (app/api/exams.py): byte for byte what AttemptView
    gives for the same view, new (201) and resumed with an answer saved (200)."""
    exam_id = _exam(setting).id
    headers = web.bearer("hs0")
    replies = [_start(web, headers, exam_id)]
    question = replies[0].get_json()["questions"][0]
    url = f"/api/v1/attempts/{replies[0].get_json()['id']}/answers/{question['id']}"
    answer = question["options"][0]["id"]
    assert (
        web.client.put(url, json={"answer": answer, "seq": 3}, headers=headers).status_code == 200
    )
    replies.append(_start(web, headers, exam_id))
    assert [r.status_code for r in replies] == [201, 200]
    view = exam_attempts.attempt_view(db.session.get(Attempt, replies[0].get_json()["id"]))
    assert view["answers"] and view["seqs"]
    with app.test_request_context():
        dumped = jsonify(AttemptView().dump(view)).get_data()
    assert replies[1].get_data() == dumped
    view.update(answers={}, seqs={})
    with app.test_request_context():
        assert replies[0].get_data() == jsonify(AttemptView().dump(view)).get_data()


@pytest.mark.parametrize(
    ("body", "status", "errors"),
    [
        ({"school_id": 1}, 422, {"json": {"school_id": ["Unknown field."]}}),
        (
            {"access_code": "A" * 101},
            422,
            {"json": {"access_code": ["Longer than maximum length 100."]}},
        ),
        ({"access_code": 1234}, 422, {"json": {"access_code": ["Not a valid string."]}}),
        ([], 422, {"json": {"_schema": ["Invalid input type."]}}),
        ("{", 400, {"json": ["Invalid JSON body."]}),
    ],
)
def test_a_start_body_other_than_an_access_code_is_refused_by_the_schema(
    web, setting, body, status, errors
):
    """The start reads the exam page's body by hand; any other body still gets the
    schema's refusal, and no attempt."""
    exam_id = _exam(setting).id
    url = f"/api/v1/exams/{exam_id}/attempts"
    data = body if isinstance(body, str) else json.dumps(body)
    reply = web.client.post(
        url, data=data, content_type="application/json", headers=web.bearer("hs0")
    )
    assert reply.status_code == status
    assert reply.get_json()["error"]["details"]["errors"] == errors
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_a_start_by_someone_not_sitting_the_exam_is_not_found(web, setting, make, school):
    exam = _exam(setting)
    teacher = web.client.post(
        f"/api/v1/exams/{exam.id}/attempts", json={}, headers=web.bearer("gv.toan")
    )
    assert teacher.status_code == 404
    assert teacher.get_json()["error"]["message"] == "Không tìm thấy bài kiểm tra."
    make.user(school, "student", "hs.lop.khac")
    outsider = _start(web, web.bearer("hs.lop.khac"), exam.id)
    assert outsider.get_json()["error"]["message"] == "Không tìm thấy bài kiểm tra."
    missing = _start(web, web.bearer("hs0"), exam.id + 1000)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["message"] == "Không tìm thấy."


def test_a_cookie_start_holds_only_while_the_session_does(web, setting):
    exam = _exam(setting)
    web.login("hs0")
    csrf = {"X-CSRFToken": web.csrf("/profile")}
    assert _start(web, csrf, exam.id).status_code == 201
    assert _start(web, csrf, exam.id).status_code == 200
    setting["students"][0].session_version += 1
    db.session.commit()
    assert _start(web, csrf, exam.id).status_code == 401


def test_the_cached_question_views_are_the_ones_built_afresh(web, setting):
    """The exam page's questions come from a per-process memo of the public views: each
    student must still get exactly what building them for that attempt gives."""
    exam = _exam(setting)
    exam_id, by_question, by_option = exam.id, exam.shuffle_questions, exam.shuffle_options
    orders = set()
    for name in ("hs0", "hs1", "hs2"):
        body = _start(web, web.bearer(name), exam_id).get_json()
        seed = db.session.get(Attempt, body["id"]).seed
        items = exam_content.question_order(exam_content.exam_items(exam_id), seed, by_question)
        fresh = [
            exam_content.public_question(item, n, seed, by_option)
            for n, item in enumerate(items, start=1)
        ]
        assert body["questions"] == json.loads(json.dumps(fresh))
        orders.add(json.dumps([q["options"] for q in body["questions"]]))
    assert len(orders) > 1  # the options are still shuffled per student


def test_two_starts_at_the_same_instant_give_one_attempt(web, setting, frozen_now):
    """Another worker's start of the same student commits between this one's read and its
    INSERT: the unique constraint refuses the second row and the winner's attempt is sent."""
    exam_id = _exam(setting).id
    headers = web.bearer("hs0")
    student_id, school_id = setting["students"][0].id, setting["students"][0].school_id
    raced = []

    def other_start_wins(_conn, _cursor, statement, *_args):
        if raced or not statement.lstrip().upper().startswith("INSERT INTO ATTEMPTS"):
            return
        values = {
            "school_id": school_id,
            "exam_id": exam_id,
            "student_id": student_id,
            "number": 1,
            "seed": 7,
            "status": "in_progress",
            "started_at": frozen_now,
            "deadline_at": frozen_now + timedelta(minutes=15),
            "session_key": "",
            "start_ip": "",
            "submitted_by": "",
            "needs_grading": False,
        }
        raced.append(None)  # the competing INSERT passes through this listener too
        with db.engine.begin() as other:
            row = other.execute(Attempt.__table__.insert().values(values))
        raced[0] = row.inserted_primary_key[0]

    event.listen(db.engine, "before_cursor_execute", other_start_wins)
    try:
        reply = _start(web, headers, exam_id)
    finally:
        event.remove(db.engine, "before_cursor_execute", other_start_wins)
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["id"] == raced[0]
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
