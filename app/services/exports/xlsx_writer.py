"""A small XLSX writer for the export layouts: rows of text and exact numbers, nothing else.

openpyxl builds a cell object per value (about 60% of a 24,000-row export); the layouts need
only plain rows, so this writes the sheet XML directly. Same calls as openpyxl's write-only
book (`create_sheet(title).append(values)`, `save(buffer)`); text is stored inline
(`t="inlineStr"`), numbers (int, Decimal) as their exact decimal text.
"""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "application/vnd.openxmlformats-officedocument"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Characters XML 1.0 cannot carry at all (a name pasted from elsewhere may hold one).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
STYLES = (
    f'{HEAD}<styleSheet xmlns="{MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _column_letters(count: int) -> list[str]:
    letters = []
    for n in range(1, count + 1):
        name = ""
        while n:
            n, rest = divmod(n - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


COLUMNS = _column_letters(702)  # A … ZZ


class Sheet:
    """One worksheet; rows are kept as XML text until the book is saved."""

    def __init__(self, title: str, texts: dict[str, str], numbers: dict[object, str]):
        self.title = title
        self._rows: list[str] = []
        self._texts = texts
        self._numbers = numbers

    def append(self, values) -> None:
        """Add a row: str as text, int/Decimal as a number, None as an empty cell."""
        n = len(self._rows) + 1
        cells = []
        texts, numbers = self._texts, self._numbers
        for index, value in enumerate(values):
            if value is None:
                continue
            ref = f"{COLUMNS[index]}{n}"
            if isinstance(value, str):
                body = texts.get(value)
                if body is None:
                    body = texts[value] = _inline(value)
                cells.append(f'<c r="{ref}" t="inlineStr">{body}</c>')
                continue
            text = numbers.get(value)
            if text is None:
                text = numbers[value] = _number(value)
            cells.append(f'<c r="{ref}"><v>{text}</v></c>')
        self._rows.append(f'<row r="{n}">{"".join(cells)}</row>')

    def xml(self) -> str:
        rows = "".join(self._rows)
        return f'{HEAD}<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'


def _inline(value: str) -> str:
    text = escape(_ILLEGAL.sub("", value))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<is><t{space}>{text}</t></is>"


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"an export cell is text, int or Decimal, not {type(value).__name__}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError("an export cell cannot hold NaN or infinity")
    return format(value, "f") if isinstance(value, Decimal) else str(value)


class Workbook:
    """A book of sheets in the order created; `save` writes the .xlsx package."""

    def __init__(self) -> None:
        self.sheets: list[Sheet] = []
        self._texts: dict[str, str] = {}
        self._numbers: dict[object, str] = {}

    def create_sheet(self, title: str) -> Sheet:
        sheet = Sheet(title, self._texts, self._numbers)
        self.sheets.append(sheet)
        return sheet

    def save(self, out: BinaryIO) -> None:
        if not self.sheets:
            self.create_sheet("Sheet")
        count = len(self.sheets)
        sheets = "".join(
            f'<sheet name={quoteattr(s.title)} sheetId="{i}" r:id="rId{i}"/>'
            for i, s in enumerate(self.sheets, start=1)
        )
        workbook = (
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{sheets}</sheets></workbook>'
        )
        links = "".join(
            f'<Relationship Id="rId{i}" Type="{RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, count + 1)
        )
        links += f'<Relationship Id="rId{count + 1}" Type="{RELS}/styles" Target="styles.xml"/>'
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            f'ContentType="{OFFICE}.spreadsheetml.worksheet+xml"/>'
            for i in range(1, count + 1)
        )
        types = (
            f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" '
            f'ContentType="{OFFICE}.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{OFFICE}.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"
        )
        root = (
            f'{HEAD}<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        )
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as package:
            package.writestr("[Content_Types].xml", types)
            package.writestr("_rels/.rels", root)
            package.writestr("xl/workbook.xml", workbook)
            package.writestr(
                "xl/_rels/workbook.xml.rels",
                f'{HEAD}<Relationships xmlns="{PACKAGE_RELS}">{links}</Relationships>',
            )
            package.writestr("xl/styles.xml", STYLES)
            for i, sheet in enumerate(self.sheets, start=1):
                package.writestr(f"xl/worksheets/sheet{i}.xml", sheet.xml())
