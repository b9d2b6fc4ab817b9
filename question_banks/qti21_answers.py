"""Answers of QTI 2.1 interactions: choice fractions, text/numeric answers, gaps and pairs."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

from ._safe_zip import local
from ._vn_text import nfc
from .model import Gap, NumericAnswer, Option, Question, QuestionType, TextAnswer
from .qti21_rules import (
    NO_KEY,
    Decl,
    Skip,
    branch_fraction,
    children,
    numeric_rules,
    share,
    to_decimal,
)

if TYPE_CHECKING:
    from .qti21_items import ItemReader

ONE_TO_MANY = (
    "một vế trái được ghép với nhiều vế phải; LopHoc chỉ hỗ trợ ghép một-một, "
    "hãy tách thành các cặp riêng"
)


def set_choice_fractions(options: list[Option], decl: Decl, single: bool) -> None:
    """Single choice: 1 for the key. Multiple: the mapping's share, else 1/n per key."""
    n_correct = sum(o.is_correct for o in options)
    for option in options:
        if single:
            option.fraction = Decimal(int(option.is_correct))
        elif decl.mapping:
            option.fraction = share(decl.value_of(option.key), decl.best())
        elif option.is_correct:
            option.fraction = share(Decimal(1), Decimal(n_correct))


def texts(decl: Decl) -> list[TextAnswer]:
    """Accepted texts: the mapping (with its shares) led by any correct value it lacks."""
    best = decl.best()
    found = [TextAnswer(nfc(k), share(v, best)) for k, v in decl.mapping.items() if v > 0]
    known = {a.text for a in found}
    leading = [TextAnswer(nfc(v)) for v in decl.correct if nfc(v) not in known]
    return leading + found


def numeric(root: Element, decl: Decl, points: Decimal) -> list[NumericAnswer]:
    """Accepted numbers: tolerance rules of responseProcessing, then correct/mapped values."""
    found = [
        NumericAnswer(value, tolerance, branch_fraction(branch, points))
        for value, tolerance, branch in numeric_rules(root, decl.identifier)
    ]
    best = decl.best()
    extra = [(v, Decimal(1)) for v in decl.correct]
    extra += [(k, share(v, best)) for k, v in decl.mapping.items() if v > 0]
    for text, fraction in extra:
        value = to_decimal(text)
        if value is not None and all(a.value != value for a in found):
            found.append(NumericAnswer(value, Decimal(0), fraction))
    return found


def gap_points(decl: Decl) -> Decimal:
    """A gap's weight: what its mapping awards for the best answer, else 1."""
    best = decl.best()
    return best if best > 0 else Decimal(1)


def inline_choice_gap(reader: ItemReader, inter: Element, number: int) -> Gap:
    """An inlineChoiceInteraction as a single-choice gap."""
    decl = reader._decl(inter)
    correct = set(decl.answer_keys())
    options = [
        Option(c.get("identifier", ""), reader.render.inner(c), c.get("identifier") in correct)
        for c in children(inter, "inlineChoice")
    ]
    for option in options:
        option.fraction = Decimal(int(option.is_correct))
    return Gap(number, QuestionType.SINGLE_CHOICE, gap_points(decl), options=options)


def gap_match_gap(reader: ItemReader, inter: Element, gap: Element, number: int) -> Gap:
    """One <gap> of a gapMatchInteraction: every gapText is a choice, the paired one correct."""
    decl = reader._decl(inter)
    gap_id = gap.get("identifier", "")
    pairs = [tuple(k.split()) for k in decl.answer_keys()]
    correct = {p[0] for p in pairs if len(p) == 2 and p[1] == gap_id}
    options = []
    for choice in inter:
        if local(choice.tag) in ("gapText", "gapImg"):
            key = choice.get("identifier", "")
            options.append(Option(key, reader.render.inner(choice), key in correct))
            options[-1].fraction = Decimal(int(key in correct))
    mapped = [decl.value_of(f"{k} {gap_id}") for k in correct] if decl.mapping else []
    points = max(mapped) if mapped and max(mapped) > 0 else Decimal(1)
    return Gap(number, QuestionType.SINGLE_CHOICE, points, options=options)


def _pairs(decl: Decl) -> list[tuple[str, str]]:
    return [(p[0], p[1]) for p in (k.split() for k in decl.answer_keys()) if len(p) == 2]


def _pair_fraction(decl: Decl, pair: tuple[str, str]) -> Decimal:
    # Without a mapping the file says nothing about partial credit, so none is invented.
    if decl.mapping:
        return share(decl.value_of(f"{pair[0]} {pair[1]}"), decl.best())
    return Decimal(0)


def matching(reader: ItemReader, inter: Element) -> Question:
    """matchInteraction: left set -> options, right set -> their match_html or distractors."""
    sets = children(inter, "simpleMatchSet")
    if len(sets) != 2:
        raise Skip("tương tác ghép đôi phải có đúng hai nhóm (simpleMatchSet)")
    lefts = [(c.get("identifier", ""), c) for c in sets[0]]
    rights = {c.get("identifier", ""): reader.render.inner(c) for c in sets[1]}
    pairs = _pairs(reader._decl(inter))
    if "lophoc-true-false-cluster" in inter.get("class", "").split():
        truth = dict(pairs)
        options = [Option(k, reader.render.inner(c), truth.get(k) == "true") for k, c in lefts]
        return Question(QuestionType.TRUE_FALSE_CLUSTER, "", options=options)
    targets: dict[str, list[str]] = defaultdict(list)
    for source, target in pairs:
        if target in rights:
            targets[source].append(target)
    if any(len(t) > 1 for t in targets.values()):
        raise Skip(ONE_TO_MANY)
    decl = reader._decl(inter)
    options = [
        Option(k, reader.render.inner(c), True, match_html=rights[targets[k][0]])
        for k, c in lefts
        if targets.get(k)
    ]
    for option in options:
        option.fraction = _pair_fraction(decl, (option.key, targets[option.key][0]))
    if not options:
        raise Skip(NO_KEY)
    used = {t[0] for t in targets.values()}
    options += [Option(k, "", match_html=h) for k, h in rights.items() if k not in used]
    return Question(QuestionType.MATCHING, "", options=options)


def associate(reader: ItemReader, inter: Element) -> Question:
    """associateInteraction: each correct pair becomes one left/right option."""
    html_of = {
        c.get("identifier", ""): reader.render.inner(c)
        for c in inter
        if local(c.tag) == "simpleAssociableChoice"
    }
    decl = reader._decl(inter)
    pairs = [p for p in _pairs(decl) if p[0] in html_of and p[1] in html_of]
    if not pairs:
        raise Skip(NO_KEY)
    if len({p[0] for p in pairs}) != len(pairs):
        raise Skip(ONE_TO_MANY)
    options = [
        Option(a, html_of[a], True, _pair_fraction(decl, (a, b)), match_html=html_of[b])
        for a, b in pairs
    ]
    used = {x for p in pairs for x in p}
    options += [Option(k, "", match_html=h) for k, h in html_of.items() if k not in used]
    return Question(QuestionType.MATCHING, "", options=options)
