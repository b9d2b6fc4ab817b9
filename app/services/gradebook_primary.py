"""Primary-school gradebook (Thông tư 27/2020): a T / H / C rating per subject and semester
and, for the tested subjects, the periodic test scores (whole numbers 1-10).

A course is primary when its class is in grades 1-5 (SchoolClass.grade), whatever the school's
level, so a "liên cấp" school gets both kinds. Columns: `xl` (xếp loại: T Hoàn thành tốt,
H Hoàn thành, C Chưa hoàn thành), `ck` (the end-of-semester test, for the subjects of that
grade in GradingPolicy.primary_end_of_term_tests) and `gk` (the mid-term test, grades 4-5 for
Tiếng Việt and Toán). There is no numeric average (GRADING.md).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _

from app.core.errors import ValidationFailed
from app.core.text import fold
from app.services.gradebook_values import CellValue
from app.services.grading import ScoreError
from app.services.grading_policy import GradingPolicy, fold_subject_name
from app.services.grading_tt27 import parse_primary_test_score, primary_tested_subjects

# GRADING.md: tests are scored 1 to 10 (no 0, no decimals).
PRIMARY_POLICY = GradingPolicy(primary_test_min=1)
RATINGS = {
    "t": "T",
    "htt": "T",
    "hoan thanh tot": "T",
    "h": "H",
    "ht": "H",
    "hoan thanh": "H",
    "c": "C",
    "cht": "C",
    "chua hoan thanh": "C",
}
RATING_LABELS = {"T": "Hoàn thành tốt", "H": "Hoàn thành", "C": "Chưa hoàn thành"}


def is_primary(course) -> bool:
    """Grades 1-5 are primary; `course` is a Course or the export's CourseInfo."""
    return 1 <= course.school_class.grade <= 5


def _tested(course, midterm: bool) -> bool:
    names = primary_tested_subjects(course.school_class.grade, midterm, PRIMARY_POLICY)
    subject = fold_subject_name(course.subject.name)
    return subject in {fold_subject_name(name) for name in names}


def primary_columns(course) -> tuple[str, ...]:
    """The columns of a primary course: xl always, gk / ck for the tested subjects."""
    columns = ["xl"]
    if _tested(course, midterm=True):
        columns.append("gk")
    if _tested(course, midterm=False):
        columns.append("ck")
    return tuple(columns)


def parse_primary_cell(course, column: str, raw: object, *, is_fed: bool = False) -> CellValue:
    """A primary cell: "T"/"Hoàn thành"/… for xl, a whole number 1-10 for gk/ck.

    Scores fed by an exam or homework are rounded half up to a whole number first (tests are
    whole numbers); typed decimals such as "8,5" are refused. Raises ValidationFailed.
    """
    if column not in primary_columns(course):
        raise ValidationFailed(
            _(
                "Môn %(s)s lớp %(g)s (tiểu học) chỉ có các cột %(c)s.",
                s=course.subject.name,
                g=course.school_class.grade,
                c=", ".join(c.upper() for c in primary_columns(course)),
            )
        )
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return CellValue()
    if column == "xl":
        rating = RATINGS.get(fold(str(raw)).replace("_", " ").strip())
        if rating is None:
            raise ValidationFailed(
                _(
                    "Xếp loại tiểu học: nhập T (Hoàn thành tốt), H (Hoàn thành) hoặc C (Chưa"
                    " hoàn thành), không phải “%(t)s”.",
                    t=raw,
                )
            )
        return CellValue(rating=rating)
    return CellValue(score=Decimal(_test_score(raw, is_fed)))


def _test_score(raw: object, is_fed: bool) -> int:
    if isinstance(raw, bool):
        raise ValidationFailed(_("Điểm không hợp lệ: %(t)s", t=raw))
    if isinstance(raw, Decimal | int | float) and not isinstance(raw, str):
        value = Decimal(str(raw))
        if is_fed:
            value = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        raw = f"{value.normalize():f}"
    try:
        return parse_primary_test_score(str(raw), PRIMARY_POLICY)
    except ScoreError as exc:
        raise ValidationFailed(
            _("Bài kiểm tra định kì tiểu học: %(m)s (số nguyên từ 1 đến 10).", m=str(exc))
        ) from None


def primary_cells(student, cells: dict, course):
    """One student's row of a primary course semester (no average; the rating is `result`)."""
    from app.services.gradebook_views import StudentGrades

    columns = primary_columns(course)
    row = StudentGrades(student=student, tx=[], gk=cells.get("gk"), ck=cells.get("ck"))
    rating = cells.get("xl")
    row.result = rating if isinstance(rating, str) else None
    row.missing = [c for c in columns if c != "gk" and cells.get(c) is None]
    return row
