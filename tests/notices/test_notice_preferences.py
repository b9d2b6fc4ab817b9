"""Notice preferences on the one settings page: a parent chooses e-mail per kind
(announcements, homework, scores, attendance, messages, weekly digest); in-app always."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, OutboxMail
from app.services import announcements, notifications


def test_parent_settings_list_family_kinds_and_turning_one_off_keeps_in_app(world, web):
    web.login("me")
    page = web.client.get("/notifications/settings").get_data(as_text=True)
    for kind in (
        "announcement",
        "homework_new",
        "scores_released",
        "attendance",
        "message",
        "weekly_digest",
    ):
        assert f'value="{kind}" id="email-{kind}" checked' in page
    assert "material_review" not in page  # a teacher's kind
    kept = [
        "homework_new",
        "homework_due",
        "feedback",
        "scores_released",
        "attendance",
        "message",
        "weekly_digest",
    ]
    web.post_form("/notifications/settings", {"email": kept})
    assert 'value="announcement" id="email-announcement">' in web.client.get(
        "/notifications/settings"
    ).get_data(as_text=True)
    announcements.create(
        world.lan,
        title="Dã ngoại",
        body_html="<p>Thứ sáu</p>",
        target_kind="course",
        target_id=world.course.id,
    )
    assert db.session.scalar(select(Notification).where(Notification.user_id == world.me.id))
    assert db.session.scalar(select(OutboxMail).where(OutboxMail.to_address == "me@nha.vn")) is None
    assert db.session.scalar(select(OutboxMail).where(OutboxMail.to_address == "an@hs.vn"))


def test_saving_a_teachers_page_leaves_kinds_of_other_roles_alone(world):
    notifications.set_preferences(world.lan, set())
    kinds = {p["kind"] for p in notifications.preferences(world.lan)}
    assert "material_review" in kinds and "weekly_digest" not in kinds
    assert notifications.is_email_enabled(world.lan, "weekly_digest")
    assert not notifications.is_email_enabled(world.lan, "message")
