"""Converting LopHoc HTML fragments into well-formed XHTML elements for QTI item bodies."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from xml.etree.ElementTree import Element, SubElement

from .qti21_html import VOID

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_GAP = re.compile(r"\{\{(\d+)\}\}")
GAP_TAG = "lophoc-gap"


def xml_text(text: str) -> str:
    """Text without the control characters XML 1.0 cannot carry."""
    return _XML_BAD.sub("", text)


def add_text(parent: Element, text: str) -> None:
    """Append text after the last child of `parent` (or as its text when it has none)."""
    text = xml_text(text)
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


class _Builder(HTMLParser):
    def __init__(self, root: Element):
        super().__init__(convert_charrefs=True)
        self.stack = [root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not _NAME.match(tag):
            return
        clean = {
            k: xml_text(v or "") for k, v in attrs if _NAME.match(k) and not k.startswith("xml")
        }
        el = SubElement(self.stack[-1], tag, clean)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and len(self.stack) > 1 and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        # Unclosed inner tags are closed at their parent's end, as browsers do.
        if any(el.tag == tag for el in self.stack[1:]):
            while self.stack[-1].tag != tag:
                self.stack.pop()
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        add_text(self.stack[-1], data)


def html_into(parent: Element, fragment: str, mark_gaps: bool = False) -> list[Element]:
    """Parse an HTML fragment into `parent`; with `mark_gaps`, `{{n}}` markers become
    placeholder elements, returned in order."""
    marked = fragment
    if mark_gaps:
        marked = _GAP.sub(lambda m: f'<{GAP_TAG} n="{m.group(1)}"></{GAP_TAG}>', fragment)
    builder = _Builder(parent)
    builder.feed(marked)
    builder.close()
    return list(parent.iter(GAP_TAG)) if mark_gaps else []
