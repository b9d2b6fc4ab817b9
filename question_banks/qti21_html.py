"""Rendering QTI 2.1 XHTML content (item bodies, choices, feedback) as plain HTML strings."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from xml.etree.ElementTree import Element

from ._safe_zip import local
from ._vn_text import nfc

VOID = frozenset({"br", "hr", "img", "col", "area", "wbr"})
# Conditional or presentational QTI elements that must not leak into a static stem.
DROP = frozenset(
    {"feedbackBlock", "feedbackInline", "modalFeedback", "stylesheet", "printedVariable"}
    | {"responseDeclaration", "outcomeDeclaration", "templateDeclaration", "rubricBlock"}
)
UNWRAP = frozenset({"templateBlock", "templateInline", "infoControl"})
KEEP_ATTRS = frozenset(
    {"class", "id", "src", "alt", "href", "title", "width", "height", "colspan", "rowspan"}
    | {"scope", "headers", "summary", "lang", "dir", "start", "cite", "abbr", "align", "valign"}
)
MEDIA_TAGS = {"image": "img", "audio": "audio", "video": "video"}
_BLOCK_TAG = re.compile(
    r"\s*(</?(?:p|div|blockquote|ul|ol|li|dl|dt|dd|table|thead|tbody|tfoot|tr|td|th|caption"
    r"|h[1-6]|pre|hr|br|object|figure)\b[^>]*>)\s*"
)
_SPACES = re.compile(r"[ \t\r\n]+")

# Finds the asset for a path used in the item; returns the new src or None when missing.
AssetLookup = Callable[[str], str | None]


def tidy(markup: str) -> str:
    """Drop the indentation whitespace XML files carry around block tags."""
    return _BLOCK_TAG.sub(r"\1", markup).strip()


class Renderer:
    """Turns QTI content elements into HTML; `replace` swaps given elements for fixed HTML."""

    def __init__(self, lookup: AssetLookup, missing: Callable[[str], None]):
        self.lookup = lookup
        self.missing = missing
        self.replace: dict[int, str] = {}
        self.unwrap: set[int] = set()

    def inner(self, el: Element) -> str:
        """The HTML of an element's content (text and children), tidied."""
        return tidy(self._children(el, in_pre=False, in_math=False))

    def _children(self, el: Element, in_pre: bool, in_math: bool) -> str:
        parts = [self._text(el.text, in_pre)]
        for child in el:
            parts.append(self._element(child, in_pre, in_math))
            parts.append(self._text(child.tail, in_pre))
        return "".join(parts)

    @staticmethod
    def _text(text: str | None, in_pre: bool) -> str:
        if not text:
            return ""
        text = nfc(text) if in_pre else _SPACES.sub(" ", nfc(text))
        return html.escape(text, quote=False)

    def _element(self, el: Element, in_pre: bool, in_math: bool) -> str:
        if id(el) in self.replace:
            return self.replace[id(el)]
        tag = local(el.tag)
        if not tag or tag in DROP:
            return ""
        if tag in UNWRAP or id(el) in self.unwrap:
            return self._children(el, in_pre, in_math)
        if tag == "object" and not in_math:
            return self._object(el, in_pre)
        in_math = in_math or tag == "math"
        attrs = self._attrs(el, tag, in_math)
        if tag in VOID and not in_math:
            return f"<{tag}{attrs}>"
        body = self._children(el, in_pre or tag == "pre", in_math)
        return f"<{tag}{attrs}>{body}</{tag}>"

    def _attrs(self, el: Element, tag: str, in_math: bool) -> str:
        out = []
        for key, value in el.attrib.items():
            if "}" in key or (not in_math and key not in KEEP_ATTRS):
                continue
            if tag in ("img", "audio", "video") and key == "src":
                value = self._asset(value)
            out.append(f' {key}="{html.escape(nfc(value), quote=True)}"')
        return "".join(out)

    def _asset(self, src: str) -> str:
        if src.startswith(("http://", "https://", "data:", "@@ASSET@@/")):
            return src
        found = self.lookup(src)
        if found is None:
            self.missing(src)
            return src
        return found

    def _object(self, el: Element, in_pre: bool) -> str:
        data, kind = el.get("data", ""), el.get("type", "").split("/")[0]
        found = self.lookup(data) if data and kind in MEDIA_TAGS else None
        if found is None:
            # The object's own content is its fallback (often the text the picture shows).
            if data:
                self.missing(data)
            return self._children(el, in_pre, False)
        tag = MEDIA_TAGS[kind]
        src = html.escape(found, quote=True)
        if tag == "img":
            return f'<img src="{src}" alt="">'
        return f'<{tag} controls src="{src}"></{tag}>'
