"""imsmanifest.xml parsing into a Package: version, organizations, items, resources, launches."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import ManifestError
from .items import ItemParser
from .launch import join_base, launch_url, member_path
from .metadata import parse_metadata
from .model import Item, Launchable, Organization, Package, Resource, ScormType, ScormVersion
from .sequencing import collection_index, parse_sequencing
from .versions import detect_version
from .xmlsafe import (
    ADLCP,
    ADLSEQ,
    CP,
    attr,
    child,
    child_text,
    children,
    line_of,
    local_name,
    parse_xml,
    xml_base,
)

ReadFile = Callable[[str], bytes | None]
MAX_WARNINGS = 100
MAX_SUBMANIFEST_DEPTH = 8


class WarningList:
    """Collects distinct warnings, capped so a hostile manifest cannot flood the preview."""

    def __init__(self, limit: int = MAX_WARNINGS) -> None:
        self.limit = limit
        self.messages: list[str] = []
        self.dropped = 0

    def __call__(self, message: str) -> None:
        if message in self.messages:
            return
        if len(self.messages) >= self.limit:
            self.dropped += 1
            return
        self.messages.append(message)

    def result(self) -> tuple[str, ...]:
        if self.dropped:
            return (*self.messages, f"... và {self.dropped} cảnh báo khác.")
        return tuple(self.messages)


@dataclass
class _Tree:
    """What parsing a manifest (or a sub-manifest) collects."""

    resources: dict[str, Resource] = field(default_factory=dict)
    submanifests: dict[str, tuple[Item, ...]] = field(default_factory=dict)


def parse_manifest(
    data: bytes, *, read_file: ReadFile | None = None, where: str = "imsmanifest.xml"
) -> Package:
    """Parse imsmanifest.xml bytes into a Package, checking its internal references.

    `read_file(path)` returns a package file's bytes or None; it is used for external
    metadata (adlcp:location). Missing launch files are checked by `check_files`, which
    needs the archive's member names.
    """
    root = parse_xml(data, where=where)
    try:
        return _build(root, read_file, where)
    except RecursionError as exc:  # defence in depth: depths are capped below
        raise ManifestError(
            f"Gói SCORM không hợp lệ: {where} lồng phần tử quá sâu.", where=where
        ) from exc


def _build(root: ET.Element, read_file: ReadFile | None, where: str) -> Package:
    if local_name(root.tag) != "manifest":
        raise ManifestError(
            f"Gói SCORM không hợp lệ: phần tử gốc của {where} là <{local_name(root.tag)}> "
            "chứ không phải <manifest>.",
            where=f"{where}:{line_of(root)}",
        )
    warn = WarningList()
    metadata_el = child(root, "metadata")
    schemaversion = child_text(metadata_el, "schemaversion") if metadata_el is not None else None
    version = detect_version(root, schemaversion, warn)
    base = join_base(xml_base(root))
    tree = _Tree()
    items = ItemParser(version, warn, collection_index(root), tree.submanifests)
    organizations, default_id = _collect(root, base, items, tree, depth=0)
    _check_references(organizations, tree.resources, where)
    metadata = parse_metadata(metadata_el, base, read_file, warn)
    org = next((o for o in organizations if o.identifier == default_id), None)
    targets = _launch_targets(org, tree.resources, version, warn)
    identifier = attr(root, "identifier") or ""
    # An organization without <title> carries its identifier; LOM metadata names it better.
    named = org.title if org and org.title != org.identifier else None
    title = named or (metadata.title if metadata else None) or (org.title if org else identifier)
    return Package(
        version=version,
        identifier=identifier,
        title=title,
        default_organization=default_id,
        organizations=organizations,
        resources=tree.resources,
        schemaversion=schemaversion,
        metadata=metadata,
        warnings=warn.result(),
        launch_targets=targets,
    )


def _collect(
    manifest: ET.Element, base: str, items: ItemParser, tree: _Tree, depth: int
) -> tuple[tuple[Organization, ...], str | None]:
    """Resources and organizations of a manifest, sub-manifests first (items may use them)."""
    resources_el = child(manifest, "resources")
    resources_base = join_base(base, xml_base(resources_el)) if resources_el is not None else base
    for elem in children(resources_el, "resource") if resources_el is not None else ():
        _add_resource(elem, resources_base, tree, items.warn)
    for sub in children(manifest, "manifest"):
        if depth >= MAX_SUBMANIFEST_DEPTH:
            raise ManifestError(
                "Gói SCORM không hợp lệ: manifest con lồng quá sâu.", where=f"dòng {line_of(sub)}"
            )
        sub_id = attr(sub, "identifier") or f"manifest@{line_of(sub)}"
        items.warn(
            f"Gói có manifest con '{sub_id}'; nội dung của nó được gộp vào cây mục "
            "tại mục tham chiếu tới nó."
        )
        sub_orgs, sub_default = _collect(
            sub, join_base(base, xml_base(sub)), items, tree, depth + 1
        )
        default_org = next((o for o in sub_orgs if o.identifier == sub_default), None)
        tree.submanifests[sub_id] = default_org.items if default_org else ()
    return _organizations(manifest, items)


def _organizations(
    manifest: ET.Element, items: ItemParser
) -> tuple[tuple[Organization, ...], str | None]:
    orgs_el = child(manifest, "organizations")
    if orgs_el is None:
        items.warn("Manifest không có phần tử <organizations>.")
        return (), None
    orgs = tuple(_organization(o, items) for o in children(orgs_el, "organization"))
    default = (attr(orgs_el, "default") or "").strip() or None
    if default and default not in {o.identifier for o in orgs}:
        items.warn(
            f"organizations@default = '{default}' không tồn tại; dùng organization đầu tiên."
        )
        default = None
    if default is None and orgs:
        default = orgs[0].identifier
    return orgs, default


def _organization(elem: ET.Element, items: ItemParser) -> Organization:
    identifier = attr(elem, "identifier") or f"organization@{line_of(elem)}"
    where = f"organization '{identifier}' (dòng {line_of(elem)})"
    global_flag = (attr(elem, "objectivesGlobalToSystem", (ADLSEQ,)) or "true").strip().lower()
    return Organization(
        identifier=identifier,
        title=child_text(elem, "title") or identifier,
        items=tuple(items.parse(c, depth=1) for c in children(elem, "item")),
        sequencing=parse_sequencing(elem, items.collection, items.warn, where),
        objectives_global_to_system=global_flag not in ("false", "0"),
    )


def _add_resource(elem: ET.Element, base: str, tree: _Tree, warn: Callable[[str], None]) -> None:
    identifier = (attr(elem, "identifier") or "").strip()
    where = f"dòng {line_of(elem)}"
    if not identifier:
        warn(f"Tài nguyên ở {where} không có identifier; bỏ qua.")
        return
    if identifier in tree.resources:
        warn(f"Tài nguyên '{identifier}' khai báo hai lần ({where}); dùng khai báo đầu tiên.")
        return
    own_base = join_base(base, xml_base(elem))
    href = (attr(elem, "href") or "").strip() or None
    tree.resources[identifier] = Resource(
        identifier=identifier,
        type=(attr(elem, "type") or "").strip(),
        scorm_type=_scorm_type(elem, identifier, href, warn),
        href=href,
        base=own_base,
        files=tuple(
            own_base + f_href.strip()
            for f in children(elem, "file")
            if (f_href := attr(f, "href")) and f_href.strip()
        ),
        dependencies=tuple(
            ref.strip() for d in children(elem, "dependency") if (ref := attr(d, "identifierref"))
        ),
        line=line_of(elem),
    )


def _scorm_type(
    elem: ET.Element, identifier: str, href: str | None, warn: Callable[[str], None]
) -> ScormType:
    # 1.2 spells it adlcp:scormtype, 2004 adlcp:scormType; some tools drop the prefix.
    raw = (attr(elem, "scormtype", (ADLCP, CP)) or "").strip().lower()
    if raw == "sco":
        return "sco"
    if raw != "asset" and href:
        warn(
            f"Tài nguyên '{identifier}' có adlcp:scormType '{raw}' không hợp lệ hoặc thiếu; "
            "coi là asset (không giao tiếp với LMS)."
        )
    return "asset"


def _check_references(
    organizations: tuple[Organization, ...], resources: dict[str, Resource], where: str
) -> None:
    problems = [
        f"Mục '{item.title}' ({item.identifier}, dòng {item.line}) tham chiếu tài nguyên "
        f"'{item.resource_id}' không tồn tại."
        for org in organizations
        for item in org.walk()
        if item.resource_id is not None and item.resource_id not in resources
    ]
    if problems:
        raise ManifestError(
            f"Gói SCORM không hợp lệ: {len(problems)} mục tham chiếu tài nguyên không có trong "
            f"{where}.",
            where=where,
            details=problems[:50],
        )


def _launch_targets(
    org: Organization | None,
    resources: dict[str, Resource],
    version: ScormVersion,
    warn: Callable[[str], None],
) -> tuple[Launchable, ...]:
    targets: list[Launchable] = []
    for item in org.walk() if org else ():
        resource = resources.get(item.resource_id) if item.resource_id else None
        if resource is None:
            continue
        if not resource.href:
            warn(
                f"Mục '{item.title}' trỏ tới tài nguyên '{resource.identifier}' không có href "
                "nên không thể mở."
            )
            continue
        if item.children and version != "1.2":
            warn(
                f"Mục '{item.title}' có mục con nhưng vẫn trỏ tới tài nguyên; SCORM 2004 chỉ "
                "cho phép điều này ở mục lá."
            )
        where = f"tài nguyên '{resource.identifier}' (dòng {resource.line})"
        path = member_path(resource.base, resource.href, where=where)
        if path is None:
            warn(f"Mục '{item.title}' mở nội dung bên ngoài gói: {resource.href}")
        targets.append(
            Launchable(
                item, resource, launch_url(resource.base, resource.href, item.parameters), path
            )
        )
    if not targets:
        raise ManifestError(
            "Gói SCORM không hợp lệ: không có mục nào có thể mở (không mục nào của organization "
            "mặc định trỏ tới tài nguyên có href).",
            where="imsmanifest.xml",
        )
    return tuple(targets)
