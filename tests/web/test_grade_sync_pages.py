"""The admin's push sync page: counts by state, failures with why, replay one or all."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import GradePush
from app.services.gradebook import record_score


def _failed_pushes(app, make, school, monkeypatch, count=2):
    monkeypatch.setitem(app.config, "SIS_PUSH_URL", "http://127.0.0.1:9/khong-co")
    course, teacher, pupils = make.gradebook_course(school)
    for pupil in pupils[:count]:
        record_score(teacher, course.id, pupil.id, "tx1", "8", semester=1)
    for push in db.session.scalars(select(GradePush)):
        push.state, push.attempts, push.last_error = "failed", 25, "HTTP 400 Bad Request"
    db.session.commit()


def test_admin_sees_failures_with_the_reason_and_replays_one_then_all(
    app, client, web, make, school, monkeypatch
):
    _failed_pushes(app, make, school, monkeypatch)
    make.user(school, "admin", username="ad")
    web.login("ad")
    assert 'id="sync-link"' in client.get("/gradebook/admin").get_data(as_text=True)
    page = client.get("/gradebook/admin/sync").get_data(as_text=True)
    assert "HTTP 400 Bad Request" in page and "HS001" in page and "HS002" in page
    assert "Lỗi: 2" in page and "Đang chờ: 0" in page
    first = db.session.scalars(select(GradePush).order_by(GradePush.id)).first()
    web.post_form(
        "/gradebook/admin/sync/replay",
        {"push_id": str(first.id)},
        token_page="/gradebook/admin/sync",
    )
    db.session.expire_all()
    assert sorted(p.state for p in db.session.scalars(select(GradePush))) == [
        "failed",
        "pending",
    ]
    response = web.post_form("/gradebook/admin/sync/replay", {}, token_page="/gradebook/admin/sync")
    assert response.status_code == 302
    db.session.expire_all()
    assert [p.state for p in db.session.scalars(select(GradePush))] == ["pending", "pending"]
    assert "Đang chờ: 2" in client.get("/gradebook/admin/sync").get_data(as_text=True)


def test_a_teacher_cannot_open_or_replay_the_sync_page(app, client, web, make, school, monkeypatch):
    _failed_pushes(app, make, school, monkeypatch, count=1)
    make.user(school, "teacher", username="gv2")
    web.login("gv2")
    assert client.get("/gradebook/admin/sync").status_code == 403
    response = web.post_form("/gradebook/admin/sync/replay", {})
    assert response.status_code == 403
    assert db.session.scalar(select(GradePush.state)) == "failed"


def test_the_page_says_when_push_is_not_configured(client, web, make, school):
    make.user(school, "admin", username="ad")
    web.login("ad")
    page = client.get("/gradebook/admin/sync").get_data(as_text=True)
    assert "Chưa đặt SIS_PUSH_URL" in page
