"""IDOR in bodies and mass assignment: ids of another school's (or another course's) objects in
POST/PUT bodies are refused and change nothing; fields that do not belong in a body (role,
school_id, score, user_id, status, ...) are refused with 422 or ignored, never applied.
(Ids in paths are covered by the authorisation matrix.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.clock import now_utc
from app.extensions import db
from app.models import (
    Assignment,
    AttendanceRecord,
    Exam,
    GradeEntry,
    Lesson,
    LiveSession,
    ParentLink,
    Submission,
    TimetableSlot,
    User,
)
from app.services import question_bank_access, questions, timetable
from tests.security.matrix import BODIES, body_for
from tests.security.world import _question, build_world, fill

pytestmark = pytest.mark.security

INTRUSIONS = {
    "school_id": 999,
    "role": "admin",
    "user_id": 1,
    "student_id": 1,
    "score": 10,
    "status": "submitted",
    "is_active": False,
}


@pytest.fixture
def world(make, fixtures):
    world = build_world(make, fixtures)
    school_b = world.users["other_admin"].school
    teacher_b = db.session.scalar(select(User).where(User.username == "gv.b"))
    klass_b = make.school_class(school_b, "10B1")
    make.enrol(world.users["other_student"], klass_b)
    course_b = make.course(school_b, klass_b, teacher_b)
    bank_b = question_bank_access.create_bank(teacher_b, "Ngân hàng trường B")
    world.objects |= {
        "course_b": course_b,
        "bank_b": bank_b,
        "question_b": questions.save_question(teacher_b, bank_b.id, _question(7)),
        "lesson_b": make.lesson(make.section(course_b)),
        "other_course": db.session.scalar(
            select(Lesson.course_id).where(Lesson.course_id != world.params["course_id"])
        ),
    }
    return world


def _headers(web, world, role):
    return web.bearer(world.users[role].username)


def _api_writes():
    """The API writes with a schema'd body, and the caller who may make them."""
    caller = {"attempts": "student", "submissions": "teacher"}
    for key in BODIES:
        method, rule = key.split(" ", 1)
        if not rule.startswith("/api/") or rule.endswith("/submissions"):
            continue  # the submission endpoint reads raw JSON/multipart: see the test below
        role = "student" if "/answers/" in rule or "/events" in rule else "teacher"
        if rule.endswith(("/offline-answers", "/submit")):
            role = "student"
        if rule == "/api/v1/scorm/commit":
            continue  # a launch token, not a person: covered by tests/web/test_scorm_pages.py
        yield pytest.param(method, rule, caller.get(role, role), id=key)


@pytest.mark.parametrize(("method", "rule", "role"), list(_api_writes()))
def test_api_bodies_with_fields_that_do_not_belong_are_refused_with_422(
    web, world, method, rule, role
):
    key = f"{method} {rule}"
    body = body_for(key, world.params) | INTRUSIONS
    response = web.client.open(
        fill(rule, world), method=method, json=body, headers=_headers(web, world, role)
    )
    assert response.status_code == 422, (key, response.get_json())
    assert response.get_json()["error"]["code"] == "invalid"
    errors = response.get_json()["error"]["details"]["errors"]["json"]
    assert "school_id" in errors and "role" in errors


def test_a_submission_ignores_owner_score_and_status_in_its_body(web, world):
    student = world.users["student"]
    assignment_id = world.params["assignment_id"]
    response = web.client.post(
        f"/api/v1/assignments/{assignment_id}/submissions",
        json={"text": "Bài làm", "student_id": world.objects["classmate"].id} | INTRUSIONS,
        headers=_headers(web, world, "student"),
    )
    assert response.status_code == 201, response.get_json()
    rows = db.session.scalars(
        select(Submission).where(Submission.assignment_id == assignment_id)
    ).all()
    assert [r.student_id for r in rows] == [student.id]  # no submission in anyone else's name
    assert rows[0].score is None and rows[0].returned_at is None


def test_a_homework_form_ignores_school_course_and_score_fields(web, world):
    web.login("gv.a")
    course_id = world.params["course_id"]
    response = web.post_form(
        f"/homework/course/{course_id}",
        {
            "title": "Bài tập có trường lạ",
            "due_at": "2030-01-01T07:00",
            "school_id": str(world.users["other_admin"].school_id),
            "course_id": str(world.objects["course_b"].id),
            "created_at": "2000-01-01T00:00",
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    created = db.session.scalar(select(Assignment).where(Assignment.title.like("%trường lạ")))
    assert created.course_id == course_id
    assert created.school_id == world.objects["school"].id


def test_gradebook_entries_for_another_schools_student_are_refused(web, world):
    other = world.users["other_student"]
    before = db.session.scalar(select(func.count()).select_from(GradeEntry))
    response = web.client.put(
        f"/api/v1/courses/{world.params['course_id']}/gradebook",
        json={
            "semester": 1,
            "entries": [
                {"student_code": world.params["student_code"], "column": "tx1", "score": "9"},
                {"student_code": other.student_code, "column": "tx1", "score": "10"},
            ],
        },
        headers=_headers(web, world, "teacher"),
    )
    assert response.status_code in (404, 422), response.get_json()
    # All or nothing: not even the valid line of the request was written.
    assert db.session.scalar(select(func.count()).select_from(GradeEntry)) == before


def test_an_exam_from_another_schools_questions_or_bank_is_refused(web, world):
    headers = _headers(web, world, "teacher")
    path = f"/api/v1/courses/{world.params['course_id']}/exams"
    with_question = web.client.post(
        path,
        json={"title": "Đề mượn", "question_ids": [world.objects["question_b"].id]},
        headers=headers,
    )
    with_bank = web.client.post(
        path,
        json={
            "title": "Đề mượn",
            "bank_id": world.objects["bank_b"].id,
            "blueprint": [{"category": "Đại số", "count": 1}],
        },
        headers=headers,
    )
    assert with_question.status_code in (404, 422), with_question.get_json()
    assert with_bank.status_code in (404, 422), with_bank.get_json()
    assert not db.session.scalar(select(Exam.id).where(Exam.title == "Đề mượn"))


def test_attendance_for_a_student_outside_the_class_is_refused(web, world, frozen_now):
    slot = db.session.get(TimetableSlot, world.params["slot_id"])
    from app.core import clock

    clock.freeze(slot.starts_at)
    response = web.client.put(
        f"/api/v1/timetable/{slot.id}/attendance",
        json={
            "entries": [
                {"student_id": world.users["other_student"].id, "status": "absent"},
                {"student_id": world.users["student"].id, "status": "absent"},
            ]
        },
        headers=_headers(web, world, "teacher"),
    )
    assert response.status_code in (404, 422), response.get_json()
    assert not db.session.scalar(
        select(AttendanceRecord.id).where(
            AttendanceRecord.student_id == world.users["other_student"].id
        )
    )


def test_a_slot_for_another_courses_lesson_or_another_teachers_course_is_refused(web, world):
    headers = _headers(web, world, "teacher")
    slot = {"date": "2030-01-09", "start": "07:30", "end": "08:15"}
    foreign_lesson = web.client.post(
        f"/api/v1/courses/{world.params['course_id']}/timetable",
        json=slot | {"lesson_id": world.objects["lesson_b"].id},
        headers=headers,
    )
    assert foreign_lesson.status_code in (404, 422), foreign_lesson.get_json()
    web.login("gv.a")
    foreign_course = web.post_form(
        f"/timetable/class/{world.params['class_id']}/slots",
        slot | {"course_id": str(world.objects["course_b"].id)},
    )
    assert foreign_course.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(TimetableSlot)) == 1


def test_a_live_session_for_another_courses_slot_is_refused(web, world):
    teacher_b = db.session.scalar(select(User).where(User.username == "gv.b"))
    slot_b = timetable.create_slots(
        teacher_b,
        world.objects["course_b"].id,
        {"date": "2030-01-09", "start": "07:30", "end": "08:15"},
    )[0]
    db.session.query(LiveSession).delete()
    db.session.commit()
    headers = _headers(web, world, "teacher")
    path = f"/api/v1/courses/{world.params['course_id']}/live-sessions"
    for slot_id in (slot_b.id, slot_b.id + 1000):
        response = web.client.post(path, json={"timetable_slot_id": slot_id}, headers=headers)
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["error"]["code"] == "invalid_slot"
    assert db.session.scalar(select(func.count()).select_from(LiveSession)) == 0
    # The course's own slot is accepted once it has begun (a class opens at most 15 min early).
    own_slot = db.session.get(TimetableSlot, world.params["slot_id"])
    own_slot.starts_at = now_utc() - timedelta(minutes=1)
    own_slot.ends_at = own_slot.starts_at + timedelta(minutes=45)
    db.session.commit()
    own = web.client.post(
        path, json={"timetable_slot_id": world.params["slot_id"]}, headers=headers
    )
    assert own.status_code == 201, own.get_json()


def test_a_library_copy_into_another_teachers_section_is_refused(web, world, make):
    other_section = make.section(
        db.session.get(type(world.objects["course"]), world.objects["other_course"]), "Của GV khác"
    )
    web.login("gv.a")
    response = web.post_form(
        f"/library/{world.params['item_id']}/copy", {"section_id": str(other_section.id)}
    )
    assert response.status_code in (403, 404)
    assert not db.session.scalar(select(Lesson.id).where(Lesson.section_id == other_section.id))


def test_an_admin_cannot_link_another_schools_child_or_create_a_system_admin(web, world):
    web.login("qt.a")
    token_page = "/admin/users/new"
    parent = web.post_form(
        "/admin/users/new",
        {
            "username": "ph.moi",
            "full_name": "Phụ huynh mới",
            "role": "parent",
            "child_codes": world.users["other_student"].student_code,
        },
        token_page=token_page,
    )
    assert parent.status_code in (404, 422)
    root = web.post_form(
        "/admin/users/new",
        {"username": "root2", "full_name": "Gốc", "role": "system_admin"},
        token_page=token_page,
    )
    assert root.status_code == 422
    db.session.rollback()  # what the end of each request does: nothing was committed
    assert not db.session.scalar(select(User.id).where(User.username.in_(["ph.moi", "root2"])))
    assert not db.session.scalar(
        select(ParentLink.id).where(ParentLink.student_id == world.users["other_student"].id)
    )


def test_an_admin_edit_form_ignores_school_and_session_fields(web, world):
    victim = world.objects["victim"]
    version = victim.session_version
    web.login("qt.a")
    response = web.post_form(
        f"/admin/users/{victim.id}/edit",
        {
            "full_name": "Tên mới",
            "role": "student",
            "student_code": victim.student_code,
            "school_id": str(world.users["other_admin"].school_id),
            "session_version": "99",
            "password_hash": "x",
            "is_active": "0",
        },
        token_page=f"/admin/users/{victim.id}/edit",
    )
    assert response.status_code == 302
    db.session.expire_all()
    victim = db.session.get(User, victim.id)
    assert victim.full_name == "Tên mới"
    assert victim.school_id == world.objects["school"].id
    assert victim.session_version == version and victim.is_active
    assert victim.password_hash != "x"


def test_a_student_cannot_grade_or_return_their_own_work_through_the_submit_form(web, world):
    web.login("hs.a")
    response = web.post_form(
        f"/homework/{world.params['assignment_id']}/submit",
        {"text": "<p>Bài làm mới</p>", "score": "10", "returned": "1", "student_id": "1"},
        token_page=f"/homework/{world.params['assignment_id']}",
    )
    assert response.status_code in (302, 303)
    submission = db.session.get(Submission, world.params["submission_id"])
    db.session.refresh(submission)
    assert submission.score is None and submission.returned_at is None
    assert submission.student_id == world.users["student"].id
    assert "Bài làm mới" in submission.text_html
