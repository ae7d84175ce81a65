"""The harvest board's pure rules: dot budget, merging, ranking, group names, layouts."""

from types import SimpleNamespace

import pytest

from app import cards
from app.refusal import Refusal


def card(card_id: str, text: str = "", created: int = 0, merged_into=None):
    return SimpleNamespace(id=card_id, text=text, created_at_ms=created, merged_into=merged_into)


def vote(card_id: str, dots: int = 1):
    return SimpleNamespace(card_id=card_id, dots=dots)


def test_a_dot_is_allowed_only_while_some_are_left():
    cards.check_vote(0, 3)
    cards.check_vote(2, 3)
    with pytest.raises(Refusal) as refused:
        cards.check_vote(3, 3)
    assert refused.value.status == 409 and refused.value.code == "no_dots_left"
    assert refused.value.params == {"budget": 3}
    with pytest.raises(Refusal):
        cards.check_vote(0, 0)  # a budget of 0 closes the ballot for everyone


@pytest.mark.parametrize("budget", [-1, 21, 2.5, "3", True, None])
def test_a_budget_is_a_whole_number_from_0_to_20(budget):
    with pytest.raises(Refusal):
        cards.clean_budget(budget)


def test_budget_bounds_are_accepted():
    assert cards.clean_budget(0) == 0 and cards.clean_budget(20) == 20


def test_a_merged_card_keeps_each_text_once_in_order():
    merged = cards.merged_text(["見守り", "担い手不足", "見守り", "送迎"])
    assert merged == "見守り / 担い手不足 / 送迎"


def test_texts_that_differ_only_in_punctuation_or_width_are_kept_once():
    merged = cards.merged_text(["見守りが足りない", "見守りが、足りない！", "ＳＮＳ", "sns",
                                "送迎"])
    assert merged == "見守りが足りない / ＳＮＳ / 送迎"


def test_a_merge_longer_than_the_column_is_refused():
    with pytest.raises(Refusal) as refused:
        cards.merged_text(["あ" * 600, "い" * 600])
    assert refused.value.status == 422


def test_a_merge_needs_another_card_that_is_not_merged_yet():
    keep, other = card("a"), card("b")
    cards.check_merge(keep, [other])
    with pytest.raises(Refusal):
        cards.check_merge(keep, [])
    with pytest.raises(Refusal):
        cards.check_merge(keep, [keep])
    with pytest.raises(Refusal) as refused:
        cards.check_merge(keep, [card("c", merged_into="x")])
    assert refused.value.code == "already_merged"
    with pytest.raises(Refusal) as raced:  # x into y just after y into x
        cards.check_merge(card("d", merged_into="a"), [other])
    assert raced.value.code == "already_merged" and raced.value.status == 409


def test_an_unmerge_needs_cards_merged_into_a_card_that_is_kept():
    cards.check_unmerge(card("a"), [card("b", merged_into="a")])
    with pytest.raises(Refusal) as nothing:
        cards.check_unmerge(card("a"), [])
    assert nothing.value.code == "not_merged" and nothing.value.status == 409
    with pytest.raises(Refusal) as inside:
        cards.check_unmerge(card("a", merged_into="z"), [card("b", merged_into="a")])
    assert inside.value.code == "already_merged"


def test_a_weight_counts_every_card_merged_in_however_deep():
    deck = [card("a"), card("b", merged_into="a"), card("c", merged_into="a"),
            card("d", merged_into="b"), card("e", merged_into="d"), card("f"),
            card("g", merged_into="gone")]  # merged into a card not in the list
    weights = cards.weights(deck)
    assert weights == {"a": 5, "b": 3, "c": 1, "d": 2, "e": 1, "f": 1, "g": 1}
    assert list(cards.merged_chain("e", {c.id: c.merged_into for c in deck}.get)) == [
        "d", "b", "a"]


@pytest.mark.parametrize("size", [1, 2, 7])
def test_the_weights_add_up_to_the_cards_along_each_chain(size):
    """Each card counts once for itself and once for every card above it."""
    deck = [card("k0"), *(card(f"k{n}", merged_into=f"k{n - 1}") for n in range(1, size))]
    weights = cards.weights(deck)
    assert [weights[f"k{n}"] for n in range(size)] == list(range(size, 0, -1))
    assert sum(weights.values()) == size * (size + 1) // 2


def test_a_loop_of_merges_never_hangs():
    weights = cards.weights([card("a", merged_into="b"), card("b", merged_into="a")])
    assert weights == {"a": 2, "b": 2}


def test_the_ranking_shares_a_rank_between_equal_counts_and_skips_cards_without_dots():
    board = [card("a", created=1), card("b", created=2), card("c", created=3), card("d", created=4)]
    ranked = cards.ranking(board, {"a": 2, "b": 5, "c": 2})
    assert [(rank, c.id, dots) for rank, c, dots in ranked] == [
        (1, "b", 5), (2, "a", 2), (2, "c", 2)]


@pytest.mark.parametrize("raw", ["", "   ", "a\x00b", "x" * 61, 5, None, "a\u202eb"])
def test_bad_group_names_are_refused(raw):
    with pytest.raises(Refusal) as refused:
        cards.clean_group_name(raw)
    assert refused.value.status == 422


def test_a_group_name_is_trimmed_to_one_line():
    assert cards.clean_group_name("  見守り\n の 担い手 ") == "見守り の 担い手"


def test_only_known_layouts():
    assert [cards.clean_layout(name) for name in cards.BOARD_LAYOUTS] == list(cards.BOARD_LAYOUTS)
    with pytest.raises(Refusal):
        cards.clean_layout("author")
