"""People of a school: creating users, linking parents, listing and finding them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.pagination import Page, paginate
from app.core.security import hash_password, password_problem
from app.core.text import clean_line, like_pattern
from app.extensions import db
from app.models import ParentLink, Role, School, User
from app.services import audit
from app.services.access import acting_school_id, get_scoped, require_school_admin
from app.services.identity import normalise_username, search_text_for
from app.services.school import current_year, find_class, put_in_class


@dataclass
class NewUser:
    """What is needed to create a person; optional fields may stay empty."""

    username: str
    full_name: str
    role: str
    password: str | None = None
    student_code: str | None = None
    email: str | None = None
    phone: str | None = None
    date_of_birth: date | None = None
    gender: str | None = None
    class_name: str | None = None
    child_codes: list[str] = field(default_factory=list)


def _check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationFailed(_("Vai trò “%(r)s” không hợp lệ.", r=role)) from None


def add_user(actor: User | None, school: School | None, data: NewUser) -> User:
    """Create one user (flush only; the caller commits). Raises ValidationFailed, Conflict."""
    role = _check_role(data.role)
    if (role == Role.SYSTEM_ADMIN) != (school is None):
        raise ValidationFailed(
            _("Quản trị hệ thống không thuộc trường; các vai trò khác phải thuộc một trường.")
        )
    username = normalise_username(data.username)
    full_name = clean_line(data.full_name)
    if not full_name:
        raise ValidationFailed(_("Thiếu họ và tên."))
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(_("Tên đăng nhập “%(u)s” đã có người dùng.", u=username))
    code = clean_line(data.student_code) or None
    if role == Role.STUDENT and not code:
        raise ValidationFailed(_("Học sinh phải có mã học sinh."))
    if code and db.session.scalar(
        select(User.id).where(User.school_id == school.id, User.student_code == code)
    ):
        raise Conflict(_("Mã học sinh “%(c)s” đã tồn tại trong trường.", c=code))
    if data.password is not None and (problem := password_problem(data.password, data.username)):
        raise ValidationFailed(problem)
    user = User(
        school_id=school.id if school else None,
        username=username,
        full_name=full_name,
        role=str(role),
        student_code=code if role == Role.STUDENT else None,
        email=clean_line(data.email) or None,
        phone=clean_line(data.phone) or None,
        date_of_birth=data.date_of_birth,
        gender=data.gender,
        password_hash=hash_password(data.password) if data.password else None,
    )
    user.search_text = search_text_for(user)
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor,
        "user.create",
        user,
        {"role": [None, user.role], "username": [None, username]},
        school_id=user.school_id,
    )
    return user


def link_parent(actor: User | None, parent: User, student: User, label: str = "") -> ParentLink:
    """Link a parent to a child of the same school (idempotent; flush only)."""
    if parent.role != Role.PARENT or student.role != Role.STUDENT:
        raise ValidationFailed(_("Chỉ liên kết được phụ huynh với học sinh."))
    if parent.school_id != student.school_id:
        raise ValidationFailed(_("Phụ huynh và học sinh phải cùng một trường."))
    link = db.session.scalar(
        select(ParentLink).where(
            ParentLink.parent_id == parent.id, ParentLink.student_id == student.id
        )
    )
    if link is None:
        link = ParentLink(
            school_id=student.school_id,
            parent_id=parent.id,
            student_id=student.id,
            relationship_label=clean_line(label)[:40],
        )
        db.session.add(link)
        db.session.flush()
        audit.record(actor, "parent_link.create", link, {"student_id": [None, student.id]})
    return link


def student_by_code(school_id: int, code: str) -> User:
    """The student with this code in the school; raises NotFound."""
    student = db.session.scalar(
        select(User).where(
            User.school_id == school_id,
            User.student_code == clean_line(code),
            User.role == Role.STUDENT,
        )
    )
    if student is None:
        raise NotFound(_("Không có học sinh mã “%(c)s” trong trường.", c=code))
    return student


def children_of(parent: User) -> list[User]:
    """The parent's linked children, by name."""
    stmt = (
        select(User)
        .join(ParentLink, ParentLink.student_id == User.id)
        .where(ParentLink.parent_id == parent.id)
        .order_by(User.full_name)
    )
    return list(db.session.scalars(stmt))


def list_users(
    actor: User,
    *,
    query: str = "",
    role: str | None = None,
    is_active: bool | None = None,
    page: int = 1,
    per_page: int = 50,
    school_id: int | None = None,
) -> Page:
    """People of the actor's school, filtered; search ignores accents ("dung" finds "Dũng")."""
    require_school_admin(actor)
    stmt = select(User).where(User.school_id == acting_school_id(actor, school_id))
    if query:
        stmt = stmt.where(User.search_text.like(like_pattern(query), escape="\\"))
    if role:
        stmt = stmt.where(User.role == str(_check_role(role)))
    if is_active is not None:
        stmt = stmt.where(User.is_active == is_active)
    return paginate(db.session, stmt.order_by(User.full_name, User.id), page, per_page)


def create_user(actor: User, data: NewUser, school_id: int | None = None) -> User:
    """An admin creates a person in their school (one transaction, audited)."""
    require_school_admin(actor)
    if data.role in (Role.SYSTEM_ADMIN, "system_admin"):
        raise ValidationFailed(_("Không thể tạo quản trị hệ thống từ đây."))
    school = db.session.get(School, acting_school_id(actor, school_id))
    user = add_user(actor, school, data)
    _apply_class_and_children(actor, school, user, data)
    db.session.commit()
    return user


def _apply_class_and_children(
    actor: User | None, school: School, user: User, data: NewUser
) -> None:
    if data.class_name:
        school_class = find_class(school.id, current_year(school).id, data.class_name)
        put_in_class(actor, user, school_class)
    for code in data.child_codes:
        link_parent(actor, user, student_by_code(school.id, code))


def create_user_cli(school: School | None, data: NewUser) -> User:
    """`lophoc create-user`: create a person without a signed-in actor (one transaction)."""
    user = add_user(None, school, data)
    if school is not None:
        _apply_class_and_children(None, school, user, data)
    db.session.commit()
    return user


EDITABLE = ("full_name", "email", "phone", "date_of_birth", "gender", "student_code", "role")


def update_user(actor: User, user_id: int, fields: dict) -> User:
    """An admin edits a person's details or role (one transaction, every change audited).

    Raises ValidationFailed for bad values, Conflict for a student code already in use,
    NotFound for a person of another school."""
    require_school_admin(actor)
    user = get_scoped(User, user_id, actor)
    clean = {k: v for k, v in fields.items() if k in EDITABLE}
    if "full_name" in clean:
        clean["full_name"] = clean_line(clean["full_name"])
        if not clean["full_name"]:
            raise ValidationFailed(_("Thiếu họ và tên."))
    for key in ("email", "phone", "student_code"):
        if key in clean:
            clean[key] = clean_line(clean[key]) or None
    role = str(_check_role(clean.get("role", user.role)))
    if role != user.role and (user.id == actor.id or role == Role.SYSTEM_ADMIN):
        raise ValidationFailed(_("Không thể đổi vai trò này."))
    clean["role"] = role
    if role != Role.STUDENT:
        clean["student_code"] = None
    elif not clean.get("student_code", user.student_code):
        raise ValidationFailed(_("Học sinh phải có mã học sinh."))
    code = clean.get("student_code")
    if (
        code
        and code != user.student_code
        and db.session.scalar(
            select(User.id).where(User.school_id == user.school_id, User.student_code == code)
        )
    ):
        raise Conflict(_("Mã học sinh “%(c)s” đã tồn tại trong trường.", c=code))
    changes = audit.diff(user, clean)
    if changes:
        user.search_text = search_text_for(user)
        if "role" in changes:
            user.session_version += 1  # new rights start with a new sign-in
        audit.record(
            actor, "user.role_change" if "role" in changes else "user.update", user, changes
        )
    db.session.commit()
    return user
