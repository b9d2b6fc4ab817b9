"""Time and memory of importing a ~100 MB SCORM package (mostly incompressible media).

Usage: python bench/scorm_package_import.py [--mb 100] [--database-url URL]
Builds the zip in a temp folder, then imports it in a fresh subprocess through the same
service `lophoc import scorm` calls (app.services.elearning.import_package), against a fresh
migrated database (SQLite by default). Prints one JSON line: seconds, tracemalloc peak of the
import, and the process's peak RSS before and after (ru_maxrss). Targets: < 10 s, < 100 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="bench" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o1"><organization identifier="o1"><title>Bài giảng 100 MB</title>
  {items}
  </organization></organizations>
  <resources>{resources}</resources>
</manifest>"""


def build(path: Path, megabytes: int) -> None:
    """20 lessons, each an HTML page (deflated) and a random 'video' (stored, as tools do)."""
    lessons = 20
    chunk = megabytes * 1024 * 1024 // lessons
    items = "".join(
        f'<item identifier="i{n}" identifierref="r{n}"><title>Bài {n}</title></item>'
        for n in range(lessons)
    )
    resources = "".join(
        f'<resource identifier="r{n}" type="webcontent" adlcp:scormtype="sco" '
        f'href="lesson{n}/index.html"><file href="lesson{n}/index.html"/>'
        f'<file href="lesson{n}/video.mp4"/></resource>'
        for n in range(lessons)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", MANIFEST.format(items=items, resources=resources))
        for n in range(lessons):
            zf.writestr(f"lesson{n}/index.html", f"<html><body><h1>Bài {n}</h1></body></html>" * 50)
            info = zipfile.ZipInfo(f"lesson{n}/video.mp4")
            info.compress_type = zipfile.ZIP_STORED
            with zf.open(info, "w") as out:
                for _ in range(chunk // (1024 * 1024)):
                    out.write(os.urandom(1024 * 1024))


def child(zip_path: str, database_url: str, storage: str) -> None:
    import resource
    import time
    import tracemalloc

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.models import Course, School, User
    from app.services import elearning
    from app.services.school import add_class, current_year, ensure_subject

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "LOPHOC_STORAGE_DIR": storage, "TESTING": True}
    )
    with app.app_context():
        upgrade()
        school = School(code="BENCH", name="Bench")
        db.session.add(school)
        db.session.flush()
        year = current_year(school)
        klass = add_class(None, school, year, "10A1")
        teacher = User(
            school_id=school.id,
            username="gv",
            role="teacher",
            full_name="Giáo viên",
            password_hash="x",
            search_text="gv",
        )
        db.session.add(teacher)
        db.session.flush()
        course = Course(
            school_id=school.id,
            school_year_id=year.id,
            class_id=klass.id,
            subject_id=ensure_subject(school, "Tin học").id,
            teacher_id=teacher.id,
        )
        db.session.add(course)
        db.session.commit()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        started = time.perf_counter()
        version = elearning.import_package(None, course.id, Path(zip_path))
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        # The web path: the upload stream copied to staging, previewed, then published.
        tracemalloc.reset_peak()
        started = time.perf_counter()
        with open(zip_path, "rb") as stream:
            token, _preview = elearning.stage_upload(teacher, course.id, stream)
        elearning.publish_staged(teacher, token)
        web_seconds = time.perf_counter() - started
        _current, web_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({
            "zip_mb": round(Path(zip_path).stat().st_size / 2**20, 1),
            "files": version.file_count,
            "scos": sum(1 for i in version.items if i.is_sco),
            "seconds": round(seconds, 2),
            "tracemalloc_peak_mb": round(peak / 2**20, 2),
            "web_upload_seconds": round(web_seconds, 2),
            "web_tracemalloc_peak_mb": round(web_peak / 2**20, 2),
            "rss_before_mb": round(rss_before / 1024, 1),
            "rss_after_mb": round(rss_after / 1024, 1),
            "rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
        }))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        zip_path = Path(tmp) / "bench.zip"
        build(zip_path, args.mb)
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        env = {**os.environ, "LOPHOC_ENV": "development"}
        subprocess.run(
            [sys.executable, __file__, "--child", str(zip_path), url, f"{tmp}/storage"],
            check=True,
            env=env,
        )


if __name__ == "__main__":
    main()
