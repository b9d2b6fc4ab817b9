"""Live room pages: start from the course page, room views, attendance sheet, log, slides."""

from __future__ import annotations

import io

from app.extensions import db
from app.models import LiveAttendance, LiveSession
from app.services import live, live_presence

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_teacher_starts_from_the_course_page_and_a_student_joins(web, other_browser, make, school):
    course, teacher, students = make.gradebook_course(school, students=2)
    web.login(teacher.username)
    page = web.client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert 'id="live-start"' in page
    response = web.post_form(f"/live/course/{course.id}/start", token_page=f"/courses/{course.id}")
    assert response.status_code == 303
    session = db.session.query(LiveSession).one()
    assert response.headers["Location"].endswith(f"/live/{session.id}")
    room = web.client.get(f"/live/{session.id}")
    html = room.get_data(as_text=True)
    assert room.status_code == 200 and 'data-teacher="true"' in html and 'id="end-session"' in html
    assert "socket.io.min.js" in html and "js/live.js" in html

    other_browser.login(students[0].username)
    page = other_browser.client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert 'id="live-join"' in page and 'id="live-start"' not in page
    html = other_browser.client.get(f"/live/{session.id}").get_data(as_text=True)
    assert 'data-teacher="false"' in html and 'id="end-session"' not in html


def test_room_of_another_school_is_not_found(web, make, school):
    course, teacher, _students = make.gradebook_course(school, students=1)
    session = live.start_session(teacher, course.id)
    other = make.school("THPT2", "Trường khác")
    make.user(other, "teacher", username="gv.khac")
    web.login("gv.khac")
    assert web.client.get(f"/live/{session.id}").status_code == 404


def test_end_then_confirm_the_sheet_with_an_edited_status(web, make, school):
    course, teacher, students = make.gradebook_course(school, students=2)
    session = live.start_session(teacher, course.id)
    live_presence.join(session, students[0].id)
    web.login(teacher.username)
    response = web.post_form(f"/live/{session.id}/end", token_page=f"/live/{session.id}")
    assert response.status_code == 303
    sheet = web.client.get(f"/live/{session.id}/attendance").get_data(as_text=True)
    assert 'id="confirm-attendance"' in sheet
    web.post_form(
        f"/live/{session.id}/attendance",
        {f"status-{students[0].id}": "present", f"status-{students[1].id}": "late"},
        token_page=f"/live/{session.id}/attendance",
    )
    saved = {a.student_id: a.status for a in db.session.query(LiveAttendance)}
    assert saved == {students[0].id: "present", students[1].id: "late"}
    csv = web.client.get(f"/live/{session.id}/log.csv")
    text = csv.get_data(as_text=True)
    assert csv.mimetype == "text/csv" and "attendance_confirmed" in text and "join" in text


def test_slides_accept_images_and_pdfs_only(web, make, school):
    course, teacher, _students = make.gradebook_course(school, students=1)
    session = live.start_session(teacher, course.id)
    web.login(teacher.username)
    token = web.csrf(f"/live/{session.id}")
    bad = web.client.post(
        f"/live/{session.id}/slides",
        data={"file": (io.BytesIO(b"PK\x03\x04 x"), "a.docx"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "not_an_image"
    broken = web.client.post(
        f"/live/{session.id}/slides",
        data={"file": (io.BytesIO(b"%PDF-1.4 x"), "a.pdf"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert broken.status_code == 422 and broken.get_json()["error"]["code"] == "bad_pdf"
    ok = web.client.post(
        f"/live/{session.id}/slides",
        data={"file": (io.BytesIO(PNG), "trang1.png"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 201
    slide_id = ok.get_json()["slides"][0]["id"]
    image = web.client.get(f"/live/slides/{slide_id}")
    assert image.status_code == 200 and image.data == PNG and image.mimetype == "image/png"


def test_school_video_setting_embeds_jitsi_and_opens_the_frame_source(
    web, other_browser, make, school
):
    course, teacher, students = make.gradebook_course(school, students=1)
    make.user(school, "admin", username="qt")
    web.login("qt")
    bad = web.post_form(
        "/live/settings",
        {"video_provider": "jitsi", "video_base_url": "http://x"},
        token_page="/live/settings",
    )
    assert bad.status_code == 303
    assert live.settings_for(school.id).video_provider == "none"
    web.post_form(
        "/live/settings",
        {
            "video_provider": "jitsi",
            "video_base_url": "https://meet.truong.edu.vn",
            "keeps_chat_log": "on",
        },
        token_page="/live/settings",
    )
    session = live.start_session(teacher, course.id)
    other_browser.login(students[0].username)
    room = other_browser.client.get(f"/live/{session.id}")
    html = room.get_data(as_text=True)
    assert 'src="https://meet.truong.edu.vn/lophoc-' in html
    assert "frame-src 'self' https://meet.truong.edu.vn" in room.headers["Content-Security-Policy"]
