"""Cards (付箋): the rules, pure. No web framework, no database: plain values in, plain values
(or a refusal) out. The database side is app/store/cards.py; later parts of the harvest
(groups, votes, exports) build on `card_json` and the groupings here; near-identical
cards are offered as merges (`near_duplicates`, at the end).

A card is stamped by the server, never by the client: a host's card belongs to the host's
table, a participant's to the table they sit at in the current phase, and its phase is the
current phase. Its colour follows the phase, like a new pad of sticky notes each round.
"""

from __future__ import annotations

import math
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from app.i18n import N_
from app.refusal import Refusal
from app.text import has_forbidden, normalised, refuse_stacked_marks

MAX_TEXT = 140
"""The default longest card; each event may set its own between these bounds."""
SHORTEST_LIMIT, LONGEST_LIMIT = 20, 500
"""Characters per card (code points, after trimming); a per-event setting later."""

PALETTE = ("yellow", "pink", "blue", "green", "orange", "purple")
"""Sticky-note colours, one per phase in turn (CSS classes `card--<colour>`)."""

AUTHOR_KINDS = ("participant", "host", "facilitator")

def clean_text(raw: object, limit: int = MAX_TEXT) -> str:
    """The text to store: trimmed, runs of white space (line breaks included) made one space,
    NFC-normalised; anything else is kept exactly as written (HTML included: it is escaped
    where shown). Refuses non-text, empty or blank text, control characters and text over
    `limit` characters."""
    text = _one_line(raw, N_("The card text must be text."),
                     N_("The card contains control characters."),
                     N_("The card is empty. Write something first."))
    check_length(text, limit)
    return text


def _one_line(raw: object, not_text: str, control: str, empty: str) -> str:
    """Text folded to one NFC line; each refusal names the thing being written."""
    if not isinstance(raw, str):
        raise Refusal("invalid", not_text)
    if has_forbidden(raw):
        raise Refusal("invalid", control)
    text = normalised(raw)
    if not text:
        raise Refusal("invalid", empty)
    refuse_stacked_marks(text)
    return text


def written_by(card, role: str, table_id: int | None, participant_id: int | None) -> bool:
    """Whether the card is the asker's own: a table host's card written at their table, a
    participant's card written by them (the facilitator's cards are no one else's)."""
    if role == "host":
        return card.author_kind == "host" and card.table_id == table_id
    if role == "participant":
        return card.author_kind == "participant" and card.participant_id == participant_id
    return False


def check_length(text: str, limit: int) -> None:
    if len(text) > limit:
        raise Refusal("invalid",
                      N_("The card is too long: %(length)s characters, at most %(limit)s."),
                      length=len(text), limit=limit)


def clean_id(raw: object) -> str:
    """A client-made UUID in its canonical form (lower case, with hyphens)."""
    try:
        return str(uuid.UUID(str(raw)))
    except (ValueError, TypeError):
        raise Refusal("invalid", N_("The card id must be a UUID.")) from None


def colour_for_phase(phase_index: int) -> str:
    return PALETTE[phase_index % len(PALETTE)]


def decide_table(role: str, requested: int | None, own_table: int | None,
                 table_ids: Iterable[int]) -> int:
    """The table a new card belongs to. Hosts and participants write for the table they are
    at (asking for another one is refused); the facilitator names the table."""
    tables = set(table_ids)
    if role == "facilitator":
        if requested is None:
            raise Refusal("invalid", N_("Choose the table the card belongs to."))
        if requested not in tables:
            raise Refusal("invalid", N_("There is no such table in this event."))
        return requested
    if role not in ("host", "participant"):
        raise Refusal("forbidden", N_("Your role may not do this."))
    if own_table is None:
        raise Refusal("no_table", N_("You are not seated at a table right now."))
    if requested is not None and requested != own_table:
        raise Refusal("forbidden",
                      N_("You can only add cards for the table you are at."))
    return own_table


def same_author(card: Any, role: str, participant_id: int | None, table_id: int | None) -> bool:
    """Whether a stored card was written by this author (a resend may only return one's own
    card: a card id is no key to someone else's card)."""
    if card.author_kind != role:
        return False
    if role == "participant":
        return card.participant_id == participant_id
    if role == "host":
        return card.table_id == table_id
    return True


def card_json(card: Any, reveal_author: bool = False, weight: int = 1) -> dict:
    """The one JSON shape of a card (API answers, live changes, later the exports). Who wrote
    it is shown only to the facilitator and the author; `weight` is 1 and every card merged
    into it (`weights`)."""
    body = {
        "id": card.id,
        "table_id": card.table_id,
        "phase_index": card.phase_index,
        "round": card.round_index,
        "author_kind": card.author_kind,
        "text": card.text,
        "colour": card.colour,
        "hidden": card.hidden,
        "group_id": card.group_id,
        "merged_into": getattr(card, "merged_into", None),
        "weight": weight,
        "created_at_ms": card.created_at_ms,
    }
    if reveal_author:
        body["participant_id"] = card.participant_id
    return body


def in_order(cards: Iterable[Any]) -> list[Any]:
    """Oldest first; the id breaks ties so that every screen shows the same order."""
    return sorted(cards, key=lambda c: (c.created_at_ms, c.id))


# --- the harvest board: groups, moderation, merging and dot voting ---------------------------

BOARD_LAYOUTS = ("table", "group", "phase", "theme")
"""How the board is laid out; the facilitator chooses and the projector follows."""

MAX_GROUP_NAME = 60
MAX_GROUPS = 60
MAX_MERGED_TEXT = 1000
"""A merged card keeps every merged text; the column holds 1000 characters."""
MERGE_SEPARATOR = " / "
DEFAULT_BUDGET = 3
MAX_BUDGET = 20
VOTE_TARGETS = ("cards", "groups")
"""What the dots go on: single cards, or the KJ groups (duplicates then never split them)."""


def clean_group_name(raw: object) -> str:
    """A group's name: trimmed, one line, 1–60 characters, no control characters."""
    name = _one_line(raw, N_("The group name must be text."),
                     N_("The group name contains control characters."),
                     N_("The group name must not be empty."))
    if len(name) > MAX_GROUP_NAME:
        raise Refusal("invalid",
                      N_("The group name is too long (at most %(limit)s characters)."),
                      limit=MAX_GROUP_NAME)
    return name


def clean_layout(raw: object) -> str:
    if raw not in BOARD_LAYOUTS:
        raise Refusal("invalid", N_("Unknown board view."))
    return str(raw)


def clean_budget(raw: object) -> int:
    """Dots per participant: a whole number from 0 to 20."""
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_BUDGET:
        raise Refusal("invalid",
                      N_("The dots per person must be a whole number from 0 to %(limit)s."),
                      limit=MAX_BUDGET)
    return raw


def clean_vote_on(raw: object) -> str:
    if raw not in VOTE_TARGETS:
        raise Refusal("invalid", N_("Dots go on \"cards\" or on \"groups\"."))
    return str(raw)


def check_vote_target(vote_on: str, target: str) -> None:
    """A dot goes on what the event votes on (`target`: "cards" or "groups")."""
    if vote_on != target:
        if vote_on == "groups":
            raise Refusal("voting_on_groups",
                          N_("In this event the dots go on the groups, not on single cards."))
        raise Refusal("voting_on_cards",
                      N_("In this event the dots go on single cards, not on groups."))


def merged_text(texts: list[str]) -> str:
    """The text of a merged card: each different text once, in order, joined by ' / '.
    Texts that differ only in width, case, punctuation or spacing
    (`folded`, below) are the same text: the first one written stays."""
    unique: dict[str, str] = {}
    for written in filter(None, texts):
        unique.setdefault(folded(written) or written, written)
    text = MERGE_SEPARATOR.join(unique.values())
    if len(text) > MAX_MERGED_TEXT:
        raise Refusal("invalid",
                      N_("The merged card would be too long: at most %(limit)s characters."),
                      limit=MAX_MERGED_TEXT)
    return text


def check_merge(keep: Any, others: list[Any]) -> None:
    """A merge keeps one visible card and folds at least one other card of the event into it.
    A card already merged into another can neither keep nor be folded (merging x into y
    just after y into x is the race this refuses)."""
    if not others:
        raise Refusal("invalid", N_("Choose at least one other card to merge."))
    if any(o.id == keep.id for o in others):
        raise Refusal("invalid", N_("A card cannot be merged into itself."))
    if keep.merged_into or any(o.merged_into for o in others):
        raise Refusal("already_merged", N_("That card was already merged."))


def check_unmerge(card: Any, merged: list[Any]) -> None:
    """An unmerge gives back the cards merged into a kept card (one not merged itself)."""
    if card.merged_into:
        raise Refusal("already_merged",
                      N_("This card is merged into another one: unmerge that one first."))
    if not merged:
        raise Refusal("not_merged", N_("No card is merged into this one."))


def merged_chain(card_id: str, merged_into: Callable[[str], str | None]) -> Iterator[str]:
    """The cards `card_id` is merged into, nearest first (a merge of merges goes on up);
    `merged_into` gives a card's, or None. A loop (which no merge makes) ends it."""
    seen = {card_id}
    above = merged_into(card_id)
    while above is not None and above not in seen:
        yield above
        seen.add(above)
        above = merged_into(above)


def weights(cards: Iterable[Any]) -> dict[str, int]:
    """card id -> its weight: 1 and every card merged into it, however deep (a card merged
    into one that was then merged into a third counts for both)."""
    above = {card.id: card.merged_into for card in cards}
    weight = dict.fromkeys(above, 1)
    for card_id in above:
        for kept_id in merged_chain(card_id, above.get):
            if kept_id in weight:
                weight[kept_id] += 1
    return weight


def check_vote(dots_used: int, budget: int) -> None:
    """One more dot is allowed while the participant has dots left."""
    if dots_used >= budget:
        raise Refusal("no_dots_left",
                      N_("You have used all your %(budget)s dots. Take one back first."),
                      budget=budget)


def ranking(cards: Iterable[Any], counts: dict, limit: int | None = 10) -> list[tuple]:
    """[(rank, card, dots)] for cards with dots, most first; equal dots share a rank (KJ
    groups are ranked alike: anything with an id and a creation time); the top `limit`,
    or all of them for None."""
    scored = sorted(((counts.get(c.id, 0), c) for c in in_order(cards)
                     if counts.get(c.id, 0) > 0), key=lambda pair: -pair[0])[:limit]
    ranked, rank, previous = [], 0, None
    for position, (dots, card) in enumerate(scored, start=1):
        if dots != previous:
            rank, previous = position, dots
        ranked.append((rank, card, dots))
    return ranked


def group_json(group: Any) -> dict:
    return {"id": group.id, "name": group.name}


# -- near-identical cards, offered to the facilitator as merges --------------------------

# Four tables often write the same sentence; merged, the card keeps their weight (×4) and
# their dots. Two cards say the same when their texts, folded (NFKC, lower case, without
# punctuation, symbols or white space), are equal or share nearly all their character
# bigrams (Dice coefficient at least `DUPLICATE_SIMILARITY`). Each group is built around its oldest
# card: a card joins the first group whose oldest card it is that close to, so a chain of
# small edits never pulls in a card unlike the first.

DUPLICATE_SIMILARITY = 0.8
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


def bigram_similarity(one: frozenset[str], other: frozenset[str]) -> float:
    """Dice coefficient of two bigram sets: 1 for the same, 0 for nothing shared."""
    total = len(one) + len(other)
    return 2 * len(one & other) / total if total else 0.0


def near_duplicates(cards: Iterable[Any],
                    threshold: float = DUPLICATE_SIMILARITY) -> list[Duplicates]:
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
        home = next((g for g in candidates if bigram_similarity(mine, groups[g][0]) >= threshold),
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
