"""Near-identical cards offered as merges (app/cards.py, near_duplicates): properties of the
finder."""

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from app import cards

SAME = "高齢者の居場所が公民館だけでは足りない"


def card(card_id: str, text: str, created: int = 0):
    return SimpleNamespace(id=card_id, text=text, created_at_ms=created)


def test_four_cards_that_say_the_same_are_one_group_named_by_the_oldest():
    deck = [card("c1", SAME, 4), card("c2", f"{SAME}。", 1), card("c3", "子ども食堂を続けたい", 2),
            card("c4", f" {SAME}！ ", 3), card("c5", "高齢者の居場所が、公民館だけでは足りない", 5)]
    [found] = cards.near_duplicates(deck)
    assert found.cards == ("c2", "c4", "c1", "c5")
    assert found.text == f"{SAME}。"


def test_width_case_and_punctuation_do_not_tell_cards_apart():
    assert cards.folded("ＳＮＳで発信！ する") == cards.folded("snsで発信する")
    assert cards.folded("ｶﾌｪ、いいね") == cards.folded("カフェいいね")
    pair = [card("a", "ＳＮＳで発信！"), card("b", "SNSで発信")]
    assert [f.cards for f in cards.near_duplicates(pair)] == [("a", "b")]


def test_different_opinions_on_one_topic_stay_apart():
    deck = [card("a", "子ども食堂を続けたい", 1), card("b", "子ども食堂の担い手が足りない", 2),
            card("c", "子どもの居場所がほしい", 3), card("d", "。。。", 4), card("e", "", 5)]
    assert cards.near_duplicates(deck) == []


def test_a_small_edit_is_still_the_same_card():
    deck = [card("a", "空き家を地域の居場所として活用したい", 1),
            card("b", "空き家を地域の居場所として活用したいです", 2)]
    assert [f.cards for f in cards.near_duplicates(deck)] == [("a", "b")]


def test_the_largest_group_comes_first():
    deck = [card("a1", "送迎が足りない", 1), card("a2", "送迎が足りない", 2),
            *(card(f"b{n}", "見守りの担い手不足", 10 + n) for n in range(3))]
    assert [f.cards for f in cards.near_duplicates(deck)] == [("b0", "b1", "b2"), ("a1", "a2")]


texts = st.text(alphabet="あいうえお子供食堂見守り、。 !ab", max_size=12)


@given(st.lists(texts, max_size=30))
def test_every_card_is_in_one_group_at_most_and_groups_hold_similar_texts(words):
    deck = [card(f"c{n}", text, n) for n, text in enumerate(words)]
    found = cards.near_duplicates(deck)
    ids = [card_id for group in found for card_id in group.cards]
    assert len(ids) == len(set(ids))
    by_id = {c.id: c for c in deck}
    for group in found:
        assert len(group.cards) >= 2 and group.text == by_id[group.cards[0]].text
        first = cards.bigrams(cards.folded(group.text))
        for card_id in group.cards[1:]:
            other = cards.bigrams(cards.folded(by_id[card_id].text))
            assert cards.bigram_similarity(first, other) >= cards.DUPLICATE_SIMILARITY


@given(st.lists(texts, min_size=2, max_size=20))
def test_cards_with_the_same_folded_text_always_end_up_together(words):
    deck = [card(f"c{n}", text, n) for n, text in enumerate(words)]
    found = cards.near_duplicates(deck)
    group_of = {card_id: n for n, g in enumerate(found) for card_id in g.cards}
    for one in deck:
        for other in deck:
            if one is not other and cards.folded(one.text) and \
                    cards.folded(one.text) == cards.folded(other.text):
                assert one.id in group_of and group_of[one.id] == group_of[other.id]


def every_pair(deck, threshold=cards.DUPLICATE_SIMILARITY) -> list[tuple[str, ...]]:
    """The finder's rule without its index: each card to the first group close enough."""
    groups: list[list] = []
    for one in sorted(deck, key=lambda c: (c.created_at_ms, c.id)):
        mine = cards.bigrams(cards.folded(one.text))
        if not mine:
            continue
        home = next((g for g in groups if cards.bigram_similarity(
            mine, cards.bigrams(cards.folded(g[0].text))) >= threshold), None)
        if home is None:
            groups.append([one])
        else:
            home.append(one)
    found = sorted((g for g in groups if len(g) > 1), key=lambda g: -len(g))
    return [tuple(c.id for c in g) for g in found]


@given(st.lists(st.text(alphabet="あいう子供食堂ab", min_size=1, max_size=8), max_size=25),
       st.sampled_from([0.5, 0.7, 0.8, 0.95]))
def test_the_index_finds_what_comparing_every_pair_finds(words, threshold):
    deck = [card(f"c{n}", text, n) for n, text in enumerate(words)]
    assert [f.cards for f in cards.near_duplicates(deck, threshold)] == every_pair(deck, threshold)
