"""Frozen dataclasses describing a parsed SCORM package (organizations, items, resources)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

ScormVersion = Literal["1.2", "2004-2nd", "2004-3rd", "2004-4th"]
ScormType = Literal["sco", "asset"]
VERSIONS: tuple[ScormVersion, ...] = ("1.2", "2004-2nd", "2004-3rd", "2004-4th")


@dataclass(frozen=True)
class Objective:
    """An imsss objective with the global objectives it reads from or writes to."""

    objective_id: str | None
    primary: bool
    satisfied_by_measure: bool = False
    min_normalized_measure: Decimal | None = None
    global_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sequencing:
    """Summary of an effective imsss:sequencing block (after merging an IDRef collection).

    Booleans hold the spec defaults when the manifest is silent (choice and choiceExit true,
    flow and forwardOnly false), so a preview can show them without knowing IMS SS.
    """

    id_ref: str | None = None
    choice: bool = True
    flow: bool = False
    choice_exit: bool = True
    forward_only: bool = False
    pre_condition_actions: tuple[str, ...] = ()
    exit_condition_actions: tuple[str, ...] = ()
    post_condition_actions: tuple[str, ...] = ()
    objectives: tuple[Objective, ...] = ()
    has_rollup_rules: bool = False
    has_delivery_controls: bool = False
    objective_measure_weight: Decimal | None = None
    attempt_limit: int | None = None
    attempt_duration_limit: timedelta | None = None

    @property
    def pre_condition_rules(self) -> int:
        return len(self.pre_condition_actions)

    @property
    def post_condition_rules(self) -> int:
        return len(self.post_condition_actions)

    @property
    def global_objective_ids(self) -> tuple[str, ...]:
        return tuple(gid for obj in self.objectives for gid in obj.global_ids)

    @property
    def primary_objective(self) -> Objective | None:
        return next((o for o in self.objectives if o.primary), None)


@dataclass(frozen=True)
class Item:
    """One node of an organization tree; a leaf with `resource_id` is launchable.

    `mastery_score` keeps the manifest's scale: 0-100 for SCORM 1.2 (adlcp:masteryscore),
    -1..1 for 2004 (minNormalizedMeasure of a primary objective satisfied by measure);
    `mastery_scaled` gives it as a fraction for both (1.2: masteryscore / 100).
    """

    identifier: str
    title: str
    resource_id: str | None = None
    parameters: str | None = None
    is_visible: bool = True
    children: tuple[Item, ...] = ()
    mastery_score: Decimal | None = None
    mastery_scaled: Decimal | None = None
    max_time_allowed: timedelta | None = None
    time_limit_action: str | None = None
    data_from_lms: str | None = None
    prerequisites: str | None = None
    completion_threshold: Decimal | None = None
    progress_weight: Decimal | None = None
    sequencing: Sequencing | None = None
    line: int = 0

    def walk(self) -> Iterator[Item]:
        """This item and its descendants, depth first in document order."""
        stack: list[Item] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


@dataclass(frozen=True)
class Organization:
    """An organization (course tree) of the package."""

    identifier: str
    title: str
    items: tuple[Item, ...] = ()
    sequencing: Sequencing | None = None
    objectives_global_to_system: bool = True

    def walk(self) -> Iterator[Item]:
        for item in self.items:
            yield from item.walk()


@dataclass(frozen=True)
class Resource:
    """A resource; `base` is the combined xml:base of manifest, resources and resource.

    `files` are package-relative paths with the base applied; `href` is as written.
    """

    identifier: str
    type: str
    scorm_type: ScormType
    href: str | None
    base: str = ""
    files: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Metadata:
    """LOM metadata of the package (inline or read from the adlcp:location file)."""

    title: str | None = None
    description: str | None = None
    keywords: tuple[str, ...] = ()
    language: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class Launchable:
    """A launchable item with its resolved launch URL.

    `url` is relative to the package root (base + href + item parameters), not
    percent-encoded, as the manifest wrote it; `path` is the archive member that must exist
    (None for an external http(s) URL).
    """

    item: Item
    resource: Resource
    url: str
    path: str | None

    @property
    def identifier(self) -> str:
        return self.item.identifier

    @property
    def title(self) -> str:
        return self.item.title

    @property
    def is_sco(self) -> bool:
        return self.resource.scorm_type == "sco"


@dataclass(frozen=True)
class Package:
    """A parsed SCORM package. Build it with `load_package` or `parse_manifest`."""

    version: ScormVersion
    identifier: str
    title: str
    default_organization: str | None
    organizations: tuple[Organization, ...]
    resources: Mapping[str, Resource]
    schemaversion: str | None = None
    metadata: Metadata | None = None
    root_prefix: str = ""
    warnings: tuple[str, ...] = ()
    launch_targets: tuple[Launchable, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        # Freeze the mapping too, so a Package can be shared between requests safely.
        object.__setattr__(self, "resources", MappingProxyType(dict(self.resources)))

    @property
    def metadata_title(self) -> str | None:
        return self.metadata.title if self.metadata else None

    @property
    def metadata_description(self) -> str | None:
        return self.metadata.description if self.metadata else None

    @property
    def organization(self) -> Organization | None:
        """The default organization (the first one when the default is unknown)."""
        for org in self.organizations:
            if org.identifier == self.default_organization:
                return org
        return self.organizations[0] if self.organizations else None

    def items(self) -> list[Item]:
        """Every item of the default organization, depth first."""
        org = self.organization
        return list(org.walk()) if org else []

    def launchables(self) -> list[Launchable]:
        """Every launchable item (SCOs and assets) of the default organization, in tree order."""
        return list(self.launch_targets)

    def scos(self) -> list[Launchable]:
        """Launchable items whose resource is a SCO, in tree order."""
        return [t for t in self.launch_targets if t.is_sco]

    @property
    def sco_resources(self) -> list[Resource]:
        return [r for r in self.resources.values() if r.scorm_type == "sco"]
