"""XML and zip attack files against every importer (issue 11): external entities (file:// and
http://), DTD retrieval, billion laughs, quadratic blowup; zip slip, zip bombs (ratio and
absolute size), nested zips. Each is refused with the importer's own clean error, in bounded
time, without reading a local file or fetching a URL. (The SCORM archive's own zip checks are
in tests/scorm_import/test_scorm_archive.py.)"""

from __future__ import annotations

import http.server
import io
import re
import struct
import threading
import time
import zipfile

import docx
import pytest
from openpyxl import Workbook

import question_banks
from app.core.errors import DomainError
from app.services.roster_files import read_roster
from question_banks import BankFormatError
from scorm_import import ScormError, load_package, parse_manifest

pytestmark = pytest.mark.security

BOUND_SECONDS = 2.0
SECRET = "LOPHOC-SECRET-7f3a91"
SCORM_MANIFEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2">
<organizations default="o"><organization identifier="o"><title>T</title>
<item identifier="i" identifierref="r"><title>B</title></item></organization></organizations>
<resources><resource identifier="r" type="webcontent" href="index.html">
<file href="index.html"/></resource></resources></manifest>"""
TRIED: list[str] = []


class _Hits(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 - shared on purpose: the test reads it

    def do_GET(self):
        _Hits.hits.append(self.path)
        body = b'<!ENTITY e "fetched">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def listener():
    """A local web server that records every request: no importer may ever call it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("xxe") / "secret.txt"
    path.write_text(SECRET)
    return path


def _doctypes(secret_file, url: str) -> dict[str, bytes]:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    return {
        "xxe-file": f'<!DOCTYPE r [<!ENTITY e SYSTEM "file://{secret_file}">]>'.encode(),
        "xxe-http": f'<!DOCTYPE r [<!ENTITY e SYSTEM "{url}/entity">]>'.encode(),
        "dtd-retrieval": f'<!DOCTYPE r SYSTEM "{url}/evil.dtd">'.encode(),
        "param-entity": f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]>'.encode(),
        "billion-laughs": f'<!DOCTYPE r [<!ENTITY l0 "ha">{laughs}<!ENTITY e "&l9;">]>'.encode(),
        "quadratic": f'<!DOCTYPE r [<!ENTITY e "{"x" * 50_000}">]>'.encode(),
    }


def _poison(xml: bytes, doctype: bytes, refs: int = 1) -> bytes:
    """The same document with `doctype` after its prolog and `&e;` inside its root element."""
    text = xml.lstrip(b"\xef\xbb\xbf")
    prolog = re.match(rb"\s*(<\?xml[^>]*\?>)?\s*", text)
    head, rest = text[: prolog.end()], text[prolog.end() :]
    root = re.search(rb"<[A-Za-z][^>]*?(/?)>", rest)
    if root[1]:  # an empty root element <r/> gets content
        opened = (
            root[0][:-2]
            + b">"
            + b"&e;" * refs
            + b"</"
            + re.match(rb"<([^\s/>]+)", root[0])[1]
            + b">"
        )
        return head + doctype + rest[: root.start()] + opened + rest[root.end() :]
    return head + doctype + rest[: root.end()] + b"&e;" * refs + rest[root.end() :]


def _rezip(data: bytes, member: str, change) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, change(body) if info.filename == member else body)
    return out.getvalue()


def _question():
    return question_banks.parse(
        "::q1:: Thủ đô của Việt Nam? {=Hà Nội ~Huế ~Đà Nẵng}".encode(), "gift"
    )


def _bases() -> dict[str, tuple[bytes, str]]:
    """A valid file of each importer and the XML part the attack goes into."""
    questions = _question().questions
    book = io.BytesIO()
    sheet = Workbook()
    sheet.active.append(["Họ và tên", "Mã học sinh", "Lớp"])
    sheet.active.append(["Nguyễn Văn An", "HS001", "10A1"])
    sheet.save(book)
    word = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Câu 1. Thủ đô của Việt Nam?")
    document.save(word)
    scorm = io.BytesIO()
    with zipfile.ZipFile(scorm, "w") as zf:
        zf.writestr("imsmanifest.xml", SCORM_MANIFEST)
        zf.writestr("index.html", "<html>bài</html>")
    return {
        "moodlexml": (question_banks.dump(questions, "moodlexml"), ""),
        "qti-item": (question_banks.dump(questions, "qti"), "zip-item"),
        "qti-manifest": (question_banks.dump(questions, "qti"), "imsmanifest.xml"),
        "xlsx-bank": (question_banks.dump(questions, "xlsx"), "xl/workbook.xml"),
        "docx-bank": (word.getvalue(), "word/document.xml"),
        "roster-xlsx": (book.getvalue(), "xl/workbook.xml"),
        "roster-xlsx-sheet": (book.getvalue(), "xl/worksheets/sheet1.xml"),
        "scorm-manifest": (SCORM_MANIFEST, ""),
        "scorm-package": (scorm.getvalue(), "imsmanifest.xml"),
    }


def _import(kind: str, data: bytes):
    """Run the importer of `kind`; return its result or its clean error."""
    try:
        if kind == "moodlexml":
            return question_banks.parse(data, "moodlexml", "bank.xml")
        if kind.startswith("qti"):
            return question_banks.parse(data, "qti", "bank.zip")
        if kind == "xlsx-bank":
            return question_banks.parse(data, "xlsx", "bank.xlsx")
        if kind == "docx-bank":
            return question_banks.parse(data, "docx", "bank.docx")
        if kind.startswith("roster"):
            return read_roster(data, "danh-sach.xlsx")
        if kind == "scorm-manifest":
            return parse_manifest(data)
        return load_package(data)
    except (BankFormatError, DomainError, ScormError) as exc:
        return exc


def _expected_error(kind: str):
    if kind.startswith("roster"):
        return DomainError
    return ScormError if kind.startswith("scorm") else BankFormatError


def _message(result) -> str:
    return getattr(result, "message", None) or str(result)


def _attack(kind: str, base: bytes, member: str, doctype: bytes, refs: int = 1) -> bytes:
    if not member:
        return _poison(base, doctype, refs)
    if member == "zip-item":
        with zipfile.ZipFile(io.BytesIO(base)) as zf:
            member = next(n for n in zf.namelist() if n.endswith(".xml") and "manifest" not in n)
    return _rezip(base, member, lambda body: _poison(body, doctype, refs))


def test_the_base_files_import(secret_file):
    """The attacks below start from files each importer reads, so a refusal is the attack's."""
    for kind, (base, _member) in _bases().items():
        result = _import(kind, base)
        assert not isinstance(result, Exception), (kind, _message(result))


@pytest.mark.parametrize(
    "attack", ["xxe-file", "xxe-http", "dtd-retrieval", "param-entity", "billion-laughs",
               "quadratic"],
)  # fmt: skip
def test_xml_attacks_are_refused_in_every_xml_importer(attack, listener, secret_file):
    doctype = _doctypes(secret_file, listener)[attack]
    _Hits.hits.clear()
    for kind, (base, member) in _bases().items():
        data = _attack(kind, base, member, doctype, refs=2000 if attack == "quadratic" else 1)
        started = time.monotonic()
        result = _import(kind, data)
        elapsed = time.monotonic() - started
        TRIED.append(f"{attack}:{kind}")
        assert isinstance(result, _expected_error(kind)), (attack, kind, result)
        text = _message(result)
        assert text and SECRET not in text and "fetched" not in text, (attack, kind, text)
        if attack != "dtd-retrieval":  # an external DTD alone may fail as plain bad XML
            assert any(w in text for w in ("DTD", "DOCTYPE", "thực thể", "XXE")), (kind, text)
        assert elapsed < BOUND_SECONDS, (attack, kind, elapsed)
    assert _Hits.hits == [], f"an importer fetched {_Hits.hits}"


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return out.getvalue()


def _declare_size(data: bytes, name: str, size: int) -> bytes:
    """Patch a stored member's sizes in both headers, as a hand-made bomb declares them."""
    raw = bytearray(data)
    encoded = name.encode()
    for signature, offset in ((b"PK\x01\x02", 20), (b"PK\x03\x04", 18)):
        at = raw.find(signature + b"")
        while at != -1:
            name_at = at + (46 if signature == b"PK\x01\x02" else 30)
            if raw[name_at : name_at + len(encoded)] == encoded:
                struct.pack_into("<II", raw, at + offset, size, size)
            at = raw.find(signature, at + 4)
    return bytes(raw)


ZIP_IMPORTERS = ["qti-manifest", "xlsx-bank", "docx-bank", "roster-xlsx"]


def _with(kind: str, extra: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    base, _member = _bases()[kind]
    members = {}
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    return _zip({**members, **extra}, method)


@pytest.mark.parametrize("kind", ZIP_IMPORTERS)
def test_zip_slip_and_bombs_are_refused_by_every_zip_importer(kind):
    cases = {
        "slip-dotdot": (_with(kind, {"../../../tmp/lophoc-slip.txt": b"x"}), "đường dẫn"),
        "slip-absolute": (_with(kind, {"/etc/lophoc-slip.txt": b"x"}), "đường dẫn"),
        "slip-drive": (_with(kind, {"C:/Windows/lophoc.txt": b"x"}), "đường dẫn"),
        "bomb-ratio": (_with(kind, {"media/zero.bin": b"\0" * (20 * 1024 * 1024)}), "nén"),
        "bomb-size": (
            _declare_size(
                _with(kind, {"media/big.bin": b"y" * 1000}, zipfile.ZIP_STORED),
                "media/big.bin",
                300 * 1024 * 1024,
            ),
            "200 MB",
        ),
    }
    for case, (data, words) in cases.items():
        started = time.monotonic()
        result = _import(kind, data)
        TRIED.append(f"{case}:{kind}")
        assert isinstance(result, _expected_error(kind)), (case, kind, result)
        assert words in _message(result), (case, kind, _message(result))
        assert time.monotonic() - started < BOUND_SECONDS, (case, kind)


@pytest.mark.parametrize("kind", [*ZIP_IMPORTERS, "scorm-package"])
def test_a_nested_zip_bomb_is_never_unpacked(kind):
    """A zip inside the package is just a member: no importer opens it, whatever it holds."""
    inner = _zip({f"layer{i}.bin": b"\0" * (8 * 1024 * 1024) for i in range(8)})
    nested = _zip({"inner.zip": inner, "again.zip": _zip({"inner.zip": inner})})
    if kind == "scorm-package":
        data = _zip({"imsmanifest.xml": SCORM_MANIFEST, "index.html": b"<html></html>",
                     "media/nested.zip": nested})  # fmt: skip
    else:
        data = _with(kind, {"media/nested.zip": nested})
    started = time.monotonic()
    result = _import(kind, data)
    TRIED.append(f"nested-zip:{kind}")
    assert time.monotonic() - started < BOUND_SECONDS
    assert not isinstance(result, Exception) or isinstance(result, _expected_error(kind))


def test_the_roster_page_refuses_attack_files_with_a_400(make, school, web, secret_file):
    """Through the admin's roster page: an XXE workbook and a damaged one are a clear 400
    (the damaged one was a 500 before), and nobody is created."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import User

    make.user(school, "admin", username="qt.roster")
    web.login("qt.roster")
    base, member = _bases()["roster-xlsx"]
    doctype = _doctypes(secret_file, "http://127.0.0.1:9")["xxe-file"]
    damaged = bytearray(base)
    damaged[len(damaged) // 2 : len(damaged) // 2 + 40] = b"\xff" * 40
    people = db.session.scalar(select(func.count()).select_from(User))
    for name, data in (("xxe", _attack("roster-xlsx", base, member, doctype)),
                       ("damaged", bytes(damaged))):  # fmt: skip
        TRIED.append(f"roster-page:{name}")
        response = web.post_form(
            "/admin/roster",
            {"file": (io.BytesIO(data), "danh-sach.xlsx")},
            content_type="multipart/form-data",
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 400, (name, response.status_code)
        assert "Không đọc được tệp Excel" in page and SECRET not in page
    assert db.session.scalar(select(func.count()).select_from(User)) == people


def test_report_attack_files_tried():
    print(f"XML/zip attack files tried: {len(TRIED)}")
