"""The vendored front-end assets are complete, unmodified since vendoring and CDN-free."""

import hashlib
import re
from pathlib import Path

import pytest

VENDOR = Path(__file__).resolve().parents[2] / "app" / "static" / "vendor"
VERSIONS = VENDOR / "VERSIONS.txt"
EXPECTED_PACKAGES = {
    "bootstrap": "5.3.",
    "htmx.org": "2.",
    "katex": "0.16.",
    "chart.js": "4.",
    "socket.io-client": "4.",
    "scorm-again": ("2.", "3."),
}
CDN_HOSTS = (
    "cdn.jsdelivr.net",
    "unpkg.com",
    "cdnjs.cloudflare.com",
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "ajax.googleapis.com",
    "code.jquery.com",
    "stackpath.bootstrapcdn.com",
    "maxcdn.bootstrapcdn.com",
    "cdn.socket.io",
    "esm.sh",
    "cdn.skypack.dev",
)
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*)\1\s*\)""")
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""")
MAX_TOTAL_BYTES = 5 * 1024 * 1024


def _records() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    packages: dict[str, tuple[str, str]] = {}
    files: dict[str, str] = {}
    for line in VERSIONS.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        kind, *fields = line.split("\t")
        if kind == "package":
            name, version, licence = fields
            packages[name] = (version, licence)
        elif kind == "file":
            path, digest = fields
            files[path] = digest
        else:
            pytest.fail(f"unknown record in VERSIONS.txt: {line!r}")
    return packages, files


def _text_assets() -> list[Path]:
    # is_file(): the folder "chart.js" has a ".js" suffix too.
    return sorted(p for p in VENDOR.rglob("*") if p.is_file() and p.suffix in {".js", ".css"})


def test_versions_file_lists_every_required_package_at_its_pinned_major_version() -> None:
    packages, _ = _records()
    assert set(packages) == set(EXPECTED_PACKAGES)
    for name, prefix in EXPECTED_PACKAGES.items():
        version, licence = packages[name]
        assert version.startswith(prefix), (name, version)
        assert licence, name


def test_every_listed_file_exists_with_the_recorded_checksum() -> None:
    _, files = _records()
    assert files
    for rel, digest in files.items():
        path = VENDOR / rel
        assert path.is_file(), rel
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{rel} was edited"


def test_every_package_has_its_licence_and_at_least_one_asset() -> None:
    packages, files = _records()
    for name in packages:
        own = [rel for rel in files if rel.startswith(f"{name}/")]
        assert f"{name}/LICENSE" in own, name
        assert any(rel.endswith((".js", ".css")) for rel in own), name


def test_no_unlisted_file_sits_in_the_vendor_folder() -> None:
    _, files = _records()
    on_disk = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()}
    assert on_disk - {"VERSIONS.txt"} == set(files)


def test_the_browser_builds_the_templates_need_are_present() -> None:
    for rel in (
        "bootstrap/bootstrap.min.css",
        "bootstrap/bootstrap.bundle.min.js",
        "htmx.org/htmx.min.js",
        "katex/katex.min.css",
        "katex/katex.min.js",
        "katex/contrib/auto-render.min.js",
        "chart.js/chart.umd.min.js",
        "socket.io-client/socket.io.min.js",
        "scorm-again/scorm12.min.js",
        "scorm-again/scorm2004.min.js",
    ):
        assert (VENDOR / rel).is_file(), rel


def test_no_vendored_file_names_a_cdn_host() -> None:
    for path in _text_assets():
        text = path.read_text(encoding="utf-8", errors="replace")
        for host in CDN_HOSTS:
            assert host not in text, f"{path.relative_to(VENDOR)} names {host}"


def test_css_loads_nothing_from_another_origin() -> None:
    for path in (p for p in _text_assets() if p.suffix == ".css"):
        text = path.read_text(encoding="utf-8")
        targets = [m.group(2) for m in CSS_URL.finditer(text)]
        targets += CSS_IMPORT.findall(text)
        for target in targets:
            if target.startswith("data:"):
                continue
            assert not re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", target, re.I), (path.name, target)


def test_katex_font_urls_resolve_to_vendored_files() -> None:
    css = VENDOR / "katex" / "katex.min.css"
    fonts = [m.group(2) for m in CSS_URL.finditer(css.read_text(encoding="utf-8"))]
    assert fonts, "katex.min.css declares no fonts"
    for rel in fonts:
        assert rel.startswith("fonts/"), rel
        assert (css.parent / rel).is_file(), rel


def test_no_source_map_comment_points_at_an_unvendored_map() -> None:
    for path in _text_assets():
        for ref in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="replace")):
            assert (path.parent / ref).is_file(), f"{path.name} -> {ref}"


def test_vendored_assets_stay_under_five_megabytes() -> None:
    total = sum(p.stat().st_size for p in VENDOR.rglob("*") if p.is_file())
    assert total < MAX_TOTAL_BYTES
