"""A school with two families for the progress tests: parent "ph" has two children (HS001 in
10A1 with five classmates, HS101 in 6A1), parent "ph2" has one child (HS002, a classmate of
HS001). Scores, homework, attendance and exams are entered through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.core import clock
from app.extensions import db
from app.models import Attempt, Exam, Submission, TimetableSlot, User
from app.services.attendance import record_attendance
from app.services.gradebook_release import set_release

# Wednesday 25/11/2026 10:00 in Hanoi
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@dataclass
class World:
    school: object
    math: object
    literature: object
    small_course: object
    teacher: User
    homeroom: User
    first: User  # HS001, parent ph
    second: User  # HS101, parent ph
    other: User  # HS002, parent ph2
    classmates: list
    exam: Exam
    past_exam: Exam


def _slot(course, starts_at):
    slot = TimetableSlot(
        school_id=course.school_id,
        class_id=course.class_id,
        course_id=course.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=45),
        topic="Hàm số",
    )
    db.session.add(slot)
    db.session.commit()
    return slot


def _exam(course, title, opens_at, closes_at, **kw):
    exam = Exam(
        school_id=course.school_id,
        course_id=course.id,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        duration_minutes=45,
        is_published=True,
        **kw,
    )
    db.session.add(exam)
    db.session.commit()
    return exam


def build(make, school) -> World:
    clock.freeze(NOW)
    math, teacher, pupils = make.gradebook_course(school, students=6)
    first, other = pupils[0], pupils[1]
    homeroom = make.user(school, "teacher", username="gvcn", full_name="Cô Chủ Nhiệm")
    math.school_class.homeroom_teacher_id = homeroom.id
    literature = make.course(school, math.school_class, teacher, "Ngữ văn")
    small, _t2, (second,) = make.gradebook_course(
        school, students=1, class_name="6A1", prefix="HS1", teacher="gv.sau"
    )
    first.full_name, first.username = "Nguyễn Văn An", "hs.an"
    second.full_name, second.username = "Nguyễn Thị Bình", "hs.binh"
    other.full_name, other.username = "Trần Văn Cường", "hs.cuong"
    db.session.commit()
    parent = make.user(school, "parent", username="ph", full_name="Phụ Huynh An Bình")
    make.link(parent, first)
    make.link(parent, second)
    make.link(make.user(school, "parent", username="ph2"), other)

    # TX1 for the whole class (six scores: the average shows), TX2 for three (suppressed)
    for i, pupil in enumerate(pupils):
        tx = ["8", "6,5"] if i < 3 else [str(5 + i % 3)]
        make.scores(math, pupil, 1, tx)
    make.scores(math, first, 1, ["8", "6,5"], "7", "9")  # GK and CK for the first child
    make.scores(literature, first, 1, ["9"])  # never released
    make.scores(small, second, 1, ["7", "8"], "8", "9")
    set_release(teacher, math.id, 1, True)
    set_release(_t2, small.id, 1, True)

    # homework: one missing, one returned with a comment, one still open
    make.assignment(
        math, "Bài tập quá hạn", opens_at=NOW - timedelta(days=5), due_at=NOW - timedelta(days=1)
    )
    done = make.assignment(
        math, "Bài tập đã chấm", opens_at=NOW - timedelta(days=6), due_at=NOW - timedelta(days=2)
    )
    db.session.add(
        Submission(
            school_id=school.id,
            assignment_id=done.id,
            student_id=first.id,
            text_html="<p>bài làm</p>",
            submitted_at=NOW - timedelta(days=3),
            score=9,
            comment="Em làm bài cẩn thận, tiếp tục phát huy.",
            returned_at=NOW - timedelta(days=1),
        )
    )
    make.assignment(
        math, "Bài tập tuần sau", opens_at=NOW - timedelta(hours=1), due_at=NOW + timedelta(days=5)
    )
    db.session.commit()

    # attendance this week: Monday present, Tuesday absent (unexcused) for the first child
    monday = _slot(math, datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    tuesday = _slot(math, datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    record_attendance(monday, teacher, {}, "manual")
    record_attendance(tuesday, teacher, {str(first.id): "unexcused"}, "manual")

    exam = _exam(
        math, "Kiểm tra giữa kỳ Toán", NOW + timedelta(days=3), NOW + timedelta(days=3, hours=2)
    )
    past = _exam(
        math,
        "Kiểm tra 15 phút",
        NOW - timedelta(days=4),
        NOW - timedelta(days=4) + timedelta(hours=1),
        release="after_close",
    )
    db.session.add(
        Attempt(
            school_id=school.id,
            exam_id=past.id,
            student_id=first.id,
            seed=1,
            status="submitted",
            started_at=past.opens_at,
            deadline_at=past.opens_at + timedelta(minutes=45),
            submitted_at=past.opens_at + timedelta(minutes=40),
            score=Decimal("8.5"),
            max_score=Decimal(10),
            score10=Decimal("8.5"),
        )
    )
    db.session.commit()
    return World(
        school,
        math,
        literature,
        small,
        teacher,
        homeroom,
        first,
        second,
        other,
        pupils[2:],
        exam,
        past,
    )
