"""Homework pages: teachers set, grade and return; students submit; nobody sees others' work."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.models import Assignment, Submission, SubmissionFile, User
from app.services import homework

PDF = b"%PDF-1.4\n%%EOF\n"


def _setup(make, school):
    teacher = make.user(school, "teacher", username="gv")
    klass = make.school_class(school, "10A1")
    for name in ("hs", "hs2"):
        make.enrol(make.user(school, "student", username=name, full_name=f"Em {name}"), klass)
    return make.course(school, klass, teacher)


def test_teacher_sets_homework_and_student_submits_with_a_file(
    client, web, other_browser, make, school, frozen_now
):
    course = _setup(make, school)
    web.login("gv")
    response = web.post_form(
        f"/homework/course/{course.id}",
        {"title": "Bài tập hàm số", "due_at": "2026-11-25T17:00", "max_score": "10"},
    )
    assert response.status_code == 302
    assignment = db.session.scalar(select(Assignment))
    other_browser.login("hs")
    todo = other_browser.client.get("/homework/todo").get_data(as_text=True)
    assert "Bài tập hàm số" in todo and "17:00 25/11/2026" in todo
    sent = other_browser.post_form(
        f"/homework/{assignment.id}/submit",
        {"text": "Lời giải", "files": (io.BytesIO(PDF), "Bài làm của em.pdf")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    table = client.get(f"/homework/{assignment.id}").get_data(as_text=True)
    assert "Đã nộp: 1 · Nộp muộn: 0 · Chưa nộp: 1" in table and "Bài làm của em.pdf" in table


def test_past_due_time_is_refused_on_the_form_with_422(client, web, make, school, frozen_now):
    course = _setup(make, school)
    web.login("gv")
    response = web.post_form(
        f"/homework/course/{course.id}", {"title": "Cũ", "due_at": "2026-11-01T08:00"}
    )
    assert response.status_code == 422
    assert "Hạn nộp đã qua" in response.get_data(as_text=True)
    assert db.session.scalar(select(Assignment)) is None


def test_teacher_grades_inline_with_a_comma_and_returns_all(
    client, web, other_browser, make, school, frozen_now
):
    course = _setup(make, school)
    assignment = make.assignment(course)
    student = db.session.scalar(select(User).where(User.username == "hs"))
    submission = homework.submit(student, assignment.id, "bài", [])
    web.login("gv")
    graded = web.post_form(
        f"/homework/{assignment.id}/grade/{submission.id}", {"score": "8,5", "comment": "Tốt"}
    )
    assert graded.status_code == 302
    bad = web.post_form(f"/homework/{assignment.id}/grade/{submission.id}", {"score": "12"})
    assert bad.status_code == 422 and "từ 0 đến 10" in bad.get_data(as_text=True)
    other_browser.login("hs")
    before = other_browser.client.get(f"/homework/{assignment.id}").get_data(as_text=True)
    assert "8.5" not in before  # not returned yet
    assert web.post_form(f"/homework/{assignment.id}/return").status_code == 302
    after = other_browser.client.get(f"/homework/{assignment.id}").get_data(as_text=True)
    assert "Điểm: 8.5 / 10" in after and "Tốt" in after


def test_a_student_never_sees_another_students_submission(
    client, web, other_browser, make, school, frozen_now
):
    course = _setup(make, school)
    assignment = make.assignment(course)
    owner = db.session.scalar(select(User).where(User.username == "hs"))
    submission = homework.submit(owner, assignment.id, "BÍ MẬT CỦA HS", [("a.pdf", PDF)])
    file_id = db.session.scalar(select(SubmissionFile.id))
    other_browser.login("hs2")
    c = other_browser.client
    page = c.get(f"/homework/{assignment.id}")
    assert page.status_code == 200 and "BÍ MẬT CỦA HS" not in page.get_data(as_text=True)
    assert "BÍ MẬT" not in c.get("/homework/todo").get_data(as_text=True)
    assert c.get(f"/homework/files/{file_id}").status_code == 404
    for path in (
        f"/homework/{assignment.id}/grade/{submission.id}",
        f"/homework/{assignment.id}/return",
        f"/homework/{assignment.id}/reopen/{submission.id}",
        f"/homework/{assignment.id}/extend/{owner.id}",
    ):
        response = other_browser.post_form(path, {"score": "10", "until": "2026-12-01T08:00"})
        assert response.status_code in (403, 404), path
        assert "BÍ MẬT CỦA HS" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).score is None
    web.login("hs")
    assert client.get(f"/homework/files/{file_id}").status_code == 200


def test_student_of_another_class_cannot_open_the_homework(client, web, make, school, frozen_now):
    course = _setup(make, school)
    assignment = make.assignment(course)
    make.enrol(make.user(school, "student", username="khac"), make.school_class(school, "11B"))
    web.login("khac")
    assert client.get(f"/homework/{assignment.id}").status_code == 404
    assert client.get(f"/homework/course/{course.id}").status_code == 404
    assert "Bài tập 1" not in client.get("/homework/todo").get_data(as_text=True)


def test_download_all_is_one_zip_with_a_folder_per_student(client, web, make, school, frozen_now):
    import zipfile

    course = _setup(make, school)
    assignment = make.assignment(course, title="Bài tập 1")
    owner = db.session.scalar(select(User).where(User.username == "hs"))
    homework.submit(owner, assignment.id, "lời giải", [("Bài làm.pdf", PDF)])
    web.login("gv")
    response = client.get(f"/homework/{assignment.id}/submissions.zip")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    folder = f"{owner.student_code} - Em hs"
    assert sorted(names) == [f"{folder}/1_Bài làm.pdf", f"{folder}/bai_lam.html"]


def test_student_cannot_download_all_submissions(client, web, make, school, frozen_now):
    course = _setup(make, school)
    assignment = make.assignment(course)
    web.login("hs2")
    assert client.get(f"/homework/{assignment.id}/submissions.zip").status_code == 403
