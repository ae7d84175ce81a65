"""Who said what, never who: the visible cards by their authors' stakeholder group (the
affiliation people chose at join — 市民, 行政, NPO … —, the table hosts, the facilitator),
side by side per theme with each group's card count and keywords; each KJ group's cards
by stakeholder; and the keyword lists of `GET /sessions/{id}/keywords`. Pure: built from a
EventView; no participant's name is read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app import keywords
from app.i18n import N_
from app.store.records import CardRecord, GroupRecord

if TYPE_CHECKING:
    from app.live.view import EventView

AFFILIATIONS = ("citizen", "city", "npo", "business", "community", "other")
AFFILIATION_LABELS = {
    "citizen": N_("Citizen"),
    "city": N_("City staff"),
    "npo": N_("NPO"),
    "business": N_("Business"),
    "community": N_("Neighbourhood group"),
    "other": N_("Other"),
}
"""Whom a participant comes as (所属): the codes and their labels."""

STAKEHOLDERS = (*AFFILIATIONS, "host", "facilitator", "")
"""In the order they are shown; "" is a participant no longer in the event."""
LABELS = {**AFFILIATION_LABELS, "host": N_("Table hosts"), "facilitator": N_("Facilitator"),
          "": N_("Left the event")}
KEYWORDS_PER_VOICE = 5
KEYWORDS_PER_LIST = 10


@dataclass(frozen=True)
class Voice:
    cards: int
    keywords: list[tuple[str, int]]


@dataclass(frozen=True)
class ThemeVoices:
    theme: str | None
    """None for the whole event (shown first when there are several themes)."""
    cards: int
    voices: dict[str, Voice]
    """By stakeholder code, only those with cards here."""


@dataclass(frozen=True)
class GroupVoices:
    group: GroupRecord | None
    """None for the cards in no group."""
    counts: Counter

    @property
    def cards(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Comparison:
    codes: list[str]
    """The stakeholders who wrote visible cards."""
    themes: list[ThemeVoices]
    groups: list[GroupVoices]
    """Every group in the order made, then the cards in none; empty without groups."""


def _ordered(codes) -> list[str]:
    present = set(codes)
    return [code for code in STAKEHOLDERS if code in present] + sorted(
        present - set(STAKEHOLDERS))


def _voices(view: EventView, cards: list[CardRecord], limit: int) -> dict[str, Voice]:
    by_code: dict[str, list[CardRecord]] = {}
    for card in cards:
        by_code.setdefault(view.affiliation_of(card), []).append(card)
    return {code: Voice(len(by_code[code]),
                        keywords.ranked((c.text for c in by_code[code]), limit, view.prompted))
            for code in _ordered(by_code)}


def compare(view: EventView, limit: int = KEYWORDS_PER_VOICE) -> Comparison:
    """The comparison of the visible cards as they are now."""
    shown = view.board_cards()
    theme_of = {table.id: table.theme for table in view.tables}
    themes = []
    if len(view.themes) > 1:
        themes.append(ThemeVoices(None, len(shown), _voices(view, shown, limit)))
    for theme in view.themes:
        mine = [card for card in shown if theme_of.get(card.table_id) == theme]
        themes.append(ThemeVoices(theme, len(mine), _voices(view, mine, limit)))
    groups = []
    if view.groups:
        counts: dict[int | None, Counter] = {g.id: Counter() for g in view.groups}
        counts[None] = Counter()
        for card in shown:
            counts.get(card.group_id, counts[None])[view.affiliation_of(card)] += 1
        groups = [GroupVoices(g, counts[g.id]) for g in view.groups]
        if counts[None]:
            groups.append(GroupVoices(None, counts[None]))
    return Comparison(_ordered(view.affiliation_of(card) for card in shown), themes, groups)


def keyword_lists(view: EventView, limit: int = KEYWORDS_PER_LIST,
                  whole_event_only: bool = False) -> dict:
    """The JSON of GET …/keywords: the words used on most visible cards, for the whole
    event, each table, each theme and each stakeholder (`whole_event_only`: the first
    alone, the projector's chart)."""
    def listed(tally: keywords.Tally) -> list[dict]:
        return [{"word": word, "count": count} for word, count in tally.top(limit)]

    def new_tally() -> keywords.Tally:
        return keywords.Tally(view.prompted)

    overall = new_tally()
    tables = {table.id: new_tally() for table in view.tables}
    themes = {theme: new_tally() for theme in view.themes if theme}
    stakeholders: dict[str, keywords.Tally] = {}
    theme_of = {table.id: table.theme for table in view.tables}
    for card in view.board_cards():
        found = [overall]
        if not whole_event_only:
            found += [tables.get(card.table_id), themes.get(theme_of.get(card.table_id)),
                      stakeholders.setdefault(view.affiliation_of(card), new_tally())]
        for tally in filter(None, found):
            tally.add(card.order_key, card.text)
    if whole_event_only:
        return {"overall": listed(overall), "tables": {}, "themes": {}, "affiliations": {}}
    return {"overall": listed(overall),
            "tables": {str(table_id): listed(tally) for table_id, tally in tables.items()},
            "themes": {theme: listed(tally) for theme, tally in themes.items()},
            "affiliations": {code: listed(stakeholders[code])
                             for code in _ordered(stakeholders)}}


def volunteers(view: EventView, action_id: int) -> list[tuple[str, int]]:
    """How many raised a hand for an action, per affiliation in the stakeholders' order
    (only those with any): counts, never names."""
    counts = Counter(person.affiliation or "other"
                     for person_id in view.hands.get(action_id, ())
                     if (person := view.person(person_id)) is not None)
    return [(code, counts[code]) for code in AFFILIATIONS if counts[code]]
