"""Family progress pages: the parent's cards per child, the subject page with its chart data
and class average, the student's own home, the report card, the homeroom overview."""

from __future__ import annotations

import json
import re
from html import unescape as html_unescape

from sqlalchemy import select

from app.extensions import db
from app.models import Assignment, Submission
from app.services import progress_pages
from app.services.gradebook_release import set_release
from tests.web.family_world import build

CHART_RE = re.compile(r"data-chart='([^']*)'")


def _chart(html: str) -> dict:
    match = CHART_RE.search(html)
    assert match, "no chart data on the page"
    return json.loads(html_unescape(match[1]))


def _card(html: str, code: str) -> str:
    start = html.index(f'data-student="{code}"')
    end = html.find('class="card progress-card', start)
    return html[start : end if end > 0 else len(html)]


def test_parent_home_has_one_card_per_child_with_the_weeks_facts(client, web, make, school):
    w = build(make, school)
    web.login("ph")
    html = client.get("/").get_data(as_text=True)
    assert html.count("progress-card") == 2 and "child-switch" in html
    an = _card(html, w.first.student_code)
    assert "Nguyễn Văn An" in an and "Lớp 10A1" in an
    assert "1/2" in an and "Vắng 1 tiết tuần này" in an  # Monday present, Tuesday absent
    assert re.search(r'data-stat="missing"><span[^>]*>1<', an)
    assert re.search(r'data-stat="due"><span[^>]*>1<', an)
    assert "Toán · CK:  <strong>9</strong>" in an.replace("\n", " ") or "Toán · CK: <strong>9" in an
    assert "Toán: <strong>7,9</strong>" in an  # released semester average
    assert "Ngữ văn" not in an  # literature is not released
    assert "Kiểm tra giữa kỳ Toán" in an and "28/11/2026 10:00" in an
    assert "Em làm bài cẩn thận, tiếp tục phát huy." in an
    binh = _card(html, w.second.student_code)
    assert "Lớp 6A1" in binh and "Toán: <strong>8,3</strong>" in binh
    assert "Em làm bài cẩn thận" not in binh and "Trần Văn Cường" not in html


def test_child_page_switches_between_children_and_links_subjects(client, web, make, school):
    w = build(make, school)
    web.login("ph")
    html = client.get(f"/children/{w.first.student_code}").get_data(as_text=True)
    assert f'href="/children/{w.second.student_code}"' in html
    assert f"/children/{w.first.student_code}/subjects/{w.math.id}" in html
    assert f"/api/v1/children/{w.first.student_code}/export" in html
    assert f"/students/{w.first.id}/report-card" in html
    assert 'data-date="2026-11-24"' in html and "att-unexcused" in html
    assert "Tỉ lệ hoàn thành: 50%" in html  # one of the two past-due homework handed in
    assert "Kiểm tra 15 phút" in html and "8,50" in html
    assert "/attempts/" not in html  # the review page is the student's own


def test_subject_chart_has_released_scores_and_class_average_only_for_groups_of_five(
    client, web, make, school
):
    w = build(make, school)
    web.login("ph")
    html = client.get(f"/children/{w.first.student_code}/subjects/{w.math.id}").get_data(
        as_text=True
    )
    chart = _chart(html)
    assert chart["labels"] == ["HK1 · TX1", "HK1 · TX2", "HK1 · GK", "HK1 · CK"]
    assert chart["scores"] == [8.0, 6.5, 7.0, 9.0]
    # TX1: six scores (8, 8, 8, 5, 6, 7) -> 7.0; TX2 has three, GK and CK one: suppressed
    assert chart["class_average"] == [7.0, None, None, None]
    assert "class-average-note" in html and "progress_chart.js" in html
    # TX2 scores are 8, 6.5, 8 (three students): no average of them anywhere on the page
    assert "7,5" not in html and "7.5" not in html


def test_class_average_is_hidden_when_the_school_turns_it_off(client, web, make, school):
    w = build(make, school)
    make.user(school, "admin", username="qt")
    web.login("qt")
    assert (
        web.post_form("/admin/school/family-view", {"shows_class_average": "0"}).status_code == 302
    )
    assert not progress_pages.shows_class_average(school.id)
    web.post_form("/logout")
    web.login("ph")
    html = client.get(f"/children/{w.first.student_code}/subjects/{w.math.id}").get_data(
        as_text=True
    )
    chart = _chart(html)
    assert chart["shows_class_average"] is False and chart["class_average"] == [None] * 4
    assert "class-average-off" in html


def test_class_average_needs_the_semester_released(make, school):
    w = build(make, school)
    assert progress_pages.class_averages(w.math)[(1, "tx1")] == 7
    set_release(w.teacher, w.math.id, 1, False)
    assert progress_pages.class_averages(w.math) == {}


def test_subject_page_of_a_course_outside_the_childs_class_is_not_found(client, web, make, school):
    w = build(make, school)
    web.login("ph")
    url = f"/children/{w.first.student_code}/subjects/{w.small_course.id}"
    assert client.get(url).status_code == 404
    assert client.get(f"/children/{w.first.student_code}?month=2026-13").status_code == 422


def test_student_home_shows_own_card_and_to_do_and_own_progress(client, web, make, school):
    w = build(make, school)
    web.login("hs.an")
    html = client.get("/").get_data(as_text=True)
    assert html.count("progress-card") == 1 and "todo-list" in html
    assert "Bài tập quá hạn" in html and "Bài tập tuần sau" in html
    assert "Bài tập đã chấm</a>" not in html  # returned work is not a to-do
    page = client.get(f"/me/progress/subjects/{w.math.id}").get_data(as_text=True)
    assert _chart(page)["scores"] == [8.0, 6.5, 7.0, 9.0]
    mine = client.get("/me/progress").get_data(as_text=True)
    assert "/attempts/1/review" in mine  # their own review page
    assert client.get(f"/children/{w.first.student_code}").status_code == 403


def test_report_card_prints_released_scores_for_family_and_all_for_staff(client, web, make, school):
    w = build(make, school)
    web.login("ph")
    html = client.get(f"/students/{w.first.id}/report-card?period=1").get_data(as_text=True)
    assert "PHIẾU KẾT QUẢ HỌC TẬP" in html and "Nguyễn Văn An" in html
    assert "7,9" in html and "Chưa công bố" in html  # Ngữ văn is not released
    assert "vắng không phép 1 tiết" in html and "report_card.css" in html
    assert client.get(f"/students/{w.first.id}/report-card?period=5").status_code == 422
    web.post_form("/logout")
    web.login("gvcn")
    staff = client.get(f"/students/{w.first.id}/report-card?period=1").get_data(as_text=True)
    assert "Chưa công bố" not in staff and 'data-subject="Ngữ văn"' in staff
    year = client.get(f"/students/{w.first.id}/report-card?period=year").get_data(as_text=True)
    assert "Cả năm" in year
    make.user(school, "admin", username="qt")
    web.post_form("/logout")
    web.login("qt")
    admin = client.get(f"/students/{w.first.id}/report-card?period=2")
    assert admin.status_code == 200 and "Học kỳ II" in admin.get_data(as_text=True)


def test_homeroom_overview_flags_who_falls_behind_and_links_messages(client, web, make, school):
    w = build(make, school)
    second = make.assignment(
        w.math,
        "Bài tập thứ hai quá hạn",
        opens_at=w.exam.opens_at.replace(day=20),
        due_at=w.exam.opens_at.replace(day=24),
    )
    calm = w.classmates[0]
    for assignment in db.session.scalars(select(Assignment).where(Assignment.id != second.id)):
        db.session.add(
            Submission(
                school_id=school.id,
                assignment_id=assignment.id,
                student_id=calm.id,
                submitted_at=assignment.opens_at,
            )
        )
    db.session.commit()
    web.login("gvcn")
    assert f"/homeroom/classes/{w.math.class_id}" in client.get("/homeroom").get_data(as_text=True)
    html = client.get(f"/homeroom/classes/{w.math.class_id}?semester=1").get_data(as_text=True)
    assert "thresholds" in html and "dưới 5,0" in html
    row = html[html.index(f'data-student="{w.first.student_code}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-behind="yes"' in row  # two past-due homework missing
    assert f'href="/messages/new?student={w.first.id}"' in row
    assert 'action="/messages/new"' in html and 'name="student"' in html
    calm_row = html[html.index(f'data-student="{calm.student_code}"') :]
    assert calm_row.index('data-behind="no"') < calm_row.index(
        "</tr>"
    )  # one missing: under the threshold
    web.post_form("/logout")
    web.login(w.teacher.username)  # a subject teacher, not the homeroom teacher
    assert client.get(f"/homeroom/classes/{w.math.class_id}").status_code == 403


def test_homeroom_overview_lists_a_low_average(make, school):
    from app.services.homeroom import class_overview

    w = build(make, school)
    make.scores(w.math, w.other, 1, ["3", "4"], "4", "4")
    overview = class_overview(w.homeroom, w.math.class_id, "1")
    (standing,) = [s for s in overview.students if s.student.id == w.other.id]
    assert standing.low_subjects and standing.low_subjects[0][0] == "Toán"
    assert "average" in standing.reasons
    behind = [s.is_behind for s in overview.students]
    assert behind == sorted(behind, reverse=True)  # those falling behind come first
    (first,) = [s for s in overview.students if s.student.id == w.first.id]
    assert first.absences == 1 and first.unexcused == 1
    db.session.rollback()


def test_report_card_rates_learning_once_six_subjects_have_averages(client, web, make, school):
    w = build(make, school)
    klass = w.math.school_class
    for subject in ("Vật lí", "Hoá học", "Sinh học", "Lịch sử", "Địa lí"):
        course = make.course(school, klass, w.teacher, subject)
        make.scores(course, w.first, 1, ["9", "9"], "8", "9")
        set_release(w.teacher, course.id, 1, True)
    web.login("ph")
    before = client.get(f"/students/{w.first.id}/report-card?period=1").get_data(as_text=True)
    assert "learning-rating" not in before  # Ngữ văn is not released: no rating yet
    make.scores(w.literature, w.first, 1, ["9", "8"], "8", "8")
    set_release(w.teacher, w.literature.id, 1, True)
    html = client.get(f"/students/{w.first.id}/report-card?period=1").get_data(as_text=True)
    # Toán 7.9, Ngữ văn 8.1, five subjects 8.7: every one >= 6.5, six >= 8.0 -> Tốt
    assert re.search(r'id="learning-rating">[^<]*<strong>Tốt</strong>', html)


def test_homeroom_overview_refuses_a_bad_semester_and_an_unknown_class(client, web, make, school):
    w = build(make, school)
    web.login("gvcn")
    assert client.get(f"/homeroom/classes/{w.math.class_id}?semester=7").status_code == 422
    assert client.get("/homeroom/classes/99999").status_code == 404


def test_progress_pages_render_in_english(client, web, make, school):
    w = build(make, school)
    web.login("ph")
    web.post_form("/language", {"language": "en"})
    html = client.get(f"/children/{w.first.student_code}").get_data(as_text=True)
    assert "Completion rate: 50%" in html and "Test history" in html
    card = client.get(f"/students/{w.first.id}/report-card").get_data(as_text=True)
    assert "PROGRESS REPORT" in card and "unexcused absence 1 lessons" in card


def test_homes_without_children_or_class_still_render(client, web, make, school):
    make.user(school, "parent", username="ph.moi")
    make.user(school, "student", username="hs.moi", student_code="HS900")
    web.login("ph.moi")
    assert "Chưa liên kết với học sinh nào" in client.get("/").get_data(as_text=True)
    web.post_form("/logout")
    web.login("hs.moi")
    html = client.get("/").get_data(as_text=True)
    assert "progress-card" in html and "0/0" in html
    assert client.get("/me/progress").status_code == 200
