"""The `lophoc` commands of CONTRACT.md: output, --json, exit codes, nothing half-written."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from app.cli import main
from app.extensions import db
from app.models import Course, School, User


def run(app, *args):
    return app.test_cli_runner().invoke(main, list(args), catch_exceptions=False)


def test_create_school_user_and_course(app):
    result = run(app, "create-school", "C3NT", "Trường THPT Chuyên Nguyễn Trãi", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["code"] == "C3NT"
    assert (
        run(
            app,
            "create-user",
            "--role",
            "teacher",
            "--school",
            "C3NT",
            "--password",
            "Khoa2026xyz",
            "--full-name",
            "Trần Văn Dũng",
            "gv.dung",
        ).exit_code
        == 0
    )
    result = run(
        app,
        "create-user",
        "--role",
        "student",
        "--school",
        "c3nt",
        "--password",
        "Khoa2026xyz",
        "--full-name",
        "Lê Na",
        "--student-code",
        "HS9",
        "--class",
        "10A1",
        "hs9",
    )
    assert result.exit_code == 1
    assert "Không có lớp “10A1”" in result.output
    assert db.session.scalar(select(User).where(User.username == "hs9")) is None
    result = run(
        app,
        "create-course",
        "--school",
        "C3NT",
        "--class",
        "10A1",
        "--subject",
        "Toán",
        "--teacher",
        "gv.dung",
        "--json",
    )
    assert result.exit_code == 1


def test_create_course_prints_its_id(app, make, school):
    make.user(school, "teacher", username="gv.a")
    make.school_class(school, "10A1")
    result = run(
        app,
        "create-course",
        "--school",
        "THPT1",
        "--class",
        "10a1",
        "--subject",
        "Ngữ văn",
        "--teacher",
        "gv.a",
        "--json",
    )
    assert result.exit_code == 0, result.output
    course_id = json.loads(result.output)["course_id"]
    assert db.session.get(Course, course_id).subject.name == "Ngữ văn"


def test_parent_with_child_link(app, make, school):
    make.user(school, "student", student_code="HS1")
    result = run(
        app,
        "create-user",
        "--role",
        "parent",
        "--school",
        "THPT1",
        "--password",
        "Khoa2026xyz",
        "--child",
        "HS1",
        "ph1",
        "--json",
    )
    assert result.exit_code == 0, result.output


def test_duplicate_school_code_fails_with_one_line(app, school):
    result = run(app, "create-school", "THPT1", "Trùng")
    assert result.exit_code == 1
    assert result.output.strip() == "Lỗi: Mã trường “THPT1” đã tồn tại."


def test_import_roster_json_summary_and_row_error(app, school, tmp_path):
    good = tmp_path / "ds.csv"
    good.write_text(
        "Mã học sinh,Họ và tên,Lớp\nHS1,Đỗ Thu Hà,10A1\nHS2,Hồ Hiếu,10A1\n", encoding="utf-8-sig"
    )
    result = run(app, "import", "roster", str(good), "--school", "THPT1", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["imported"], summary["errors"]) == (2, [])
    bad = tmp_path / "sai.csv"
    bad.write_text("Mã học sinh,Họ và tên,Ngày sinh\nHS3,Hà,31/02/2010\n", encoding="utf-8")
    result = run(app, "import", "roster", str(bad), "--school", "THPT1")
    assert result.exit_code == 1
    assert "sai.csv: Dòng 2, cột Ngày sinh: 31/02/2010 không phải ngày hợp lệ" in result.output


def test_demo_is_idempotent_and_its_logins_work(app, client):
    first = run(app, "demo")
    assert first.exit_code == 0, first.output
    assert "admin.demo" in first.output
    users = db.session.scalar(select(func.count()).select_from(User))
    assert run(app, "demo").exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    assert db.session.scalar(select(func.count()).select_from(School)) == 1
    response = client.post(
        "/api/v1/auth/token", json={"username": "gv.toan", "password": "lophoc2026"}
    )
    assert response.status_code == 200
    courses = client.get(
        "/api/v1/courses", headers={"Authorization": f"Bearer {response.get_json()['token']}"}
    ).get_json()["items"]
    assert {c["class_name"] for c in courses} == {"10A1", "10A2"}


def test_demo_has_a_bank_and_an_exam_a_student_can_take(app, client):
    assert run(app, "demo").exit_code == 0
    assert run(app, "demo").exit_code == 0
    token = client.post(
        "/api/v1/auth/token", json={"username": "hs0001", "password": "lophoc2026"}
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/exams", headers=headers).get_json()["items"]
    assert len(listed) == 1 and listed[0]["question_count"] > 0
    started = client.post(f"/api/v1/exams/{listed[0]['id']}/attempts", headers=headers, json={})
    assert started.status_code == 201
    closed = run(app, "exams", "close-expired", "--json")
    assert closed.exit_code == 0 and '"closed": 0' in closed.output


def test_import_questions_json_and_failure_exit(app, school, fixtures, tmp_path):
    source = fixtures / "questions/moodlexml/truefalse.xml"
    result = run(
        app,
        "import",
        "questions",
        str(source),
        "--school",
        "THPT1",
        "--bank",
        "Vật lí 11",
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["format"], summary["imported"]) == ("moodlexml", 2)
    assert summary["bank_id"] > 0
    empty = tmp_path / "rong.txt"
    empty.write_text("Câu không có đáp án\nA. 1\nB. 2\n", encoding="utf-8")
    result = run(
        app,
        "import",
        "questions",
        str(empty),
        "--school",
        "THPT1",
        "--bank",
        "X",
        "--format",
        "aiken",
    )
    assert result.exit_code == 1
    assert "rong.txt: không có câu hỏi hợp lệ nào (1 câu lỗi)." in result.output
    from app.models import QuestionBank

    assert db.session.scalar(select(QuestionBank).where(QuestionBank.name == "X")) is None
