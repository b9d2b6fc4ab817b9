"""SCORM run-time: launching a SCO (attempts, per-launch tokens) and storing its commits.

A launch token is the only credential the package's content origin sees: it names one
attempt (one student x SCO x package version) and one launch session, is signed with the
app's key and expires. Commits are checked by scorm_import.validate_commit; invalid values
are refused with their SCORM error code and not stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from app.core.clock import now_utc
from app.core.errors import Conflict, NotAuthenticated, NotFound
from app.extensions import db
from app.models import ScormAttempt, ScormItem, ScormPackage, ScormPackageVersion, User
from app.services.elearning import get_package
from app.services.scorm_cmi_init import initial_cmi
from app.services.scorm_commit import apply_commit

TOKEN_HOURS = 12


@dataclass
class Launch:
    """What the player page needs: the version played, its items, the current one, a token."""

    package: ScormPackage
    version: ScormPackageVersion
    items: list[ScormItem]
    item: ScormItem
    attempt: ScormAttempt
    token: str
    previous_id: int | None
    next_id: int | None
    status: dict[int, str]
    choosable: set[int]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="scorm-launch")


def _attempts(student_id: int, package_id: int) -> list[ScormAttempt]:
    return list(
        db.session.scalars(
            select(ScormAttempt)
            .where(ScormAttempt.student_id == student_id, ScormAttempt.package_id == package_id)
            .order_by(ScormAttempt.id)
        )
    )


def _version_to_play(package: ScormPackage, attempts: list[ScormAttempt]) -> ScormPackageVersion:
    """The current version, unless the student is part-way through an older one."""
    if attempts and attempts[-1].version_id != package.current.id:
        old = [a for a in attempts if a.version_id == attempts[-1].version_id]
        if any(not a.is_finished for a in old):
            return attempts[-1].version
    return package.current


def launch(actor: User, package_id: object, item_id: object, parent_origin: str) -> Launch:
    """Open (or resume) the actor's attempt at an item and issue a launch token. Commits.

    Raises NotFound (package or item not visible), Conflict (attempt limit reached)."""
    package = get_package(actor, package_id)
    attempts = _attempts(actor.id, package.id)
    version = _version_to_play(package, attempts)
    items = list(version.items)
    launchable = [i for i in items if i.launch_url]
    item = _pick_item(launchable, attempts, item_id)
    mine = [a for a in attempts if a.item_id == item.id]
    attempt = mine[-1] if mine else None
    if attempt is None or attempt.is_finished:
        if item.attempt_limit and len(mine) >= item.attempt_limit:
            raise Conflict(
                _(
                    "Bạn đã dùng hết %(n)s lượt học của mục “%(t)s”.",
                    n=item.attempt_limit,
                    t=item.title,
                ),
                code="attempt_limit",
            )
        attempt = ScormAttempt(
            school_id=package.school_id,
            package_id=package.id,
            version_id=version.id,
            item_id=item.id,
            student_id=actor.id,
            number=len(mine) + 1,
            cmi={},
            notes=[],
        )
        db.session.add(attempt)
    attempt.session_key = uuid.uuid4().hex
    # A new session: the last one's session_time is already in total_seconds.
    attempt.cmi = {k: v for k, v in (attempt.cmi or {}).items() if not k.endswith("session_time")}
    attempt.prior_seconds = attempt.total_seconds
    attempt.last_access_at = now_utc()
    if not item.is_sco:
        # An asset cannot talk to the API: launching it completes it (SCORM CAM 3.4.1.3).
        attempt.completion, attempt.is_finished = "completed", True
    db.session.flush()
    token = _serializer().dumps(
        {"a": attempt.id, "u": actor.id, "s": attempt.session_key, "o": parent_origin}
    )
    status = _item_status(attempts, attempt)
    db.session.commit()
    index = launchable.index(item)
    nav = version.navigation or {}
    return Launch(
        package=package,
        version=version,
        items=items,
        item=item,
        attempt=attempt,
        token=token,
        previous_id=(
            launchable[index - 1].id if index > 0 and not nav.get("forward_only") else None
        ),
        next_id=launchable[index + 1].id if index + 1 < len(launchable) else None,
        status=status,
        choosable=_choosable(items, nav),
    )


def _choosable(items: list[ScormItem], nav: dict) -> set[int]:
    """Launchable items the table of contents may link to: choice is on for the organisation
    and for every enclosing cluster (controlMode choice, SCORM 2004 SN 3.2)."""
    if not nav.get("choice", True):
        return set()
    closed = set(nav.get("no_choice") or ())
    stack: list[bool] = []  # per depth: is choice closed by this ancestor or one above
    found: set[int] = set()
    for item in items:
        del stack[item.depth :]
        blocked = bool(stack and stack[-1])
        if item.launch_url and not blocked:
            found.add(item.id)
        stack.append(blocked or item.identifier in closed)
    return found


def _pick_item(launchable: list[ScormItem], attempts, item_id: object) -> ScormItem:
    if not launchable:
        raise NotFound(_("Gói SCORM không có mục nào để mở."))
    if item_id not in (None, ""):
        for item in launchable:
            if str(item.id) == str(item_id):
                return item
        raise NotFound(_("Không tìm thấy mục này trong gói SCORM."))
    done = {a.item_id for a in attempts if a.completion == "completed"}
    return next((i for i in launchable if i.id not in done), launchable[0])


def _item_status(attempts: list[ScormAttempt], current: ScormAttempt) -> dict[int, str]:
    latest: dict[int, ScormAttempt] = {}
    for attempt in [*attempts, current]:
        latest[attempt.item_id] = attempt
    return {item_id: a.completion for item_id, a in latest.items()}


@dataclass
class Session:
    """A resolved launch token."""

    attempt: ScormAttempt
    session_key: str
    parent_origin: str


def resolve(token: str) -> Session:
    """The attempt a launch token names; raises NotAuthenticated when forged or expired."""
    try:
        data = _serializer().loads(token or "", max_age=TOKEN_HOURS * 3600)
        attempt = db.session.get(ScormAttempt, int(data["a"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        attempt, data = None, {}
    if attempt is None or attempt.student_id != data.get("u"):
        raise NotAuthenticated(_("Phiên học SCORM không hợp lệ hoặc đã hết hạn; hãy mở lại bài."))
    return Session(attempt=attempt, session_key=str(data["s"]), parent_origin=str(data["o"]))


def runtime_config(token: str) -> dict:
    """What the content-origin wrapper gives scorm-again: version, launch URL, stored CMI."""
    session = resolve(token)
    attempt = session.attempt
    student = db.session.get(User, attempt.student_id)
    return {
        "version": attempt.version.scorm_version,
        "launch_url": attempt.item.launch_url,
        "cmi": initial_cmi(attempt, student),
    }


def commit(token: str, values: object, *, terminated: bool = False) -> dict:
    """Store one commit from the player for the token's attempt (one transaction).

    Returns the scorm-again response {"result", "errorCode", "rejected"}; a value that fails
    the data model is not stored and its SCORM code is returned. Raises NotAuthenticated."""
    session = resolve(token)
    if not isinstance(values, dict):
        return {"result": False, "errorCode": 101, "rejected": {}}
    outcome = apply_commit(session.attempt, values, terminated)
    db.session.commit()
    return outcome
