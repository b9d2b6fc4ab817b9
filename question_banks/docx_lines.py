"""Working with formatted DOCX lines: slicing, HTML rendering, option labels and key marks."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace

from .docx_reader import Line, Seg, Table
from .model import Asset

MARKS = ("star", "underline", "red", "highlight")
_LABEL = {
    True: re.compile(r"^\s*(\*?)\s*([A-J])\s*[.)]"),
    False: re.compile(r"^\s*(\*?)\s*([a-j])\s*[.)]"),
}
_STRONG_GAP = re.compile(r"(\t|\s{2,}|\ufffc)\s*$")


@dataclass
class Piece:
    """One option (or statement) cut out of a line: its label letter, segments and marks."""

    letter: str
    segs: list[Seg]
    marks: set[str] = field(default_factory=set)
    bold: bool = False


def slice_segs(segs: list[Seg], start: int, end: int) -> list[Seg]:
    """The segments covering characters start..end of the line text (text split as needed)."""
    out, pos = [], 0
    for seg in segs:
        seg_end = pos + len(seg.text)
        if seg_end > start and pos < end:
            if seg.html:
                out.append(seg)
            else:
                out.append(replace(seg, text=seg.text[max(start - pos, 0) : end - pos]))
        pos = seg_end
    return out


def trim(segs: list[Seg]) -> list[Seg]:
    """Segments without leading and trailing whitespace."""
    segs = [s for s in segs if s.html or s.text]
    while segs and not segs[0].html and not segs[0].text.strip():
        segs = segs[1:]
    while segs and not segs[-1].html and not segs[-1].text.strip():
        segs = segs[:-1]
    if segs and not segs[0].html:
        segs[0] = replace(segs[0], text=segs[0].text.lstrip())
    if segs and not segs[-1].html:
        segs[-1] = replace(segs[-1], text=segs[-1].text.rstrip())
    return segs


def render(segs: list[Seg], assets: dict[str, Asset], hide: frozenset[str] = frozenset()) -> str:
    """HTML for segments; formatting named in `hide` (used as key marks) is not shown."""
    out = []
    for seg in trim(segs):
        if seg.html:
            out.append(seg.html)
            if seg.asset is not None:
                assets[seg.asset.name] = seg.asset
            continue
        text = html.escape(seg.text.replace("\t", " "), quote=False)
        wraps = [
            ("strong", seg.bold and "bold" not in hide),
            ("em", seg.italic),
            ("u", seg.underline and "underline" not in hide),
            ("sup", seg.vert == "superscript"),
            ("sub", seg.vert == "subscript"),
        ]
        for tag, on in wraps:
            if on:
                text = f"<{tag}>{text}</{tag}>"
        out.append(text)
    return re.sub(r"</(strong|em|u|sup|sub)><\1>", "", "".join(out))


def render_table(table: Table, assets: dict[str, Asset]) -> str:
    """A table as HTML (cell lines joined with <br>)."""
    rows = []
    for row in table.rows:
        cells = "".join(
            "<td>" + "<br>".join(render(line.segs, assets) for line in cell) + "</td>"
            for cell in row
        )
        rows.append(f"<tr>{cells}</tr>")
    return "<table>" + "".join(rows) + "</table>"


def label_at_start(line: Line, upper: bool) -> re.Match[str] | None:
    """The option label ("A.", "*B)", "c)") that starts the line, if any."""
    return _LABEL[upper].match(line.text)


def _next_label(text: str, letter: str, start: int) -> tuple[int, int, bool] | None:
    """(label start, label end, strongly separated) of `letter`'s label after `start`."""
    pattern = re.compile(rf"(?<=[\s\ufffc])(\*?){re.escape(letter)}\s*[.)]")
    for match in pattern.finditer(text, start):
        strong = bool(_STRONG_GAP.search(text[start : match.start()]))
        return match.start(), match.end(), strong
    return None


def split_options(line: Line, upper: bool, next_line_letter: str = "") -> list[Piece]:
    """The options on a line starting with a label: "A. 1   B. 2   C. 3   D. 4" gives four.

    Labels after a single space are only trusted when at least three options share the line
    (or the next line continues the sequence), so "A. Điểm B. nằm trên..." stays one option.
    """
    first = label_at_start(line, upper)
    if first is None:
        return []
    text = line.text
    start = first.start(2) - len(first.group(1))
    cuts = [(start, first.end(), first.group(2), bool(first.group(1)))]
    strong = []
    while True:
        letter = chr(ord(cuts[-1][2]) + 1)
        found = _next_label(text, letter, cuts[-1][1])
        if found is None:
            break
        begin, end, is_strong = found
        cuts.append((begin, end, letter, text[begin] == "*"))
        strong.append(is_strong)
    keep = len(cuts)
    weak_ok = len(cuts) >= 3 or (next_line_letter and ord(next_line_letter) == ord(cuts[-1][2]) + 1)
    if not weak_ok:
        keep = 1 + next((n for n, ok in enumerate(strong) if not ok), len(strong))
    cuts = cuts[:keep]
    pieces = []
    for n, (begin, end, letter, star) in enumerate(cuts):
        finish = cuts[n + 1][0] if n + 1 < len(cuts) else len(text)
        piece = Piece(letter, trim(slice_segs(line.segs, end, finish)))
        piece.marks = _label_marks(line.segs, begin, end) | ({"star"} if star else set())
        pieces.append(piece)
    return pieces


def _label_marks(segs: list[Seg], begin: int, end: int) -> set[str]:
    label = [s for s in slice_segs(segs, begin, end) if s.text.strip(" .)*\t")]
    if not label:
        return set()
    return {m for m in ("underline", "red", "highlight") if all(getattr(s, m) for s in label)}


def content_marks(piece: Piece) -> None:
    """Add the marks the option's whole text carries (underlined, red, highlighted, bold)."""
    texts = [s for s in piece.segs if not s.html and s.text.strip()]
    if not texts:
        return
    for mark in ("underline", "red", "highlight"):
        if all(getattr(s, mark) for s in texts):
            piece.marks.add(mark)
    piece.bold = all(s.bold for s in texts)
