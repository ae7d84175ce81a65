"""The pure card rules (app/cards.py), the per-token rate limiter and the per-address
budget shared among tokens."""

import random
from dataclasses import dataclass

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app import cards
from app.auth import RateLimiter, SharedBudget
from app.refusal import Refusal


def refusal(call, *args, **kwargs) -> Refusal:
    with pytest.raises(Refusal) as caught:
        call(*args, **kwargs)
    return caught.value


def test_text_is_trimmed_and_kept_as_written():
    assert cards.clean_text("  <script>alert(1)</script> & 'x' ") == \
        "<script>alert(1)</script> & 'x'"
    assert cards.clean_text("高齢者の\n見守り\tネットワーク") == "高齢者の 見守り ネットワーク"
    assert cards.clean_text("ｶﾞ") == "ｶﾞ"  # NFC keeps half-width kana as they are
    assert cards.clean_text("e\u0301") == "\u00e9"  # combining accent composed (NFC)


@pytest.mark.parametrize("text", ["", "   ", "\n\t \u3000"])
def test_empty_and_blank_text_is_refused(text):
    assert refusal(cards.clean_text, text).status == 422


def test_length_counts_characters_not_bytes():
    assert cards.clean_text("あ" * 140) == "あ" * 140
    error = refusal(cards.clean_text, "あ" * 141)
    assert error.params == {"length": 141, "limit": 140}
    assert cards.clean_text("  " + "a" * 140 + "  ") == "a" * 140
    assert refusal(cards.clean_text, "abc", limit=2).params["limit"] == 2


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "esc\x1b[31m", "del\x7f", "c1\x85x",
                                  "rtl\u202eevil", "unit\x1fsep"])
def test_control_characters_are_refused(text):
    error = refusal(cards.clean_text, text)
    assert error.code == "invalid" and "control" in error.message


def test_non_text_is_refused():
    assert refusal(cards.clean_text, 42).status == 422
    assert refusal(cards.clean_text, None).status == 422


def test_ids_are_canonical_uuids():
    assert cards.clean_id("7B21236D-1197-4B94-BDCD-A2B79F1DFDFD") == \
        "7b21236d-1197-4b94-bdcd-a2b79f1dfdfd"
    for bad in ("nope", "", None, "7b21236d-1197-4b94-bdcd"):
        assert refusal(cards.clean_id, bad).status == 422


def test_colour_follows_the_phase():
    assert cards.colour_for_phase(0) == "yellow"
    assert cards.colour_for_phase(1) != cards.colour_for_phase(0)
    assert cards.colour_for_phase(len(cards.PALETTE)) == cards.colour_for_phase(0)


def test_hosts_and_participants_write_for_the_table_they_are_at():
    tables = [1, 2, 3]
    assert cards.decide_table("host", None, 2, tables) == 2
    assert cards.decide_table("host", 2, 2, tables) == 2
    assert refusal(cards.decide_table, "host", 3, 2, tables).status == 403
    assert cards.decide_table("participant", None, 3, tables) == 3
    assert refusal(cards.decide_table, "participant", 1, 3, tables).code == "forbidden"
    assert refusal(cards.decide_table, "participant", None, None, tables).code == "no_table"
    assert refusal(cards.decide_table, "projector", None, None, tables).status == 403


def test_the_facilitator_names_an_existing_table():
    assert cards.decide_table("facilitator", 3, None, [1, 2, 3]) == 3
    assert refusal(cards.decide_table, "facilitator", None, None, [1, 2, 3]).status == 422
    assert refusal(cards.decide_table, "facilitator", 9, None, [1, 2, 3]).status == 422


@dataclass
class FakeCard:
    id: str
    table_id: int
    phase_index: int
    created_at_ms: int
    author_kind: str = "participant"
    participant_id: int | None = 7
    hidden: bool = False
    round_index: int = 0
    text: str = "t"
    colour: str = "yellow"
    group_id: int | None = None


def test_authors_are_shown_only_when_asked():
    deck = [FakeCard("a", 1, 0, 1), FakeCard("b", 1, 0, 2, hidden=True)]
    assert "participant_id" not in cards.card_json(deck[0])
    assert cards.card_json(deck[0], reveal_author=True)["participant_id"] == 7


def test_a_resend_returns_only_the_authors_own_card():
    mine = FakeCard("a", 2, 0, 1, author_kind="participant", participant_id=7)
    assert cards.same_author(mine, "participant", 7, 2)
    assert not cards.same_author(mine, "participant", 8, 2)
    assert not cards.same_author(mine, "host", None, 2)
    hosts = FakeCard("b", 2, 0, 1, author_kind="host", participant_id=None)
    assert cards.same_author(hosts, "host", None, 2)
    assert not cards.same_author(hosts, "host", None, 3)


def test_rate_limiter_per_second_and_per_minute_per_key():
    limiter = RateLimiter(((5, 1000), (30, 60_000)))
    now = 1_000_000
    assert [limiter.take("phone", now) for _ in range(5)] == [0] * 5
    wait = limiter.take("phone", now)
    assert 0 < wait <= 1000
    assert limiter.take("tablet", now) == 0  # another device is not affected
    assert limiter.take("phone", now + 1000) == 0  # the second has passed
    for second in range(2, 7):
        for _ in range(5):
            limiter.take("phone", now + second * 1000)
    assert limiter.take("phone", now + 7000) > 1000  # 30 a minute reached: wait long
    assert limiter.take("phone", now + 61_000) == 0


MINUTE = 60_000


def test_over_the_address_budget_only_tokens_past_their_few_cards_wait():
    budget = SharedBudget(6, per_token=2)
    now = 1_000_000
    for number in range(6):  # the budget, from three tokens of one address
        assert budget.wait("hall", f"script-{number % 3}", now + number) == 0
        budget.record("hall", f"script-{number % 3}", now + number)
    wait = budget.wait("hall", "script-0", now + 10)
    assert wait == now + MINUTE - (now + 10)  # its first card leaves the window then
    assert budget.wait("other address", "script-0", now + 10) == 0
    for _ in range(2):  # a phone behind the same address: its few cards get through
        assert budget.wait("hall", "phone", now + 10) == 0
        budget.record("hall", "phone", now + 10)
    assert budget.wait("hall", "phone", now + 10) > 0
    assert budget.busy_since("hall") == now and budget.busy_since("nobody") is None
    assert budget.wait("hall", "script-0", now + 10 + wait) == 0


def test_the_wait_ends_when_the_address_is_back_under_its_budget():
    budget = SharedBudget(3, per_token=1)
    for at, token in ((0, "a"), (20_000, "a"), (40_000, "b")):
        budget.record("hall", token, at)
    # the budget is full and "a" has sent its card beyond; the first leaves at 60 s
    assert budget.wait("hall", "a", 45_000) == MINUTE - 45_000
    assert budget.wait("hall", "a", MINUTE) == 0


@settings(max_examples=30, deadline=None)
@given(scripts=st.integers(1, 300), phones=st.integers(1, 4), count=st.integers(10, 3000),
       per_token=st.integers(3, 6), arrival_s=st.integers(0, 40),
       seed=st.integers(0, 2**32 - 1))
def test_an_honest_phone_is_never_refused_during_a_flood_and_the_total_is_bounded(
        scripts, phones, count, per_token, arrival_s, seed):
    """`scripts` tokens, arriving over `arrival_s` seconds, ask for a card every half a
    second each; `phones` on the same address write a card every 20 to 60 s (at
    most 3 a minute, under `per_token`), for three minutes. The phones are never refused;
    the scripts are once the budget is spent; no minute holds more than the budget and
    `per_token` cards for each token."""
    assume(count < 60 * scripts)  # a flood: the scripts ask for over twice the budget
    chance = random.Random(seed)
    budget = SharedBudget(count, per_token)
    starts = {f"script-{n}": chance.randrange(arrival_s * 1000 + 1) for n in range(scripts)}
    writing = {f"phone-{n}": (chance.randrange(MINUTE), chance.randrange(20_000, 60_001))
               for n in range(phones)}
    accepted: list[int] = []
    refused_scripts = 0
    for now in range(0, 3 * MINUTE, 500):
        askers = [token for token, start in starts.items() if start <= now]
        askers += [phone for phone, (first, every) in writing.items()
                   if now >= first and (now - first) % every < 500]
        chance.shuffle(askers)
        for token in askers:
            wait = budget.wait("hall", token, now)
            if wait:
                assert token.startswith("script-"), f"{token} refused at {now} ms"
                assert 0 < wait <= MINUTE
                refused_scripts += 1
            else:
                budget.record("hall", token, now)
                accepted.append(now)
    assert refused_scripts > 0
    most_in_a_minute = max(sum(1 for t in accepted if start - MINUTE < t <= start)
                           for start in range(0, 3 * MINUTE, 500))
    assert most_in_a_minute <= count + per_token * (scripts + phones)
