"""Live changes -> what each screen gets: HTML fragments for the pages, JSON for programs.

A snapshot draws every live piece of a page whole (on connect, reconnect and resync). A
batch of changes draws what changed: a new card is one item inserted into each list that
shows it, at its place (htmx out-of-band `afterbegin`/`afterend`); a hidden card is one
element removed; an edit or a dot replaces one item, one count, the ranking. Pieces are
drawn whole only when their layout changes (a new phase, the seating, the board's layout
or its columns, the voting settings).

Every text is rendered once per audience group that sees the same thing: the shared
pieces once per view and language, a table's once per table, a participant's own pieces
once per participant. 200 phones cost one voting list per language plus 200 small pieces.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import assert_never

from app import auth, cards, keywords, templating
from app.live import changes, wire
from app.live.view import FILTERS, EventView
from app.rounds import now_ms
from app.store.records import CardRecord
from app.templating import render


@dataclass(frozen=True)
class Audience:
    """Connections that see exactly the same bytes for every change; `page` is what they
    see (facilitator, projector, host, participant, or json for programs)."""

    page: str
    language: str = ""
    table_id: int | None = None
    role: str = ""
    participant_id: int | None = None
    base: str = ""
    """The address the screen came to (its QR code and links use it): console and
    projector only."""


PAGE_PIECES = {
    "facilitator": ("event-title", "flood", "phase", "controls", "program", "board",
                    "keywords", "people", "arrivals", "plan", "join", "links",
                    "survey-counts", "action-plan", "action-groups", "action-review",
                    "photos"),
    "projector": ("screen", "event-title", "phase", "join", "tables", "moves", "board",
                  "vote-screen", "keywords", "action-screen", "end", "photo"),
    "host": ("event-title", "phase", "host-affiliation", "table-people", "table-cards",
             "table-actions", "table-photos"),
    "participant": ("event-title", "phase", "seat", "my-cards", "my-votes", "vote-cards",
                    "survey", "action-list", "my-hands"),
}
"""The live pieces of each page (templates/fragments/_{piece}.html, root id = piece)."""

PIECE_SCOPE = {"table-people": "table_id", "table-cards": "table_id",
               "host-affiliation": "table_id", "table-photos": "table_id", "seat": "participant_id",
               "my-cards": "participant_id", "my-votes": "participant_id",
               "survey": "participant_id", "table-actions": "table_id",
               "my-hands": "participant_id", "join": "base",
               "links": "base"}
"""Pieces that differ within a view: one text per table, per participant or per address
the screen came to."""

def _my_votes_inputs(view: EventView, participant_id: int) -> tuple:
    mine = view.my_dots(participant_id)
    names = tuple(view.group(i).name if view.vote_on == "groups" else view.card(i).text
                  for i in mine)
    return (tuple(mine.items()), names, view.event.vote_budget, view.event.voting_open,
            view.vote_on, view.event.id)


def _seat_inputs(view: EventView, participant_id: int) -> tuple:
    person = view.person(participant_id)
    if person is None:
        return (None,)
    return (person, view.table(view.table_id_of(person)), view.moving_now, view.phase.kind,
            view.clock.phase_index, tuple(view.route(person)))


OWN_INPUTS: dict[str, Callable[[EventView, int], tuple]] = {
    "my-cards": lambda view, participant_id: (
        tuple(view.cards_by(participant_id)),
        tuple(view.table(c.table_id) for c in view.cards_by(participant_id)),
        tuple(view.program), view.event.id, view.event.card_max_length),
    "my-votes": _my_votes_inputs,
    "seat": _seat_inputs,
    "survey": lambda view, participant_id: (view.survey, view.survey_answer(participant_id),
                                            view.event.id),
    "my-hands": lambda view, participant_id: (
        tuple(view.actions[i] for i in sorted(view.raised_by(participant_id))), view.event.id),
}
"""A participant's own pieces and everything each shows (templates/fragments/_{piece}.html)
besides the language: kept by it (templating.kept_piece), so a room's 200 phones that
reconnect at once are drawn from the pieces drawn before, whatever changed elsewhere."""

PERSONAL_SCOPES = ("table_id", "participant_id")
"""Scopes that many screens of one view differ by (the base differs by the address only)."""

BY_PAGE = ("board", "keywords", "join", "phase")
"""Pieces that differ between the views that show them (the console sees more)."""

EVERY = "*"
"""A scope meaning every table or every participant."""

SEATING_PIECES = (("participant", "seat"), ("facilitator", "people"),
                  ("facilitator", "arrivals"), ("facilitator", "plan"),
                  ("projector", "tables"), ("projector", "moves"), ("projector", "end"),
                  ("host", "table-people"))
SCREEN_PIECES = (("projector", "screen"), ("projector", "join"), ("projector", "vote-screen"))
"""What the projector's choice of screen changes: the screen, the size of the join QR; and
what a phase or the voting's settings change on its voting screen (the countdown, what
to do)."""
PHASE_PIECES = (("facilitator", "phase"), ("projector", "phase"), ("host", "phase"),
                ("participant", "phase"), ("facilitator", "controls"),
                ("facilitator", "program"), ("host", "table-cards"), ("projector", "moves"),
                *SCREEN_PIECES, *SEATING_PIECES)
BOARD_PIECES = (("facilitator", "board"), ("projector", "board"))
ACTION_PIECES = (("facilitator", "action-plan"), ("projector", "action-screen"),
                 ("participant", "action-list"))
"""What shows every action (with its volunteers' counts); a table's host sees its own."""
JOIN_PIECES = (("facilitator", "join"), ("facilitator", "flood"), ("projector", "join"))
KEYWORD_CHARTS = {"facilitator": None, "projector": ("all",)}
"""The keyword charts each view shows (fragments/_keywords.html): the console every one,
the projector the whole event's."""


def scope_of(piece: str, audience: Audience):
    field = PIECE_SCOPE.get(piece)
    return getattr(audience, field) if field else None


# --- drawing ---------------------------------------------------------------------------------


class Drawing:
    """Renders from one view for many audiences, each text once per audience group."""

    def __init__(self, view: EventView):
        self.view = view
        self.now_ms = now_ms()
        self._texts: dict[tuple, str] = {}

    def context(self, audience: Audience) -> dict:
        view = self.view
        return {"view": view, "audience": audience, "page_name": audience.page,
                "clock": view.clock, "phase": view.phase,
                "remaining_ms": view.clock.remaining_at(self.now_ms), "now_ms": self.now_ms}

    def once(self, key: tuple, audience: Audience, template: str, **extra) -> str:
        """`template` rendered for `audience`, or the text already rendered under `key`
        (which must name everything the text depends on besides the language)."""
        return self._kept(key, audience, lambda: render(
            audience.language, template, **self.context(audience), **extra))

    def piece(self, name: str, audience: Audience) -> str:
        page_key = audience.page if name in BY_PAGE else None
        scope = scope_of(name, audience)
        template = f"fragments/_{name.replace('-', '_')}.html"
        inputs = OWN_INPUTS.get(name)
        if inputs is None:
            return self.once(("piece", name, page_key, scope), audience, template)
        return templating.kept_piece(
            (audience.language, name, scope, *inputs(self.view, scope)),
            lambda: self.once(("piece", name, page_key, scope), audience, template))

    def joined(self, key: tuple, audience: Audience, pieces: list[str]) -> str:
        """The pieces in one text, joined once under `key` (plus the language)."""
        return self._kept(key, audience, lambda: "\n".join(self.piece(name, audience)
                                                           for name in pieces))

    def _kept(self, key: tuple, audience: Audience, make: Callable[[], str]) -> str:
        full_key = (audience.language, *key)
        text = self._texts.get(full_key)
        if text is None:
            text = self._texts[full_key] = make()
        return text

    def item(self, template: str, card_id: str, audience: Audience) -> str:
        return templating.item(audience.language, template, self.view, audience.page,
                               self.view.card(card_id))


def own_pieces(page_name: str) -> list[str]:
    """The pieces of a page that differ per participant or table: its snapshot's second
    frame (none: one frame)."""
    return [name for name in PAGE_PIECES.get(page_name, ())
            if PIECE_SCOPE.get(name) in PERSONAL_SCOPES]


def snapshot(view: EventView, audience: Audience, drawing: Drawing,
             kind: str = "snapshot") -> list[str]:
    """Every live piece of the audience's page, or the JSON snapshot.

    A page with pieces of its own participant or table gets two frames: first the pieces
    every such page shows alike (one text, shared by the 200 phones of a hall rather than
    copied into each), then its own (such a page's template says so to live.js:
    data-snapshot-frames="2")."""
    if audience.page == "json":
        return [json_snapshot(view, audience, kind)]
    pieces = PAGE_PIECES[audience.page]
    own = own_pieces(audience.page)
    if not own:
        return ["\n".join(drawing.piece(name, audience) for name in pieces)]
    shared = [name for name in pieces if name not in own]
    return [drawing.joined(("shared", audience.page, *shared), audience, shared),
            "\n".join(drawing.piece(name, audience) for name in own)]


# --- the lists that show cards -----------------------------------------------------------------


@dataclass(frozen=True)
class CardList:
    """One list of cards on one kind of page, newest first."""

    piece: str
    view: str
    scope: object
    list_id: str
    key: tuple
    filter_name: str
    item: str
    """The item's template (fragments/_{item}.html), whose root id is prefix + card id."""
    prefix: str
    count_id: str | None = None
    shows: frozenset = frozenset({"text"})
    """What of a card its items show: text, hidden, group, dots."""

    def has(self, card: CardRecord, view: EventView) -> bool:
        """Whether the list shows this card (never scans the list)."""
        return self.key in view.index_keys(card) and FILTERS[self.filter_name](card)


def board_lists(view: EventView, page_name: str) -> list[CardList]:
    facilitator = page_name == "facilitator"
    shows = {"text", "group", "dots"} | ({"hidden"} if facilitator else set())
    return [CardList("board", page_name, None, f"board-{column.dom}-cards", column.key,
                     "kept" if facilitator else "shown", "board_card", "bc-",
                     f"board-{column.dom}-count", frozenset(shows))
            for column in view.board_columns(facilitator)]


def card_lists(view: EventView, card: CardRecord) -> list[CardList]:
    """Every list that may show `card`, on every kind of page."""
    found = [*board_lists(view, "facilitator"), *board_lists(view, "projector")]
    found.append(CardList("table-cards", "host", card.table_id,
                          f"table-cards-phase-{card.phase_index}-list",
                          ("table_phase", card.table_id, card.phase_index), "shown",
                          "table_card", "tc-", f"table-cards-phase-{card.phase_index}-count"))
    if card.participant_id is not None:
        found.append(CardList("my-cards", "participant", card.participant_id, "my-cards-list",
                              ("author", card.participant_id), "shown", "my_card", "mc-",
                              "my-cards-count"))
    if view.ballot == "open":
        on_groups = view.vote_on == "groups"
        found.extend(CardList("vote-cards", "participant", None,
                              f"vote-cards-{column.dom}-list", column.key, "shown", "vote_card",
                              "vc-", f"vote-cards-{column.dom}-count"
                              if on_groups and column.drop_group else None,
                              shows=frozenset({"text", "dots"}))
                     for column in view.group_columns())
    return found


def host_sections(view: EventView, table_id: int) -> tuple[int, ...]:
    """The phases the host's list of a table has a section for."""
    return tuple(index for index in range(len(view.program))
                 if view.count(("table_phase", table_id, index), "shown"))


# --- a delivery: the changes of one or more batches --------------------------------------------

Draw = Callable[[Drawing, "Audience"], str]
CardChange = (changes.CardAdded | changes.CardEdited | changes.CardHidden | changes.CardGrouped
              | changes.CardsMerged | changes.CardsUnmerged | changes.DotsChanged)
"""The changes `Delivery._cards_change` applies: they move cards in and out of lists."""


@dataclass(frozen=True)
class Op:
    """One change to one page element: `insert` an item into a list (after the element
    `after`, or first), `remove` an element, `replace` an element by its id."""

    kind: str
    target: str
    draw: Draw | None = None
    after: str | None = None

    def html(self, drawing: Drawing, audience: Audience) -> str:
        if self.kind == "remove":
            return f'<template hx-swap-oob="delete:#{self.target}"></template>'
        body = self.draw(drawing, audience)
        if self.kind == "replace":
            return body
        where = f"afterend:#{self.after}" if self.after else f"afterbegin:#{self.target}"
        return f'<ul hx-swap-oob="{where}">{body}</ul>'


class Delivery:
    """What a run of batches changes, for every page and JSON client: the batches are
    applied to `view` one change at a time, and what each changes is noted; texts are
    rendered afterwards, from the newest state, each once per audience group."""

    def __init__(self, view: EventView, json_roles: set[str]):
        self.view = view
        self.whole: set[tuple[str, str, object]] = set()
        """(view, piece, scope or EVERY) drawn whole"""
        self.ops: dict[tuple[str, str, object], list[Op]] = defaultdict(list)
        self.json: dict[str, list[str]] = {role: [] for role in json_roles}
        self.charts: set[str] = set()
        """The keyword charts (keywords.Charts names) the batches changed: drawn only when
        the hub says (`show_charts`), as they count every card."""

    def apply(self, batch: changes.Batch) -> None:
        for change in batch.changes:
            voting = self._voting_stage()
            self._note(change)
            ballot, dots = self._voting_stage()
            if ballot != voting[0]:
                self.redraw([("participant", "vote-cards")])
            if (ballot, dots) != voting:
                self.redraw([("facilitator", "board")])
            for role, messages in self.json.items():
                messages.extend(json_messages(self.view, change, role))
        self.view.seq = batch.seq

    def _note(self, change: changes.Change) -> None:
        """Apply one change to the view and note what it changes on the pages."""
        match change:
            case changes.EventEdited() | changes.SignedOut():
                # an edit: the hub sends every screen a snapshot; signed out: the hub
                # closes the holder's sockets (and the change that signed them out draws
                # what it changed)
                self.view.apply(change)
            case changes.PhaseChanged():
                self.view.apply(change)
                self.redraw(PHASE_PIECES)
            case changes.Joined():
                self._joined(change)
            case changes.SeatingChanged():
                self._seating(change)
            case changes.CardAdded():
                self._card(change, set())
            case changes.CardEdited():
                self._card(change, {"text"})
            case changes.CardHidden():
                self._card(change, {"hidden"})
            case changes.CardGrouped():
                self._card(change, {"group"})
            case changes.CardsMerged() | changes.CardsUnmerged():
                self._merge(change)
            case changes.GroupSaved():
                self._group_changed(change, voters=[])
            case changes.GroupDeleted():
                self._group_changed(change, voters=self.view.group_voters_of(change.group_id))
            case changes.LayoutChosen():
                self.view.apply(change)
                self.redraw(BOARD_PIECES)
            case changes.ScreenChosen():
                self.view.apply(change)
                self.redraw([("facilitator", "board"), *SCREEN_PIECES])
            case changes.PagesCommanded():
                self._pages(change)
            case changes.DotsChanged():
                self._dots(change)
            case changes.GroupDotsChanged():
                self._group_dots(change)
            case changes.VotingChanged():
                self.view.apply(change)
                self.redraw([*BOARD_PIECES, *SCREEN_PIECES, ("participant", "vote-cards"),
                             ("participant", "my-votes")])
            case changes.JoiningChanged():
                self.view.apply(change)
                self.redraw(JOIN_PIECES)
            case changes.HostAffiliationChosen():
                # only the host's own page shows it (the comparison of who said what is
                # drawn when asked for)
                self.view.apply(change)
                self.redraw([("host", "host-affiliation")], scope=change.table.id)
            case changes.SurveyChanged():
                # its questions set, opened or closed: the console's piece, every phone's
                self.view.apply(change)
                self.redraw([("facilitator", "survey-counts"), ("participant", "survey")])
            case changes.SurveyAnswered():
                # the console's counts, and the phone that answered (its thank-you)
                self.view.apply(change)
                self.redraw([("facilitator", "survey-counts")])
                self.redraw([("participant", "survey")], scope=change.answer.participant_id)
            case changes.ActionSaved():
                self._action_saved(change)
            case changes.HandRaised():
                self._hand_raised(change)
            case changes.PhotoAdded() | changes.PhotoDeleted():
                # the console's photos, the table's host's; the projector's when it showed it
                projected = self.view.projected_photo
                self.view.apply(change)
                self.redraw([("facilitator", "photos")])
                self.redraw([("host", "table-photos")], scope=change.photo.table_id)
                if projected is not None and projected.id == change.photo.id:
                    self.redraw([("projector", "photo")])
            case changes.PhotoProjected():
                self.view.apply(change)
                self.redraw([("facilitator", "photos"), ("projector", "photo")])
            case _:
                assert_never(change)

    def _voting_stage(self) -> tuple[str, bool]:
        """What the phones' voting piece shows and whether any dot is cast: the console's
        voting buttons follow both, and what the dots go on can change only without dots."""
        return self.view.ballot, self.view.dots_cast() > 0

    # --- what a change changes -------------------------------------------------------------

    def redraw(self, pieces, scope: object = EVERY) -> None:
        for page_name, piece in pieces:
            self.whole.add((page_name, piece, scope if piece in PIECE_SCOPE else None))

    def _seating(self, change: changes.SeatingChanged) -> None:
        self.view.apply(change)
        self.redraw(SEATING_PIECES)
        if self.view.event.flood_until_ms is not None:  # the flood's list of people
            self.redraw([("facilitator", "flood")])

    def _joined(self, change: changes.Joined) -> None:
        self.view.apply(change)
        self.redraw([piece for piece in SEATING_PIECES if piece[1] != "seat"])
        self.redraw([("participant", "seat")], scope=change.person.id)

    def _action_saved(self, change: changes.ActionSaved) -> None:
        """Every list of actions, the drafting table's, and the phones that raised a hand
        for it (their own list names it); an earlier session's action, the console's
        review."""
        self.view.apply(change)
        if change.action.session_id != self.view.event.id:  # reviewed in this follow-up
            self.redraw([("facilitator", "action-review")])
            return
        self.redraw(ACTION_PIECES)
        if change.action.table_id is not None:
            self.redraw([("host", "table-actions")], scope=change.action.table_id)
        for person_id in self.view.hands.get(change.action.id, ()):
            self.redraw([("participant", "my-hands")], scope=person_id)

    def _hand_raised(self, change: changes.HandRaised) -> None:
        """The counts wherever the action is listed, and the hand's own phone."""
        self.view.apply(change)
        self.redraw(ACTION_PIECES)
        action = self.view.actions.get(change.hand.action_id)
        if action is not None and action.table_id is not None:
            self.redraw([("host", "table-actions")], scope=action.table_id)
        self.redraw([("participant", "my-hands")], scope=change.hand.participant_id)

    def _pages(self, change: changes.PagesCommanded) -> None:
        """The projector follows its #screen; the console's buttons say play or pause."""
        self.view.apply(change)
        self.redraw([("projector", "screen")])
        self._replace(("facilitator", "board", None), "projector-pages",
                      _part_draw("projector_pages"))

    def _card(self, change: changes.CardAdded | changes.CardEdited | changes.CardHidden
              | changes.CardGrouped, shows: set[str]) -> None:
        """One card changed; `shows`: what of it the items that stay show differently."""
        old = self.view.card(change.card.id)
        self._cards_change(change, [(old, change.card)], shows,
                           voters=self.view.voters_of(change.card.id))

    def _merge(self, change: changes.CardsMerged | changes.CardsUnmerged) -> None:
        """A merge or an unmerge: the kept card's text, weight and dots, the others hidden
        or shown again with theirs."""
        pairs = [(self.view.card(c.id), c) for c in (change.kept, *change.merged)]
        voters = {v for c in (change.kept, *change.merged) for v in self.view.voters_of(c.id)}
        self._cards_change(change, pairs, {"text", "hidden", "dots"},
                           voters={*voters, *(v.participant_id for v in change.votes)},
                           dots=True)

    def _group_dots(self, change: changes.GroupDotsChanged) -> None:
        """A dot on a KJ group: the voter's own dots, the counts of dots cast; once revealed
        the group's row on the phones and the ranking."""
        self.view.apply(change)
        self._dots_counted()
        self.redraw([("participant", "my-votes")], scope=change.vote.participant_id)
        if self.view.revealed:
            self._ranking_changed()
            if self.view.ballot == "open":
                self.redraw([("participant", "vote-cards")])

    def _dots_counted(self) -> None:
        """The dots cast changed: the console's count and the projector's voting screen."""
        self._replace(("facilitator", "board", None), "board-dots-placed",
                      _part_draw("dots_placed"))
        self._replace(("projector", "vote-screen", None), "vote-screen-cast",
                      _part_draw("vote_cast"))

    def _ranking_changed(self) -> None:
        for name in ("facilitator", "projector"):
            self._replace((name, "board", None), "board-ranking", _part_draw("board_ranking"))
        if self.view.ballot == "results":
            self.redraw([("participant", "vote-cards")])

    def _dots(self, change: changes.DotsChanged) -> None:
        card = self.view.card(change.vote.card_id)
        revealed = self.view.revealed
        self._cards_change(change, [(card, card)], {"dots"} if revealed else set(),
                           voters=[change.vote.participant_id], dots=True,
                           texts_changed=False)

    def _group_changed(self, change: changes.GroupSaved | changes.GroupDeleted,
                       voters: list[int]) -> None:
        """A group's name is in every card's menu on the console and on the grouped cards
        of both boards, in the columns of the group layout, in the phones' voting list and
        the console's choice of a group to draft an action for: all of them whole. A group
        deleted takes its own dots with it (`voters`' dots)."""
        self.view.apply(change)
        self.redraw([*BOARD_PIECES, ("participant", "vote-cards"),
                     ("facilitator", "action-groups")])
        if voters:
            self._dots_counted()
            for voter in voters:
                self.redraw([("participant", "my-votes")], scope=voter)

    def _cards_change(self, change: CardChange, pairs: list[tuple[CardRecord | None, CardRecord]],
                      shows: set[str], voters, dots: bool = False,
                      texts_changed: bool = True) -> None:
        """Apply a change of cards, and note each list, count and piece that shows them
        differently now."""
        view = self.view
        lists = {}
        for old, new in pairs:
            for card in filter(None, (old, new)):
                for found in card_lists(view, card):
                    if found.key in view.index_keys(card):
                        lists[(found.view, found.list_id, found.scope)] = found
        columns = {name: [c.dom for c in view.board_columns(name == "facilitator")]
                   for name in ("facilitator", "projector")}
        tables = {new.table_id for _, new in pairs}
        sections = {t: host_sections(view, t) for t in tables}
        before = {key: self._measure(found, pairs) for key, found in lists.items()}
        counts = {key: view.count(found.key, found.filter_name)
                  for key, found in lists.items() if found.count_id}
        totals = {t: view.count(("table", t), "shown") for t in tables}
        ranked = {card.id for _, card, _ in view.ranking()} if view.revealed else set()
        dots_before = {new.id: view.dots_on(new.id) for _, new in pairs}
        shown_before = view.count(("all",), "shown")

        view.apply(change)

        for name, doms in columns.items():
            if [c.dom for c in view.board_columns(name == "facilitator")] != doms:
                self.redraw([(name, "board")])
        for table_id, phases in sections.items():
            if host_sections(view, table_id) != phases:
                self.redraw([("host", "table-cards")], scope=table_id)
            elif view.count(("table", table_id), "shown") != totals[table_id]:
                self._replace(("host", "table-cards", table_id), "table-cards-count",
                              _count_draw("table-cards-count", ("table", table_id), "shown",
                                          plain=False))
        for key, found in lists.items():
            self._list_ops(found, before[key], pairs, shows)
            if found.count_id and view.count(found.key, found.filter_name) != counts[key]:
                self._replace((found.view, found.piece, found.scope), found.count_id,
                              _count_draw(found.count_id, found.key, found.filter_name,
                                          plain=found.piece not in ("board", "vote-cards")))
        if texts_changed:
            tallies = view.keyword_tallies
            self.charts.update(name for old, new in pairs for card in (old, new)
                               if card is not None and card.on_board
                               for name in tallies.names_of(card.table_id))
        dots_moved = dots or any(dots_before[new.id] != view.dots_on(new.id)
                                 for _, new in pairs)
        if dots_moved:
            self._dots_counted()
        if view.revealed and (dots_moved or ranked & {new.id for _, new in pairs}):
            self._ranking_changed()
        for voter in voters:
            self.redraw([("participant", "my-votes")], scope=voter)
        if view.count(("all",), "shown") != shown_before:
            self.redraw([("projector", "end")])  # the thanks count the cards

    def _measure(self, found: CardList, pairs) -> object:
        """What the list shows of the changing cards before the change."""
        return {new.id: old is not None and found.has(old, self.view) for old, new in pairs}

    def _list_ops(self, found: CardList, before, pairs, shows: set[str]) -> None:
        view = self.view
        key = (found.view, found.piece, found.scope)
        draw = _item_draw(found.item)
        # newest first: a card inserted after a newer one that comes back with it (an
        # unmerge gives back several) finds that one on the screen already
        for _, new in sorted(pairs, key=lambda pair: pair[1].order_key, reverse=True):
            was, now = before[new.id], found.has(new, view)
            if was and not now:
                self.ops[key].append(Op("remove", found.prefix + new.id))
            elif now and not was:
                neighbour = view.newer_neighbour(found.key, found.filter_name, new)
                self.ops[key].append(Op("insert", found.list_id, draw(new.id),
                                        found.prefix + neighbour if neighbour else None))
            elif now and shows & found.shows:
                self._replace(key, found.prefix + new.id, draw(new.id))

    def _replace(self, key: tuple, element_id: str, draw: Draw) -> None:
        self.ops[key].append(Op("replace", element_id, draw))

    def show_charts(self, names: set[str]) -> None:
        """Replace these keyword charts, as they are now, on every page that shows them."""
        for page_name, shown in KEYWORD_CHARTS.items():
            for name in sorted(names):
                if shown is None or name in shown:
                    self._replace((page_name, "keywords", None), f"keywords-{name}",
                                  _chart_draw(name))

    # --- texts ------------------------------------------------------------------------------

    def texts(self, audiences) -> dict[Audience, list[str]]:
        """Each audience's frames (pages: at most one; JSON: one per message)."""
        drawing = Drawing(self.view)
        rendered: dict[tuple, str] = {}
        out: dict[Audience, list[str]] = {}
        for audience in audiences:
            if audience.page == "json":
                messages = self.json.get(audience.role, [])
                if messages:
                    out[audience] = messages
                continue
            parts = []
            for piece in PAGE_PIECES[audience.page]:
                scope = scope_of(piece, audience)
                if {(audience.page, piece, EVERY), (audience.page, piece, scope)} & self.whole:
                    parts.append(drawing.piece(piece, audience))
                    continue
                ops = self.ops.get((audience.page, piece, scope))
                if ops:
                    cache_key = (audience.language, audience.page, piece, scope)
                    if cache_key not in rendered:
                        rendered[cache_key] = "".join(
                            op.html(drawing, audience) for op in _latest(ops))
                    parts.append(rendered[cache_key])
            if parts:
                out[audience] = ["\n".join(parts)]
        return out


def _latest(ops: list[Op]) -> list[Op]:
    """Each element replaced once, at its last place (everything renders the newest state)."""
    last = {op.target: position for position, op in enumerate(ops) if op.kind == "replace"}
    return [op for position, op in enumerate(ops)
            if op.kind != "replace" or last[op.target] == position]


def _item_draw(template: str) -> Callable[[str], Draw]:
    def for_card(card_id: str) -> Draw:
        return lambda drawing, audience: drawing.item(template, card_id, audience)

    return for_card


def _count_draw(count_id: str, key: tuple, filter_name: str, plain: bool) -> Draw:
    def draw(drawing: Drawing, audience: Audience) -> str:
        return drawing.once(("count", count_id, key, filter_name, plain), audience,
                            "fragments/_card_count.html", count_id=count_id,
                            n=drawing.view.count(key, filter_name), plain=plain)

    return draw


def _chart_draw(name: str) -> Draw:
    def draw(drawing: Drawing, audience: Audience) -> str:
        limit = keywords.CHART_LENGTHS[audience.page]
        return drawing.once(("chart", name, limit), audience, "fragments/_keyword_chart.html",
                            chart_id=f"keywords-{name}",
                            ranked=drawing.view.keyword_tallies.chart(name, limit))

    return draw


def _part_draw(template: str) -> Draw:
    return lambda drawing, audience: drawing.once(("part", template, audience.page), audience,
                                                  f"fragments/_{template}.html")


# --- JSON ------------------------------------------------------------------------------------


def json_snapshot(view: EventView, audience: Audience, kind: str = "snapshot") -> str:
    facilitator = audience.role == auth.FACILITATOR
    message: wire.SnapshotMessage = {
        "type": "snapshot" if kind == "snapshot" else "session",
        "session": wire.session_json(view, audience.role),
        "state": wire.state_json(view, now_ms()),
        "board": {**wire.board_json(view), **wire.voting_json(view, facilitator)}}
    return _dumps(message)


def json_messages(view: EventView, change: changes.Change, role: str) -> list[str]:
    """The JSON messages (docs/api.md) one live change makes for a role, from the view
    just after it."""
    return [_dumps(message) for message in wire_messages(view, change, role)]


def wire_messages(view: EventView, change: changes.Change, role: str) -> list[wire.Message]:
    """The messages of `json_messages`, before they are text."""
    facilitator = role == auth.FACILITATOR
    match change:
        case changes.EventEdited() | changes.SignedOut():
            return []  # an edit: the hub sends a `session` snapshot; signed out: a close
        case changes.PhaseChanged():
            return [{"type": "phase", **wire.state_json(view, now_ms())}]
        case changes.SeatingChanged():
            return [{"type": "seating", **wire.seating_json(view)}]
        case changes.Joined():
            joined: wire.ParticipantMessage = {"type": "participant",
                                               "count": len(view.participants)}
            if facilitator:
                joined["participant"] = wire.participant_json(change.person)
            if not view.planned:
                return [joined]
            return [joined, {"type": "seating", **wire.seating_json(view)}]
        case changes.CardAdded():
            if change.card.hidden and not facilitator:
                return []
            return [{"type": "card", "card": _card_json(view, change.card, facilitator)}]
        case changes.CardsMerged() | changes.CardsUnmerged():
            return [*wire_messages(view, changes.CardEdited(change.kept), role),
                    *(message for card in change.merged
                      for message in wire_messages(view, changes.CardHidden(card), role))]
        case changes.CardEdited():
            if change.card.hidden and not facilitator:
                return []
            return [{"type": "card_edited",
                     "card": _card_json(view, change.card, facilitator)}]
        case changes.CardHidden():
            card = _card_json(view, change.card, facilitator)
            if change.card.hidden and not facilitator:
                card = {"id": card["id"], "hidden": True, "merged_into": card["merged_into"]}
            return [{"type": "card_hidden", "card": card}]
        case changes.CardGrouped():
            return [{"type": "group", "action": "moved", "card_id": change.card.id,
                     "group_id": change.card.group_id, **wire.board_json(view)}]
        case changes.GroupSaved():
            return [{"type": "group", "action": "created" if change.created else "renamed",
                     "group": cards.group_json(change.group), **wire.board_json(view)}]
        case changes.GroupDeleted():
            return [{"type": "group", "action": "deleted", "group_id": change.group_id,
                     **wire.board_json(view)}]
        case changes.LayoutChosen():
            return [{"type": "board", **wire.board_json(view)}]
        case changes.ScreenChosen():
            return [{"type": "screen", "screen": change.screen, "showing": view.screen}]
        case changes.PagesCommanded():
            return [{"type": "pages", **wire.pages_json(view)}]
        case changes.JoiningChanged():
            joining: wire.JoiningMessage = {"type": "joining", "open": change.open}
            if role in wire.SEES_JOIN_CODE:
                joining["join_code"] = change.join_code
            if facilitator:
                joining["join_flood"] = wire.join_flood_json(view)
                joining["card_flood"] = wire.card_flood_json(view)
            return [joining]
        case changes.DotsChanged() | changes.GroupDotsChanged():
            return [{"type": "vote", **wire.voting_json(view, facilitator)}]
        case changes.VotingChanged():
            return [{"type": "voting", **wire.voting_json(view, facilitator)}]
        case changes.HostAffiliationChosen() | changes.SurveyChanged() | changes.SurveyAnswered():
            return []  # drawn pieces only: the JSON socket carries no survey (docs/api.md)
        case changes.ActionSaved():
            return [{"type": "action", "action": wire.action_json(view, change.action)}]
        case changes.HandRaised():
            action = view.actions.get(change.hand.action_id)
            return [{"type": "action", "action": wire.action_json(view, action)}] if action else []
        case changes.PhotoAdded() | changes.PhotoDeleted() | changes.PhotoProjected():
            return []  # drawn pieces only: programs list them with GET …/photos (docs/api.md)
        case _:
            assert_never(change)


def _card_json(view: EventView, card: CardRecord, facilitator: bool) -> dict:
    return cards.card_json(card, reveal_author=facilitator, weight=view.weight(card.id))


def _dumps(body: Mapping) -> str:
    return json.dumps(body, ensure_ascii=False)
