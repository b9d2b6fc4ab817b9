"""Cleaning of user-supplied HTML on the way in (bleach allow-list); templates trust only this."""

from __future__ import annotations

import bleach

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "div",
        "em",
        "figure",
        "figcaption",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
        "audio",
        "source",
        "video",
    }
)
ALLOWED_ATTRIBUTES = {
    "*": ["class", "title", "lang"],
    "a": ["href", "rel", "target"],
    "img": ["src", "alt", "width", "height"],
    "td": ["colspan", "rowspan", "align"],
    "th": ["colspan", "rowspan", "align", "scope"],
    "audio": ["src", "controls"],
    "video": ["src", "controls", "width", "height"],
    "source": ["src", "type"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "data"})


def clean_html(html: str | None) -> str:
    """Keep only safe markup; scripts, event handlers and javascript: URLs are removed."""
    if not html:
        return ""
    return bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
