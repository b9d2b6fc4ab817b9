"""`lophoc import scorm FILE.zip --course ID [--json]` (CONTRACT.md)."""

from __future__ import annotations

import json

from app.cli import main
from app.extensions import db
from app.models import Lesson, ScormPackage


def run(app, *args):
    return app.test_cli_runner().invoke(main, list(args), catch_exceptions=False)


def test_import_scorm_prints_one_json_line(app, make, school, fixtures):
    course, _teacher, _pupils = make.gradebook_course(school, students=1)
    path = fixtures / "scorm2004" / "RuntimeMinimumCalls_SCORM20043rdEdition.zip"
    result = run(app, "import", "scorm", str(path), "--course", str(course.id), "--json")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert summary["scorm_version"] == "2004-3rd"
    assert summary["title"] == "Golf Explained - Minimum Run-time Calls"
    assert summary["scos"] == 18
    package = db.session.get(ScormPackage, summary["package_id"])
    assert package.course_id == course.id and package.lesson_id is not None


def test_bad_package_exits_non_zero_with_one_human_line_and_writes_nothing(
    app, make, school, fixtures
):
    course, _teacher, _pupils = make.gradebook_course(school, students=1)
    path = fixtures / "scorm12" / "invalid_badscorm_manifest_in_subdir.zip"
    result = run(app, "import", "scorm", str(path), "--course", str(course.id), "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Lỗi: Gói SCORM không nhập được")
    assert len(result.stderr.strip().splitlines()) == 1
    assert db.session.query(ScormPackage).count() == 0
    assert db.session.query(Lesson).count() == 0


def test_unknown_course_is_a_clear_error(app, fixtures):
    path = fixtures / "scorm12" / "RuntimeBasicCalls_SCORM12.zip"
    result = run(app, "import", "scorm", str(path), "--course", "999")
    assert result.exit_code == 1
    assert "999" in result.stderr
