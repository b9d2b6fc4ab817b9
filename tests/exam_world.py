"""What the exam tests set up again and again: a class of students with a teacher, a course
and a bank of questions, and a published exam over them (service layer, real database)."""

from __future__ import annotations

from decimal import Decimal

from app.services import exams, question_bank_access, questions
from question_banks.model import Level, Option, QuestionType
from question_banks.model import Question as QuestionData


def choice(
    n: int,
    *,
    stem: str | None = None,
    category: str = "Số học",
    level: Level = Level.NHAN_BIET,
    points: Decimal = Decimal(1),
) -> QuestionData:
    """Single choice "n + 1 = ?": options A-D are n, n+1, n+2, n+3 and B (n+1) is right."""
    return QuestionData(
        type=QuestionType.SINGLE_CHOICE,
        stem_html=stem or f"<p>Câu {n}: {n} + 1 = ?</p>",
        options=[Option(key=k, html=f"{n + i}", is_correct=(i == 1)) for i, k in enumerate("ABCD")],
        points=points,
        category=category,
        level=level,
    )


def exam_class(
    make, school, *, teacher: str, class_name: str, students: list[str], bank: str, items
) -> dict:
    """A teacher, a class with these students enrolled, its course and a bank holding
    `items` (QuestionData); returns them with the question ids."""
    teacher_user = make.user(school, "teacher", teacher)
    school_class = make.school_class(school, class_name)
    people = [make.user(school, "student", name) for name in students]
    for student in people:
        make.enrol(student, school_class)
    course = make.course(school, school_class, teacher_user)
    bank_row = question_bank_access.create_bank(teacher_user, bank)
    ids = [questions.save_question(teacher_user, bank_row.id, item).id for item in items]
    return {
        "teacher": teacher_user,
        "students": people,
        "course": course,
        "bank": bank_row,
        "ids": ids,
    }


def publish(world: dict, **overrides):
    """A published exam of the world's course over all its questions."""
    data = {
        "title": "Kiểm tra",
        "question_ids": world["ids"],
        "duration_minutes": 15,
        "published": True,
        "release": "immediately",
    } | overrides
    return exams.create_exam(world["teacher"], world["course"].id, data)
