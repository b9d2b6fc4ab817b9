"""Exam pages: a teacher creates a test from a blueprint, sees results and exports them; a
student sees the open exams; logged changes from the results page."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, Exam
from app.services import (
    exam_answers,
    exam_attempts,
    exam_start,
    exams,
    question_bank_access,
    questions,
)
from question_banks.model import Level, Option, QuestionType
from question_banks.model import Question as QuestionData


@pytest.fixture
def course_with_bank(make, school):
    teacher = make.user(school, "teacher", "gv.toan")
    school_class = make.school_class(school, "10A1")
    student = make.user(school, "student", "hs.an", full_name="Nguyễn Văn An")
    make.enrol(student, school_class)
    course = make.course(school, school_class, teacher)
    bank = question_bank_access.create_bank(teacher, "Toán 10")
    for n in range(4):
        questions.save_question(
            teacher,
            bank.id,
            QuestionData(
                type=QuestionType.SINGLE_CHOICE,
                stem_html=f"<p>Câu {n}</p>",
                options=[
                    Option(key="A", html="đúng", is_correct=True),
                    Option(key="B", html="sai"),
                ],
                category="Chương 1",
                level=Level.NHAN_BIET,
                points=Decimal(1),
            ),
        )
    return {"teacher": teacher, "student": student, "course": course, "bank": bank}


def test_teacher_creates_an_exam_from_the_blueprint_form(web, course_with_bank):
    web.login("gv.toan")
    course = course_with_bank["course"]
    page = f"/exams/new/{course.id}"
    assert web.client.get(page).status_code == 200
    response = web.post_form(
        page,
        {
            "title": "Kiểm tra 15 phút",
            "bank_id": course_with_bank["bank"].id,
            "duration_minutes": "15",
            "max_attempts": "1",
            "release": "immediately",
            "navigation": "free",
            "gradebook_column": "tx",
            "category_0": "Chương 1",
            "level_0": "nhan_biet",
            "count_0": "3",
            "published": "on",
        },
        token_page=page,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    exam = db.session.scalar(select(Exam))
    assert (len(exam.questions), exam.gradebook_column, exam.is_published) == (3, "tx", True)
    results = web.client.get(response.headers["Location"])
    assert results.status_code == 200
    assert "Nguyễn Văn An" in results.get_data(as_text=True)


def test_a_blueprint_the_bank_cannot_fill_is_explained_and_nothing_is_created(
    web, course_with_bank
):
    web.login("gv.toan")
    page = f"/exams/new/{course_with_bank['course'].id}"
    response = web.post_form(
        page,
        {
            "title": "Quá nhiều câu",
            "bank_id": course_with_bank["bank"].id,
            "category_0": "Chương 1",
            "count_0": "9",
            "duration_minutes": "15",
        },
        token_page=page,
    )
    assert response.status_code == 422
    assert "Chương 1" in response.get_data(as_text=True)
    assert db.session.scalar(select(Exam)) is None


def test_results_export_and_extend_from_the_results_page(web, course_with_bank):
    teacher, student = course_with_bank["teacher"], course_with_bank["student"]
    exam = exams.create_exam(
        teacher,
        course_with_bank["course"].id,
        {
            "title": "KT",
            "bank_id": course_with_bank["bank"].id,
            "duration_minutes": 10,
            "blueprint": [{"category": "Chương 1", "count": 4}],
            "published": True,
            "release": "immediately",
        },
    )
    attempt, _ = exam_start.start_attempt(student, exam.id)
    web.login("gv.toan")
    page = f"/exams/{exam.id}/results"
    response = web.post_form(
        f"/exams/{exam.id}/actions",
        {"action": "extend", "minutes": "5", "reason": "Mất mạng"},
        token_page=page,
    )
    assert response.status_code == 302
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "exam.extend")).reason == (
        "Mất mạng"
    )
    exam_attempts.submit(student, attempt.id)
    export = web.client.get(f"/exams/{exam.id}/results.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][1] == student.student_code and rows[2][5] == 0


def test_students_see_open_exams_but_not_results_pages(web, course_with_bank):
    exam = exams.create_exam(
        course_with_bank["teacher"],
        course_with_bank["course"].id,
        {"title": "Bài kiểm tra Đại số", "question_ids": [1, 2], "published": True},
    )
    web.login("hs.an")
    listing = web.client.get("/exams").get_data(as_text=True)
    assert "Bài kiểm tra Đại số" in listing
    assert web.client.get(f"/exams/{exam.id}/results").status_code == 403
    assert web.client.get(f"/exams/new/{course_with_bank['course'].id}").status_code == 403


def test_the_grading_queue_takes_points_with_a_decimal_comma(web, course_with_bank):
    teacher, student = course_with_bank["teacher"], course_with_bank["student"]
    essay = questions.save_question(
        teacher,
        course_with_bank["bank"].id,
        QuestionData(type=QuestionType.ESSAY, stem_html="<p>Giải thích</p>", points=Decimal(10)),
    )
    exam = exams.create_exam(
        teacher,
        course_with_bank["course"].id,
        {"title": "Tự luận", "question_ids": [essay.id], "published": True},
    )
    attempt, _ = exam_start.start_attempt(student, exam.id)
    exam_answers.save_answer(student, attempt.id, essay.id, "<b>Bài làm</b> của em", 1)
    exam_attempts.submit(student, attempt.id)
    web.login("gv.toan")
    page = f"/exams/{exam.id}/grading"
    html = web.client.get(page).get_data(as_text=True)
    assert "&lt;b&gt;Bài làm&lt;/b&gt;" in html  # shown as text, never as markup
    web.post_form(
        page, {"attempt_id": attempt.id, "question_id": essay.id, "points": "8,5"}, token_page=page
    )
    assert db.session.get(type(attempt), attempt.id).score10 == Decimal("8.50")
    assert 'id="queue-empty"' in web.client.get(page).get_data(as_text=True)


def test_review_shows_keys_only_when_the_exam_allows_and_only_after_release(
    web, other_browser, course_with_bank
):
    teacher, student = course_with_bank["teacher"], course_with_bank["student"]
    exam = exams.create_exam(
        teacher,
        course_with_bank["course"].id,
        {
            "title": "Ôn tập",
            "question_ids": [1],
            "published": True,
            "release": "manual",
            "review": "keys",
        },
    )
    attempt, _ = exam_start.start_attempt(student, exam.id)
    exam_answers.save_answer(student, attempt.id, 1, "B", 1)
    exam_attempts.submit(student, attempt.id)
    web.login("hs.an")
    page = f"/exams/attempts/{attempt.id}/review"
    assert 'id="not-released"' in web.client.get(page).get_data(as_text=True)
    exams.release_results(teacher, exam.id)
    html = web.client.get(page).get_data(as_text=True)
    assert 'id="score"' in html and "text-success" in html and "☑" in html
    other_browser.login("gv.toan")
    assert other_browser.client.get(page).status_code == 403


def test_exam_scores_go_into_the_gradebook_column_it_feeds_once(web, course_with_bank):
    from app.models import GradeEntry

    teacher, student = course_with_bank["teacher"], course_with_bank["student"]
    exam = exams.create_exam(
        teacher,
        course_with_bank["course"].id,
        {
            "title": "15 phút",
            "question_ids": [1, 2, 3, 4],
            "published": True,
            "release": "immediately",
            "gradebook_column": "tx",
        },
    )
    attempt, _ = exam_start.start_attempt(student, exam.id)
    for qid in (1, 2, 3):
        exam_answers.save_answer(student, attempt.id, qid, "A", 1)
    exam_attempts.submit(student, attempt.id)  # 3 of 4: 7.50
    web.login("gv.toan")
    page = f"/exams/{exam.id}/results"
    for _ in range(2):  # a second push updates the same cell, it does not take tx2
        web.post_form(f"/exams/{exam.id}/actions", {"action": "gradebook"}, token_page=page)
    entries = db.session.scalars(select(GradeEntry)).all()
    assert [(e.column, e.score, e.source, e.source_id) for e in entries] == [
        ("tx1", Decimal("7.5"), "exam", exam.id)
    ]
