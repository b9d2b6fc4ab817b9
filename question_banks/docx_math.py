"""Converting Word equations (OMML, m:oMath) into LaTeX for the common constructs."""

from __future__ import annotations

from collections.abc import Callable
from xml.etree.ElementTree import Element

from ._safe_zip import attr, local
from ._vn_text import nfc

SYMBOLS = {
    "≤": r"\le ",
    "≥": r"\ge ",
    "≠": r"\ne ",
    "±": r"\pm ",
    "∓": r"\mp ",
    "×": r"\times ",
    "÷": r"\div ",
    "·": r"\cdot ",
    "∞": r"\infty ",
    "π": r"\pi ",
    "α": r"\alpha ",
    "β": r"\beta ",
    "γ": r"\gamma ",
    "Δ": r"\Delta ",
    "δ": r"\delta ",
    "φ": r"\varphi ",
    "θ": r"\theta ",
    "λ": r"\lambda ",
    "μ": r"\mu ",
    "ω": r"\omega ",
    "Ω": r"\Omega ",
    "σ": r"\sigma ",
    "→": r"\to ",
    "⇒": r"\Rightarrow ",
    "⇔": r"\Leftrightarrow ",
    "∈": r"\in ",
    "∉": r"\notin ",
    "⊂": r"\subset ",
    "∪": r"\cup ",
    "∩": r"\cap ",
    "∅": r"\varnothing ",
    "ℝ": r"\mathbb{R}",
    "ℕ": r"\mathbb{N}",
    "ℤ": r"\mathbb{Z}",
    "ℚ": r"\mathbb{Q}",
    "°": r"^\circ ",
    "∠": r"\angle ",
    "⊥": r"\perp ",
    "∥": r"\parallel ",
    "≈": r"\approx ",
    "∀": r"\forall ",
    "∃": r"\exists ",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
}
NARY = {"∑": r"\sum", "∏": r"\prod", "∫": r"\int", "∬": r"\iint", "∮": r"\oint", "⋃": r"\bigcup"}
ACCENTS = {"̂": r"\hat", "̅": r"\overline", "̄": r"\bar", "⃗": r"\vec", "̃": r"\tilde", "̇": r"\dot"}
FUNCTIONS = {"sin", "cos", "tan", "cot", "log", "ln", "lim", "exp", "max", "min"}
BRACKETS = {"(": "(", ")": ")", "[": "[", "]": "]", "{": r"\{", "}": r"\}", "|": "|", "": "."}


def _prop(el: Element, group: str, name: str, default: str = "") -> str:
    """A property value of an OMML object, e.g. m:dPr/m:begChr/@m:val."""
    for child in el:
        if local(child.tag) == group:
            for prop in child:
                if local(prop.tag) == name:
                    return attr(prop, "val", default)
    return default


def _part(el: Element, name: str) -> Element | None:
    return next((c for c in el if local(c.tag) == name), None)


class OmmlToLatex:
    """Converts one m:oMath element; unknown objects fall back to their content."""

    def convert(self, math: Element) -> str:
        """LaTeX for an m:oMath element (without delimiters)."""
        return " ".join(self._children(math).split())

    def _children(self, el: Element | None) -> str:
        if el is None:
            return ""
        return "".join(self._node(child) for child in el)

    def _arg(self, el: Element, name: str) -> str:
        return "{" + self._children(_part(el, name)) + "}"

    def _node(self, el: Element) -> str:
        tag = local(el.tag)
        if tag.endswith("Pr") or tag in ("", "ctrlPr"):
            return ""
        handler = HANDLERS.get(tag)
        return handler(self, el) if handler else self._children(el)

    def _run(self, el: Element) -> str:
        text = nfc("".join(t.text or "" for t in el if local(t.tag) == "t"))
        if text.strip() in FUNCTIONS:
            return "\\" + text.strip() + " "
        return "".join(SYMBOLS.get(c, c) for c in text)

    def _frac(self, el: Element) -> str:
        num, den = self._arg(el, "num"), self._arg(el, "den")
        if _prop(el, "fPr", "type") == "lin":
            return f"{num}/{den}"
        return rf"\frac{num}{den}"

    def _sup(self, el: Element) -> str:
        return self._arg(el, "e") + "^" + self._arg(el, "sup")

    def _sub(self, el: Element) -> str:
        return self._arg(el, "e") + "_" + self._arg(el, "sub")

    def _subsup(self, el: Element) -> str:
        return self._arg(el, "e") + "_" + self._arg(el, "sub") + "^" + self._arg(el, "sup")

    def _pre(self, el: Element) -> str:
        return "{}_" + self._arg(el, "sub") + "^" + self._arg(el, "sup") + self._arg(el, "e")

    def _rad(self, el: Element) -> str:
        degree = self._children(_part(el, "deg"))
        if _prop(el, "radPr", "degHide") in ("1", "on", "true") or not degree.strip():
            return r"\sqrt" + self._arg(el, "e")
        return rf"\sqrt[{degree}]" + self._arg(el, "e")

    def _delim(self, el: Element) -> str:
        begin = _prop(el, "dPr", "begChr", "(")
        end = _prop(el, "dPr", "endChr", ")")
        sep = _prop(el, "dPr", "sepChr", "|")
        inner = (sep if sep != "|" else ",").join(
            self._children(e) for e in el if local(e.tag) == "e"
        )
        left, right = BRACKETS.get(begin, begin), BRACKETS.get(end, end)
        return rf"\left{left}{inner}\right{right}"

    def _nary(self, el: Element) -> str:
        op = NARY.get(_prop(el, "naryPr", "chr", "∫"), r"\int")
        lower, upper = self._children(_part(el, "sub")), self._children(_part(el, "sup"))
        limits = (f"_{{{lower}}}" if lower else "") + (f"^{{{upper}}}" if upper else "")
        return f"{op}{limits}{self._arg(el, 'e')}"

    def _func(self, el: Element) -> str:
        name = self._children(_part(el, "fName")).strip()
        return f"{name}{self._arg(el, 'e')}"

    def _accent(self, el: Element) -> str:
        command = ACCENTS.get(_prop(el, "accPr", "chr", "̂"), r"\hat")
        return command + self._arg(el, "e")

    def _bar(self, el: Element) -> str:
        return r"\overline" + self._arg(el, "e")

    def _lim(self, el: Element) -> str:
        mark = "_" if local(el.tag) == "limLow" else "^"
        return self._arg(el, "e") + mark + self._arg(el, "lim")

    def _eqarr(self, el: Element) -> str:
        rows = [self._children(e) for e in el if local(e.tag) == "e"]
        return r"\begin{array}{l}" + r" \\ ".join(rows) + r"\end{array}"

    def _matrix(self, el: Element) -> str:
        rows = [
            " & ".join(self._children(e) for e in mr if local(e.tag) == "e")
            for mr in el
            if local(mr.tag) == "mr"
        ]
        return r"\begin{matrix}" + r" \\ ".join(rows) + r"\end{matrix}"


HANDLERS: dict[str, Callable[[OmmlToLatex, Element], str]] = {
    "r": OmmlToLatex._run,
    "f": OmmlToLatex._frac,
    "sSup": OmmlToLatex._sup,
    "sSub": OmmlToLatex._sub,
    "sSubSup": OmmlToLatex._subsup,
    "sPre": OmmlToLatex._pre,
    "rad": OmmlToLatex._rad,
    "d": OmmlToLatex._delim,
    "nary": OmmlToLatex._nary,
    "func": OmmlToLatex._func,
    "acc": OmmlToLatex._accent,
    "bar": OmmlToLatex._bar,
    "limLow": OmmlToLatex._lim,
    "limUpp": OmmlToLatex._lim,
    "eqArr": OmmlToLatex._eqarr,
    "m": OmmlToLatex._matrix,
}


def omml_to_latex(math: Element) -> str:
    """LaTeX for an m:oMath element; text content is the fallback for unknown objects."""
    return OmmlToLatex().convert(math)
