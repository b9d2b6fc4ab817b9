"""`lophoc backup` / `lophoc restore`: an exam in progress survives backup, wipe and restore
with every saved answer, and goes on; damaged or foreign archives are refused (SQLite and,
with TEST_DATABASE_URL, PostgreSQL)."""

from __future__ import annotations

import io
import json
import re
import shutil
import tarfile

import pytest
from sqlalchemy import select, text

from app.cli import main
from app.core import storage
from app.extensions import db
from app.models import Attempt, Response


def _right(question: dict) -> str:
    """The option id of "n + 1" for the question "Câu n: 1 + n = ?" (options are shuffled)."""
    n = int(re.search(r"Câu (\d+):", question["stem_html"])[1])
    return next(
        o["id"] for o in question["options"] if re.sub("<[^>]+>", "", o["html"]) == str(n + 1)
    )


def _cli(app, *args):
    return app.test_cli_runner().invoke(main, list(args))


def _wipe(app) -> None:
    """Lose everything: every table (and Alembic's) and every stored file."""
    db.session.remove()
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    shutil.rmtree(storage.root(), ignore_errors=True)


@pytest.fixture
def exam_in_progress(web, exam_setting):
    headers = web.bearer("hs0")
    exam = exam_setting["exam"]
    attempt = web.client.post(f"/api/v1/exams/{exam.id}/attempts", json={}, headers=headers)
    assert attempt.status_code == 201
    body = attempt.get_json()
    saved = {}
    for seq, question in enumerate(body["questions"][:3], start=1):
        answer = _right(question)
        url = f"/api/v1/attempts/{body['id']}/answers/{question['id']}"
        response = web.client.put(url, json={"answer": answer, "seq": seq + 1}, headers=headers)
        assert response.get_json() == {"saved": True, "seq": seq + 1}
        saved[str(question["id"])] = answer
    return {"headers": headers, "attempt": body, "saved": saved}


def test_restore_brings_back_an_exam_in_progress(app, web, exam_in_progress, tmp_path, monkeypatch):
    # A storage folder of its own: the session's is shared with every other test's uploads.
    monkeypatch.setitem(app.config, "LOPHOC_STORAGE_DIR", str(tmp_path / "storage"))
    upload = storage.put("Bài làm của em".encode())
    scorm = storage.root() / "scorm" / "pkg1" / "index.html"
    scorm.parent.mkdir(parents=True)
    scorm.write_text("<html>SCORM</html>")
    archive = tmp_path / "sao-luu.tar.gz"

    made = _cli(app, "backup", "-o", str(archive), "--json")
    assert made.exit_code == 0, made.output
    summary = json.loads(made.output)
    assert summary["dialect"] == db.engine.dialect.name
    assert summary["files"] == 2
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["revision"] == summary["revision"] != ""
    assert f"storage/{upload[:2]}/{upload}" in manifest["files"]

    _wipe(app)
    assert not storage.root().exists()

    restored = _cli(app, "restore", str(archive), "--yes", "--json")
    assert restored.exit_code == 0, restored.output

    attempt = exam_in_progress["attempt"]
    rows = db.session.scalars(select(Response).where(Response.attempt_id == attempt["id"])).all()
    assert {str(r.question_id): r.answer for r in rows} == exam_in_progress["saved"]
    assert storage.get(upload) == "Bài làm của em".encode()
    assert scorm.read_text() == "<html>SCORM</html>"

    headers = exam_in_progress["headers"]  # the student's token was restored too
    view = web.client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).get_json()
    assert view["answers"] == exam_in_progress["saved"]
    assert view["status"] == "in_progress"
    last = attempt["questions"][3]
    url = f"/api/v1/attempts/{attempt['id']}/answers/{last['id']}"
    saved = web.client.put(url, json={"answer": _right(last), "seq": 1}, headers=headers)
    assert saved.status_code == 200
    submitted = web.client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.get_json()
    assert db.session.get(Attempt, attempt["id"]).status == "submitted"
    assert float(submitted.get_json()["score"]) == 10.0


def _rewrite(source, target, change) -> None:
    """Copy an archive member by member; `change(name, data)` returns new bytes or None."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for item in old:
            data = old.extractfile(item).read()
            data = change(item.name, data) or data
            info = tarfile.TarInfo(item.name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))


def _manifest_edit(**fields):
    def change(name, data):
        if name == "manifest.json":
            return json.dumps(json.loads(data) | fields).encode()
        return None

    return change


def test_damaged_or_foreign_archives_are_refused(app, school, tmp_path):
    storage.put(b"x" * 100)
    good = tmp_path / "good.tar.gz"
    assert _cli(app, "backup", "-o", str(good)).exit_code == 0
    cases = {
        "corrupt": lambda n, d: (d[:-1] + bytes([d[-1] ^ 1])) if n.startswith("storage/") else None,
        "dialect": _manifest_edit(dialect="oracle"),
        "revision": _manifest_edit(revision="ffffffffffff"),
        "format": _manifest_edit(format="something-else"),
    }
    expected = {
        "corrupt": "sai mã kiểm tra",
        "dialect": "oracle",
        "revision": "ffffffffffff",
        "format": "định dạng khác",
    }
    for case, change in cases.items():
        bad = tmp_path / f"{case}.tar.gz"
        _rewrite(good, bad, change)
        result = _cli(app, "restore", str(bad), "--yes")
        assert result.exit_code == 1, (case, result.output)
        assert expected[case] in result.output, (case, result.output)
    not_an_archive = tmp_path / "notes.tar.gz"
    not_an_archive.write_bytes(b"this is not a backup")
    result = _cli(app, "restore", str(not_an_archive), "--yes")
    assert result.exit_code == 1 and "không phải tệp sao lưu" in result.output
    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    result = _cli(app, "restore", str(truncated), "--yes")
    assert result.exit_code == 1 and "Lỗi:" in result.output
    # nothing was touched by the refused restores
    assert db.session.get(type(school), school.id).code == school.code
