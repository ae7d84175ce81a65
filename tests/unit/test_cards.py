"""The pure card rules (app/cards.py) and the per-token rate limiter."""

from dataclasses import dataclass

import pytest

from app import cards
from app.auth import RateLimiter
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
