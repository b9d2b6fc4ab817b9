"""Reading a .docx body as lines of formatted segments (text, images, equations) and tables."""

from __future__ import annotations

import html
import posixpath
from dataclasses import dataclass, field, replace
from xml.etree.ElementTree import Element

from ._safe_zip import SafeZip, attr, local, parse_xml
from ._vn_text import mime_type, nfc
from .docx_math import omml_to_latex
from .docx_styles import Numbering, Styles, paragraph_style, run_format
from .model import Asset

OBJECT = "\ufffc"  # stands for an image or equation in a line's text
PASS_THROUGH = frozenset(
    {"hyperlink", "ins", "smartTag", "sdt", "sdtContent", "fldSimple", "customXml", "moveTo"}
)


@dataclass
class Seg:
    """A run of text with one formatting, a line break, or an object (image, equation)."""

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    red: bool = False
    highlight: bool = False
    vert: str = ""
    html: str = ""  # objects only: their ready HTML
    latex: str = ""  # equations only
    asset: Asset | None = None


@dataclass
class Line:
    """One logical line (a paragraph, or part of one between soft breaks)."""

    segs: list[Seg] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text, objects shown as U+FFFC (one character each)."""
        return "".join(s.text for s in self.segs)

    @property
    def plain(self) -> str:
        """The text with equations as LaTeX and images left out (for reading answers)."""
        return "".join(s.latex if s.latex else ("" if s.html else s.text) for s in self.segs)


@dataclass
class Table:
    """A table: rows of cells, each cell a list of lines."""

    rows: list[list[list[Line]]] = field(default_factory=list)


class DocxReader:
    """Turns word/document.xml into Lines and Tables, collecting images as Assets."""

    def __init__(self, archive: SafeZip):
        self.archive = archive
        name = archive.find("word/document.xml")
        if name is None:
            raise KeyError("word/document.xml")
        self.document = parse_xml(archive.read(name), name)
        self.rels = self._rels("word/_rels/document.xml.rels")
        self.styles = Styles(self._optional_xml("word/styles.xml"))
        self.numbering = Numbering(self._optional_xml("word/numbering.xml"), self.styles)
        self.assets: dict[str, Asset] = {}

    def _optional_xml(self, path: str) -> Element | None:
        name = self.archive.find(path)
        return parse_xml(self.archive.read(name), name) if name else None

    def _rels(self, path: str) -> dict[str, str]:
        root = self._optional_xml(path)
        if root is None:
            return {}
        return {
            r.get("Id", ""): r.get("Target", "")
            for r in root
            if r.get("TargetMode", "Internal") != "External"
        }

    def blocks(self) -> list[Line | Table]:
        """The body's paragraphs (split at line breaks) and tables, in order."""
        body = next((c for c in self.document if local(c.tag) == "body"), self.document)
        return self._container(body)

    def _container(self, el: Element) -> list[Line | Table]:
        out: list[Line | Table] = []
        for child in el:
            tag = local(child.tag)
            if tag == "p":
                out.extend(self.paragraph(child))
            elif tag == "tbl":
                out.append(self._table(child))
            elif tag in ("sdt", "sdtContent", "customXml"):
                out.extend(self._container(child))
        return out

    def _table(self, el: Element) -> Table:
        table = Table()
        for row in (r for r in el if local(r.tag) == "tr"):
            cells = []
            for cell in (c for c in row if local(c.tag) == "tc"):
                lines: list[Line] = []
                for block in self._container(cell):
                    lines.extend(_flatten(block))
                cells.append(lines)
            table.rows.append(cells)
        return table

    def paragraph(self, el: Element) -> list[Line]:
        """A paragraph as lines (soft breaks and CR/LF start a new line)."""
        props = next((c for c in el if local(c.tag) == "pPr"), None)
        style = paragraph_style(props)
        segs = [Seg(label)] if (label := self.numbering.label(props, style)) else []
        self._inline(el, style, segs)
        lines, current = [], Line()
        for seg in segs:
            if seg.text == "\n" and not seg.html:
                lines.append(current)
                current = Line()
            else:
                current.segs.append(seg)
        return [*lines, current]

    def _inline(self, el: Element, style: str, out: list[Seg]) -> None:
        for child in el:
            tag = local(child.tag)
            if tag == "r":
                self._run(child, style, out)
            elif tag in PASS_THROUGH:
                self._inline(child, style, out)
            elif tag == "oMathPara":
                maths = [m for m in child.iter() if local(m.tag) == "oMath"]
                out.extend(self._math(m) for m in maths)
            elif tag == "oMath":
                out.append(self._math(child))
            elif tag == "AlternateContent":
                choice = next((c for c in child if local(c.tag) == "Choice"), None)
                self._inline(choice if choice is not None else child, style, out)

    def _math(self, el: Element) -> Seg:
        latex = omml_to_latex(el)
        return Seg(OBJECT, html=html.escape(rf"\({latex}\)", quote=False), latex=rf"\({latex}\)")

    def _run(self, run: Element, style: str, out: list[Seg]) -> None:
        base = Seg("", **run_format(run, style, self.styles))
        for child in run:
            tag = local(child.tag)
            if tag == "t":
                text = nfc(child.text or "").replace("\r\n", "\n").replace("\r", "\n")
                for n, part in enumerate(text.split("\n")):
                    if n:
                        out.append(Seg("\n"))
                    if part:
                        out.append(replace(base, text=part))
            elif tag in ("tab", "ptab"):
                out.append(replace(base, text="\t"))
            elif tag in ("br", "cr"):
                out.append(Seg("\n"))
            elif tag == "noBreakHyphen":
                out.append(replace(base, text="-"))
            elif tag in ("drawing", "pict", "object"):
                images = self._images(child)
                out.extend(replace(base, text=OBJECT, html=h, asset=a) for h, a in images)
            elif tag == "AlternateContent":
                choice = next((c for c in child if local(c.tag) == "Choice"), None)
                if choice is not None:
                    self._run(_as_run(run, choice), style, out)

    def _images(self, el: Element) -> list[tuple[str, Asset]]:
        found = []
        for node in el.iter():
            rid = attr(node, "embed") if local(node.tag) == "blip" else ""
            rid = rid or (attr(node, "id") if local(node.tag) == "imagedata" else "")
            asset = self._asset(rid) if rid else None
            if asset is not None:
                found.append((f'<img src="@@ASSET@@/{html.escape(asset.name)}" alt="">', asset))
        return found

    def _asset(self, rid: str) -> Asset | None:
        target = self.rels.get(rid, "")
        if not target:
            return None
        path = posixpath.normpath(
            target.lstrip("/") if target.startswith("/") else posixpath.join("word", target)
        )
        name = self.archive.find(path)
        if name is None:
            return None
        if name not in self.assets:
            base = posixpath.basename(name)
            self.assets[name] = Asset(base, self.archive.read(name), mime_type(base))
        return self.assets[name]


def _as_run(run: Element, content: Element) -> Element:
    """A copy of `run` whose children are its properties plus `content`'s children."""
    clone = Element(run.tag, run.attrib)
    clone.extend([c for c in run if local(c.tag) == "rPr"] + list(content))
    return clone


def _flatten(block: Line | Table) -> list[Line]:
    if isinstance(block, Line):
        return [block]
    return [line for row in block.rows for cell in row for line in cell]
