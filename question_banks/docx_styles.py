"""Word run formatting (direct and from styles) and automatic list numbering ("Câu %1.")."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from ._safe_zip import attr, local

OFF = ("0", "false", "off", "none")
FORMAT_KEYS = ("bold", "italic", "underline", "red", "highlight", "vert")
MAX_DEPTH = 10  # basedOn chains longer than this are malformed (or cyclic)


def _child(el: Element | None, name: str) -> Element | None:
    if el is None:
        return None
    return next((c for c in el if local(c.tag) == name), None)


def _val(el: Element | None, name: str) -> str:
    """The w:val of the child `name` of `el` ("" when absent)."""
    child = _child(el, name)
    return attr(child, "val") if child is not None else ""


def is_strong_red(color: str) -> bool:
    """FF0000, C00000, E60000 and the like; dark reds and oranges are not key marks."""
    if len(color) != 6:
        return False
    try:
        red, green, blue = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return False
    return red >= 0xC0 and green <= 0x60 and blue <= 0x60


def read_rpr(rpr: Element | None) -> dict[str, object]:
    """Only the properties an rPr element sets (so that styles can be layered)."""
    found: dict[str, object] = {}
    if rpr is None:
        return found
    for prop in rpr:
        tag, val = local(prop.tag), attr(prop, "val").lower()
        if tag == "b":
            found["bold"] = val not in OFF
        elif tag == "i":
            found["italic"] = val not in OFF
        elif tag == "u":
            found["underline"] = val not in OFF
        elif tag == "color":
            found["red"] = is_strong_red(val)
        elif tag == "highlight":
            found["highlight"] = val not in OFF
        elif tag == "shd" and attr(prop, "fill").lower() not in ("", "auto", "ffffff"):
            found["highlight"] = True
        elif tag == "vertAlign":
            found["vert"] = val if val in ("superscript", "subscript") else ""
    return found


class Styles:
    """Run properties and list numbering defined by paragraph and character styles."""

    def __init__(self, root: Element | None):
        self.rpr: dict[str, dict[str, object]] = {}
        self.based: dict[str, str] = {}
        self.numpr: dict[str, Element] = {}
        self.defaults: dict[str, object] = {}
        if root is None:
            return
        defaults = _child(_child(_child(root, "docDefaults"), "rPrDefault"), "rPr")
        self.defaults = read_rpr(defaults)
        for style in (s for s in root if local(s.tag) == "style"):
            ident = attr(style, "styleId")
            self.rpr[ident] = read_rpr(_child(style, "rPr"))
            self.based[ident] = _val(style, "basedOn")
            numpr = _child(_child(style, "pPr"), "numPr")
            if numpr is not None:
                self.numpr[ident] = numpr

    def props(self, ident: str) -> dict[str, object]:
        """The style's run properties including those it inherits."""
        chain = []
        while ident and ident in self.rpr and len(chain) < MAX_DEPTH:
            chain.append(self.rpr[ident])
            ident = self.based.get(ident, "")
        merged: dict[str, object] = {}
        for props in reversed(chain):
            merged.update(props)
        return merged


def paragraph_style(ppr: Element | None) -> str:
    """The styleId of a paragraph (from its pPr), "" for the default style."""
    return _val(ppr, "pStyle")


def run_format(run: Element, paragraph_style: str, styles: Styles) -> dict[str, object]:
    """The effective formatting of a run: defaults < paragraph style < run style < direct."""
    rpr = _child(run, "rPr")
    merged = {"bold": False, "italic": False, "underline": False, "red": False}
    merged |= {"highlight": False, "vert": ""}
    merged |= styles.defaults
    merged |= styles.props(paragraph_style)
    merged |= styles.props(_val(rpr, "rStyle"))
    merged |= read_rpr(rpr)
    return {k: merged[k] for k in FORMAT_KEYS}


def _roman(n: int) -> str:
    values = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC")]
    values += [(50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in values:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letters(n: int) -> str:
    # Word repeats the letter after Z: AA, BB, ...
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else ""


def format_number(n: int, fmt: str) -> str:
    """A list counter in Word's number formats."""
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(min(n, 3999))
    if fmt == "lowerRoman":
        return _roman(min(n, 3999)).lower()
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


class Numbering:
    """Computes the visible labels of auto-numbered paragraphs ("Câu 3.", "B.")."""

    def __init__(self, root: Element | None, styles: Styles):
        self.styles = styles
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if root is None:
            return
        abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        for item in (a for a in root if local(a.tag) == "abstractNum"):
            abstract[attr(item, "abstractNumId")] = {
                _int(attr(lvl, "ilvl")): (
                    _int(_val(lvl, "start"), 1),
                    _val(lvl, "numFmt") or "decimal",
                    _val(lvl, "lvlText"),
                )
                for lvl in item
                if local(lvl.tag) == "lvl"
            }
        for num in (n for n in root if local(n.tag) == "num"):
            ref = _val(num, "abstractNumId")
            self.levels[attr(num, "numId")] = abstract.get(ref, {})

    def label(self, ppr: Element | None, style: str) -> str:
        """The label Word shows before this paragraph ("" when it is not numbered)."""
        numpr = _child(ppr, "numPr") if ppr is not None else None
        numpr = numpr if numpr is not None else self.styles.numpr.get(style)
        if numpr is None:
            return ""
        num_id, level = _val(numpr, "numId"), _int(_val(numpr, "ilvl"))
        levels = self.levels.get(num_id)
        if not levels or level not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[level] = counters.get(level, levels[level][0] - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        text = levels[level][2]
        for n in range(9):
            if f"%{n + 1}" in text and n in levels:
                value = counters.get(n, levels[n][0])
                text = text.replace(f"%{n + 1}", format_number(value, levels[n][1]))
        return text + " " if text.strip() else ""


def _int(text: str, default: int = 0) -> int:
    return int(text) if text.isdigit() and len(text) < 6 else default
