"""Properties of every question type: scores stay in range, views never leak, keys score full."""

import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.text import fold
from app.services import question_types as qt
from question_banks.model import Gap, NumericAnswer, Option, Question, QuestionType, TextAnswer

T = QuestionType
D = Decimal
SECRET = "§KEY§"
PROPERTY = settings(database=None, deadline=None, max_examples=100)
PER_TYPE = settings(PROPERTY, max_examples=50)
# No digits: a number in a public view can then only be a leaked numeric answer.
LETTERS = "abcdeghiklmnopqrstuvxyàáảãạăâđêôơưĐÊ  "
html = st.text(LETTERS, min_size=1, max_size=10).filter(str.strip)
fractions = st.sampled_from(["0", "0.5", "-0.5", "-1"]).map(D)
penalties = st.sampled_from(["0", "-0.5", "-1"]).map(D)  # a wrong option never earns


@st.composite
def options(draw, minimum: int, maximum: int) -> list[Option]:
    keys = draw(
        st.lists(
            st.text("ABCDEFGH", min_size=1, max_size=2),
            min_size=minimum,
            max_size=maximum,
            unique=True,
        )
    )
    # Option texts are distinct: two options that read the same are an invalid question.
    texts = draw(
        st.lists(html, min_size=len(keys), max_size=len(keys), unique_by=lambda t: fold(t))
    )
    return [Option(k, t, feedback_html=f"{SECRET} {k}") for k, t in zip(keys, texts, strict=True)]


@st.composite
def single_choice(draw) -> Question:
    opts = draw(options(2, 5))
    right = draw(st.sampled_from(opts))
    right.is_correct = True
    if draw(st.booleans()):  # a Moodle source with partial credit and penalties
        for option in opts:
            option.fraction = D(1) if option is right else draw(fractions)
    return Question(T.SINGLE_CHOICE, draw(html), options=opts)


@st.composite
def multiple_response(draw) -> Question:
    opts = draw(options(2, 5))
    marks = draw(st.lists(st.booleans(), min_size=len(opts), max_size=len(opts)).filter(any))
    with_fractions = draw(st.booleans())
    for option, is_right in zip(opts, marks, strict=True):
        option.is_correct = is_right
        if with_fractions:
            option.fraction = D(1) / sum(marks) if is_right else draw(penalties)
    return Question(T.MULTIPLE_RESPONSE, draw(html), options=opts)


@st.composite
def cluster(draw) -> Question:
    opts = draw(options(4, 4))
    for option in opts:
        option.is_correct = draw(st.booleans())
    return Question(T.TRUE_FALSE_CLUSTER, draw(html), options=opts)


@st.composite
def short_answer(draw) -> Question:
    texts = draw(st.lists(st.text(LETTERS + "*", min_size=1, max_size=8), min_size=1, max_size=3))
    answers = [
        TextAnswer(f"{SECRET}{t}", D(1) if i == 0 else draw(fractions).copy_abs())
        for i, t in enumerate(texts)
    ]
    flags = {"is_case_sensitive": draw(st.booleans()), "is_accent_sensitive": draw(st.booleans())}
    return Question(T.SHORT_ANSWER, draw(html), text_answers=answers, **flags)


@st.composite
def numeric(draw) -> Question:
    values = st.decimals(-(10**6), 10**6, places=3)
    count = draw(st.integers(1, 3))
    answers = [
        NumericAnswer(
            draw(values),
            draw(st.decimals(0, 1, places=2)),
            D(1) if i == 0 else draw(fractions).copy_abs(),
        )
        for i in range(count)
    ]
    return Question(T.NUMERIC, draw(html), numeric_answers=answers)


@st.composite
def matching(draw) -> Question:
    opts = draw(options(2, 6))
    rights = draw(st.lists(html, min_size=len(opts), max_size=len(opts), unique_by=" ".join))
    pairs = draw(st.integers(2, len(opts)))
    for i, (option, right) in enumerate(zip(opts, rights, strict=True)):
        option.match_html = right
        option.html = option.html if i < pairs else ""  # the rest are distractors
    return Question(T.MATCHING, draw(html), options=opts)


@st.composite
def cloze(draw) -> Question:
    kinds = draw(
        st.lists(st.sampled_from([single_choice, short_answer, numeric]), min_size=1, max_size=3)
    )
    gaps = []
    for number, kind in enumerate(kinds, 1):
        sub = draw(kind())
        points = D(1) if number == 1 else draw(st.sampled_from(["0", "0.5", "2"]).map(D))
        gaps.append(
            Gap(number, sub.type, points, sub.options, sub.text_answers, sub.numeric_answers)
        )
    stem = " ".join(f"{draw(html)} {{{{{gap.number}}}}}" for gap in gaps)
    return Question(T.CLOZE, stem, gaps=gaps)


BUILDERS: dict[QuestionType, st.SearchStrategy[Question]] = {
    T.SINGLE_CHOICE: single_choice(),
    T.MULTIPLE_RESPONSE: multiple_response(),
    T.TRUE_FALSE: st.builds(Question, st.just(T.TRUE_FALSE), html, answer_bool=st.booleans()),
    T.TRUE_FALSE_CLUSTER: cluster(),
    T.SHORT_ANSWER: short_answer(),
    T.NUMERIC: numeric(),
    T.MATCHING: matching(),
    T.ORDERING: options(2, 6).flatmap(
        lambda o: st.builds(Question, st.just(T.ORDERING), html, options=st.just(o))
    ),
    T.ESSAY: st.builds(Question, st.just(T.ESSAY), html),
    T.CLOZE: cloze(),
    T.DESCRIPTION: st.builds(Question, st.just(T.DESCRIPTION), html),
}


@st.composite
def questions(draw, types: tuple[QuestionType, ...] = tuple(QuestionType)) -> Question:
    question = draw(st.sampled_from(types).flatmap(BUILDERS.__getitem__))
    question.points = draw(st.decimals(0, 20, places=2))
    question.explanation_html = f"{SECRET} lời giải"
    return question


def ids_of(question: Question) -> list[str]:
    """Every id an answer could name: option keys, right-hand choice ids, gap numbers."""
    view = qt.public_view(question)
    found = [o["id"] for o in view["options"]] + [c["id"] for c in view.get("choices", [])]
    return found + [str(g["number"]) for g in view.get("gaps", [])]


def answers(question: Question) -> st.SearchStrategy[object]:
    """Anything JSON can carry, and answers shaped like the real ones, often half-right."""
    json_values = st.recursive(
        st.none() | st.booleans() | st.integers(-3, 3) | st.floats() | st.text(max_size=4),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner),
        max_leaves=6,
    )
    real = ids_of(question) or ["Z"]
    ids = st.sampled_from([*real, "Z"])
    values = st.one_of(st.booleans(), ids, st.none(), st.sampled_from(["3,5", "-0.5", "Hà Nội"]))
    shaped = st.one_of(
        st.lists(st.sampled_from(real), unique=True, max_size=6),
        st.dictionaries(st.sampled_from(real), values, max_size=6),
        st.permutations(real),
        ids,
        st.lists(ids, max_size=4),
        st.dictionaries(ids, values, max_size=4),
    )
    return st.one_of(shaped, json_values, st.just(key_answer(question)))


def matching_key(question: Question) -> dict[str, str]:
    by_html = {c["html"]: c["id"] for c in qt.public_view(question)["choices"]}
    return {o.key: by_html[o.match_html] for o in question.options if o.html.strip()}


def gap_key(question: Question, gap: Gap) -> object:
    sub = Question(
        gap.type,
        "x",
        options=gap.options,
        text_answers=gap.text_answers,
        numeric_answers=gap.numeric_answers,
    )
    return key_answer(sub)


KEYS: dict[QuestionType, Callable[[Question], object]] = {
    T.SINGLE_CHOICE: lambda q: next(o.key for o in q.options if o.is_correct),
    T.MULTIPLE_RESPONSE: lambda q: [o.key for o in q.options if o.is_correct],
    T.TRUE_FALSE: lambda q: q.answer_bool,
    T.TRUE_FALSE_CLUSTER: lambda q: {o.key: o.is_correct for o in q.options},
    T.SHORT_ANSWER: lambda q: q.text_answers[0].text,
    T.NUMERIC: lambda q: str(q.numeric_answers[0].value).replace(".", ","),
    T.MATCHING: matching_key,
    T.ORDERING: lambda q: [o.key for o in q.options],
    T.ESSAY: lambda q: "Bài làm",
    T.CLOZE: lambda q: {str(g.number): gap_key(q, g) for g in q.gaps},
    T.DESCRIPTION: lambda q: None,
}


def key_answer(question: Question) -> object:
    return KEYS[question.type](question)


@pytest.mark.parametrize("question_type", list(QuestionType))
@PER_TYPE
@given(data=st.data())
def test_question_types_score_stays_between_zero_and_max_points(
    question_type: QuestionType, data: st.DataObject
) -> None:
    question = data.draw(questions((question_type,)))
    points = data.draw(st.none() | st.decimals(0, 10, places=3))
    result = qt.score(question, data.draw(answers(question)), points)
    assert D(0) <= result.points <= result.max_points
    assert result.points.as_tuple().exponent == -2
    assert (result.is_correct is None) <= (question.type is T.ESSAY)
    json.dumps(result.detail)  # shown to students and stored as JSON as it is


@PROPERTY
@given(question=questions(), data=st.data())
def test_question_types_public_view_never_leaks_the_key(
    question: Question, data: st.DataObject, assert_public: Callable[[dict], None]
) -> None:
    order = data.draw(st.permutations([*ids_of(question), "Z"]))
    for view in (qt.public_view(question), qt.public_view(question, order)):
        assert_public(view)
        text = json.dumps(view, ensure_ascii=False)
        numbers = question.numeric_answers + [a for g in question.gaps for a in g.numeric_answers]
        assert not any(str(a.value) in text for a in numbers)
        if question.type is T.ORDERING:
            assert [o["id"] for o in view["options"]] != [o.key for o in question.options]


@PROPERTY
@given(questions())
def test_question_types_generated_questions_are_valid_and_their_key_scores_full(
    question: Question,
) -> None:
    assert qt.validate(question) == []
    result = qt.score(question, key_answer(question))
    if question.type is T.ESSAY:
        assert result.is_correct is None
    elif question.type is not T.DESCRIPTION:
        assert (result.points, result.is_correct) == (result.max_points, True)


@PROPERTY
@given(st.data())
def test_question_types_a_stored_answer_normalises_to_itself(data: st.DataObject) -> None:
    question = data.draw(questions())
    try:
        stored = qt.normalise_answer(question, data.draw(answers(question)))
    except qt.AnswerError:
        return
    assert qt.normalise_answer(question, json.loads(json.dumps(stored))) == stored
