"""Public views: what the exam page gets for every type, in order, and never the key."""

from collections.abc import Callable
from decimal import Decimal

import pytest

from app.services import question_types as qt
from question_banks.model import Option, Question, QuestionType

T = QuestionType
Samples = dict[QuestionType, Question]


def test_every_type_has_a_view_with_type_stem_and_options(samples: Samples) -> None:
    for question_type, question in samples.items():
        view = qt.public_view(question)
        assert view["type"] == question_type.value
        assert view["stem_html"] == question.stem_html
        assert all(set(o) == {"id", "html"} for o in view["options"])


def test_no_public_view_leaks_key_material(
    samples: Samples, assert_public: Callable[[dict], None]
) -> None:
    for question in samples.values():
        assert_public(qt.public_view(question))
        assert_public(qt.public_view(question, option_order=["D", "C", "B", "A"]))


def test_choice_options_follow_the_variant_order(samples: Samples) -> None:
    view = qt.public_view(samples[T.SINGLE_CHOICE], option_order=["C", "A", "D", "B"])
    assert [o["id"] for o in view["options"]] == ["C", "A", "D", "B"]


def test_an_incomplete_or_stale_order_still_shows_every_option_once(samples: Samples) -> None:
    view = qt.public_view(samples[T.MULTIPLE_RESPONSE], option_order=["X", "D", "D", "B"])
    assert [o["id"] for o in view["options"]] == ["D", "B", "A", "C"]


def test_cluster_shows_its_four_statements(samples: Samples) -> None:
    view = qt.public_view(samples[T.TRUE_FALSE_CLUSTER])
    assert [o["id"] for o in view["options"]] == ["A", "B", "C", "D"]


def test_matching_shows_left_items_and_right_choices_with_ids_of_their_own(
    samples: Samples,
) -> None:
    view = qt.public_view(samples[T.MATCHING])
    assert [o["id"] for o in view["options"]] == ["A", "B"]  # the distractor has no left side
    assert sorted(c["html"] for c in view["choices"]) == ["Hà Nội", "Paris", "Rome"]
    assert not {c["id"] for c in view["choices"]} & {"A", "B", "C"}


def test_matching_right_ids_do_not_depend_on_the_left_keys(samples: Samples) -> None:
    question = samples[T.MATCHING]
    before = qt.public_view(question)["choices"]
    for option, new_key in zip(question.options, ("Z", "Y", "X"), strict=True):
        option.key = new_key
    assert qt.public_view(question)["choices"] == before


def test_matching_order_may_name_left_and_right_ids(samples: Samples) -> None:
    question = samples[T.MATCHING]
    right_ids = [c["id"] for c in qt.public_view(question)["choices"]]
    view = qt.public_view(question, option_order=["B", *reversed(right_ids), "A"])
    assert [o["id"] for o in view["options"]] == ["B", "A"]
    assert [c["id"] for c in view["choices"]] == list(reversed(right_ids))


def test_matching_repeated_right_sides_are_one_choice() -> None:
    options = [Option(k, f"Nước {k}", match_html="Châu Á") for k in "AB"]
    options.append(Option("C", "Pháp", match_html="Châu  Âu"))
    view = qt.public_view(Question(T.MATCHING, "Ghép", options=options))
    assert len(view["choices"]) == 2


def test_ordering_never_shows_the_right_order(samples: Samples) -> None:
    question = samples[T.ORDERING]
    right = [o.key for o in question.options]
    assert [o["id"] for o in qt.public_view(question)["options"]] != right
    # a variant's shuffle that happens to be the answer is turned
    shown = [o["id"] for o in qt.public_view(question, option_order=right)["options"]]
    assert shown != right and sorted(shown) == sorted(right)


def test_ordering_follows_a_given_shuffle(samples: Samples) -> None:
    view = qt.public_view(samples[T.ORDERING], option_order=["C", "A", "D", "B"])
    assert [o["id"] for o in view["options"]] == ["C", "A", "D", "B"]


def test_ordering_default_scramble_is_stable(samples: Samples) -> None:
    question = samples[T.ORDERING]
    assert qt.public_view(question) == qt.public_view(question)


def test_two_item_ordering_is_shown_reversed() -> None:
    items = [Option("A", "Trước"), Option("B", "Sau")]
    view = qt.public_view(Question(T.ORDERING, "Sắp xếp", options=items))
    assert [o["id"] for o in view["options"]] == ["B", "A"]


def test_cloze_lists_its_gaps_with_choices_for_select_gaps(samples: Samples) -> None:
    view = qt.public_view(samples[T.CLOZE])
    assert view["options"] == []
    assert [(g["number"], g["type"]) for g in view["gaps"]] == [
        (1, "single_choice"),
        (2, "short_answer"),
        (3, "numeric"),
    ]
    assert [o["id"] for o in view["gaps"][0]["options"]] == ["A", "B", "C", "D"]
    assert view["gaps"][1]["options"] == [] == view["gaps"][2]["options"]


def test_essay_tells_the_page_its_length_limit(samples: Samples) -> None:
    assert qt.public_view(samples[T.ESSAY])["max_length"] == 20_000


@pytest.mark.parametrize("question_type", list(QuestionType))
def test_the_sample_of_every_type_is_valid_and_scores_nothing_without_an_answer(
    samples: Samples, question_type: QuestionType
) -> None:
    question = samples[question_type]
    assert qt.validate(question) == []
    assert qt.score(question, None).points == Decimal("0.00")
