"""Conventions shared by Moodle's formats: categories, grade fractions, numbers, file links."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from urllib.parse import quote, unquote

from .model import Asset, Option

ASSET_PREFIX = "@@ASSET@@/"
PLUGINFILE_PREFIX = "@@PLUGINFILE@@/"
_PLUGINFILE_REF = re.compile(r"@@PLUGINFILE@@/([^\"'\s<>()]+)")
_ASSET_REF = re.compile(r"@@ASSET@@/([^\"'\s<>()]+)")
_ASSET_NAME = re.compile(r"[^\"'\s<>()]*")
# Moodle writes the context first ("$course$/top/Default for 10A"); LopHoc's bank has its own
# context, so only the path below "top" is kept.
_CONTEXT_PREFIX = re.compile(r"^\$(course|cat|module|system|coursecategory)\$(/|$)")
_SINGLE_SLASH = re.compile(r"(?<!/)/(?!/)")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
DIVISION_SLASH = "\u2215"


def category_from_moodle(path: str) -> str:
    """`$course$/top/Toán 10/Chương 1` -> `Toán 10/Chương 1`."""
    path = _CONTEXT_PREFIX.sub("", path.strip())
    if path == "top" or path.startswith("top/"):
        path = path[4:]
    # Moodle escapes a "/" inside a category name as "//"; LopHoc paths cannot hold one, so
    # it becomes a look-alike division slash instead of silently creating a sub-category.
    parts = [p.strip().replace("//", DIVISION_SLASH) for p in _SINGLE_SLASH.split(path)]
    return "/".join(p for p in parts if p)


def category_to_moodle(category: str) -> str:
    """Inverse of category_from_moodle, anchored in the course's top category."""
    parts = [p.strip().replace(DIVISION_SLASH, "//") for p in category.split("/") if p.strip()]
    return "/".join(["$course$", "top", *parts])


def parse_decimal(text: str) -> Decimal | None:
    """A finite number, accepting a decimal comma ("3,5") as Vietnamese teachers write it."""
    text = text.strip()
    if not _NUMBER.match(text) or text.count(",") + text.count(".") > 1:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return tidy(value) if value.is_finite() else None


def tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros ("1.0000000" -> 1) without switching to exponent notation."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def format_decimal(value: Decimal) -> str:
    return format(tidy(value), "f")


def fraction_from_percent(text: str) -> Decimal | None:
    value = parse_decimal(text)
    return None if value is None else tidy(value / 100)


def percent(fraction: Decimal) -> str:
    """Grade fraction -> Moodle's percentage text: 0.3333333… -> "33.33333" (7 digits kept)."""
    return format_decimal((fraction * 100).quantize(Decimal("0.00001")))


def effective_fractions(options: list[Option], single: bool) -> list[Decimal]:
    """Grade fractions to export, derived from is_correct when a source only set that flag."""
    if any(o.fraction for o in options):
        return [o.fraction for o in options]
    correct = [o.is_correct for o in options]
    if single or not any(correct):
        return [Decimal(1) if c else Decimal(0) for c in correct]
    share = Decimal(1) / sum(correct)
    return [share if c else Decimal(0) for c in correct]


def choice_key(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA": stable keys for choices in source order."""
    key = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        key = chr(ord("A") + rest) + key
    return key


def plugin_to_asset_refs(fragment: str) -> str:
    """Rewrite Moodle's file links to LopHoc's placeholder, URL-decoding the file name."""
    return _PLUGINFILE_REF.sub(lambda m: ASSET_PREFIX + unquote(m.group(1)), fragment)


def asset_to_plugin_refs(fragment: str, assets: list[Asset]) -> str:
    """Inverse of plugin_to_asset_refs; known names first, since decoded names may hold spaces."""
    for asset in sorted(assets, key=lambda a: len(a.name), reverse=True):
        fragment = fragment.replace(
            ASSET_PREFIX + asset.name, PLUGINFILE_PREFIX + quote(asset.name, safe="/")
        )
    return _ASSET_REF.sub(lambda m: PLUGINFILE_PREFIX + quote(m.group(1), safe="/"), fragment)


def asset_names_in(fragment: str, assets: list[Asset]) -> list[str]:
    return [a.name for a in assets if ASSET_PREFIX + a.name in fragment]


def missing_asset_names(fragments: list[str], assets: list[Asset]) -> list[str]:
    """Names after `@@ASSET@@/` that match none of the question's assets."""
    known = sorted((a.name for a in assets), key=len, reverse=True)
    missing: list[str] = []
    for fragment in fragments:
        for start in _positions(fragment, ASSET_PREFIX):
            rest = fragment[start:]
            if not any(rest.startswith(name) for name in known):
                name = _ASSET_NAME.match(rest).group(0)
                if name not in missing:
                    missing.append(name)
    return missing


def _positions(text: str, needle: str) -> list[int]:
    return [m.end() for m in re.finditer(re.escape(needle), text)]
