"""Near-identical cards, offered to the facilitator as merges ("these 4 say the same"): pure.

Four tables often write the same sentence; merged, the card keeps their weight (×4) and
their dots. Two cards say the same when their texts, folded (NFKC, lower case, without
punctuation, symbols or white space), are equal or share nearly all their character
bigrams (Dice coefficient at least `SIMILARITY`). Each group is built around its oldest
card: a card joins the first group whose oldest card it is that close to, so a chain of
small edits never pulls in a card unlike the first.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

SIMILARITY = 0.8
"""The least Dice coefficient of two folded texts' bigrams for "the same"."""
DROPPED_CATEGORIES = ("P", "S", "Z", "C")
"""Unicode categories left out when folding: punctuation, symbols, separators, controls."""


@dataclass(frozen=True)
class Duplicates:
    """Cards that say the same, oldest first; `text` is the oldest one's."""

    cards: tuple[str, ...]
    text: str


def folded(text: str) -> str:
    """The text as compared: NFKC (full-width ＡＢＣ and half-width ｶﾅ as usual), lower case,
    without punctuation, symbols and white space."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold()
                   if unicodedata.category(ch)[0] not in DROPPED_CATEGORIES)


def bigrams(text: str) -> frozenset[str]:
    """The character bigrams of a folded text (a one-character text is its own)."""
    if len(text) < 2:
        return frozenset([text] if text else [])
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def similarity(one: frozenset[str], other: frozenset[str]) -> float:
    """Dice coefficient of two bigram sets: 1 for the same, 0 for nothing shared."""
    total = len(one) + len(other)
    return 2 * len(one & other) / total if total else 0.0


def find(cards: Iterable[Any], threshold: float = SIMILARITY) -> list[Duplicates]:
    """Groups of two or more near-identical cards among `cards` (each with `id`, `text`,
    `created_at_ms`), the largest first, then the oldest. Every card is in one group at
    most; cards with no letter or digit are left out.

    Only groups that can reach `threshold` are compared (prefix filtering): two sets with
    a Dice coefficient of t share at least t·|x|/(2−t) bigrams, so with the bigrams of
    every text in one order, rarest first, their first |x| − that + 1 bigrams meet. 2000
    cards take a fraction of a second."""
    ordered = sorted(cards, key=lambda c: (c.created_at_ms, c.id))
    grams = [bigrams(folded(card.text)) for card in ordered]
    rarity = Counter(gram for mine in grams for gram in mine)
    groups: list[tuple[frozenset[str], list[Any]]] = []
    by_gram: dict[str, list[int]] = {}
    """bigram -> the groups with it in their oldest card's prefix"""
    for card, mine in zip(ordered, grams, strict=True):
        if not mine:
            continue
        prefix = _prefix(mine, rarity, threshold)
        candidates = sorted({g for gram in prefix for g in by_gram.get(gram, ())})
        home = next((g for g in candidates if similarity(mine, groups[g][0]) >= threshold),
                    None)
        if home is None:
            for gram in prefix:
                by_gram.setdefault(gram, []).append(len(groups))
            groups.append((mine, [card]))
        else:
            groups[home][1].append(card)
    found = [members for _, members in groups if len(members) > 1]
    found.sort(key=lambda members: -len(members))  # stable: the oldest first among equals
    return [Duplicates(tuple(c.id for c in members), members[0].text) for members in found]


def _prefix(mine: frozenset[str], rarity: Counter, threshold: float) -> list[str]:
    """The rarest bigrams of a set, as many as any set `threshold`-similar must meet."""
    least_shared = math.ceil(threshold * len(mine) / (2 - threshold) - 1e-9)
    return sorted(mine, key=lambda gram: (rarity[gram], gram))[:len(mine) - least_shared + 1]
