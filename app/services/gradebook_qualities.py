"""Primary qualities and competences (Thông tư 27/2020, Điều 6-7): per student and semester,
each of the 5 qualities (phẩm chất) and 10 competences (năng lực) rated Tốt / Đạt / Cần cố
gắng by the homeroom teacher; read by the class page and the `tt27` export layout."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import Forbidden, ValidationFailed
from app.core.text import fold
from app.extensions import db
from app.models import PrimaryQualityRating, SchoolClass, User
from app.services import audit
from app.services.access import get_scoped
from app.services.gradebook import is_locked
from app.services.gradebook_values import parse_semester
from app.services.school import class_students

# (code, label, group), in the order of the circular and of the school's record book.
ITEMS: tuple[tuple[str, str, str], ...] = (
    ("yeu_nuoc", "Yêu nước", "Phẩm chất"),
    ("nhan_ai", "Nhân ái", "Phẩm chất"),
    ("cham_chi", "Chăm chỉ", "Phẩm chất"),
    ("trung_thuc", "Trung thực", "Phẩm chất"),
    ("trach_nhiem", "Trách nhiệm", "Phẩm chất"),
    ("tu_chu", "Tự chủ và tự học", "Năng lực chung"),
    ("giao_tiep", "Giao tiếp và hợp tác", "Năng lực chung"),
    ("gqvd", "Giải quyết vấn đề và sáng tạo", "Năng lực chung"),
    ("ngon_ngu", "Ngôn ngữ", "Năng lực đặc thù"),
    ("tinh_toan", "Tính toán", "Năng lực đặc thù"),
    ("khoa_hoc", "Khoa học", "Năng lực đặc thù"),
    ("cong_nghe", "Công nghệ", "Năng lực đặc thù"),
    ("tin_hoc", "Tin học", "Năng lực đặc thù"),
    ("tham_mi", "Thẩm mĩ", "Năng lực đặc thù"),
    ("the_chat", "Thể chất", "Năng lực đặc thù"),
)
ITEM_CODES = tuple(code for code, _label, _group in ITEMS)
LEVELS = {"T": "Tốt", "D": "Đạt", "C": "Cần cố gắng"}
_TYPED = {"t": "T", "tot": "T", "d": "D", "dat": "D", "c": "C", "can co gang": "C", "ccg": "C"}


@dataclass
class QualitySheet:
    """A primary class's qualities and competences for one semester."""

    school_class: SchoolClass
    semester: int
    is_locked: bool
    students: list[User]
    values: dict[tuple[int, str], str]  # (student id, item code) -> T / D / C


def parse_level(raw: object) -> str | None:
    """ "T", "Tốt", "Đ", "Đạt", "C", "Cần cố gắng" -> T / D / C; blank -> None.
    Raises ValidationFailed."""
    text = fold(str(raw or "")).replace("đ", "d").strip()
    if not text:
        return None
    level = _TYPED.get(text)
    if level is None:
        raise ValidationFailed(
            _("Nhập T (Tốt), Đ (Đạt) hoặc C (Cần cố gắng), không phải “%(t)s”.", t=raw)
        )
    return level


def _primary_class(actor: User, class_id: object) -> SchoolClass:
    school_class = get_scoped(SchoolClass, class_id, actor)
    if not (actor.is_admin or school_class.homeroom_teacher_id == actor.id):
        raise Forbidden(
            _("Chỉ giáo viên chủ nhiệm hoặc quản trị trường ghi được phẩm chất, năng lực.")
        )
    if not 1 <= school_class.grade <= 5:
        raise ValidationFailed(
            _(
                "Lớp %(c)s không phải lớp tiểu học: phẩm chất, năng lực theo Thông tư 27 chỉ "
                "dành cho lớp 1-5.",
                c=school_class.name,
            )
        )
    return school_class


def class_qualities(actor: User, class_id: object, semester: object) -> QualitySheet:
    """The sheet of a primary class (homeroom teacher, admins). Raises NotFound, Forbidden,
    ValidationFailed (not a primary class, bad semester)."""
    school_class = _primary_class(actor, class_id)
    number = parse_semester(semester)
    students = class_students(school_class)
    return QualitySheet(
        school_class,
        number,
        is_locked(school_class.school_year_id, number),
        students,
        ratings_of([s.id for s in students], school_class.school_year_id, number),
    )


def ratings_of(student_ids: list[int], year_id: int, semester: int) -> dict[tuple[int, str], str]:
    if not student_ids:
        return {}
    stmt = select(
        PrimaryQualityRating.student_id, PrimaryQualityRating.item, PrimaryQualityRating.rating
    ).where(
        PrimaryQualityRating.student_id.in_(student_ids),
        PrimaryQualityRating.school_year_id == year_id,
        PrimaryQualityRating.semester == semester,
    )
    return {(sid, item): rating for sid, item, rating in db.session.execute(stmt)}


def save_qualities(
    actor: User,
    class_id: object,
    semester: object,
    typed: dict[tuple[int, str], object],
    reason: str = "",
) -> int:
    """Save a class's sheet: {(student id, item code): typed level or blank}. All or nothing:
    every value is checked first (unknown student or item, a level other than T/Đ/C, a
    locked semester without a reason) and the errors are listed in ValidationFailed.details.
    Each change is in the audit log. Returns how many cells changed; one commit."""
    sheet = class_qualities(actor, class_id, semester)
    students = {s.id: s for s in sheet.students}
    errors, wanted = [], {}
    for (student_id, item), raw in typed.items():
        student = students.get(student_id)
        if student is None or item not in ITEM_CODES:
            errors.append(
                {"message": _("Ô không thuộc lớp này: %(s)s / %(i)s.", s=student_id, i=item)}
            )
            continue
        try:
            wanted[(student_id, item)] = parse_level(raw)
        except ValidationFailed as exc:
            label = {c: lbl for c, lbl, _g in ITEMS}[item]
            errors.append({"message": f"{student.full_name}, {label}: {exc.message}"})
    changed = {k: v for k, v in wanted.items() if sheet.values.get(k) != v}
    if changed and sheet.is_locked and not reason.strip():
        errors.append(
            {"message": _("Học kỳ %(s)s đã khoá sổ: hãy ghi lý do sửa.", s=sheet.semester)}
        )
    if errors:
        raise ValidationFailed(errors[0]["message"], details={"errors": errors})
    rows = {
        (row.student_id, row.item): row
        for row in db.session.scalars(
            select(PrimaryQualityRating).where(
                PrimaryQualityRating.student_id.in_(list(students)),
                PrimaryQualityRating.school_year_id == sheet.school_class.school_year_id,
                PrimaryQualityRating.semester == sheet.semester,
            )
        )
    }
    for (student_id, item), level in changed.items():
        row = rows.get((student_id, item))
        old = row.rating if row is not None else None
        if level is None:
            db.session.delete(row)
        elif row is None:
            row = PrimaryQualityRating(
                school_id=sheet.school_class.school_id,
                student_id=student_id,
                school_year_id=sheet.school_class.school_year_id,
                semester=sheet.semester,
                item=item,
                rating=level,
                updated_by_id=actor.id,
            )
            db.session.add(row)
        else:
            row.rating, row.updated_by_id = level, actor.id
        audit.record(
            actor,
            "gradebook.quality",
            students[student_id],
            {
                "item": [item, item],
                "semester": [sheet.semester, sheet.semester],
                "value": [old, level],
            },
            reason=reason.strip(),
        )
    db.session.commit()
    return len(changed)
