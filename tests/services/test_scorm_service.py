"""SCORM packages in the app: import, versions, launch tokens, commits, leniency, reports."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from app.core.errors import Conflict, NotAuthenticated, ValidationFailed
from app.extensions import db
from app.models import GradeEntry, Lesson, ScormAttempt, ScormPackage
from app.services import elearning, scorm_reports, scorm_runtime

VALID = [
    "scorm12/ContentPackagingOneFilePerSCO_SCORM12.zip",
    "scorm12/ContentPackagingWithMetadata_SCORM12.zip",
    "scorm12/PrerequisitesTest_SCORM12.zip",
    "scorm12/RuntimeBasicCalls_SCORM12.zip",
    "scorm12/RuntimeMinimumCalls_SCORM12.zip",
    "scorm2004/ContentPackagingSingleSCO_SCORM20042ndEdition.zip",
    "scorm2004/RunTimeAdvancedCalls_SCORM20043rdEdition.zip",
    "scorm2004/RuntimeMinimumCalls_SCORM20043rdEdition.zip",
    "scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip",
    "scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition.zip",
    "scorm2004/SequencingSimpleRemediation_SCORM20043rdEdition.zip",
]
INVALID = [
    "scorm12/MalformedXml_SCORM12.zip",
    "scorm12/invalid_badscorm_manifest_in_subdir.zip",
    "scorm12/invalid_no_manifest.zip",
]
ORIGIN = "http://127.0.0.1:5000"

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m1" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o1"><organization identifier="o1"><title>{title}</title>
    <item identifier="i1" identifierref="r1"><title>Trang 1</title>
      <adlcp:masteryscore>80</adlcp:masteryscore></item>
  </organization></organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html">
    <file href="index.html"/></resource></resources>
</manifest>"""


def make_zip(tmp_path: Path, title: str = "Bài học thử", files: dict | None = None) -> Path:
    path = tmp_path / f"{abs(hash((title, str(files))))}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("imsmanifest.xml", MANIFEST_12.format(title=title))
        for name, data in (files or {"index.html": "<html><body>1</body></html>"}).items():
            zf.writestr(name, data)
    return path


@pytest.fixture
def setup(make, school):
    course, teacher, pupils = make.gradebook_course(school, students=2)
    make.section(course)
    return course, teacher, pupils


@pytest.mark.parametrize("relative", VALID)
def test_every_valid_fixture_imports_as_a_lesson_with_its_files(app, fixtures, setup, relative):
    course, teacher, _pupils = setup
    version = elearning.import_package(teacher, course.id, fixtures / relative)
    package = db.session.get(ScormPackage, version.package_id)
    assert db.session.get(Lesson, package.lesson_id).course_id == course.id
    launchable = [i for i in version.items if i.launch_url]
    assert launchable
    root = elearning.version_dir(version)
    for item in launchable:
        assert (root / item.launch_url.partition("?")[0]).is_file()


@pytest.mark.parametrize("relative", INVALID)
def test_invalid_fixtures_are_refused_and_nothing_is_written(app, fixtures, setup, relative):
    course, teacher, _pupils = setup
    root = elearning.content_root()
    before = set(root.iterdir()) if root.exists() else set()
    with pytest.raises(ValidationFailed) as caught:
        elearning.import_package(teacher, course.id, fixtures / relative)
    assert caught.value.message.startswith("Gói SCORM không nhập được")
    assert db.session.query(ScormPackage).count() == 0
    assert db.session.query(Lesson).count() == 0
    assert (set(root.iterdir()) if root.exists() else set()) == before


def test_a_student_cannot_import_and_another_school_sees_nothing(app, make, setup, tmp_path):
    course, _teacher, pupils = setup
    with pytest.raises(Exception) as caught:
        elearning.import_package(pupils[0], course.id, make_zip(tmp_path))
    assert getattr(caught.value, "status", None) in (403, 404)
    other = make.school("THPT2", "Trường khác")
    outsider = make.user(other, "teacher")
    with pytest.raises(Exception) as caught:
        elearning.import_package(outsider, course.id, make_zip(tmp_path))
    assert caught.value.status == 404


def _launch(student, package_id, item=None):
    return scorm_runtime.launch(student, package_id, item, ORIGIN)


def test_commit_is_stored_resumed_and_summarised(app, setup, tmp_path):
    course, teacher, pupils = setup
    version = elearning.import_package(teacher, course.id, make_zip(tmp_path))
    launch = _launch(pupils[0], version.package_id)
    out = scorm_runtime.commit(
        launch.token,
        {
            "cmi.core.lesson_location": "page-3",
            "cmi.suspend_data": "abc",
            "cmi.core.score.raw": "85",
            "cmi.core.session_time": "00:01:30",
            "cmi.core.exit": "suspend",
            "cmi.core.student_id": "tampered",  # read-only: dropped silently
            "cmi.core.score.min": "",  # never set: not a commit
            "cmi.interactions.0.id": "q1",
            "cmi.interactions.0.student_response": "b",
            "cmi.interactions.0.result": "correct",
        },
        terminated=True,
    )
    assert out == {"result": True, "errorCode": 0, "rejected": {}}
    attempt = db.session.get(ScormAttempt, launch.attempt.id)
    assert (attempt.completion, attempt.success) == ("completed", "passed")  # mastery 80
    assert attempt.score_scaled == Decimal("0.85")
    assert attempt.total_seconds == 90
    assert attempt.interactions[0].learner_response == "b"
    again = _launch(pupils[0], version.package_id)
    assert again.attempt.id == attempt.id  # suspended: same attempt resumes
    cmi = scorm_runtime.runtime_config(again.token)["cmi"]
    assert cmi["cmi.core.lesson_location"] == "page-3"
    assert cmi["cmi.suspend_data"] == "abc"
    assert cmi["cmi.core.entry"] == "resume"
    assert cmi["cmi.core.student_id"] == pupils[0].username
    assert cmi["cmi.student_data.mastery_score"] == "80"


def test_invalid_values_get_the_scorm_code_and_are_not_stored(app, setup, tmp_path):
    course, teacher, pupils = setup
    version = elearning.import_package(teacher, course.id, make_zip(tmp_path))
    launch = _launch(pupils[0], version.package_id)
    out = scorm_runtime.commit(
        launch.token,
        {
            "cmi.core.score.raw": "lots",
            "cmi.core.nonsense": "1",
            "cmi.core.lesson_location": "p2",
        },
    )
    assert out["result"] is False
    assert out["rejected"]["cmi.core.score.raw"]["code"] == 405
    assert out["rejected"]["cmi.core.nonsense"]["code"] == 201
    stored = db.session.get(ScormAttempt, launch.attempt.id).cmi
    assert "cmi.core.score.raw" not in stored and stored["cmi.core.lesson_location"] == "p2"


def test_lenient_suspend_data_and_mixed_up_statuses_are_kept_with_a_note(app, fixtures, setup):
    course, teacher, pupils = setup
    version = elearning.import_package(
        teacher,
        course.id,
        fixtures / VALID[6],  # 2004 3rd edition, single SCO
    )
    launch = _launch(pupils[0], version.package_id)
    out = scorm_runtime.commit(launch.token, {"cmi.completion_status": "passed"})
    assert out["result"] is True
    attempt = db.session.get(ScormAttempt, launch.attempt.id)
    assert attempt.completion == "completed"
    assert attempt.cmi["cmi.success_status"] == "passed"
    assert attempt.notes
    v12 = elearning.import_package(teacher, course.id, fixtures / VALID[3])
    launch12 = _launch(pupils[1], v12.package_id)
    big = "x" * 10_000  # over SCORM 1.2's 4096
    assert scorm_runtime.commit(launch12.token, {"cmi.suspend_data": big})["result"] is True
    assert db.session.get(ScormAttempt, launch12.attempt.id).cmi["cmi.suspend_data"] == big


def test_a_forged_or_other_students_token_is_refused(app, setup, tmp_path):
    course, teacher, pupils = setup
    version = elearning.import_package(teacher, course.id, make_zip(tmp_path))
    launch = _launch(pupils[0], version.package_id)
    with pytest.raises(NotAuthenticated):
        scorm_runtime.commit(launch.token[:-2] + "xx", {"cmi.core.lesson_location": "1"})
    with pytest.raises(NotAuthenticated):
        scorm_runtime.runtime_config("not-a-token")


def test_new_version_keeps_old_attempts_on_the_old_version(app, setup, tmp_path):
    course, teacher, pupils = setup
    first = elearning.import_package(teacher, course.id, make_zip(tmp_path, "Bản 1"))
    launch = _launch(pupils[0], first.package_id)
    scorm_runtime.commit(launch.token, {"cmi.core.lesson_status": "completed"}, terminated=True)
    second = elearning.import_package(
        teacher, course.id, make_zip(tmp_path, "Bản 2"), package_id=first.package_id
    )
    assert second.number == 2 and second.storage_key != first.storage_key
    assert elearning.version_dir(first).is_dir()
    old = db.session.get(ScormAttempt, launch.attempt.id)
    assert old.version_id == first.id
    new = _launch(pupils[0], first.package_id)
    assert new.version.id == second.id and new.attempt.id != old.id


def test_attempt_limit_refuses_a_new_attempt(app, setup, tmp_path):
    course, teacher, pupils = setup
    version = elearning.import_package(teacher, course.id, make_zip(tmp_path))
    version.items[0].attempt_limit = 1
    db.session.commit()
    launch = _launch(pupils[0], version.package_id)
    scorm_runtime.commit(launch.token, {"cmi.core.lesson_status": "passed"}, terminated=True)
    with pytest.raises(Conflict):
        _launch(pupils[0], version.package_id)


def test_report_xlsx_and_gradebook_feed(app, setup, tmp_path):
    from openpyxl import load_workbook

    course, teacher, pupils = setup
    version = elearning.import_package(
        teacher, course.id, make_zip(tmp_path), gradebook_column="tx"
    )
    launch = _launch(pupils[0], version.package_id)
    scorm_runtime.commit(
        launch.token,
        {
            "cmi.core.score.raw": "75",
            "cmi.core.lesson_status": "failed",
            "cmi.interactions.0.id": "q1",
            "cmi.interactions.0.student_response": "c",
        },
        terminated=True,
    )
    _package, rows = scorm_reports.report(teacher, version.package_id)
    row = next(r for r in rows if r.student.id == pupils[0].id)
    assert (row.completion, row.success, row.score10, row.attempts) == (
        "completed",
        "failed",
        Decimal("7.50"),
        1,
    )
    assert next(r for r in rows if r.student.id == pupils[1].id).attempts == 0
    data, _name = scorm_reports.export_xlsx(teacher, version.package_id)
    book = load_workbook(io.BytesIO(data))
    assert book.worksheets[0].max_row == 3
    assert book.worksheets[1]["F2"].value == "c"
    assert scorm_reports.feed_gradebook(teacher, version.package_id) == 1
    entry = db.session.query(GradeEntry).filter_by(student_id=pupils[0].id).one()
    assert entry.column == "tx1" and entry.source == "scorm"
    with pytest.raises(Exception) as caught:
        scorm_reports.report(pupils[0], version.package_id)
    assert caught.value.status == 403


def test_staged_uploads_are_tied_to_their_uploader_and_stale_ones_are_removed(
    app, make, school, setup, tmp_path
):
    import os
    import time

    course, teacher, _pupils = setup
    with make_zip(tmp_path).open("rb") as stream:
        token, preview = elearning.stage_upload(teacher, course.id, stream)
    assert preview.sco_count == 1
    other = make.user(school, "teacher")
    with pytest.raises(ValidationFailed):
        elearning.staged_path(other, token)
    path, _course_id = elearning.staged_path(teacher, token)
    old = time.time() - 7 * 3600
    os.utime(path, (old, old))
    with make_zip(tmp_path, "Khác").open("rb") as stream:
        elearning.stage_upload(teacher, course.id, stream)
    assert not path.exists()
    with pytest.raises(ValidationFailed):
        elearning.publish_staged(teacher, token)


def test_contents_links_follow_the_choice_control_mode_of_each_cluster():
    from types import SimpleNamespace as Row

    from app.services.scorm_runtime import _choosable

    items = [
        Row(id=1, identifier="intro", depth=0, launch_url="a.html"),
        Row(id=2, identifier="quiz", depth=0, launch_url=None),  # cluster, choice="false"
        Row(id=3, identifier="q1", depth=1, launch_url="q1.html"),
        Row(id=4, identifier="sub", depth=1, launch_url=None),
        Row(id=5, identifier="q2", depth=2, launch_url="q2.html"),
        Row(id=6, identifier="end", depth=0, launch_url="z.html"),
    ]
    assert _choosable(items, {"choice": True, "no_choice": ["quiz"]}) == {1, 6}
    assert _choosable(items, {"choice": True, "no_choice": []}) == {1, 3, 5, 6}
    assert _choosable(items, {"choice": False}) == set()
