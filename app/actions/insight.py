"""Harvest insight: suggested KJ groups (app/insight.py), the keyword lists and who said
what (app/stakeholders.py).

Suggestions are computed over the visible cards in no group, in the worker thread of the
request (never on the event loop: the first one of a process also loads the word vectors,
about a second), and kept in the worker's memory (`Services.suggested`).
Accepting one finds it there, or computes the suggestions again from the board as it is
(another worker, a restart): a suggestion's id is a hash of its cards, so the same cards
give the same id. The group is made like a manual one — it is announced with the same
changes — but takes only the cards still shown and in no group when it is made.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from app import auth, cards, insight, keywords, stakeholders
from app.actions import Done, Services, announce, require
from app.i18n import N_
from app.live import changes
from app.live.view import EventView
from app.refusal import Refusal
from app.store import cards as store
from app.store import sessions
from app.store.records import CardRecord, GroupRecord


@dataclass(frozen=True)
class Suggested:
    suggestions: list[insight.Suggestion]
    ungrouped: int
    """The visible cards in no group: what the suggestions were made from."""
    seconds: float
    view: EventView


def suggest(services: Services, identity: auth.Identity) -> Suggested:
    """Suggested groups for the cards not grouped yet (facilitator); at most as many as
    the event may still make."""
    require(identity, auth.FACILITATOR)
    view = sessions.load_view(services.engine, identity.event_id)
    loose = [card for card in view.board_cards() if card.group_id is None]
    started = time.perf_counter()
    found = insight.suggest([(card.id, card.text) for card in loose],
                            max(0, cards.MAX_GROUPS - len(view.groups)))
    seconds = round(time.perf_counter() - started, 3)
    services.suggested.keep(identity.event_id, found)
    return Suggested(found, len(loose), seconds, view)


@dataclass(frozen=True)
class Accepted:
    group: GroupRecord
    moved: list[CardRecord]
    skipped: int
    """Chosen cards left where they were: grouped by hand (or hidden) meanwhile."""


def accept(services: Services, identity: auth.Identity, suggestion_id: str,
           name: object = None, card_ids: list[str] | None = None) -> Done[Accepted]:
    """Make the suggested group, with another name and a part of its cards if given."""
    require(identity, auth.FACILITATOR)
    suggestion = services.suggested.get(identity.event_id, suggestion_id)
    if suggestion is None:
        again = suggest(services, identity).suggestions
        suggestion = next((s for s in again if s.id == suggestion_id), None)
    if suggestion is None:
        raise Refusal("no_suggestion", N_("This suggestion is out of date: suggest groups "
                                          "again."))
    chosen = list(suggestion.cards)
    if card_ids is not None:
        wanted = {str(card_id).lower() for card_id in card_ids}
        if not wanted:
            raise Refusal("invalid", N_("Choose at least one card of the suggestion."))
        if wanted - set(chosen):
            raise Refusal("invalid", N_("Only cards of this suggestion can be chosen."))
        chosen = [card_id for card_id in chosen if card_id in wanted]
    group, moved, seq = store.create_group_of_loose(
        services.engine, identity.event_id,
        cards.clean_group_name(suggestion.name if name is None else name), chosen,
        services.now())
    published = announce(services, identity.event_id, seq,
                         changes.GroupSaved(group, created=True),
                         *(changes.CardGrouped(card) for card in moved))
    return Done(Accepted(group, moved, len(chosen) - len(moved)), published)


def keyword_lists(services: Services, identity: auth.Identity) -> dict:
    """The keyword lists (any token); the projector gets only the chart it shows."""
    require(identity, auth.PROJECTOR)
    view = sessions.load_view(services.engine, identity.event_id)
    if identity.role == auth.PROJECTOR:
        return stakeholders.keyword_lists(view, keywords.CHART_LENGTHS["projector"],
                                          whole_event_only=True)
    return stakeholders.keyword_lists(view)


@dataclass(frozen=True)
class Compared:
    comparison: stakeholders.Comparison
    view: EventView


def compare(services: Services, identity: auth.Identity) -> Compared:
    """Who said what (facilitator)."""
    require(identity, auth.FACILITATOR)
    view = sessions.load_view(services.engine, identity.event_id)
    return Compared(stakeholders.compare(view), view)
