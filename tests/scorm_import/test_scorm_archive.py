"""Safe zip handling: hostile archives are refused, names decoded, extraction stays inside."""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
import zlib

import pytest

from scorm_import import (
    ArchiveError,
    ArchiveLimits,
    ManifestNotFoundError,
    ScormError,
    UnsafeArchiveError,
    load_package,
    open_archive,
    safe_extract,
)

MiB = 1024 * 1024


def test_opens_a_minimal_package_from_bytes_and_lists_its_files(zips):
    with open_archive(zips.package()) as archive:
        assert archive.names == ("imsmanifest.xml", "index.html")
        assert archive.manifest_name == "imsmanifest.xml"
        assert archive.root_prefix == ""
        assert archive.warnings == ()
        assert archive.read_member("index.html", 100) == b"<html>ok</html>"


def test_opens_from_a_path_and_a_file_object(zips, tmp_path):
    path = tmp_path / "goi.zip"
    path.write_bytes(zips.package())
    with open_archive(path) as archive:
        assert "index.html" in archive
    with open_archive(str(path)) as archive:
        assert archive.total_size > 0
    with open_archive(io.BytesIO(path.read_bytes())) as archive:
        assert archive.find("INDEX.HTML") == "index.html"


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04" + b"\0" * 40])
def test_rejects_bytes_that_are_not_a_zip(data):
    with pytest.raises(ArchiveError, match="không phải tệp zip hợp lệ"):
        open_archive(data)


@pytest.mark.parametrize(
    "name",
    [
        "../evil.html",
        "a/../../evil.html",
        "/etc/passwd",
        "C:/Windows/evil.dll",
        "c:evil.html",
        "..\\..\\evil.html",
        "a\\..\\..\\evil.html",
        "\\\\server\\share\\x.html",
        "bad\x01name.html",
    ],
)
def test_rejects_member_names_that_escape_the_package(zips, name):
    with pytest.raises(UnsafeArchiveError, match="không an toàn"):
        open_archive(zips.package((name, b"x")))


def test_rejects_a_nul_byte_hidden_in_a_member_name(zips):
    data = zips.package(("evilXhtml.txt", b"x"))
    data = data.replace(b"evilXhtml.txt", b"evil\x00html.txt")
    with pytest.raises(UnsafeArchiveError, match="ký tự điều khiển"):
        open_archive(data)


def test_backslash_separators_are_folders_not_escapes(zips):
    with open_archive(zips.package(("images\\logo.png", b"png"))) as archive:
        assert "images/logo.png" in archive


def test_rejects_a_symlink_member(zips):
    link = zipfile.ZipInfo("shared/passwd")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with pytest.raises(UnsafeArchiveError, match="symlink"):
        open_archive(zips.package((link, b"/etc/passwd")))


def test_rejects_a_device_or_fifo_member(zips):
    fifo = zipfile.ZipInfo("pipe")
    fifo.create_system = 3
    fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
    with pytest.raises(UnsafeArchiveError, match="tệp đặc biệt"):
        open_archive(zips.package((fifo, b"")))


def test_rejects_an_encrypted_member(zips):
    data = zips.package(("secret.html", b"x"))
    data = zips.patch(data, b"secret.html", offset_local=6, offset_central=8, fmt="<H", value=1)
    with pytest.raises(ArchiveError, match="mật khẩu"):
        open_archive(data)


def test_rejects_a_member_with_an_unsupported_compression_method(zips):
    data = zips.package(("a.html", b"x" * 100))
    data = zips.patch(data, b"a.html", offset_local=8, offset_central=10, fmt="<H", value=9)
    with pytest.raises(ArchiveError, match="kiểu nén không hỗ trợ"):
        open_archive(data)


def test_rejects_a_zip_bomb_member_with_a_huge_compression_ratio(zips):
    bomb = zips.package(("video.bin", b"\0" * (4 * MiB)))
    with pytest.raises(UnsafeArchiveError, match="zip bomb"):
        open_archive(bomb)


def test_small_members_may_compress_well_without_tripping_the_ratio_check(zips):
    with open_archive(zips.package(("blank.css", b" " * 200_000))) as archive:
        assert archive.read_member("blank.css", MiB) == b" " * 200_000


def test_ratio_limit_and_threshold_are_configurable(zips):
    limits = ArchiveLimits(max_ratio=5, ratio_min_size=1000)
    with pytest.raises(UnsafeArchiveError, match="tỉ lệ nén"):
        open_archive(zips.package(("a.txt", b"a" * 5000)), limits=limits)


def test_rejects_more_entries_than_the_default_limit(zips):
    entries = [(f"f{i}.txt", b"") for i in range(10_000)]
    with pytest.raises(UnsafeArchiveError, match="quá nhiều tệp"):
        open_archive(zips.package(*entries))


def test_entry_limit_is_configurable(zips):
    data = zips.package(*[(f"f{i}.txt", b"") for i in range(10)])
    assert len(open_archive(data, limits=ArchiveLimits(max_entries=12)).names) == 12
    with pytest.raises(UnsafeArchiveError, match="tối đa 11"):
        open_archive(data, limits=ArchiveLimits(max_entries=11))


def test_rejects_total_uncompressed_size_over_the_limit(zips):
    data = zips.package(("a.bin", os.urandom(3000)), ("b.bin", os.urandom(3000)))
    with pytest.raises(UnsafeArchiveError, match="quá lớn khi giải nén"):
        open_archive(data, limits=ArchiveLimits(max_total_size=5000))


def test_rejects_declared_sizes_summing_past_500_mb_by_default(zips):
    data = zips.package(("a.bin", b"abc"))
    data = zips.patch(data, b"a.bin", offset_local=22, offset_central=24, fmt="<I", value=501 * MiB)
    # The forged size also makes the ratio absurd; either refusal is a clean rejection.
    with pytest.raises(UnsafeArchiveError):
        open_archive(data)
    with pytest.raises(UnsafeArchiveError, match="quá lớn khi giải nén"):
        open_archive(data, limits=ArchiveLimits(max_ratio=float("inf")))


def test_member_larger_than_declared_is_refused_when_read(zips, tmp_path):
    payload = os.urandom(5000)
    data = zips.package(("page.html", payload))
    data = zips.patch(data, b"page.html", offset_local=22, offset_central=24, fmt="<I", value=100)
    with open_archive(data) as archive:
        with pytest.raises(UnsafeArchiveError, match="bị hỏng hoặc bị sửa"):
            archive.read_member("page.html", MiB)
        with pytest.raises(UnsafeArchiveError):
            archive.safe_extract(tmp_path / "out")
    assert not (tmp_path / "out" / "page.html").exists()
    assert not (tmp_path / "out" / "imsmanifest.xml").exists()


def test_member_smaller_than_declared_is_refused_as_a_size_lie(zips):
    data = zips.package(("page.html", os.urandom(5000)))
    data = zips.patch(data, b"page.html", offset_local=22, offset_central=24, fmt="<I", value=9000)
    with open_archive(data) as archive, pytest.raises(UnsafeArchiveError, match="kích thước"):
        archive.read_member("page.html", MiB)


def test_read_member_refuses_more_than_max_bytes_and_unknown_names(zips):
    with open_archive(zips.package(("big.js", b"x" * 5000))) as archive:
        with pytest.raises(UnsafeArchiveError, match="quá lớn để đọc"):
            archive.read_member("big.js", 4999)
        with pytest.raises(ArchiveError, match=r"Không có tệp 'nope\.js'"):
            archive.read_member("nope.js", 10)


def test_corrupt_compressed_data_is_an_archive_error_not_a_crash(zips):
    data = bytearray(zips.package(("page.html", b"hello world " * 400)))
    start = data.find(b"page.html", 30) + len(b"page.html")
    data[start + 10 : start + 40] = b"\xff" * 30
    with open_archive(bytes(data)) as archive, pytest.raises(UnsafeArchiveError):
        archive.read_member("page.html", MiB)


def test_names_differing_only_by_case_are_kept_with_a_warning(zips, tmp_path):
    with open_archive(zips.package(("Images/Logo.png", b"1"), ("images/logo.png", b"2"))) as ar:
        assert {"Images/Logo.png", "images/logo.png"} <= set(ar.names)
        assert any("chỉ khác nhau chữ hoa/thường" in w for w in ar.warnings)
        written = ar.safe_extract(tmp_path)
    assert (tmp_path / "Images" / "Logo.png").read_bytes() == b"1"
    assert (tmp_path / "images" / "logo.png").read_bytes() == b"2"
    assert len(written) == 4


def test_names_equal_after_normalising_are_duplicates(zips):
    with pytest.raises(UnsafeArchiveError, match="xuất hiện hai lần"):
        open_archive(zips.package(("a/b.html", b"1"), ("a\\b.html", b"2")))
    with pytest.raises(UnsafeArchiveError, match="xuất hiện hai lần"):
        open_archive(zips.package(("./index.html", b"again")))


def test_a_name_that_is_both_file_and_folder_is_refused(zips):
    with pytest.raises(UnsafeArchiveError, match="vừa là tệp vừa là thư mục"):
        open_archive(zips.package(("lib", b"file"), ("lib/x.js", b"js")))


def test_utf8_names_with_the_utf8_flag_are_decoded(zips):
    with open_archive(zips.package(("bài học/trang 1.html", b"x"))) as archive:
        assert "bài học/trang 1.html" in archive


def test_utf8_names_without_the_flag_are_still_decoded_as_utf8(zips):
    name = "bài học.html"
    data = zips.package((name, b"x"))
    encoded = name.encode("utf-8")
    data = zips.patch(data, encoded, offset_local=6, offset_central=8, fmt="<H", value=0)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(encoded.decode("cp437"))
    assert info.flag_bits & 0x800 == 0  # zipfile alone would show mojibake
    with open_archive(data) as archive:
        assert name in archive


def test_legacy_cp437_names_are_decoded_as_cp437(zips):
    data = zips.package(("cafX.html", b"x")).replace(b"cafX.html", b"caf\x82.html")
    with open_archive(data) as archive:
        assert "café.html" in archive


def test_fallback_encoding_can_be_set_for_vietnamese_windows_zips(zips):
    # 'Hà' in Windows-1258 is b'H\xe0', which is not valid UTF-8.
    data = zips.package(("HX.html", b"x")).replace(b"HX.html", b"H\xe0.html")
    with open_archive(data, limits=ArchiveLimits(fallback_encoding="cp1258")) as archive:
        assert "Hà.html" in archive


def test_info_zip_unicode_path_extra_field_wins_over_the_raw_name(zips):
    raw = b"bai-hoc.html"
    unicode_name = "bài học.html".encode()
    info = zipfile.ZipInfo(raw.decode())
    info.extra = struct.pack("<HHB", 0x7075, 5 + len(unicode_name), 1)
    info.extra += struct.pack("<I", zlib.crc32(raw)) + unicode_name
    with open_archive(zips.package((info, b"x"))) as archive:
        assert "bài học.html" in archive


def test_decomposed_macos_names_are_normalised_to_nfc(zips):
    decomposed = "ba\u0300i ho\u0323c.html"
    with open_archive(zips.package((decomposed, b"x"))) as archive:
        assert "bài học.html" in archive


def test_manifest_only_in_a_subfolder_is_reported_with_its_location(zips):
    data = zips.build([("course/imsmanifest.xml", zips.manifest_12), ("course/index.html", b"")])
    with pytest.raises(ManifestNotFoundError) as caught:
        open_archive(data)
    assert caught.value.message.startswith("Không tìm thấy imsmanifest.xml ở thư mục gốc của gói")
    assert "course/" in caught.value.message
    assert caught.value.where == "course/imsmanifest.xml"


def test_single_top_folder_is_accepted_when_allowed_and_the_prefix_reported(zips, tmp_path):
    data = zips.build(
        [
            ("course/", b""),
            ("course/imsmanifest.xml", zips.manifest_12),
            ("course/index.html", b"<html/>"),
            ("__MACOSX/course/._index.html", b"junk"),
        ]
    )
    with open_archive(data, allow_root_folder=True) as archive:
        assert archive.root_prefix == "course/"
        assert archive.names == ("imsmanifest.xml", "index.html")
        written = archive.safe_extract(tmp_path)
    assert sorted(p.name for p in written) == ["imsmanifest.xml", "index.html"]
    assert (tmp_path / "index.html").read_bytes() == b"<html/>"
    package = load_package(data, allow_root_folder=True)
    assert package.root_prefix == "course/"
    assert package.scos()[0].url == "index.html"


def test_single_top_folder_with_files_beside_it_is_still_refused(zips):
    data = zips.build([("course/imsmanifest.xml", zips.manifest_12), ("other.html", b"")])
    with pytest.raises(ManifestNotFoundError, match="thư mục con 'course/'"):
        open_archive(data, allow_root_folder=True)


def test_zip_without_any_manifest_is_not_a_scorm_package(zips):
    with pytest.raises(ManifestNotFoundError, match="không phải gói SCORM"):
        open_archive(zips.build([("test.htm", b"")]))


def test_manifest_name_in_the_wrong_case_is_accepted_with_a_warning(zips):
    data = zips.build([("IMSManifest.xml", zips.manifest_12), ("index.html", b"")])
    with open_archive(data) as archive:
        assert archive.manifest_name == "IMSManifest.xml"
        assert any("chữ thường" in w for w in archive.warnings)
    assert load_package(data).title == "Bài học thử"


def test_safe_extract_writes_every_file_under_the_destination_only(zips, tmp_path):
    data = zips.package(("a/b/c.js", b"js"), ("empty/", b""))
    with open_archive(data) as archive:
        written = safe_extract(archive, tmp_path / "dest")
    dest = (tmp_path / "dest").resolve()
    assert sorted(str(p.relative_to(dest)) for p in written) == [
        "a/b/c.js",
        "imsmanifest.xml",
        "index.html",
    ]
    assert (dest / "empty").is_dir()
    assert all(stat.S_IMODE(p.stat().st_mode) & 0o111 == 0 for p in written)


def test_safe_extract_never_follows_a_symlinked_folder_already_in_the_destination(zips, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "a").symlink_to(outside, target_is_directory=True)
    for name in ("a/evil.html", "a/deeper/evil.html"):
        archive = open_archive(zips.package((name, b"x")))
        with archive, pytest.raises(UnsafeArchiveError, match="ngoài thư mục giải nén"):
            archive.safe_extract(dest)
    assert list(outside.iterdir()) == []


def test_safe_extract_never_overwrites_an_existing_file(zips, tmp_path):
    (tmp_path / "index.html").write_text("teacher's file")
    with open_archive(zips.package()) as archive, pytest.raises(UnsafeArchiveError):
        archive.safe_extract(tmp_path)
    assert (tmp_path / "index.html").read_text() == "teacher's file"
    assert not (tmp_path / "imsmanifest.xml").exists()


def test_every_archive_failure_is_a_scorm_error_and_a_value_error():
    assert issubclass(UnsafeArchiveError, ArchiveError)
    assert issubclass(ManifestNotFoundError, ScormError)
    assert issubclass(ScormError, ValueError)
