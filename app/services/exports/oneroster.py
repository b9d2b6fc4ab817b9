"""OneRoster 1.2 gradebook CSV bundle (zip): manifest, categories, lineItems, results.

Students are identified by their student code (studentSourcedId), classes by "course-<id>";
a line item is one gradebook column of a semester (tx1…, gk, ck) or the average (tbm).
"""

from __future__ import annotations

import csv
import io
import zipfile

from app.core.clock import now_utc
from app.services.exports.registry import layout
from app.services.gradebook_export import GradeExport, GradeRow

MANIFEST = [
    ("manifest.version", "1.0"),
    ("oneroster.version", "1.2"),
    ("file.academicSessions", "absent"),
    ("file.categories", "bulk"),
    ("file.classes", "absent"),
    ("file.classResources", "absent"),
    ("file.courses", "absent"),
    ("file.courseResources", "absent"),
    ("file.demographics", "absent"),
    ("file.enrollments", "absent"),
    ("file.lineItemLearningObjectiveIds", "absent"),
    ("file.lineItems", "bulk"),
    ("file.lineItemScoreScales", "absent"),
    ("file.orgs", "absent"),
    ("file.resources", "absent"),
    ("file.resultLearningObjectiveIds", "absent"),
    ("file.results", "bulk"),
    ("file.resultScoreScales", "absent"),
    ("file.roles", "absent"),
    ("file.scoreScales", "absent"),
    ("file.userProfiles", "absent"),
    ("file.users", "absent"),
    ("source.systemName", "LopHoc"),
    ("source.systemCode", "lophoc"),
]
CATEGORIES = [("tx", "ĐĐGtx"), ("gk", "ĐĐGgk"), ("ck", "ĐĐGck"), ("tbm", "ĐTBmhk / ĐTBmcn")]
LINE_ITEM_HEADER = [
    "sourcedId",
    "status",
    "dateLastModified",
    "title",
    "description",
    "assignDate",
    "dueDate",
    "classSourcedId",
    "categorySourcedId",
    "gradingPeriodSourcedId",
    "resultValueMin",
    "resultValueMax",
]
RESULT_HEADER = [
    "sourcedId",
    "status",
    "dateLastModified",
    "lineItemSourcedId",
    "studentSourcedId",
    "scoreStatus",
    "score",
    "scoreDate",
    "comment",
]


def line_item_id(row: GradeRow, column: str) -> str:
    return f"course-{row.course_id}-{row.period}-{column}"


def cells_of(row: GradeRow) -> list[tuple[str, str]]:
    """(column, score) of the row's entered cells, average last."""
    cells = [(f"tx{i}", v) for i, v in enumerate(row.tx, start=1) if v is not None]
    cells += [(c, v) for c, v in (("gk", row.gk), ("ck", row.ck)) if v is not None]
    if row.average is not None:
        cells.append(("tbm", row.average))
    return [(c, v) for c, v in cells if v not in ("dat", "chua_dat")]


def _csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@layout("oneroster", "zip", "application/zip")
def render_oneroster(export: GradeExport) -> bytes:
    items: dict[str, list] = {}
    generated = now_utc().isoformat(timespec="seconds").replace("+00:00", "Z")
    results = []
    for row in export.rows:
        stamp = row.updated_at.isoformat().replace("+00:00", "Z") if row.updated_at else ""
        for column, score in cells_of(row):
            item = line_item_id(row, column)
            category = "tx" if column.startswith("tx") else column
            title = f"{row.subject} {row.class_name} {column.upper()} ({row.period})"
            items.setdefault(
                item,
                [
                    item,
                    "active",
                    stamp,
                    title,
                    "",
                    "",
                    "",
                    f"course-{row.course_id}",
                    category,
                    f"{export.query.year}-{row.period}",
                    "0",
                    "10",
                ],
            )
            results.append(
                [
                    f"{item}-{row.student_code}",
                    "active",
                    stamp,
                    item,
                    row.student_code,
                    "fully graded",
                    score,
                    stamp[:10],
                    "",
                ]
            )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("manifest.csv", _csv(["propertyName", "value"], MANIFEST))
        bundle.writestr(
            "categories.csv",
            _csv(
                ["sourcedId", "status", "dateLastModified", "title"],
                [[code, "active", generated, title] for code, title in CATEGORIES],
            ),
        )
        bundle.writestr("lineItems.csv", _csv(LINE_ITEM_HEADER, list(items.values())))
        bundle.writestr("results.csv", _csv(RESULT_HEADER, results))
    return buffer.getvalue()
