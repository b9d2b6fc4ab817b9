"""The worker's built-in steps (the mail outbox and homework notices run in `lophoc worker`'s
own step(), app/cli_mail.py): grade push and closing expired exam attempts."""

from __future__ import annotations

from app.services import jobs


def _push_configured() -> bool:
    from app.services.grade_push import push_url

    return bool(push_url())


@jobs.step("grade_push", every=5, enabled=_push_configured)
def grade_push() -> dict:
    """`lophoc sync run --once`: deliver due grade pushes to SIS_PUSH_URL."""
    from app.services.grade_push_delivery import deliver_pending

    return deliver_pending().as_dict()


@jobs.step("exams_close_expired", every=30)
def exams_close_expired() -> dict:
    """`lophoc exams close-expired`: submit attempts whose time ran out."""
    from app.services.exam_attempts import close_expired

    return {"closed": close_expired()}
