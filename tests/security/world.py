"""A fixture world for the security tests: two schools with one real object of every kind, the
nine callers of the authorisation matrix, and the ids that fill each route's path parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from app.core import storage
from app.core.clock import now_utc, to_local
from app.extensions import db
from app.models import QuestionAsset, SubmissionFile
from app.services import (
    announcements,
    courses,
    elearning,
    exam_start,
    exams,
    gradebook_jobs,
    homework,
    homework_files,
    identity,
    library,
    live,
    live_slides,
    messaging,
    notifications,
    question_bank_access,
    questions,
    scorm_runtime,
    timetable,
)
from app.services.gradebook_export import GradeQuery
from app.services.school import current_year
from question_banks.model import Level, Option, QuestionType
from question_banks.model import Question as QuestionData

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SCORM_ZIP = Path("scorm12") / "RuntimeBasicCalls_SCORM12.zip"

# The callers, in the column order of the matrix table (tests/security/matrix.py).
ROLES = (
    "anon",
    "student",
    "other_student",
    "parent",
    "other_parent",
    "teacher",
    "other_teacher",
    "admin",
    "other_admin",
)


@dataclass
class World:
    """Objects of school A (the target) and the people who try to reach them."""

    users: dict = field(default_factory=dict)  # role -> User (no entry for anon)
    params: dict = field(default_factory=dict)  # path parameter name -> value
    overrides: dict = field(default_factory=dict)  # (rule, parameter) -> value
    objects: dict = field(default_factory=dict)


def _question(n: int) -> QuestionData:
    return QuestionData(
        type=QuestionType.SINGLE_CHOICE,
        stem_html=f"<p>Câu {n}: 1 + {n} = ?</p>",
        options=[Option(key=k, html=f"{n + i}", is_correct=(i == 1)) for i, k in enumerate("AB")],
        points=Decimal(1),
        category="Đại số",
        level=Level.NHAN_BIET,
    )


def build_world(make, fixtures: Path) -> World:
    """Everything a route can name, owned by school A; school B has an admin and a student."""
    world = World()
    school = make.school("THPTA", "Trường THPT A")
    other_school = make.school("THPTB", "Trường THPT B")
    admin = make.user(school, "admin", "qt.a")
    teacher = make.user(school, "teacher", "gv.a")
    other_teacher = make.user(school, "teacher", "gv.khac")
    student = make.user(school, "student", "hs.a", email="hs.a@example.vn")
    classmate = make.user(school, "student", "hs.ban")
    victim = make.user(school, "student", "hs.bi.sua")  # target of the admin's account actions
    other_child = make.user(school, "student", "hs.nha.khac")
    parent = make.user(school, "parent", "ph.a")
    other_parent = make.user(school, "parent", "ph.khac")
    other_admin = make.user(other_school, "admin", "qt.b")
    other_student = make.user(other_school, "student", "hs.b")
    make.user(other_school, "teacher", "gv.b")

    klass = make.school_class(school, "10A1")
    other_class = make.school_class(school, "10A2")
    victim_class = make.school_class(school, "10A9")
    for pupil in (student, classmate):
        make.enrol(pupil, klass)
    make.enrol(other_child, other_class)
    make.enrol(victim, klass)
    make.link(parent, student)
    make.link(other_parent, other_child)
    course = make.course(school, klass, teacher)
    make.course(school, other_class, other_teacher, "Ngữ văn")

    section = make.section(course)
    lesson = make.lesson(section)
    lesson_file = courses.attach_file(teacher, lesson.id, "Tài liệu.pdf", PDF)
    assignment = make.assignment(course)
    attachment = homework_files.attach(teacher, assignment.id, "Đề bài.pdf", PDF)
    submission = homework.submit(student, assignment.id, "<p>Bài làm</p>", [("bai.pdf", PDF)])
    submission_file = db.session.scalar(
        select(SubmissionFile).where(SubmissionFile.submission_id == submission.id)
    )

    bank = question_bank_access.create_bank(teacher, "Toán 10")
    question_ids = [questions.save_question(teacher, bank.id, _question(n)).id for n in (1, 2)]
    asset = QuestionAsset(
        school_id=school.id,
        bank_id=bank.id,
        sha256=storage.put(PNG),
        name="hinh.png",
        mime_type="image/png",
        size=len(PNG),
    )
    db.session.add(asset)
    db.session.commit()
    exam = exams.create_exam(
        teacher,
        course.id,
        {
            "title": "Kiểm tra 15 phút",
            "question_ids": question_ids,
            "duration_minutes": 45,
            "published": True,
            "release": "immediately",
        },
    )
    attempt, _created = exam_start.start_attempt(student, exam.id)

    version = elearning.import_package(teacher, course.id, fixtures / SCORM_ZIP)
    launch = scorm_runtime.launch(student, version.package_id, None, "http://localhost")

    offered = library.offer(teacher, lesson.id)
    library.review(admin, offered.id, "approve")

    session = live.start_session(teacher, course.id)
    slide = live_slides.add_slides(teacher, session.id, "trang1.png", PNG)[0]

    tomorrow = to_local(now_utc() + timedelta(days=1)).date()
    slot = timetable.create_slots(
        teacher,
        course.id,
        {"date": tomorrow.isoformat(), "start": "07:30", "end": "08:15", "topic": "Hàm số"},
    )[0]

    note = notifications.notify(student, "feedback", lambda: ("Trả bài", "Đã chấm"), "/")
    db.session.commit()
    from app.models import OutboxMail

    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.user_id == student.id))
    # The objects of the family, notices and grade-export routes: the course's teacher leads
    # the class (homeroom), announces to the course, and the parent writes to them; the admin
    # queued a grade export.
    klass.homeroom_teacher_id = teacher.id
    db.session.commit()
    announcement = announcements.create(
        teacher,
        title="Họp phụ huynh",
        body_html="<p>Thứ Bảy</p>",
        target_kind="course",
        target_id=course.id,
    )
    thread = messaging.start_by_parent(parent, student.id, teacher.id, "Hỏi bài", "Chào thầy")
    export_job = gradebook_jobs.start_export(admin, school.code, GradeQuery(None, None), "csv")
    token = identity.create_integration_token(admin, "SIS", ["roster:read"])
    token_row = identity.integration_tokens(admin)[0]

    world.users = {
        "student": student,
        "other_student": other_student,
        "parent": parent,
        "other_parent": other_parent,
        "teacher": teacher,
        "other_teacher": other_teacher,
        "admin": admin,
        "other_admin": other_admin,
    }
    world.objects = {
        "school": school,
        "course": course,
        "exam": exam,
        "attempt": attempt,
        "integration_token": token.token,
        "launch_token": launch.token,
        "classmate": classmate,
        "victim": victim,
    }
    world.params = {
        "class_id": klass.id,
        "user_id": victim.id,
        "token_id": token_row.id,
        "bank_id": bank.id,
        "fmt": "gift",
        "question_id": question_ids[0],
        "asset_id": asset.id,
        "student_code": student.student_code,
        "course_id": course.id,
        "lesson_id": lesson.id,
        "section_id": section.id,
        "file_id": lesson_file.id,
        "package_id": version.package_id,
        "attempt_id": attempt.id,
        "exam_id": exam.id,
        "year_id": current_year(school).id,
        "semester": 1,
        "assignment_id": assignment.id,
        "student_id": student.id,
        "submission_id": submission.id,
        "item_id": offered.id,
        "index": 0,
        "session_id": session.id,
        "slide_id": slide.id,
        "notification_id": note.id,
        "mail_id": mail.id,
        "token": launch.token,
        "path": launch.item.launch_url,
        "slot_id": slot.id,
        "code": school.code,
        "filename": "css/app.css",
        "subject_id": course.subject_id,
        "teacher_id": teacher.id,
        "announcement_id": announcement.id,
        "thread_id": thread.id,
        "job_id": export_job.id,
        # Form values of the notices pages (not path parameters).
        "class_target": f"class:{klass.id}",
        "message_to": f"{student.id}:{teacher.id}",
    }
    world.overrides = {
        ("/admin/classes/<int:class_id>", "class_id"): victim_class.id,
        ("/admin/classes/<int:class_id>/active", "class_id"): victim_class.id,
        ("/homework/attachments/<int:file_id>", "file_id"): attachment.id,
        ("/homework/<int:assignment_id>/attachments/<int:file_id>/delete", "file_id"): (
            attachment.id
        ),
        ("/api/v1/attachments/<int:file_id>", "file_id"): attachment.id,
        ("/homework/files/<int:file_id>", "file_id"): submission_file.id,
        ("/elearning/packages/<int:package_id>/attempts/<int:attempt_id>", "attempt_id"): (
            launch.attempt.id
        ),
    }
    return world


def fill(rule: str, world: World) -> str:
    """The rule's path with every parameter replaced by the id of a real object."""
    import re

    def value(match: re.Match) -> str:
        name = match[1].split(":")[-1]
        return str(world.overrides.get((rule, name), world.params[name]))

    return re.sub(r"<([^>]+)>", value, rule)
