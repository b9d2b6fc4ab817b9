"""Shared set-up of the operations tests: a published exam in a class of three students."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.services import exams, question_bank_access, questions
from question_banks.model import Level, Option, QuestionType
from question_banks.model import Question as QuestionData


def _choice(n: int) -> QuestionData:
    return QuestionData(
        type=QuestionType.SINGLE_CHOICE,
        stem_html=f"<p>Câu {n}: 1 + {n} = ?</p>",
        options=[Option(key=k, html=f"{n + i}", is_correct=(i == 1)) for i, k in enumerate("ABCD")],
        points=Decimal("2.5"),
        category="Đại số",
        level=Level.NHAN_BIET,
    )


@pytest.fixture
def exam_setting(make, school, frozen_now):
    teacher = make.user(school, "teacher", "gv.toan")
    school_class = make.school_class(school, "10A1")
    students = [make.user(school, "student", f"hs{i}") for i in range(3)]
    for student in students:
        make.enrol(student, school_class)
    course = make.course(school, school_class, teacher)
    bank = question_bank_access.create_bank(teacher, "Toán 10")
    ids = [questions.save_question(teacher, bank.id, _choice(n)).id for n in range(1, 5)]
    exam = exams.create_exam(
        teacher,
        course.id,
        {
            "title": "Kiểm tra 15 phút",
            "question_ids": ids,
            "duration_minutes": 15,
            "published": True,
            "release": "immediately",
        },
    )
    return {
        "teacher": teacher,
        "students": students,
        "course": course,
        "class": school_class,
        "exam": exam,
    }
