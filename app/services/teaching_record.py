"""Teaching record of a course (sổ ghi đầu bài / hồ sơ dạy học) as XLSX: lessons taught,
materials, homework with submission counts, attendance per lesson and per student."""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select

from app.core.clock import now_utc, to_local
from app.core.errors import BadInput, Forbidden, NotFound
from app.extensions import db
from app.models import (
    ATTENDANCE_STATUSES,
    Assignment,
    AttendanceRecord,
    ClassMembership,
    Course,
    Submission,
    TimetableSlot,
    User,
)
from app.services.access import get_scoped, is_course_staff
from app.services.attendance import class_students, course_counts
from app.services.courses import sections
from app.services.homework import submission_status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHORT = {"present": "C", "late": "M", "excused": "P", "unexcused": "K"}


@dataclass
class Record:
    """The workbook and how many data rows each sheet got (for `--json`)."""

    course: Course
    data: bytes
    rows: dict[str, int] = field(default_factory=dict)
    extension: str = "xlsx"

    @property
    def filename(self) -> str:
        name = f"ho-so-day-hoc-{self.course.school_class.name}-{self.course.subject.name}"
        return f"{name}-{self.course.id}.{self.extension}"


def _cell(value: object) -> object:
    """Text typed by users never becomes a formula in Excel (=, +, -, @ at the start), and
    control characters (which openpyxl refuses) are dropped."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _sheet(book: Workbook, title: str, headers: list[str], rows: list[list]) -> int:
    sheet = book.create_sheet(title)
    sheet.append(headers)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    return len(rows)


def _fmt(moment, pattern: str) -> str:
    return to_local(moment).strftime(pattern) if moment else ""


def _slots(course: Course) -> list[TimetableSlot]:
    return list(
        db.session.scalars(
            select(TimetableSlot)
            .where(TimetableSlot.course_id == course.id)
            .order_by(TimetableSlot.starts_at, TimetableSlot.id)
        )
    )


def _lessons_sheet(slots: list[TimetableSlot], present: dict[int, int]) -> list[list]:
    now, rows = now_utc(), []
    for n, slot in enumerate(slots, start=1):
        if slot.is_cancelled:
            state = _("Đã huỷ")
        elif slot.starts_at > now:
            state = _("Chưa diễn ra")
        else:
            state = _("Đã dạy")
        rows.append(
            [
                n,
                _fmt(slot.starts_at, "%d/%m/%Y"),
                _fmt(slot.starts_at, "%H:%M"),
                _fmt(slot.ends_at, "%H:%M"),
                slot.lesson.title if slot.lesson else "",
                slot.topic,
                state,
                present.get(slot.id, "") if slot.attendance_taken_at else "",
            ]
        )
    return rows


def _materials_sheet(course: Course) -> list[list]:
    rows = []
    for section in sections(course):
        for lesson in section.lessons:
            items = [(_("Tệp"), f.filename, f"{f.size_bytes / 1024:.1f} KB") for f in lesson.files]
            items += [(_("Liên kết"), k.label, k.url) for k in lesson.links]
            for kind, name, detail in items or [("", "", "")]:
                rows.append([section.title, section.week or "", lesson.title, kind, name, detail])
    return rows


def status_counts(assignment: Assignment, student_ids: list[int]) -> dict[str, int]:
    """The homework table's counts (homework.submission_status) plus how many were returned."""
    by_student = {
        s.student_id: s
        for s in db.session.scalars(
            select(Submission).where(Submission.assignment_id == assignment.id)
        )
    }
    counts = {"submitted": 0, "late": 0, "missing": 0, "returned": 0}
    for student_id in student_ids:
        submission = by_student.get(student_id)
        counts[submission_status(submission)] += 1
        counts["returned"] += int(submission is not None and submission.returned_at is not None)
    return counts


def _homework_sheet(course: Course) -> list[list]:
    student_ids = list(
        db.session.scalars(
            select(ClassMembership.student_id).where(ClassMembership.class_id == course.class_id)
        )
    )
    rows = []
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.course_id == course.id).order_by(Assignment.due_at)
    )
    for a in assignments:
        c = status_counts(a, student_ids)
        rows.append(
            [
                a.title,
                _fmt(a.opens_at, "%d/%m/%Y %H:%M"),
                _fmt(a.due_at, "%d/%m/%Y %H:%M"),
                float(a.max_score),
                c["submitted"],
                c["late"],
                c["missing"],
                c["returned"],
            ]
        )
    return rows


def _attendance(slots: list[TimetableSlot]) -> dict[tuple[int, int], str]:
    ids = [s.id for s in slots if not s.is_cancelled]
    if not ids:
        return {}
    records = db.session.scalars(select(AttendanceRecord).where(AttendanceRecord.slot_id.in_(ids)))
    return {(r.slot_id, r.student_id): r.status for r in records}


def _attendance_sheet(
    course: Course, slots: list[TimetableSlot], marks: dict
) -> tuple[list[str], list[list]]:
    taken = [s for s in slots if not s.is_cancelled and s.attendance_taken_at]
    totals = {row["student"].id: row["counts"] for row in course_counts(course.id)}
    labels = [_("Có mặt"), _("Đi muộn"), _("Vắng có phép"), _("Vắng không phép")]
    headers = [_("Mã học sinh"), _("Họ và tên")]
    headers += [_fmt(s.starts_at, "%d/%m %H:%M") for s in taken] + labels
    rows = []
    for student in class_students(course.class_id):
        marks_row = [SHORT.get(marks.get((s.id, student.id)), "") for s in taken]
        counts = totals.get(student.id, dict.fromkeys(ATTENDANCE_STATUSES, 0))
        rows.append(
            [student.student_code or "", student.full_name, *marks_row]
            + [counts[s] for s in ATTENDANCE_STATUSES]
        )
    return headers, rows


def _course(actor: User | None, course_id: object) -> Course:
    if actor is None:
        try:
            course = db.session.get(Course, int(course_id))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            course = None
        if course is None:
            raise NotFound(_("Không tìm thấy môn học %(id)s.", id=course_id))
        return course
    course = get_scoped(Course, course_id, actor)
    if not is_course_staff(actor, course):
        raise Forbidden(_("Chỉ giáo viên của môn học hoặc quản trị trường tải được hồ sơ dạy học."))
    return course


def contents(course: Course) -> tuple[list[list], list[tuple[str, list[str], list[list]]]]:
    """The record's cover (label, value) rows and its tables as (title, headers, rows): lessons
    taught, materials, homework with submission counts, attendance. Shared by XLSX and PDF."""
    slots = _slots(course)
    marks = _attendance(slots)
    present: dict[int, int] = {}
    for (slot_id, _student), status in marks.items():
        present[slot_id] = present.get(slot_id, 0) + int(status in ("present", "late"))
    cover = [
        [_("Trường"), _school_name(course)],
        [_("Năm học"), course.school_class.school_year.name],
        [_("Lớp"), course.school_class.name],
        [_("Môn học"), course.subject.name],
        [_("Giáo viên"), course.teacher.full_name],
        [_("Xuất lúc"), _fmt(now_utc(), "%d/%m/%Y %H:%M")],
        [_("Ký hiệu điểm danh"), _("C: có mặt, M: đi muộn, P: vắng có phép, K: vắng không phép")],
    ]
    lessons_headers = [
        _("STT"),
        _("Ngày"),
        _("Bắt đầu"),
        _("Kết thúc"),
        _("Bài học"),
        _("Nội dung"),
        _("Trạng thái"),
        _("Học sinh dự học"),
    ]
    homework_headers = [
        _("Bài tập"),
        _("Mở"),
        _("Hạn nộp"),
        _("Điểm tối đa"),
        _("Đã nộp"),
        _("Nộp muộn"),
        _("Chưa nộp"),
        _("Đã trả"),
    ]
    attendance_headers, attendance_rows = _attendance_sheet(course, slots, marks)
    return cover, [
        (_("Tiết đã dạy"), lessons_headers, _lessons_sheet(slots, present)),
        (
            _("Học liệu"),
            [_("Chủ đề"), _("Tuần"), _("Bài học"), _("Loại"), _("Tên"), _("Chi tiết")],
            _materials_sheet(course),
        ),
        (_("Bài tập"), homework_headers, _homework_sheet(course)),
        (_("Điểm danh"), attendance_headers, attendance_rows),
    ]


def course_for_record(actor: User | None, course_id: object) -> Course:
    """The course for its teacher or an admin (`actor` None: the command line, trusted).
    Raises NotFound, Forbidden."""
    return _course(actor, course_id)


def build(actor: User | None, course_id: object) -> Record:
    """The teaching record workbook of a course for its teacher or an admin (`actor` None: the
    command line, trusted). Raises NotFound, Forbidden. Reads only."""
    course = _course(actor, course_id)
    cover, tables = contents(course)
    book = Workbook(write_only=True)
    record = Record(course, b"")
    info = book.create_sheet(_("Thông tin"))
    for row in cover:
        info.append([_cell(v) for v in row])
    for title, headers, rows in tables:
        record.rows[title] = _sheet(book, title, headers, rows)
    buffer = io.BytesIO()
    book.save(buffer)
    record.data = buffer.getvalue()
    return record


def _school_name(course: Course) -> str:
    from app.models import School

    school = db.session.get(School, course.school_id)
    return school.name if school else ""


def export_to_file(course_id: object, path: Path) -> dict:
    """Write a course's teaching record to `path` atomically; returns the `--json` summary.
    Raises NotFound, BadInput (cannot write)."""
    record = build(None, course_id)
    folder = path.resolve().parent
    if not folder.is_dir():
        raise BadInput(_("Thư mục “%(d)s” không tồn tại.", d=folder))
    temp = None
    try:
        handle, temp = tempfile.mkstemp(dir=folder, prefix=".lophoc-export-")
        with os.fdopen(handle, "wb") as out:
            out.write(record.data)
        os.replace(temp, path)
    except OSError as exc:
        if temp is not None and os.path.exists(temp):
            os.unlink(temp)
        raise BadInput(_("Không ghi được tệp “%(p)s”: %(e)s", p=path, e=exc.strerror)) from None
    return {
        "course_id": record.course.id,
        "path": str(path),
        "rows": sum(record.rows.values()),
        "sheets": record.rows,
    }
