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
    with pytest.raises(Refusal):
        cards.check_merge(card("d", merged_into="a"), [other])


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
