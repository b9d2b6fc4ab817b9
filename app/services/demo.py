"""The demo school: idempotently created people, classes and courses to try LopHoc with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.core.security import hash_password
from app.extensions import db
from app.models import Course, Exam, Question, Role, School, User
from app.services import school as school_service
from app.services.people import NewUser, add_user, link_parent
from app.services.school import ensure_subject, find_class, put_in_class

DEMO_CODE = "DEMO"
DEMO_PASSWORD = "lophoc2026"  # noqa: S105 - printed for the demo on purpose
TEACHERS = [
    ("gv.toan", "Nguyễn Thị Hoa", "Toán"),
    ("gv.van", "Trần Văn Dũng", "Ngữ văn"),
    ("gv.anh", "Lê Thu Trang", "Tiếng Anh"),
]
CLASSES = {"10A1": "gv.toan", "10A2": "gv.van"}
STUDENTS = [
    ("HS0001", "Nguyễn Văn An", "10A1"),
    ("HS0002", "Trần Thị Bích Ngọc", "10A1"),
    ("HS0003", "Lê Hoàng Đức", "10A1"),
    ("HS0004", "Phạm Minh Châu", "10A1"),
    ("HS0005", "Võ Thị Hồng Nhung", "10A1"),
    ("HS0006", "Đặng Quốc Bảo", "10A2"),
    ("HS0007", "Bùi Thị Thu Hà", "10A2"),
    ("HS0008", "Hoàng Gia Huy", "10A2"),
    ("HS0009", "Ngô Thị Mai Anh", "10A2"),
    ("HS0010", "Dương Văn Khánh", "10A2"),
]
PARENTS = [
    ("ph.an", "Nguyễn Văn Bình", ["HS0001"]),
    ("ph.bao", "Đặng Thị Lan", ["HS0006", "HS0003"]),
]


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    password: str
    full_name: str


def create_demo() -> list[Login]:
    """Create (or bring back to its demo state) the DEMO school; returns the logins to print."""
    school = db.session.scalar(select(School).where(School.code == DEMO_CODE))
    if school is None:
        school = school_service.create_school(DEMO_CODE, "Trường THPT LopHoc (demo)")
    logins = [_account(school, "admin.demo", "Quản trị Demo", Role.ADMIN)]
    year = school_service.current_year(school)
    for username, name, _subject in TEACHERS:
        logins.append(_account(school, username, name, Role.TEACHER))
    for class_name, teacher in CLASSES.items():
        try:
            school_class = find_class(school.id, year.id, class_name)
        except Exception:
            school_class = school_service.add_class(None, school, year, class_name)
        school_class.homeroom_teacher_id = _user(teacher).id
    for code, name, class_name in STUDENTS:
        login = _account(school, code.lower(), name, Role.STUDENT, student_code=code)
        logins.append(login)
        put_in_class(None, _user(login.username), find_class(school.id, year.id, class_name))
    for username, name, children in PARENTS:
        logins.append(_account(school, username, name, Role.PARENT))
        for code in children:
            link_parent(None, _user(username), _user(code.lower()))
    _courses(school, year)
    db.session.commit()
    _bank_and_exam(school, year)
    return logins


DEMO_BANK_FILE = Path(__file__).resolve().parents[2] / "question_banks/samples/de_mau_toan10.docx"
DEMO_EXAM_TITLE = "Kiểm tra 15 phút – Toán 10 (demo)"


def _bank_and_exam(school: School, year) -> None:
    """A Toán bank from the sample Word file and a published exam open to 10A1 now."""
    from app.services import exams, question_bank_access, question_files

    teacher = _user("gv.toan")
    bank = question_bank_access.ensure_bank(teacher, school.id, "Toán 10 (demo)", "Toán", 10)
    has_questions = db.session.scalar(select(Question.id).where(Question.bank_id == bank.id))
    if not has_questions:
        question_files.import_file(teacher, bank, DEMO_BANK_FILE.read_bytes(), DEMO_BANK_FILE.name)
    db.session.commit()
    course = db.session.scalar(
        select(Course).where(
            Course.class_id == find_class(school.id, year.id, "10A1").id,
            Course.teacher_id == teacher.id,
        )
    )
    if db.session.scalar(select(Exam.id).where(Exam.title == DEMO_EXAM_TITLE)) is None:
        ids = db.session.scalars(
            select(Question.id)
            .where(Question.bank_id == bank.id, Question.type != "description")
            .order_by(Question.id)
            .limit(10)
        ).all()
        exams.create_exam(
            teacher,
            course.id,
            {
                "title": DEMO_EXAM_TITLE,
                "bank_id": bank.id,
                "question_ids": list(ids),
                "duration_minutes": 15,
                "max_attempts": 3,
                "release": "immediately",
                "published": True,
            },
        )


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _account(school: School, username: str, name: str, role: Role, **extra) -> Login:
    user = _user(username)
    if user is None:
        user = add_user(
            None,
            school,
            NewUser(
                username=username, full_name=name, role=str(role), password=DEMO_PASSWORD, **extra
            ),
        )
    else:
        user.password_hash = hash_password(DEMO_PASSWORD)
        user.is_active = True
    return Login(str(role), username, DEMO_PASSWORD, name)


def _courses(school: School, year) -> None:
    for class_name in CLASSES:
        school_class = find_class(school.id, year.id, class_name)
        for username, _name, subject_name in TEACHERS:
            subject = ensure_subject(school, subject_name)
            exists = db.session.scalar(
                select(Course.id).where(
                    Course.class_id == school_class.id, Course.subject_id == subject.id
                )
            )
            if not exists:
                db.session.add(
                    Course(
                        school_id=school.id,
                        school_year_id=year.id,
                        class_id=school_class.id,
                        subject_id=subject.id,
                        teacher_id=_user(username).id,
                    )
                )
    db.session.flush()
