"""`lophoc backup` / `lophoc restore`: one archive with the database and the stored files.

The archive is a gzip'd tar:
    database.sqlite3 | database.pgdump   SQLite's online backup API / pg_dump custom format
    storage/...                          LOPHOC_STORAGE_DIR: uploads, question assets, SCORM
    manifest.json                        format, versions, Alembic revision, SHA-256 of each file

Consistency: the database is copied first, then the files. Files are stored by content before
the transaction that points at them commits, and are never rewritten, so every file the copied
database refers to is already on disk when the files are copied (a file uploaded meanwhile is
merely extra). Restore refuses an archive whose manifest is missing or of another format, whose
checksums do not match, that comes from another database kind, or whose Alembic revision this
code does not know; an older revision is restored and then upgraded.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.core import storage
from app.core.clock import now_utc
from app.core.errors import ValidationFailed
from app.extensions import db

FORMAT = "lophoc-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1 << 20


@dataclass
class Manifest:
    dialect: str
    revision: str
    created_at: str
    app_version: str
    database: str
    files: dict[str, dict] = field(default_factory=dict)

    @property
    def file_count(self) -> int:
        return sum(1 for name in self.files if name.startswith("storage/"))

    def summary(self) -> dict:
        return {
            "dialect": self.dialect,
            "revision": self.revision,
            "created_at": self.created_at,
            "files": self.file_count,
            "bytes": sum(entry["size"] for entry in self.files.values()),
        }

    def as_json(self) -> bytes:
        body = {"format": FORMAT, "format_version": FORMAT_VERSION, **self.__dict__}
        return json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True).encode()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _app_version() -> str:
    try:
        return metadata.version("lophoc")
    except metadata.PackageNotFoundError:
        return "unknown"


def current_revision() -> str:
    return db.session.scalar(text("SELECT version_num FROM alembic_version")) or ""


def _script_directory():
    from alembic.script import ScriptDirectory

    migrate = current_app.extensions["migrate"]
    return ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ValidationFailed(
            _(
                "Không tìm thấy lệnh %(tool)s: cài gói postgresql-client (cùng phiên bản chính "
                "với máy chủ PostgreSQL), ví dụ `apt-get install postgresql-client`.",
                tool=name,
            ),
            code="pg_tools_missing",
        )
    return path


def _pg_args() -> tuple[list[str], dict]:
    """libpq connection arguments for the configured URL; the password goes in PGPASSWORD,
    not on the command line (other users can read it from `ps`)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    args = ["--dbname", url.database or ""]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(cmd: list[str], env: dict, what: str) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise ValidationFailed(
            _("%(what)s thất bại: %(error)s", what=what, error=result.stderr.strip()[-800:]),
            code="backup_failed",
        )


def _dump_database(dialect: str, target: Path) -> None:
    if dialect == "sqlite":
        source_path = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
        source = sqlite3.connect(source_path)
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)  # a consistent copy while the server keeps writing
        finally:
            dest.close()
            source.close()
        return
    args, env = _pg_args()
    cmd = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    _run([*cmd, "--file", str(target), *args], env, "pg_dump")


def create_backup(output: Path) -> Manifest:
    """Write the archive to `output` (atomically: a partial file never has the final name)."""
    dialect = db.engine.dialect.name
    if dialect not in DB_NAMES:
        raise ValidationFailed(_("Không sao lưu được cơ sở dữ liệu loại %(d)s.", d=dialect))
    manifest = Manifest(
        dialect=dialect,
        revision=current_revision(),
        created_at=now_utc().isoformat(),
        app_version=_app_version(),
        database=DB_NAMES[dialect],
    )
    db.session.rollback()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="lophoc-backup-") as tmp:
        dump = Path(tmp) / manifest.database
        _dump_database(dialect, dump)
        with tarfile.open(partial, "w:gz") as archive:
            manifest.files[manifest.database] = {
                "sha256": _sha256(dump),
                "size": dump.stat().st_size,
            }
            archive.add(dump, arcname=manifest.database)
            root = storage.root()
            if root.is_dir():
                for path in sorted(p for p in root.rglob("*") if p.is_file()):
                    name = "storage/" + path.relative_to(root).as_posix()
                    manifest.files[name] = {"sha256": _sha256(path), "size": path.stat().st_size}
                    archive.add(path, arcname=name)
            body = manifest.as_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(now_utc().timestamp())
            archive.addfile(info, io.BytesIO(body))
    os.replace(partial, output)
    return manifest


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="bad_backup")


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def verify_backup(path: Path) -> Manifest:
    """Read and check the whole archive (manifest, checksums, database kind, revision)."""
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _refuse(_("%(p)s không phải tệp sao lưu LopHoc (%(e)s).", p=path, e=exc)) from exc
    with archive:
        try:
            member = archive.getmember(MANIFEST)
            raw = json.loads(archive.extractfile(member).read())
        except (KeyError, ValueError, tarfile.TarError, OSError, EOFError) as exc:
            raise _refuse(_("Tệp sao lưu không có bản kê (manifest.json) hợp lệ.")) from exc
        if raw.get("format") != FORMAT or raw.get("format_version") != FORMAT_VERSION:
            raise _refuse(_("Tệp sao lưu thuộc định dạng khác hoặc phiên bản khác."))
        try:
            manifest = Manifest(**{k: raw[k] for k in Manifest.__dataclass_fields__})
        except (KeyError, TypeError) as exc:
            raise _refuse(_("Bản kê của tệp sao lưu thiếu thông tin.")) from exc
        seen: set[str] = set()
        try:
            for item in archive:
                if item.name == MANIFEST:
                    continue
                if not item.isfile() or not _safe_name(item.name):
                    raise _refuse(_("Tệp sao lưu chứa mục không hợp lệ: %(n)s.", n=item.name))
                expected = manifest.files.get(item.name)
                if expected is None:
                    raise _refuse(_("Tệp sao lưu chứa tệp lạ: %(n)s.", n=item.name))
                digest = hashlib.sha256()
                handle = archive.extractfile(item)
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
                if digest.hexdigest() != expected["sha256"]:
                    raise _refuse(
                        _("Tệp sao lưu bị hỏng: %(n)s sai mã kiểm tra (SHA-256).", n=item.name)
                    )
                seen.add(item.name)
        except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
            raise _refuse(_("Tệp sao lưu bị hỏng hoặc không đầy đủ (%(e)s).", e=exc)) from exc
    missing = sorted(set(manifest.files) - seen)
    if missing:
        raise _refuse(_("Tệp sao lưu thiếu %(n)s tệp, ví dụ %(f)s.", n=len(missing), f=missing[0]))
    dialect = db.engine.dialect.name
    if manifest.dialect != dialect:
        raise _refuse(
            _(
                "Tệp sao lưu là của cơ sở dữ liệu %(a)s, máy chủ này dùng %(b)s.",
                a=manifest.dialect,
                b=dialect,
            )
        )
    if manifest.database != DB_NAMES[dialect]:
        raise _refuse(_("Tệp sao lưu không có cơ sở dữ liệu."))
    if not _known(manifest):
        raise _refuse(
            _(
                "Tệp sao lưu ở phiên bản cơ sở dữ liệu %(r)s mà bản LopHoc này không biết "
                "(mới hơn?). Hãy khôi phục bằng bản LopHoc đã tạo ra nó (%(v)s).",
                r=manifest.revision or "?",
                v=manifest.app_version,
            )
        )
    return manifest


def _known(manifest: Manifest) -> bool:
    from alembic.util import CommandError

    try:
        return (
            bool(manifest.revision)
            and _script_directory().get_revision(manifest.revision) is not None
        )
    except CommandError:
        return False


def _restore_database(dialect: str, dump: Path) -> None:
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold a lock (or an old SQLite page)
    if dialect == "sqlite":
        target_path = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
        source = sqlite3.connect(dump)
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)  # replaces every page of the live file, WAL-safe
        finally:
            target.close()
            source.close()
        return
    args, env = _pg_args()
    cmd = [
        _pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
    ]
    _run([*cmd, *args, str(dump)], env, "pg_restore")


def _restore_files(archive: tarfile.TarFile, manifest: Manifest) -> None:
    root = storage.root()
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=root.parent))
    for item in archive:
        if not item.name.startswith("storage/") or item.name not in manifest.files:
            continue
        target = staging / item.name.removeprefix("storage/")
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.extractfile(item) as source, target.open("wb") as handle:
            shutil.copyfileobj(source, handle, CHUNK)
    old = root.parent / f".replaced-{root.name}-{os.getpid()}"
    if root.exists():
        os.replace(root, old)
    os.replace(staging, root)
    shutil.rmtree(old, ignore_errors=True)


def restore_backup(path: Path) -> Manifest:
    """Replace the database and the stored files with the archive's (stop the server first)."""
    manifest = verify_backup(path)
    dialect = db.engine.dialect.name
    with (
        tempfile.TemporaryDirectory(prefix="lophoc-restore-") as tmp,
        tarfile.open(path, "r:gz") as archive,
    ):
        dump = Path(tmp) / manifest.database
        with archive.extractfile(manifest.database) as source, dump.open("wb") as handle:
            shutil.copyfileobj(source, handle, CHUNK)
        if _sha256(dump) != manifest.files[manifest.database]["sha256"]:
            raise _refuse(_("Tệp sao lưu bị hỏng: cơ sở dữ liệu sai mã kiểm tra."))
        _restore_database(dialect, dump)
        _restore_files(archive, manifest)
    head = _script_directory().get_current_head()
    if manifest.revision != head:
        from flask_migrate import upgrade

        upgrade()
    return manifest
