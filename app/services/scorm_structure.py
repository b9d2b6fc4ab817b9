"""What LopHoc takes from a parsed SCORM package: item rows, preview tree, unsupported features."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _

from scorm_import import Item, Organization, Package, Sequencing


@dataclass
class ItemRow:
    """One item of the default organisation as the service stores it (see ScormItem)."""

    identifier: str
    title: str
    depth: int
    launch_url: str | None
    is_sco: bool
    mastery_score: Decimal | None
    completion_threshold: Decimal | None
    max_time_seconds: int | None
    time_limit_action: str | None
    data_from_lms: str | None
    attempt_limit: int | None
    weight: Decimal | None


@dataclass
class PreviewNode:
    title: str
    identifier: str
    kind: str  # "sco", "asset" or "folder"
    launch_url: str | None
    mastery_score: Decimal | None = None
    children: list[PreviewNode] = field(default_factory=list)


def item_rows(package: Package) -> list[ItemRow]:
    """The default organisation's items, depth first, with their launch URL when launchable."""
    org = package.organization
    if org is None:
        return []
    launch = {t.identifier: t for t in package.launchables()}
    rows: list[ItemRow] = []

    def visit(item: Item, depth: int) -> None:
        target = launch.get(item.identifier)
        seq = item.sequencing
        rows.append(
            ItemRow(
                identifier=item.identifier[:255],
                title=(item.title or item.identifier)[:255],
                depth=depth,
                launch_url=target.url if target else None,
                is_sco=bool(target and target.is_sco),
                mastery_score=item.mastery_score,
                completion_threshold=item.completion_threshold,
                max_time_seconds=(
                    int(item.max_time_allowed.total_seconds()) if item.max_time_allowed else None
                ),
                time_limit_action=item.time_limit_action,
                data_from_lms=item.data_from_lms,
                attempt_limit=seq.attempt_limit if seq else None,
                weight=seq.objective_measure_weight if seq else None,
            )
        )
        for child in item.children:
            visit(child, depth + 1)

    for item in org.items:
        visit(item, 0)
    return rows


def preview_tree(package: Package) -> list[tuple[Organization, list[PreviewNode]]]:
    """Every organisation with its nested items, for the teacher's preview."""
    launch = {t.identifier: t for t in package.launchables()}

    def node(item: Item) -> PreviewNode:
        target = launch.get(item.identifier)
        kind = "folder" if target is None else ("sco" if target.is_sco else "asset")
        return PreviewNode(
            title=item.title or item.identifier,
            identifier=item.identifier,
            kind=kind,
            launch_url=target.url if target else None,
            mastery_score=item.mastery_score,
            children=[node(child) for child in item.children],
        )

    return [(org, [node(item) for item in org.items]) for org in package.organizations]


def navigation(package: Package) -> dict:
    """The organisation's control mode: choice (table of contents), flow (next/previous)."""
    org = package.organization
    seq = org.sequencing if org and org.sequencing else Sequencing()
    is_2004 = package.version.startswith("2004")
    no_choice = [
        item.identifier[:255]
        for item in (org.walk() if org and is_2004 else ())
        if item.sequencing is not None and not item.sequencing.choice
    ]
    return {
        "choice": seq.choice if is_2004 else True,
        "flow": seq.flow if is_2004 else True,
        "forward_only": seq.forward_only if is_2004 else False,
        # Clusters whose children may not be chosen from the table of contents.
        "no_choice": no_choice,
    }


def unsupported(package: Package) -> list[str]:
    """Sequencing and navigation features the package asks for that LopHoc does not run.

    Supported: choice and flow navigation, forwardOnly, attempt limits, and the default
    rollup of completion, satisfaction and score across SCOs."""
    found: dict[str, set[str]] = {}

    def note(feature: str, where: str) -> None:
        found.setdefault(feature, set()).add(where)

    for org in package.organizations:
        _sequencing_features(org.sequencing, org.title or org.identifier, note)
        for item in org.walk():
            where = item.title or item.identifier
            _sequencing_features(item.sequencing, where, note)
            if item.prerequisites:
                note(_("điều kiện tiên quyết (adlcp:prerequisites)"), where)
    return [
        _("%(f)s — không hỗ trợ (ở: %(w)s)", f=feature, w=", ".join(sorted(places)[:5]))
        for feature, places in sorted(found.items())
    ]


def _sequencing_features(seq: Sequencing | None, where: str, note) -> None:
    if seq is None:
        return
    if seq.pre_condition_actions:
        note(_("luật điều kiện trước (preConditionRule)"), where)
    if seq.exit_condition_actions:
        note(_("luật điều kiện thoát (exitConditionRule)"), where)
    if seq.post_condition_actions:
        note(_("luật điều kiện sau (postConditionRule)"), where)
    if seq.has_rollup_rules:
        note(_("luật tổng hợp tuỳ chỉnh (rollupRules)"), where)
    if seq.global_objective_ids:
        note(_("mục tiêu dùng chung (mapInfo/global objectives)"), where)
    if seq.attempt_duration_limit is not None:
        note(_("giới hạn thời lượng lượt học (attemptAbsoluteDurationLimit)"), where)
