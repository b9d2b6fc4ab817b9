"""E-learning packages: SCORM upload preview, import (new package or new version), publishing.

The zip is vetted by scorm_import (zip slip, links, bombs, XXE, missing files); content is
extracted to a temporary folder under storage/scorm/ and renamed into place, and the rows
are written in one transaction, so a failed import leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from app.core import storage
from app.core.errors import Forbidden, NotFound, TooLarge, ValidationFailed
from app.core.text import clean_line
from app.extensions import db
from app.models import Course, CourseSection, Lesson, ScormItem, ScormPackage, User
from app.models.elearning import GRADEBOOK_COLUMNS, ScormPackageVersion
from app.services import audit
from app.services.access import get_scoped, is_course_staff
from app.services.scorm_structure import item_rows, navigation, preview_tree, unsupported
from scorm_import import Package, ScormError, load_package, open_archive

DEFAULT_MAX_MB = 200
_CHUNK = 1024 * 1024
_STAGING_MAX_AGE = 6 * 3600


def max_upload_bytes() -> int:
    """The largest SCORM zip accepted: LOPHOC_SCORM_MAX_MB, else 200 MB."""
    configured = current_app.config.get("LOPHOC_SCORM_MAX_MB") or os.environ.get(
        "LOPHOC_SCORM_MAX_MB"
    )
    return int(float(configured or DEFAULT_MAX_MB) * 2**20)


def too_large_message() -> str:
    return _(
        "Gói SCORM quá lớn: tối đa %(mb)s MB. Hãy nén lại video/âm thanh trong gói hoặc chia "
        "thành nhiều gói nhỏ.",
        mb=max_upload_bytes() >> 20,
    )


def content_root() -> Path:
    return storage.root() / "scorm"


def version_dir(version: ScormPackageVersion) -> Path:
    """Where a package version's files are: one folder per version, never shared."""
    return content_root() / version.storage_key


@dataclass
class Preview:
    """What the teacher sees before publishing."""

    package: Package
    tree: list
    unsupported: list[str]
    warnings: list[str]
    size_bytes: int
    file_count: int
    sco_count: int


def _invalid(exc: ScormError) -> ValidationFailed:
    where = f"{exc.where}: " if getattr(exc, "where", None) else ""
    errors = [{"where": exc.where or "", "message": line} for line in exc.details]
    return ValidationFailed(
        _("Gói SCORM không nhập được — %(w)s%(m)s", w=where, m=exc.message),
        code="invalid_scorm",
        details={"errors": errors} if errors else None,
    )


def _course_for_edit(actor: User | None, course_id: object) -> Course:
    if actor is None:  # the command line acts as the system
        course = db.session.get(Course, _int(course_id))
        if course is None:
            raise NotFound(_("Không tìm thấy khoá học %(id)s.", id=course_id))
        return course
    course = get_scoped(Course, course_id, actor)
    if not is_course_staff(actor, course):
        raise Forbidden(_("Chỉ giáo viên của khoá học mới tải gói SCORM lên được."))
    return course


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotFound(_("Không tìm thấy.")) from None


def inspect(path: Path) -> Preview:
    """Open and describe a zip on disk without extracting it. Raises ValidationFailed."""
    try:
        with open_archive(path) as archive:
            package = load_package(archive)
            size, count = archive.total_size, len(archive.names)
    except ScormError as exc:
        raise _invalid(exc) from exc
    if not package.launchables():
        raise ValidationFailed(_("Gói SCORM không có mục nào để mở (không có SCO hay tài nguyên)."))
    return Preview(
        package=package,
        tree=preview_tree(package),
        unsupported=unsupported(package),
        warnings=list(package.warnings),
        size_bytes=size,
        file_count=count,
        sco_count=len(package.scos()),
    )


def _staging_dir() -> Path:
    path = content_root() / "staging"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _forget_stale_uploads() -> None:
    """Staged zips nobody published are removed once their token could no longer be used."""
    cutoff = time.time() - _STAGING_MAX_AGE
    for staged in _staging_dir().glob("*.zip"):
        try:
            if staged.stat().st_mtime < cutoff:
                staged.unlink()
        except FileNotFoundError:  # another worker removed it first
            pass


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="scorm-staging")


def stage_upload(actor: User, course_id: object, stream: BinaryIO) -> tuple[str, Preview]:
    """Copy an uploaded zip to the staging folder (streamed) and preview it.

    Returns a signed staging token for `publish_staged`. Raises TooLarge, ValidationFailed,
    Forbidden, NotFound; writes nothing to the database."""
    course = _course_for_edit(actor, course_id)
    _forget_stale_uploads()
    key = uuid.uuid4().hex
    target = _staging_dir() / f"{key}.zip"
    written, limit = 0, max_upload_bytes()
    with target.open("wb") as out:
        while chunk := stream.read(_CHUNK):
            written += len(chunk)
            if written > limit:
                out.close()
                target.unlink(missing_ok=True)
                raise TooLarge(too_large_message())
            out.write(chunk)
    if written == 0:
        target.unlink(missing_ok=True)
        raise ValidationFailed(_("Hãy chọn một tệp .zip chứa gói SCORM."))
    try:
        preview = inspect(target)
    except ValidationFailed:
        target.unlink(missing_ok=True)
        raise
    token = _serializer().dumps({"k": key, "u": actor.id, "c": course.id})
    return token, preview


def staged_path(actor: User, token: str) -> tuple[Path, int]:
    """The staged zip a token names, for the user who uploaded it; raises ValidationFailed."""
    try:
        data = _serializer().loads(token or "", max_age=_STAGING_MAX_AGE)
    except BadSignature:
        data = None
    path = _staging_dir() / f"{data['k']}.zip" if data and data.get("u") == actor.id else None
    if path is None or not path.is_file():
        raise ValidationFailed(_("Tệp đã tải lên không còn hoặc đã hết hạn; hãy tải lên lại."))
    return path, data["c"]


def _section(course: Course, section_id: object) -> CourseSection:
    if section_id not in (None, ""):
        section = db.session.get(CourseSection, _int(section_id))
        if section is None or section.course_id != course.id:
            raise ValidationFailed(_("Chủ đề đã chọn không thuộc khoá học này."))
        return section
    section = db.session.scalar(
        select(CourseSection)
        .where(CourseSection.course_id == course.id)
        .order_by(CourseSection.position.desc(), CourseSection.id.desc())
    )
    if section is None:
        section = CourseSection(
            school_id=course.school_id,
            course_id=course.id,
            position=1,
            title=_("Bài giảng điện tử"),
        )
        db.session.add(section)
        db.session.flush()
    return section


def _column(value: object) -> str:
    column = str(value or "none")
    if column not in GRADEBOOK_COLUMNS:
        raise ValidationFailed(_("Cột sổ điểm “%(c)s” không hợp lệ.", c=column))
    return column


def import_package(
    actor: User | None,
    course_id: object,
    path: Path,
    *,
    filename: str = "",
    section_id: object = None,
    title: str | None = None,
    gradebook_column: object = "none",
    package_id: object = None,
) -> ScormPackageVersion:
    """Import a zip as a new package published as a lesson (or as a new version of
    `package_id`; earlier attempts stay on their version). One transaction.

    Raises ValidationFailed (bad package, section, column), Forbidden, NotFound."""
    course = _course_for_edit(actor, course_id)
    preview = inspect(path)
    package = _package_for(actor, course, preview, package_id, section_id, title, gradebook_column)
    number = (
        db.session.scalar(
            select(func.max(ScormPackageVersion.number)).where(
                ScormPackageVersion.package_id == package.id
            )
        )
        or 0
    ) + 1
    version = ScormPackageVersion(
        school_id=course.school_id,
        package_id=package.id,
        number=number,
        scorm_version=preview.package.version,
        title=(preview.package.title or package.title)[:200],
        manifest_identifier=(preview.package.identifier or "")[:255],
        storage_key=uuid.uuid4().hex,
        filename=clean_line(filename)[:255],
        size_bytes=preview.size_bytes,
        file_count=preview.file_count,
        warnings=preview.warnings[:100],
        unsupported=preview.unsupported,
        navigation=navigation(preview.package),
    )
    db.session.add(version)
    db.session.flush()
    for position, row in enumerate(item_rows(preview.package), start=1):
        db.session.add(
            ScormItem(
                school_id=course.school_id, version_id=version.id, position=position, **vars(row)
            )
        )
    final = version_dir(version)
    _extract(path, final)
    try:
        audit.record(actor, "scorm.import", version, {"title": [None, version.title]})
        db.session.commit()
    except Exception:
        db.session.rollback()
        shutil.rmtree(final, ignore_errors=True)
        raise
    return version


def _package_for(actor, course, preview, package_id, section_id, title, column) -> ScormPackage:
    if package_id not in (None, ""):
        package = db.session.get(ScormPackage, _int(package_id))
        if package is None or package.course_id != course.id:
            raise NotFound(_("Không tìm thấy gói SCORM."))
        return package
    name = clean_line(title or "") or clean_line(preview.package.title or "") or _("Bài SCORM")
    section = _section(course, section_id)
    last = db.session.scalar(
        select(func.max(Lesson.position)).where(Lesson.section_id == section.id)
    )
    lesson = Lesson(
        school_id=course.school_id,
        section_id=section.id,
        course_id=course.id,
        position=(last or 0) + 1,
        title=name[:200],
        body_html="",
    )
    db.session.add(lesson)
    db.session.flush()
    package = ScormPackage(
        school_id=course.school_id,
        course_id=course.id,
        lesson_id=lesson.id,
        created_by_id=actor.id if actor else None,
        title=name[:200],
        gradebook_column=_column(column),
    )
    db.session.add(package)
    db.session.flush()
    return package


def _extract(path: Path, final: Path) -> None:
    """Extract into a temporary sibling folder, then rename it into place (atomic)."""
    content_root().mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".import-", dir=content_root()))
    try:
        with open_archive(path) as archive:
            archive.safe_extract(tmp)
        os.replace(tmp, final)
    except ScormError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _invalid(exc) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def publish_staged(
    actor: User, token: str, course_id: object = None, **fields
) -> ScormPackageVersion:
    """Import the zip staged by `stage_upload` (see import_package); the staged copy is removed
    once imported. With `course_id` (the page's course) the actor must be able to edit it
    (Forbidden/NotFound first) and the upload must have been staged for it."""
    if course_id is not None:
        _course_for_edit(actor, course_id)
    path, staged_course_id = staged_path(actor, token)
    if course_id is not None and staged_course_id != _int(course_id):
        raise ValidationFailed(_("Tệp đã tải lên thuộc một khoá học khác; hãy tải lên lại."))
    course_id = staged_course_id
    version = import_package(actor, course_id, path, **fields)
    path.unlink(missing_ok=True)
    return version


def get_package(actor: User, package_id: object) -> ScormPackage:
    """A package of a course the actor teaches, administers or studies in; raises NotFound."""
    from app.services.courses import get_course

    package = get_scoped(ScormPackage, package_id, actor)
    get_course(actor, package.course_id)
    return package


def editable_package(actor: User, package_id: object) -> ScormPackage:
    package = get_package(actor, package_id)
    _course_for_edit(actor, package.course_id)
    return package


def set_gradebook_column(actor: User, package_id: object, column: object) -> ScormPackage:
    """Choose the gradebook column the package feeds. Raises ValidationFailed, Forbidden."""
    package = editable_package(actor, package_id)
    old, package.gradebook_column = package.gradebook_column, _column(column)
    audit.record(actor, "scorm.column", package, {"column": [old, package.gradebook_column]})
    db.session.commit()
    return package
