"""The submissions table graded in one go: every row's score ("8,5") and comment saved together,
optionally returned at once; one bad row saves nothing and is pointed out; only the course's
teacher may post it."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditLog, Course, Notification, OutboxMail, Submission, User
from app.services import homework


def _class_with_work(make, school, n=4):
    teacher = make.user(school, "teacher", username="gv")
    klass = make.school_class(school, "10A1")
    students = []
    for i in range(n):
        student = make.user(school, "student", username=f"hs{i}", full_name=f"Em số {i}")
        make.enrol(student, klass)
        students.append(student)
    course = make.course(school, klass, teacher)
    assignment = make.assignment(course)
    submissions = [
        homework.submit(s, assignment.id, f"bài {i}", []) for i, s in enumerate(students)
    ]
    return assignment, students, submissions


def _table(submissions, scores, comments=None):
    data = {}
    for i, submission in enumerate(submissions):
        data[f"score-{submission.id}"] = scores[i]
        data[f"comment-{submission.id}"] = (comments or [""] * len(submissions))[i]
    return data


def test_the_whole_table_is_saved_at_once_and_returned_to_students_and_parents(
    web, make, school, frozen_now
):
    assignment, students, subs = _class_with_work(make, school)
    parent = make.user(school, "parent", username="ph", email="me@nha.vn")
    make.link(parent, students[0])
    web.login("gv")
    page = web.client.get(f"/homework/{assignment.id}").get_data(as_text=True)
    assert page.count('form="grades-form"') == 2 * len(subs)
    data = _table(subs, ["8,5", "7", "", "10"], ["Tốt", "", "", "Xuất sắc"])
    saved = web.post_form(f"/homework/{assignment.id}/grades", data)
    assert saved.status_code == 302
    db.session.expire_all()
    rows = db.session.scalars(select(Submission).order_by(Submission.id)).all()
    assert [(str(r.score) if r.score is not None else None, r.comment) for r in rows] == [
        ("8.50", "Tốt"),
        ("7.00", ""),
        (None, ""),
        ("10.00", "Xuất sắc"),
    ]
    assert all(r.returned_at is None for r in rows)
    assert (
        db.session.scalar(
            select(func.count(AuditLog.id)).where(AuditLog.action == "homework.grade")
        )
        == 3
    )
    again = web.post_form(
        f"/homework/{assignment.id}/grades", {**data, "then_return": "1"}
    )  # saving the same values again changes nothing; it returns the three graded ones
    assert again.status_code == 302
    db.session.expire_all()
    rows = db.session.scalars(select(Submission).order_by(Submission.id)).all()
    assert [r.returned_at is not None for r in rows] == [True, True, False, True]
    assert (
        db.session.scalar(
            select(func.count(AuditLog.id)).where(AuditLog.action == "homework.grade")
        )
        == 3
    )
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.to_address == "me@nha.vn")).all()
    assert any("8,5/10" in m.body for m in mail)
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.kind == "feedback", Notification.user_id == students[3].id
            )
        )
        == 1
    )
    table = web.client.get(f"/homework/{assignment.id}").get_data(as_text=True)
    assert table.count("Đã trả") == 3


def test_one_bad_row_saves_nothing_and_is_marked_with_what_was_typed_kept(
    web, make, school, frozen_now
):
    assignment, _students, subs = _class_with_work(make, school)
    web.login("gv")
    data = _table(subs, ["8,5", "abc", "11", ""], ["", "", "", "chưa có điểm"])
    response = web.post_form(f"/homework/{assignment.id}/grades", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "3 dòng cần sửa" in page and page.count("table-danger") == 3
    assert "Điểm “abc” không phải số." in page and "Điểm phải từ 0 đến 10." in page
    assert "hãy nhập điểm cùng với nhận xét" in page
    assert (
        f'name="score-{subs[1].id}" inputmode="decimal" autocomplete="off"\n      value="abc"'
        in page
    )
    db.session.expire_all()
    assert (
        db.session.scalar(select(func.count(Submission.id)).where(Submission.score.is_not(None)))
        == 0
    )


def test_a_row_of_another_homework_or_a_student_without_work_is_refused(
    web, make, school, frozen_now
):
    assignment, students, _subs = _class_with_work(make, school, n=1)
    course = db.session.get(Course, assignment.course_id)
    foreign = homework.submit(students[0], make.assignment(course, title="Bài khác").id, "x", [])
    late_one = make.user(school, "student", username="hs.muon", full_name="Em chưa nộp")
    make.enrol(late_one, course.school_class)
    teacher = db.session.scalar(select(User).where(User.username == "gv"))
    no_work = homework.extend(teacher, assignment.id, late_one.id, "2026-12-30T17:00")
    web.login("gv")
    response = web.post_form(f"/homework/{assignment.id}/grades", {f"score-{foreign.id}": "9"})
    assert response.status_code == 404
    response = web.post_form(f"/homework/{assignment.id}/grades", {f"score-{no_work.id}": "9"})
    assert response.status_code == 422 and "chưa nộp bài" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Submission, foreign.id).score is None


def test_only_the_course_teacher_may_post_the_table(app, web, make, school, frozen_now):
    assignment, _students, subs = _class_with_work(make, school, n=1)
    make.user(school, "teacher", username="gv.khac")
    for username, status in (("hs0", 403), ("gv.khac", 403)):
        browser = type(web)(app.test_client())
        browser.login(username)
        response = browser.post_form(
            f"/homework/{assignment.id}/grades", {f"score-{subs[0].id}": "10"}
        )
        assert response.status_code in (status, 404), username
    db.session.expire_all()
    assert db.session.get(Submission, subs[0].id).score is None
