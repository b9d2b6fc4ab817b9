"""Roster import: Vietnamese and English headers, encodings, XLSX layouts, all-or-nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.core.errors import BadInput, TooLarge, ValidationFailed
from app.extensions import db
from app.models import AuditLog, ClassMembership, ParentLink, SchoolClass, User
from app.services.roster import import_roster

VI_CSV = (
    "STT,Mã học sinh,Họ và tên,Ngày sinh,Giới tính,Lớp,Họ tên phụ huynh,SĐT phụ huynh\n"
    "1,7901000001,Nguyễn Văn Dũng,05/09/2010,Nam,10A1,Nguyễn Văn Bình,0912 345 678\n"
    "2,7901000002,Trần Thị Bích Ngọc,31/12/2010,Nữ,10A1,Trần Văn Tâm,0987654321\n"
    "3,7901000003,Lê Hoàng Đức,01/01/2010,Nam,10A2,Nguyễn Văn Bình,0912345678\n"
)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _xlsx(rows: list[list], merge: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_vietnamese_csv_creates_students_classes_and_parents(school):
    summary = import_roster(None, school, VI_CSV.encode("utf-8"), "ds.csv")
    assert (summary.imported, summary.updated, summary.classes_created) == (5, 0, 2)
    dung = db.session.scalar(select(User).where(User.student_code == "7901000001"))
    assert dung.full_name == "Nguyễn Văn Dũng"
    assert dung.date_of_birth == date(2010, 9, 5)
    assert dung.gender == "nam"
    assert dung.username == "7901000001"
    assert dung.password_hash is None  # passwords are issued later, not set by a file
    classes = {c.name for c in db.session.scalars(select(SchoolClass))}
    assert classes == {"10A1", "10A2"}
    # One parent with two children (same phone written two ways), one with one child.
    binh = db.session.scalar(select(User).where(User.full_name == "Nguyễn Văn Bình"))
    assert binh.role == "parent" and binh.phone == "0912345678"
    assert _count(ParentLink) == 3


def test_reimporting_the_same_file_changes_nothing(school):
    import_roster(None, school, VI_CSV.encode("utf-8"), "ds.csv")
    audits = _count(AuditLog)
    again = import_roster(None, school, VI_CSV.encode("utf-8"), "ds.csv")
    assert (again.imported, again.updated, again.classes_created) == (0, 0, 0)
    assert again.unchanged == 3
    assert _count(AuditLog) == audits
    assert _count(User) == 5


def test_changed_row_updates_the_person_and_moves_class(school):
    import_roster(None, school, VI_CSV.encode("utf-8"), "ds.csv")
    changed = VI_CSV.replace(
        "Trần Thị Bích Ngọc,31/12/2010,Nữ,10A1", "Trần Thị Bích Ngọc,30/12/2010,Nữ,10A2"
    )
    summary = import_roster(None, school, changed.encode("utf-8"), "ds.csv")
    assert summary.updated == 1
    ngoc = db.session.scalar(select(User).where(User.student_code == "7901000002"))
    assert ngoc.date_of_birth == date(2010, 12, 30)
    membership = db.session.scalar(
        select(ClassMembership).where(ClassMembership.student_id == ngoc.id)
    )
    assert db.session.get(SchoolClass, membership.class_id).name == "10A2"
    assert _count(ClassMembership) == 3


def test_english_headers_with_bom_and_semicolons(school):
    data = (
        "\ufeffstudent_code;full_name;date_of_birth;class\nS1;Phạm Minh Châu;2010-03-04;11B2\n"
    ).encode("utf-8")
    summary = import_roster(None, school, data, "roster.csv")
    assert summary.imported == 1
    assert db.session.scalar(select(User.full_name).where(User.student_code == "S1")) == (
        "Phạm Minh Châu"
    )


def _cp1258(text: str) -> bytes:
    """Encode as Windows-1258 writes Vietnamese: base letters composed, tone marks combining."""
    import unicodedata

    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tone = "".join(c for c in parts if c in tones)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + tone)
    return "".join(out).encode("cp1258")


def test_windows_1258_csv_is_read_and_normalised_to_nfc(school):
    text = "Mã học sinh,Họ và tên,Lớp\nA1,Nguyễn Thị Hồng Nhung,6A\n"
    data = _cp1258(text)
    assert data != text.encode("utf-8")
    summary = import_roster(None, school, data, "cu.csv")
    assert summary.imported == 1
    name = db.session.scalar(select(User.full_name).where(User.student_code == "A1"))
    assert name == "Nguyễn Thị Hồng Nhung"


def test_decomposed_unicode_input_is_stored_composed(school):
    import unicodedata

    text = unicodedata.normalize("NFD", "Mã học sinh,Họ và tên,Lớp\nB1,Võ Thị Ánh,7A\n")
    import_roster(None, school, text.encode("utf-8"), "nfd.csv")
    name = db.session.scalar(select(User.full_name).where(User.student_code == "B1"))
    assert name == unicodedata.normalize("NFC", "Võ Thị Ánh")


def test_bad_date_stops_the_import_naming_row_and_column(school):
    bad = VI_CSV.replace("31/12/2010", "31/02/2010")
    with pytest.raises(ValidationFailed) as caught:
        import_roster(None, school, bad.encode("utf-8"), "ds.csv")
    assert (
        str(caught.value)
        == "Dòng 3, cột Ngày sinh: 31/02/2010 không phải ngày hợp lệ (dd/mm/yyyy)."
    )
    assert _count(User) == 0 and _count(SchoolClass) == 0


def test_every_bad_row_is_reported_and_nothing_is_written(school):
    bad = VI_CSV.replace("31/12/2010", "31/02/2010").replace("Lê Hoàng Đức", "")
    with pytest.raises(ValidationFailed) as caught:
        import_roster(None, school, bad.encode("utf-8"), "ds.csv")
    messages = [e["message"] for e in caught.value.details["errors"]]
    assert messages == [
        "Dòng 3, cột Ngày sinh: 31/02/2010 không phải ngày hợp lệ (dd/mm/yyyy).",
        "Dòng 4, cột Họ và tên: thiếu họ và tên.",
    ]
    assert _count(User) == 0


def test_duplicate_student_codes_in_one_file_are_refused(school):
    dup = VI_CSV.replace("7901000003", "7901000001")
    with pytest.raises(ValidationFailed, match="trùng với dòng 2"):
        import_roster(None, school, dup.encode("utf-8"), "ds.csv")
    assert _count(User) == 0


def test_failure_late_in_the_import_rolls_back_everything(make, school):
    make.user(school, "teacher", username="7901000003")  # a teacher already owns that username
    other = make.school("KHAC", "Trường khác")
    make.user(other, "student", username="thpt1.7901000003", student_code="X")
    with pytest.raises(ValidationFailed, match="Dòng 4"):
        import_roster(None, school, VI_CSV.encode("utf-8"), "ds.csv")
    assert (
        db.session.scalar(select(func.count()).select_from(User).where(User.school_id == school.id))
        == 1
    )
    assert _count(SchoolClass) == 0


def test_xlsx_with_title_rows_above_the_header(school):
    data = _xlsx(
        [
            ["SỞ GD&ĐT HÀ NỘI"],
            ["DANH SÁCH HỌC SINH LỚP 10A1"],
            [],
            ["STT", "Mã học sinh", "Họ và tên", "Ngày sinh", "Lớp"],
            [1, 7901000009, "Đỗ Thu Hà", date(2010, 2, 3), "10A1"],
            [None, None, None, None, None],
            [2, "7901000010", "Hồ Quang Hiếu", "15/08/2010", "10A1"],
        ],
        merge="A1:E1",
    )
    summary = import_roster(None, school, data, "ds.xlsx")
    assert summary.imported == 2 and summary.skipped == 1
    ha = db.session.scalar(select(User).where(User.student_code == "7901000009"))
    assert ha.date_of_birth == date(2010, 2, 3)


def test_xlsx_with_merged_header_cells_gets_a_clear_message(school):
    data = _xlsx(
        [["Mã học sinh", "Họ và tên", "Ngày sinh", ""], ["1", "Đỗ Thu Hà", "01/01/2010", ""]],
        merge="C1:D1",
    )
    with pytest.raises(ValidationFailed, match="ô gộp C1:D1"):
        import_roster(None, school, data, "gop.xlsx")


def test_file_without_a_name_column_is_refused(school):
    with pytest.raises(ValidationFailed, match="Họ và tên"):
        import_roster(None, school, b"a,b,c\n1,2,3\n", "x.csv")


def test_a_binary_file_called_xlsx_is_a_bad_input(school):
    with pytest.raises(BadInput):
        import_roster(None, school, b"PK\x03\x04not really a zip", "x.xlsx")
    with pytest.raises(BadInput):
        import_roster(None, school, b"\xd0\xcf\x11\xe0 old excel", "x.xls")


def test_too_large_file_is_refused(school):
    with pytest.raises(TooLarge):
        import_roster(None, school, b"a" * (21 * 1024 * 1024), "big.csv")


def test_teachers_and_parent_rows_in_the_same_file(school):
    data = (
        "Vai trò,Mã học sinh,Họ và tên,Lớp,Tên đăng nhập,Email,Phụ huynh của\n"
        "Học sinh,HS1,Ngô Thị Mai Anh,12C1,,,\n"
        "Giáo viên,,Trần Văn Dũng,12C1,gv.dung,dung@truong.edu.vn,\n"
        "Phụ huynh,,Ngô Văn Hải,,ph.hai,,HS1\n"
    ).encode()
    summary = import_roster(None, school, data, "all.csv")
    assert summary.imported == 3
    klass = db.session.scalar(select(SchoolClass).where(SchoolClass.name == "12C1"))
    assert klass.homeroom_teacher.username == "gv.dung"
    hai = db.session.scalar(select(User).where(User.username == "ph.hai"))
    link = db.session.scalar(select(ParentLink).where(ParentLink.parent_id == hai.id))
    assert link.student.student_code == "HS1"


def test_parent_row_naming_an_unknown_child_is_refused(school):
    data = "Vai trò,Họ và tên,Tên đăng nhập,Phụ huynh của\nphụ huynh,Ngô Văn Hải,ph.hai,HS404\n"
    with pytest.raises(ValidationFailed, match="không có học sinh mã “HS404”"):
        import_roster(None, school, data.encode("utf-8"), "p.csv")
