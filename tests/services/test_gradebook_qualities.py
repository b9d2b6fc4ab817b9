"""Thông tư 27 qualities and competences: the homeroom teacher rates each student per
semester (T / Đ / C), all or nothing, audited, locked semesters need a reason; exported."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.core.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.models import AuditLog, PrimaryQualityRating
from app.services import exports
from app.services.gradebook import set_lock
from app.services.gradebook_export import GradeQuery, school_grades
from app.services.gradebook_qualities import class_qualities, parse_level, save_qualities
from app.services.school import current_year


@pytest.fixture
def primary(make, school):
    course, teacher, pupils = make.gradebook_course(school, class_name="4A")
    course.school_class.homeroom_teacher_id = teacher.id
    db.session.commit()
    return course.school_class, teacher, pupils


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(PrimaryQualityRating))


@pytest.mark.parametrize(
    ("typed", "level"),
    [("T", "T"), ("Tốt", "T"), ("đ", "D"), ("Đạt", "D"), ("C", "C"), ("Cần cố gắng", "C")],
)
def test_levels_are_read_as_teachers_type_them(typed, level):
    assert parse_level(typed) == level
    assert parse_level("  ") is None


def test_homeroom_teacher_saves_and_changes_are_audited(primary):
    school_class, teacher, (one, two, _three) = primary
    changed = save_qualities(
        teacher, school_class.id, 1, {(one.id, "cham_chi"): "T", (two.id, "tinh_toan"): "Đ"}
    )
    assert changed == 2
    sheet = class_qualities(teacher, school_class.id, 1)
    assert sheet.values == {(one.id, "cham_chi"): "T", (two.id, "tinh_toan"): "D"}
    assert save_qualities(teacher, school_class.id, 1, {(one.id, "cham_chi"): "T"}) == 0
    assert save_qualities(teacher, school_class.id, 1, {(one.id, "cham_chi"): ""}) == 1
    assert class_qualities(teacher, school_class.id, 1).values == {(two.id, "tinh_toan"): "D"}
    logs = db.session.scalars(select(AuditLog).where(AuditLog.action == "gradebook.quality"))
    assert [log.changes["value"] for log in logs] == [[None, "T"], [None, "D"], ["T", None]]


def test_one_bad_cell_saves_nothing(primary):
    school_class, teacher, (one, two, _three) = primary
    with pytest.raises(ValidationFailed) as refused:
        save_qualities(
            teacher, school_class.id, 1, {(one.id, "cham_chi"): "T", (two.id, "nhan_ai"): "Giỏi"}
        )
    assert "Giỏi" in refused.value.details["errors"][0]["message"]
    assert _count() == 0


def test_a_locked_semester_needs_a_reason(primary, make, school):
    school_class, teacher, (one, *_rest) = primary
    admin = make.user(school, "admin", username="qt")
    set_lock(admin, school_class.school_year_id, 1, True)
    with pytest.raises(ValidationFailed):
        save_qualities(teacher, school_class.id, 1, {(one.id, "trung_thuc"): "T"})
    assert (
        save_qualities(teacher, school_class.id, 1, {(one.id, "trung_thuc"): "T"}, "Sửa sai") == 1
    )


def test_other_teachers_and_secondary_classes_are_refused(primary, make, school):
    school_class, _teacher, _pupils = primary
    other = make.user(school, "teacher", username="gv.khac")
    with pytest.raises(Forbidden):
        class_qualities(other, school_class.id, 1)
    course, _teacher10, _pupils10 = make.gradebook_course(
        school, class_name="10A1", teacher="gv.10", prefix="THPT"
    )
    admin = make.user(school, "admin", username="qt")
    with pytest.raises(ValidationFailed):
        class_qualities(admin, course.school_class.id, 1)


def test_the_tt27_layout_has_a_sheet_per_primary_class(primary, school):
    school_class, teacher, (one, two, _three) = primary
    save_qualities(
        teacher, school_class.id, 2, {(one.id, "yeu_nuoc"): "T", (two.id, "the_chat"): "C"}
    )
    export = school_grades(None, school.code, GradeQuery(current_year(school).name, "year"))
    book = load_workbook(io.BytesIO(exports.get_layout("tt27").render(export)))
    assert book.sheetnames == ["4A - Phẩm chất năng lực"]
    rows = list(book.active.iter_rows(values_only=True))
    assert "HỌC KỲ II" in rows[1][0]
    header = rows[3]
    assert (
        header[:4] == ("STT", "Mã học sinh", "Họ và tên", "Yêu nước") and header[-1] == "Thể chất"
    )
    by_code = {row[1]: row for row in rows[4:]}
    assert by_code["HS001"][3] == "Tốt" and by_code["HS002"][-1] == "Cần cố gắng"
    assert by_code["HS003"][3] is None
