"""Turning one QTI 2.1 assessmentItem element into a Question (types, stem, options, feedback)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from xml.etree.ElementTree import Element

from . import qti21_answers as answers
from ._safe_zip import local
from ._vn_text import nfc
from .model import Asset, Gap, ImportIssue, Option, Question, QuestionType
from .qti21_html import DROP, Renderer
from .qti21_rules import (
    NO_KEY,
    Decl,
    Skip,
    children,
    max_points,
    read_decls,
    read_feedback_rules,
)

SUPPORTED = frozenset(
    {"choiceInteraction", "textEntryInteraction", "extendedTextInteraction", "matchInteraction"}
    | {"associateInteraction", "orderInteraction", "inlineChoiceInteraction"}
    | {"gapMatchInteraction"}
)
IGNORED = frozenset({"endAttemptInteraction"})
INLINE = frozenset({"textEntryInteraction", "inlineChoiceInteraction"})
STEM_CLASS = "lophoc-stem"
FEEDBACK_TAGS = frozenset({"modalFeedback", "feedbackBlock", "feedbackInline"})


def _classes(el: Element) -> set[str]:
    return set(el.get("class", "").split())


class ItemReader:
    """Reads one assessmentItem; `find_asset` maps a path used by the item to an Asset."""

    def __init__(self, root: Element, where: str, find_asset: Callable[[str], Asset | None]):
        self.root, self.where, self.find_asset = root, where, find_asset
        self.assets: dict[str, Asset] = {}
        self.warnings: list[ImportIssue] = []
        self.render = Renderer(self._lookup, self._missing)
        self.decls = read_decls(root)
        self.points = max_points(root) or Decimal(1)

    def _lookup(self, path: str) -> str | None:
        asset = self.find_asset(path)
        if asset is None:
            return None
        self.assets[asset.name] = asset
        return f"@@ASSET@@/{asset.name}"

    def _missing(self, path: str) -> None:
        message = (
            f"không tìm thấy tệp '{path}' trong gói; câu hỏi vẫn được nhập nhưng ảnh/tệp này "
            "sẽ không hiển thị — hãy thêm tệp vào gói hoặc tải ảnh lên sau."
        )
        if all(w.message != message for w in self.warnings):
            self.warnings.append(ImportIssue(self.where, message))

    def read(self) -> Question:
        """The Question; raises Skip when the item uses something LopHoc cannot store."""
        if local(self.root.tag) != "assessmentItem":
            raise Skip(f"phần tử gốc là '{local(self.root.tag)}', không phải assessmentItem")
        if self.root.get("adaptive", "").strip() == "true":
            raise Skip("câu hỏi thích ứng (adaptive, nhiều bước) chưa được hỗ trợ")
        body = next(iter(children(self.root, "itemBody")), None)
        if body is None:
            raise Skip("thiếu phần nội dung (itemBody)")
        question = self._build(body, self._interactions(body))
        question.title = nfc(self.root.get("title", "")).strip()
        question.source_id = self.root.get("identifier", "")
        question.points = self.points
        question.assets = list(self.assets.values())
        return question

    def _interactions(self, body: Element) -> list[Element]:
        parents = {id(c): p for p in body.iter() for c in p}
        found = []
        for el in body.iter():
            tag = local(el.tag)
            if not tag.endswith("Interaction") or tag in IGNORED:
                continue
            parent = parents.get(id(el))
            while parent is not None and local(parent.tag) not in DROP:
                parent = parents.get(id(parent))
            if parent is None:
                found.append(el)
        for el in found:
            if local(el.tag) not in SUPPORTED:
                raise Skip(f"tương tác {local(el.tag)} chưa được hỗ trợ")
        return found

    def _build(self, body: Element, inters: list[Element]) -> Question:
        blocks = [i for i in inters if local(i.tag) not in INLINE | {"gapMatchInteraction"}]
        if not inters:
            question = Question(QuestionType.DESCRIPTION, "")
        elif blocks and len(inters) > 1:
            names = ", ".join(sorted({local(i.tag) for i in inters}))
            raise Skip(
                f"câu hỏi có {len(inters)} tương tác ({names}); LopHoc chỉ nhập câu có một "
                "tương tác (hoặc nhiều ô trống) — hãy tách thành các câu riêng"
            )
        elif blocks:
            question = BUILDERS[local(blocks[0].tag)](self, blocks[0])
        elif len(inters) == 1 and local(inters[0].tag) == "textEntryInteraction":
            question = self._text_entry(inters[0])
        else:
            question = self._cloze(body)
        question.stem_html = self._stem(body)
        self._feedback(question, inters[0].get("responseIdentifier", "") if inters else "")
        return question

    def _stem(self, body: Element) -> str:
        marked = next((d for d in body.iter() if STEM_CLASS in _classes(d)), None)
        return self.render.inner(marked if marked is not None else body)

    def _decl(self, inter: Element) -> Decl:
        ident = inter.get("responseIdentifier", "")
        return self.decls.get(ident) or Decl(ident)

    def _prompt_in_place(self, inter: Element) -> None:
        """The interaction leaves the stem; its prompt stays where it was (as a paragraph)."""
        prompt = next(iter(children(inter, "prompt")), None)
        content = self.render.inner(prompt) if prompt is not None else ""
        is_block = content.startswith(("<p", "<div", "<table", "<ul", "<ol", "<blockquote"))
        self.render.replace[id(inter)] = content if is_block or not content else f"<p>{content}</p>"

    def _choice(self, inter: Element) -> Question:
        self._prompt_in_place(inter)
        decl = self._decl(inter)
        correct = set(decl.answer_keys())
        if not correct:
            raise Skip(NO_KEY)
        if "lophoc-true-false" in _classes(inter):
            return Question(QuestionType.TRUE_FALSE, "", answer_bool="true" in correct)
        choices = [c for c in inter.iter() if local(c.tag) == "simpleChoice"]
        options = [
            Option(c.get("identifier", ""), self.render.inner(c), c.get("identifier") in correct)
            for c in choices
        ]
        single = inter.get("maxChoices", "1").strip() == "1"
        answers.set_choice_fractions(options, decl, single)
        kind = QuestionType.SINGLE_CHOICE if single else QuestionType.MULTIPLE_RESPONSE
        return Question(kind, "", options=options)

    def _text_entry(self, inter: Element) -> Question:
        self.render.replace[id(inter)] = "_____"
        decl = self._decl(inter)
        question = Question(QuestionType.SHORT_ANSWER, "")
        if decl.base_type in ("float", "integer"):
            question.type = QuestionType.NUMERIC
            question.numeric_answers = answers.numeric(self.root, decl, self.points)
        else:
            question.text_answers = answers.texts(decl)
            question.is_case_sensitive = decl.case_sensitive
            question.is_accent_sensitive = "lophoc-accent-insensitive" not in _classes(inter)
        if not (question.numeric_answers or question.text_answers):
            raise Skip(NO_KEY)
        return question

    def _extended(self, inter: Element) -> Question:
        self._prompt_in_place(inter)
        rubrics = [
            self.render.inner(r)
            for r in self.root.iter()
            if local(r.tag) == "rubricBlock" and "scorer" in r.get("view", "")
        ]
        return Question(QuestionType.ESSAY, "", grader_info_html="".join(rubrics))

    def _cloze(self, body: Element) -> Question:
        gaps: list[Gap] = []
        owner = body  # the gapMatchInteraction the next <gap> elements belong to
        for el in body.iter():
            tag = local(el.tag)
            if tag == "gapMatchInteraction":
                owner = el
                self.render.unwrap.add(id(el))
                self._gap_match_parts(el)
            elif tag in INLINE or tag == "gap":
                gap = self._gap(el, len(gaps) + 1, owner)
                self.render.replace[id(el)] = f"{{{{{gap.number}}}}}"
                gaps.append(gap)
        return Question(QuestionType.CLOZE, "", gaps=gaps)

    def _gap_match_parts(self, inter: Element) -> None:
        # gapTexts become the options of every gap, so they leave the stem.
        for child in inter:
            if local(child.tag) in ("gapText", "gapImg"):
                self.render.replace[id(child)] = ""
            elif local(child.tag) == "prompt":
                self.render.replace[id(child)] = f"<p>{self.render.inner(child)}</p>"

    def _gap(self, el: Element, number: int, owner: Element) -> Gap:
        tag = local(el.tag)
        if tag == "gap":
            gap = answers.gap_match_gap(self, owner, el, number)
        elif tag == "inlineChoiceInteraction":
            gap = answers.inline_choice_gap(self, el, number)
        else:
            decl = self._decl(el)
            gap = Gap(number, QuestionType.SHORT_ANSWER, points=answers.gap_points(decl))
            if decl.base_type in ("float", "integer"):
                gap.type = QuestionType.NUMERIC
                gap.numeric_answers = answers.numeric(self.root, decl, self.points)
            else:
                gap.text_answers = answers.texts(decl)
        if not (gap.text_answers or gap.numeric_answers or any(o.is_correct for o in gap.options)):
            raise Skip(f"ô trống số {number} {NO_KEY}")
        return gap

    def _feedback(self, question: Question, response: str) -> None:
        rules = read_feedback_rules(self.root, response)
        by_key = {o.key: o for o in question.options}
        for fb in self.root.iter():
            if local(fb.tag) not in FEEDBACK_TAGS or fb.get("showHide", "show") != "show":
                continue
            pair = (fb.get("outcomeIdentifier", ""), fb.get("identifier", ""))
            content = self.render.inner(fb)
            if pair in rules.always:
                question.explanation_html += content
                continue
            if pair[0] in rules.echo and pair[1] in by_key:
                targets = [by_key[pair[1]]]
            elif pair in rules.on_correct or pair in rules.on_incorrect:
                wanted = pair in rules.on_correct
                targets = [o for o in question.options if o.is_correct == wanted]
            else:
                continue
            for option in targets:
                option.feedback_html += content

    def _match(self, inter: Element) -> Question:
        self._prompt_in_place(inter)
        return answers.matching(self, inter)

    def _associate(self, inter: Element) -> Question:
        self._prompt_in_place(inter)
        return answers.associate(self, inter)

    def _order(self, inter: Element) -> Question:
        self._prompt_in_place(inter)
        decl = self._decl(inter)
        html_of = {c.get("identifier", ""): c for c in inter if local(c.tag) == "simpleChoice"}
        order = [k for k in decl.answer_keys() if k in html_of]
        if len(order) < 2:
            raise Skip(NO_KEY)
        options = [Option(k, self.render.inner(html_of[k])) for k in order]
        return Question(QuestionType.ORDERING, "", options=options)


BUILDERS: dict[str, Callable[[ItemReader, Element], Question]] = {
    "choiceInteraction": ItemReader._choice,
    "extendedTextInteraction": ItemReader._extended,
    "matchInteraction": ItemReader._match,
    "associateInteraction": ItemReader._associate,
    "orderInteraction": ItemReader._order,
}
