"""What every screen shows of one event, in memory: the read model of the live path.

An `EventView` is built from the database (app/store/) and then kept up to date by live
changes (`apply`), in `seq` order; it is what pages, pushes and exports are rendered from.
Pure: records in, no database, no web framework.

It keeps the indexes a hall needs, built once per load and updated per change, so that a
push costs what changed and not the size of the event: the cards in board order under
every key a screen lists them by (table, table and phase, author, group, phase, theme,
all), how many of them each list shows, each card's and each voter's dots, and the keyword
charts.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import assert_never

from app import cards, keywords, rounds, screens, tables, text
from app.live import changes
from app.store.records import (
    DROPPED,
    ActionRecord,
    ActionStepRecord,
    CardRecord,
    CarriedGroupRecord,
    EventRecord,
    GroupRecord,
    GroupVoteRecord,
    PersonRecord,
    PhotoRecord,
    QuestionRecord,
    SurveyAnswerRecord,
    SurveyRecord,
    TableRecord,
    VolunteerRecord,
    VoteRecord,
)

CardFilter = Callable[[CardRecord], bool]


def kept(card: CardRecord) -> bool:
    """On the facilitator's board: every card but those merged into another."""
    return card.merged_into is None


def shown(card: CardRecord) -> bool:
    """On every other screen: the cards not hidden (a merged card is hidden too)."""
    return not card.hidden


FILTERS: dict[str, CardFilter] = {"kept": kept, "shown": shown}
RANKING_LENGTH = 10


@dataclass(frozen=True)
class MixFigures:
    average_met: float
    least_met: int
    repeats: int
    mix: dict[int, Counter]


@dataclass(frozen=True)
class QuestionResult:
    """What the answers to one survey question add up to."""

    question: QuestionRecord
    counts: tuple[tuple[str, int], ...]
    """(choice, how many chose it): 1 to 5 for scale5, the options for a choice; none for
    a text question."""
    texts: tuple[str, ...]
    """A text question's answers, oldest first."""
    answered: int

    @property
    def mean(self) -> float | None:
        """A scale5 question's average answer (None: another kind, or no answer)."""
        if self.question.kind != "scale5" or not self.answered:
            return None
        return sum(int(label) * n for label, n in self.counts) / self.answered

    @property
    def most(self) -> int:
        """The largest count: the bar chart's full width."""
        return max((n for _, n in self.counts), default=0)


@dataclass(frozen=True)
class Column:
    """One column of the harvest board in the chosen layout."""

    dom: str
    """Its part of the element ids: board-{dom}, board-{dom}-cards, board-{dom}-count."""
    key: tuple
    """The CardIndex key of its cards."""
    heading: str = ""
    table_id: int | None = None
    number: int | None = None
    theme: str = ""
    drop_group: str | None = None
    """In the group layout, the group a card dropped here joins ("" = none)."""


class CardIndex:
    """Card ids in board order (oldest first) under each key a screen lists cards by, and
    how many cards of each key pass each of FILTERS."""

    def __init__(self, theme_of: dict[int, str]):
        self._theme_of = theme_of
        self._lists: dict[tuple, list[tuple[int, str]]] = {}
        self._counts: dict[str, Counter] = {name: Counter() for name in FILTERS}

    def keys(self, card: CardRecord) -> tuple[tuple, ...]:
        found = [("all",), ("table", card.table_id),
                 ("table_phase", card.table_id, card.phase_index),
                 ("group", card.group_id), ("phase", card.phase_index),
                 ("theme", self._theme_of.get(card.table_id, ""))]
        if card.participant_id is not None:
            found.append(("author", card.participant_id))
        return tuple(found)

    def add(self, card: CardRecord) -> None:
        for key in self.keys(card):
            bisect.insort(self._lists.setdefault(key, []), card.order_key)
        self._count(card, +1)

    def change(self, old: CardRecord, new: CardRecord) -> None:
        """The same card (same id and time) with other fields."""
        self._count(old, -1)
        old_keys, new_keys = set(self.keys(old)), set(self.keys(new))
        for key in old_keys - new_keys:
            ids = self._lists[key]
            del ids[bisect.bisect_left(ids, old.order_key)]
        for key in new_keys - old_keys:
            bisect.insort(self._lists.setdefault(key, []), new.order_key)
        self._count(new, +1)

    def _count(self, card: CardRecord, sign: int) -> None:
        for name, keep in FILTERS.items():
            if keep(card):
                for key in self.keys(card):
                    self._counts[name][key] += sign

    def count(self, key: tuple, filter_name: str) -> int:
        return self._counts[filter_name][key]

    def oldest_first(self, key: tuple) -> list[tuple[int, str]]:
        return self._lists.get(key, [])

    def newer(self, key: tuple, card: CardRecord) -> Iterator[str]:
        """Ids of the cards of `key` newer than `card`, nearest first."""
        ids = self._lists.get(key, [])
        for position in range(bisect.bisect_right(ids, card.order_key), len(ids)):
            yield ids[position][1]


class Dots:
    """The dots on each target (a card's id, a group's id) by voter, and each voter's by
    target: both ways, so that a push finds a card's voters and a voter's dots at once."""

    def __init__(self):
        self._on: dict = {}
        self._by: dict[int, dict] = {}

    def set(self, target, voter: int, dots: int) -> None:
        on_target = self._on.setdefault(target, {})
        by_voter = self._by.setdefault(voter, {})
        if dots > 0:
            on_target[voter] = by_voter[target] = dots
        else:
            on_target.pop(voter, None)
            by_voter.pop(target, None)

    def on(self, target) -> int:
        return sum(self._on.get(target, {}).values())

    def targets(self) -> list:
        return list(self._on)

    def voters_of(self, target) -> list[int]:
        return list(self._on.get(target, {}))

    def of_voter(self, voter: int | None) -> dict:
        return self._by.get(voter, {})

    def drop(self, target) -> None:
        for voter in self.voters_of(target):
            self.set(target, voter, 0)


class EventView:
    """Everything the views, the JSON API and the exports show about one event."""

    def __init__(self, event: EventRecord, tables: list[TableRecord],
                 program: list[rounds.PhaseSpec], clock: rounds.ClockState,
                 participants: Iterable[PersonRecord] = (),
                 seats: dict[int, dict[int, int]] | None = None,
                 groups: Iterable[GroupRecord] = (), cards: Iterable[CardRecord] = (),
                 votes: Iterable[VoteRecord] = (),
                 group_votes: Iterable[GroupVoteRecord] = (), seq: int = 0,
                 survey: SurveyRecord | None = None,
                 survey_answers: Iterable[SurveyAnswerRecord] = (),
                 actions: Iterable[ActionRecord] = (),
                 action_steps: Iterable[ActionStepRecord] = (),
                 volunteers: Iterable[VolunteerRecord] = (),
                 carried: Iterable[CarriedGroupRecord] = (),
                 met_before: frozenset[tuple[int, int]] = frozenset(),
                 sessions_before: Iterable[tuple[str, str]] = (),
                 photos: Iterable[PhotoRecord] = ()):
        self.event, self.tables, self.program, self.clock = event, tables, program, clock
        self.carried = tuple(carried)
        """The groups of an earlier event of the series carried into this one (前回の主な
        意見), in the order they were chosen."""
        self.met_before = met_before
        """Pairs of participant ids (smaller first) who sat together in an earlier event
        of the series (app/store/series.py earlier_pairs)."""
        self.participants = list(participants)
        self.seats = seats or {}
        """Moving round -> participant id -> table id; round 0 is everyone's home table."""
        self.groups = list(groups)
        self.seq = seq
        self.survey = survey
        """The event's survey (None: the facilitator has not started one)."""
        self.survey_answers = {a.participant_id: a for a in survey_answers}
        """participant id -> their answers to the survey."""
        self.actions: dict[int, ActionRecord] = {}
        """The action plan: action id -> the action, in the order drafted."""
        self.earlier_actions: dict[int, ActionRecord] = {}
        """The actions of the earlier events of its series, reviewed in this one (時限性)."""
        for action in actions:
            self._put_action(action)
        self.sessions_before = dict(sessions_before)
        """The earlier events of its series, first first: event id -> title."""
        self.action_steps: dict[int, list[ActionStepRecord]] = {}
        """action id -> its history, oldest first."""
        for step in action_steps:
            self.action_steps.setdefault(step.action_id, []).append(step)
        self.hands: dict[int, set[int]] = {}
        """action id -> the participants whose hand is raised for it (never shown)."""
        for hand in volunteers:
            self.hands.setdefault(hand.action_id, set()).add(hand.participant_id)
        self._photos = {photo.id: photo for photo in photos}
        """photo id -> the photo of a table's paper sheet (its bytes stay in the database)."""
        """The event's change number this view shows (app/live/changes.py)."""
        self._tables = {t.id: t for t in self.tables}
        self._people = {p.id: p for p in self.participants}
        self._cards: dict[str, CardRecord] = {}
        self._index = CardIndex({t.id: t.theme for t in self.tables})
        self._card_dots = Dots()
        self._group_dots = Dots()
        self._charts: keywords.Charts | None = None
        self._prompted: frozenset[str] | None = None
        for card in sorted(cards, key=lambda c: c.order_key):
            self._cards[card.id] = card
            self._index.add(card)
        self._weights = _merged_weights(self._cards.values())
        """card id -> weight, for the cards something is merged into (app/cards.py); kept
        up to date as cards are merged and unmerged (`_put_card`)."""
        for vote in votes:
            self._set_dots(vote)
        for on_group in group_votes:
            self._group_dots.set(on_group.group_id, on_group.participant_id, on_group.dots)

    # --- cards -------------------------------------------------------------------------------

    def card(self, card_id: str) -> CardRecord | None:
        return self._cards.get(card_id)

    def weight(self, card_id: str) -> int:
        """1 and every card merged into this one, however deep (×N on the screens)."""
        return self._weights.get(card_id, 1)

    def _carry_weight(self, card_id: str, kept_id: str | None, sign: int) -> None:
        """A card (and what is merged into it) merged into `kept_id` (+1) or given back
        from it (-1): the weights of `kept_id` and of every card it is merged into."""
        if kept_id is None:
            return
        carried = sign * self.weight(card_id)
        for above in (kept_id, *cards.merged_chain(kept_id, self._merged_into)):
            weight = self.weight(above) + carried
            if weight > 1:
                self._weights[above] = weight
            else:
                self._weights.pop(above, None)

    def _merged_into(self, card_id: str) -> str | None:
        card = self._cards.get(card_id)
        return card.merged_into if card else None

    @property
    def all_cards(self) -> list[CardRecord]:
        """Every card, hidden ones included, oldest first."""
        return [self._cards[card_id] for _, card_id in self._index.oldest_first(("all",))]

    def index_keys(self, card: CardRecord) -> tuple[tuple, ...]:
        return self._index.keys(card)

    def listed(self, key: tuple, filter_name: str) -> list[CardRecord]:
        """The cards of one list, newest first: `key` of CardIndex, a FILTERS name."""
        keep = FILTERS[filter_name]
        cards = (self._cards[card_id] for _, card_id in reversed(self._index.oldest_first(key)))
        return [card for card in cards if keep(card)]

    def count(self, key: tuple, filter_name: str) -> int:
        return self._index.count(key, filter_name)

    def newer_neighbour(self, key: tuple, filter_name: str, card: CardRecord) -> str | None:
        """The nearest newer card that the list shows above `card`, or None (it is first)."""
        keep = FILTERS[filter_name]
        return next((i for i in self._index.newer(key, card) if keep(self._cards[i])), None)

    def board_cards(self, include_hidden: bool = False) -> list[CardRecord]:
        """The cards on the board, oldest first: visible ones (the facilitator also sees
        hidden ones, never those merged into another card)."""
        keep = kept if include_hidden else shown
        return [card for card in self.all_cards if keep(card)]

    def cards_at(self, table_id: int) -> list[CardRecord]:
        """This table's visible cards, oldest first."""
        return list(reversed(self.listed(("table", table_id), "shown")))

    def cards_by_phase(self, table_id: int) -> list[tuple[int, list[CardRecord]]]:
        """This table's visible cards by phase, newest phase first, newest card first (the
        host's briefing view)."""
        return [(index, self.listed(("table_phase", table_id, index), "shown"))
                for index in reversed(range(len(self.program)))
                if self.count(("table_phase", table_id, index), "shown")]

    def cards_by(self, participant_id: int | None) -> list[CardRecord]:
        """A participant's own visible cards, newest first."""
        return self.listed(("author", participant_id), "shown")

    # --- dots ----------------------------------------------------------------------------------

    @property
    def vote_on(self) -> str:
        """What the dots go on: "cards" or "groups" (app/cards.py VOTE_TARGETS)."""
        return self.event.vote_on

    def _set_dots(self, vote: VoteRecord) -> None:
        self._card_dots.set(vote.card_id, vote.participant_id, vote.dots)

    def dots_on(self, card_id: str) -> int:
        """Dots on a visible card (a hidden card gives its dots back)."""
        card = self._cards.get(card_id)
        if card is None or card.hidden:
            return 0
        return self._card_dots.on(card_id)

    def vote_counts(self) -> dict[str, int]:
        """card id -> dots, for the visible cards with dots."""
        return {card_id: dots for card_id in self._card_dots.targets()
                if (dots := self.dots_on(card_id))}

    def group_vote_counts(self) -> dict[int, int]:
        """group id -> the dots put on the group itself, for the groups with dots."""
        return {group.id: dots for group in self.groups
                if (dots := self._group_dots.on(group.id))}

    def counts(self) -> dict:
        """What the event votes on -> its dots: cards, or groups."""
        return self.group_vote_counts() if self.vote_on == "groups" else self.vote_counts()

    def dots_cast(self) -> int:
        return sum(self.vote_counts().values()) + sum(self.group_vote_counts().values())

    def voters_of(self, card_id: str) -> list[int]:
        return self._card_dots.voters_of(card_id)

    def group_voters_of(self, group_id: int) -> list[int]:
        return self._group_dots.voters_of(group_id)

    def ranking(self, limit: int | None = RANKING_LENGTH) -> list[tuple[int, CardRecord, int]]:
        """[(rank, card, dots)] for the visible cards with dots, most first (app/cards.py);
        the top `limit` (None: all of them, as the exports rank every card)."""
        counts = self.vote_counts()
        return cards.ranking([self._cards[card_id] for card_id in counts], counts, limit)

    def group_ranking(self, limit: int | None = RANKING_LENGTH
                      ) -> list[tuple[int, GroupRecord, int]]:
        """[(rank, group, dots)] for the groups with dots of their own, most first (an event
        that votes on groups); the top `limit` (None: all of them)."""
        return cards.ranking(self.groups, self.group_vote_counts(), limit)

    def group_dots(self) -> list[tuple[GroupRecord, int]]:
        """[(group, dots on its visible cards and on itself)] for every group, most dots
        first (an event votes on one or the other, never both)."""
        totals = {group.id: self._group_dots.on(group.id) for group in self.groups}
        for card_id, dots in self.vote_counts().items():
            group_id = self._cards[card_id].group_id
            if group_id in totals:
                totals[group_id] += dots
        return sorted(((g, totals[g.id]) for g in self.groups), key=lambda pair: -pair[1])

    def my_dots(self, participant_id: int | None) -> dict:
        """This participant's dots on what the event votes on: visible cards in board
        order (card id -> dots), or groups in group order (group id -> dots)."""
        if self.vote_on == "groups":
            mine = self._group_dots.of_voter(participant_id)
            return {group.id: mine[group.id] for group in self.groups if group.id in mine}
        mine = self._card_dots.of_voter(participant_id)
        cards = sorted((self._cards[i] for i in mine if not self._cards[i].hidden),
                       key=lambda c: c.order_key)
        return {card.id: mine[card.id] for card in cards}

    def dots_left(self, participant_id: int | None) -> int:
        return max(0, self.event.vote_budget - sum(self.my_dots(participant_id).values()))

    @property
    def voting_ran(self) -> bool:
        """Voting is open, or was: dots are cast or the results revealed."""
        return self.event.voting_open or self.revealed or self.dots_cast() > 0

    @property
    def ballot(self) -> str:
        """What the phones' voting piece shows: "open" (the list to vote on), "results"
        (revealed), "thanks" (finished, nothing revealed), "closed" (voting ran, the
        results are not out yet) or "" (voting has not started: nothing at all)."""
        if self.clock.status == rounds.FINISHED:
            return "results" if self.revealed else "thanks"
        if self.event.voting_open:
            return "open"
        if self.revealed:
            return "results"
        return "closed" if self.voting_ran else ""

    # --- keywords ------------------------------------------------------------------------------

    @property
    def prompted(self) -> frozenset[str]:
        """The words every theme title or every round question uses, left out of the
        keyword lists (a change to them loads the view again)."""
        if self._prompted is None:
            self._prompted = keywords.prompted_words(self.themes, self.round_questions)
        return self._prompted

    @property
    def keyword_tallies(self) -> keywords.Charts:
        """The keyword charts (app/keywords.py) of the visible cards, kept card by card."""
        if self._charts is None:
            self._charts = keywords.Charts(self.tables, self.prompted)
            for card in self.all_cards:
                if shown(card):
                    self._charts.add(card.table_id, card.order_key, card.text)
        return self._charts

    def keyword_charts(self, limit: int) -> dict:
        """Every keyword chart of the visible cards (keywords.Charts.charts)."""
        return self.keyword_tallies.charts(limit)

    def _keywords_follow(self, old: CardRecord | None, new: CardRecord) -> None:
        if self._charts is None:
            return
        if old is not None and shown(old):
            self._charts.remove(old.table_id, old.order_key, old.text)
        if shown(new):
            self._charts.add(new.table_id, new.order_key, new.text)

    # --- the harvest board ---------------------------------------------------------------------

    @property
    def board_layout(self) -> str:
        return self.event.board_layout

    @property
    def revealed(self) -> bool:
        return self.event.votes_revealed

    @property
    def screen(self) -> str:
        """The projector's screen now (the pinned one, or the phase's)."""
        return screens.shown(self.program, self.clock, self.revealed,
                             self.event.projector_screen, self.event.voting_open)

    @property
    def join_size(self) -> str:
        """The join QR code's size on the projector: large, corner or none (app/screens.py)."""
        return screens.join_size(self.program, self.clock, self.screen)

    def group_columns(self) -> list[Column]:
        """A column per KJ group, then the cards in none (the phones vote by them)."""
        return [*(Column(f"group-{g.id}", ("group", g.id), g.name, drop_group=str(g.id))
                  for g in self.groups),
                Column("group-none", ("group", None), drop_group="")]

    def board_columns(self, facilitator: bool) -> list[Column]:
        """The columns of the chosen layout. The phase layout shows the phases that have
        cards; the projector leaves out an empty "not grouped" column."""
        layout = self.board_layout
        if layout == "group":
            *columns, ungrouped = self.group_columns()
            if facilitator or self.count(ungrouped.key, "shown"):
                columns.append(ungrouped)
            return columns
        if layout == "phase":
            filter_name = "kept" if facilitator else "shown"
            return [Column(f"phase-{index}", ("phase", index), phase.title)
                    for index, phase in enumerate(self.program)
                    if self.count(("phase", index), filter_name)]
        if layout == "theme":
            return [Column(f"theme-{n}", ("theme", theme), theme)
                    for n, theme in enumerate(self.themes)]
        return [Column(f"table-{t.id}", ("table", t.id), t.name, t.id, t.number, t.theme)
                for t in self.tables]

    # --- tables, people and seats ----------------------------------------------------------------

    @property
    def phase(self) -> rounds.PhaseSpec:
        return self.program[self.clock.phase_index]

    @property
    def seating_round(self) -> int:
        return rounds.seating_rounds(self.program)[self.clock.phase_index]

    @property
    def planned(self) -> bool:
        return bool(self.seats)

    @property
    def rounds_started(self) -> bool:
        """The first round has started (rounds.rounds_started): home tables are settled."""
        return rounds.rounds_started(self.program, self.clock)

    @property
    def moving_now(self) -> bool:
        """People are on their way to new tables: a moving phase set up but not started."""
        return self.phase.moves and self.clock.status == rounds.READY

    @property
    def round_questions(self) -> list[str]:
        """The questions of the rounds, each once, in program order."""
        return list(dict.fromkeys(p.question for p in self.program if p.is_round and p.question))

    @property
    def themes(self) -> list[str]:
        """The tables' themes, each once, in table order ("" for tables without one)."""
        return list(dict.fromkeys(t.theme for t in self.tables))

    def table(self, table_id: int | None) -> TableRecord | None:
        return self._tables.get(table_id)

    def group_theme(self, group_id: int) -> str:
        """The theme most of a group's visible cards were written under ("" = none)."""
        themes = Counter(self._tables[card.table_id].theme
                         for card in self.listed(("group", group_id), "shown")
                         if card.table_id in self._tables)
        return themes.most_common(1)[0][0] if themes else ""

    def carried_at(self, table_id: int | None) -> tuple[CarriedGroupRecord, ...]:
        """What a table starts from (前回の主な意見): the carried groups of its theme (a
        table without a theme sees them all)."""
        table = self.table(table_id)
        if table is None or not table.theme:
            return self.carried
        return tuple(g for g in self.carried if g.theme == table.theme)

    def group(self, group_id: int | None) -> GroupRecord | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def person(self, participant_id: int | None) -> PersonRecord | None:
        return self._people.get(participant_id)

    def joined_in_flood(self) -> list[PersonRecord]:
        """Who joined (and is still here) while a flood the server answered went on,
        until the facilitator reviews it."""
        since, until = self.event.flood_since_ms, self.event.flood_until_ms
        if since is None or until is None:
            return []
        return [p for p in self.participants if since <= p.joined_at_ms <= until]

    def wrote_in_card_flood(self) -> list[tuple[PersonRecord, int]]:
        """Who wrote cards (and is still here) while a flood of cards the server refused
        went on, with how many, most first, until the facilitator reviews it."""
        since, until = self.event.card_flood_since_ms, self.event.card_flood_until_ms
        if since is None or until is None:
            return []
        counts = Counter(card.participant_id for card in self.all_cards
                         if card.participant_id is not None
                         and since <= card.created_at_ms <= until)
        ranked = sorted(counts, key=lambda person: (-counts[person], person))
        return [(self._people[person], counts[person]) for person in ranked
                if person in self._people]

    def affiliation_of(self, card: CardRecord) -> str:
        """Who wrote a card, never by name: the author's affiliation code (a table host's
        own, once they gave it), "host", "facilitator", or "" (a participant no longer in
        the event)."""
        if card.author_kind == "host":
            table = self.table(card.table_id)
            return table.host_affiliation if table and table.host_affiliation else "host"
        if card.author_kind == "facilitator":
            return card.author_kind
        person = self.person(card.participant_id)
        return person.affiliation if person else ""

    def table_id_of(self, person: PersonRecord, round_index: int | None = None) -> int | None:
        """Where `person` sits in the current (or given) round (tables.table_in_round)."""
        round_index = self.seating_round if round_index is None else round_index
        return tables.table_in_round(person.home_table_id, round_index,
                                     self.seats.get(round_index, {}).get(person.id))

    def by_reading(self) -> list[PersonRecord]:
        """Everyone in the 50音 order of their furigana (people without one after, by
        name): the attendance list, the name tags, the reception's list."""
        return sorted(self.participants, key=lambda p: text.fifty_sound_key(p.furigana, p.name))

    def awaited(self) -> list[PersonRecord]:
        """The pre-registered who have not arrived yet, in 50音 order."""
        return [p for p in self.by_reading() if not p.arrived]

    def seated_at(self, table_id: int, round_index: int | None = None) -> list[PersonRecord]:
        """Who sits at the table in the current (or given) round, absent people included."""
        round_index = self.seating_round if round_index is None else round_index
        return [p for p in self.participants if self.table_id_of(p, round_index) == table_id]

    def home_affiliations(self) -> dict[int, list[str]]:
        """Per table, the affiliations of everyone whose home table it is (absent and
        awaited people too: their places are taken): what a joiner's home table is
        chosen from (tables.choose_home_table)."""
        seated: dict[int, list[str]] = {t.id: [] for t in self.tables}
        for person in self.participants:
            if person.home_table_id in seated:
                seated[person.home_table_id].append(person.affiliation)
        return seated

    def home_mix(self) -> dict[int, Counter[str]]:
        """Per table, how many people of each affiliation are present at it in the home
        round (GET …/seating `home_mix`, the console's mix)."""
        return tables.home_mix(
            [tables.Person(p.id, p.affiliation, home_table=p.home_table_id)
             for p in self.participants if p.present],
            [tables.Table(t.id, t.capacity, t.theme or None) for t in self.tables])

    def present_at(self, table_id: int, round_index: int | None = None) -> list[PersonRecord]:
        """Who is at the table: arrived and not marked absent."""
        return [p for p in self.seated_at(table_id, round_index) if p.present]

    def rounds_so_far(self) -> list[int]:
        """The seating rounds met up to the current phase, in order, without repeats in a
        row: the standard program at its return phase gives [0, 1, 2, 0]."""
        return _without_repeats(rounds.seating_rounds(self.program)[: self.clock.phase_index + 1])

    def route(self, person: PersonRecord) -> list[TableRecord]:
        tables_so_far = [self.table(self.table_id_of(person, r)) for r in self.rounds_so_far()]
        return [t for t in tables_so_far if t is not None]

    def full_route(self, person: PersonRecord) -> list[str]:
        """Table numbers through the whole program, e.g. ['1', '3', '2', '1']."""
        numbers = []
        for round_index in _without_repeats(rounds.seating_rounds(self.program)):
            table = self.table(self.table_id_of(person, round_index))
            numbers.append(str(table.number) if table else "–")
        return numbers

    def theme_misses(self) -> tuple[tables.ThemeMiss, ...]:
        """Travellers whose planned rounds leave out a theme (the planner's rule), read back
        from the seats as they are now (moves by hand and latecomers included); none
        before the moves are planned. Every miss says "seats": the view does not know
        which seats were placed by hand."""
        if not self.planned:
            return ()
        return tables.theme_misses(*self._seats_as_planned(rounds.round_count(self.program)))

    def repeat_figures(self) -> tables.RepeatFigures:
        """The repeats of the seating as it is now (moves by hand and latecomers included)
        with the planner's bounds, across the series too (`met_before`; the upper bound
        the last plan reported, kept with it): over the home round alone until the moves
        are planned, which bounds itself (the home tables are given)."""
        people, used, seats = self._seats_as_planned(
            rounds.round_count(self.program) if self.planned else 1)
        if not people:
            return tables.RepeatFigures(0, 0, 0, 0, 0)
        return tables.repeat_figures(
            people, used, seats, self.met_before,
            self.event.series_repeat_bound if self.planned else None)

    def _seats_as_planned(self, count: int) -> tuple[list[tables.Person], list[tables.Table],
                                                     list[dict[int, int]]]:
        """The planner's people (present and seated in the first `count` rounds), the
        tables they use and their seats round by round, read back from the view."""
        present = [p for p in self.participants if p.present
                   and all(self.table_id_of(p, r) is not None for r in range(count))]
        seats = [{p.id: self.table_id_of(p, r) for p in present} for r in range(count)]
        used = {table_id for row in seats for table_id in row.values()}
        return ([tables.Person(p.id, p.affiliation, p.theme or None, p.home_table_id)
                 for p in present],
                [tables.Table(t.id, t.capacity, t.theme or None) for t in self.tables
                 if t.id in used], seats)

    def mix_figures(self) -> MixFigures:
        """How well the plan mixes people: new people met per person, pairs that meet
        again, and the affiliations at each table in the current round."""
        groups = [[[p.id for p in self.present_at(t.id, r)] for t in self.tables]
                  for r in sorted(set(rounds.seating_rounds(self.program)))]
        met: dict[int, set[int]] = {p.id: set() for p in self.participants if p.present}
        for round_groups in groups:
            for group in round_groups:
                for person in group:
                    met[person].update(other for other in group if other != person)
        counts = [len(others) for others in met.values()] or [0]
        mix = {t.id: Counter(p.affiliation for p in self.present_at(t.id)) for t in self.tables}
        return MixFigures(average_met=round(sum(counts) / len(counts), 1),
                          least_met=min(counts), repeats=tables.count_repeat_pairs(groups),
                          mix=mix)

    def arrivals(self, table_id: int) -> dict[int, int]:
        """While people move: how many come to `table_id` from each table of the round
        before (the movement chart)."""
        visited = self.rounds_so_far()
        if len(visited) < 2:
            return {}
        before, now = visited[-2], visited[-1]
        counts: dict[int, int] = {}
        for person in self.present_at(table_id, now):
            origin = self.table_id_of(person, before)
            if origin is not None:
                counts[origin] = counts.get(origin, 0) + 1
        return counts

    # --- the survey --------------------------------------------------------------------------

    def survey_answer(self, participant_id: int | None) -> SurveyAnswerRecord | None:
        return self.survey_answers.get(participant_id)

    def survey_results(self) -> list[QuestionResult]:
        """Each question's counts (scale5, choice) or texts (text), from every answer."""
        if self.survey is None:
            return []
        results = []
        for question in self.survey.questions:
            given = [v for a in self.survey_answers.values()
                     if (v := a.value(question.id)) is not None]
            tally = Counter(given)
            results.append(QuestionResult(
                question, tuple((label, tally[label]) for label in question.choices),
                tuple(given) if question.kind == "text" else (), len(given)))
        return results

    # --- the action plan -----------------------------------------------------------------

    def _put_action(self, action: ActionRecord) -> None:
        mine = action.session_id == self.event.id
        (self.actions if mine else self.earlier_actions)[action.id] = action

    def session_number(self, session_id: str) -> int:
        """An event's place in this event's series (1 first; this event after the earlier
        ones)."""
        order = [*self.sessions_before, self.event.id]
        return order.index(session_id) + 1 if session_id in order else 0

    def action_list(self, include_dropped: bool = True) -> list[ActionRecord]:
        return [a for a in self.actions.values() if include_dropped or a.status != DROPPED]

    def actions_at(self, table_id: int | None) -> list[ActionRecord]:
        """The actions a table drafted (its host's list)."""
        return [a for a in self.actions.values() if a.table_id == table_id]

    def action_theme(self, action: ActionRecord) -> str:
        """The theme an action comes from: its table's, or the one most of its KJ group's
        cards were written under ("" for none)."""
        table = self.table(action.table_id)
        if table is not None:
            return table.theme
        if action.group_id is None:
            return ""
        themes = Counter(self.table(card.table_id).theme
                         for _, card_id in self._index.oldest_first(("group", action.group_id))
                         if shown(card := self._cards[card_id]) and self.table(card.table_id))
        return themes.most_common(1)[0][0] if themes else ""

    def actions_by_theme(self) -> list[tuple[str, list[ActionRecord]]]:
        """The actions not dropped, by theme in the tables' order ("" last)."""
        by_theme: dict[str, list[ActionRecord]] = {}
        for action in self.action_list(include_dropped=False):
            by_theme.setdefault(self.action_theme(action), []).append(action)
        order = [*(t for t in self.themes if t), ""]
        return [(theme, by_theme[theme]) for theme in order if theme in by_theme]

    def action_source(self, action: ActionRecord) -> str:
        """Where an action was drafted: its table's name or its KJ group's ("" neither)."""
        table, group = self.table(action.table_id), self.group(action.group_id)
        return table.name if table else group.name if group else ""

    def hands_for(self, action_id: int) -> int:
        """How many raised a hand for an action (stakeholders.volunteers counts them per
        stakeholder)."""
        return sum(1 for person_id in self.hands.get(action_id, ()) if self.person(person_id))

    def raised_by(self, participant_id: int | None) -> frozenset[int]:
        """The actions a participant raised a hand for (their own phone only)."""
        return frozenset(action_id for action_id, people in self.hands.items()
                         if participant_id in people)

    # --- the photos of the paper sheets ---------------------------------------------------------

    def photo(self, photo_id: int | None) -> PhotoRecord | None:
        return self._photos.get(photo_id)

    @property
    def photos(self) -> list[PhotoRecord]:
        """Every photo, oldest first."""
        return sorted(self._photos.values(), key=lambda photo: photo.id)

    def table_photos(self, table_id: int) -> list[PhotoRecord]:
        return [photo for photo in self.photos if photo.table_id == table_id]

    def photos_by_round(self, table_id: int) -> list[tuple[int, list[PhotoRecord]]]:
        """A table's photos under the phase each was taken in, in programme order."""
        by_phase: dict[int, list[PhotoRecord]] = {}
        for photo in self.table_photos(table_id):
            by_phase.setdefault(photo.phase_index, []).append(photo)
        return sorted(by_phase.items())

    @property
    def projected_photo(self) -> PhotoRecord | None:
        """The photo the facilitator put on the projector, if any."""
        return next((photo for photo in self._photos.values() if photo.on_projector), None)

    # --- live changes --------------------------------------------------------------------------

    def apply(self, change: changes.Change) -> None:
        """Bring the view up to date with one change of a batch (EventEdited is handled by
        loading the event again: tables and themes change under every index; SignedOut
        changes no record)."""
        match change:
            case changes.EventEdited() | changes.SignedOut():
                pass
            case (changes.CardAdded() | changes.CardEdited() | changes.CardHidden()
                  | changes.CardGrouped()):
                self._put_card(change.card)
            case changes.CardsMerged() | changes.CardsUnmerged():
                self._apply_merge(change)
            case changes.PhaseChanged():
                self.clock = change.clock
            case changes.Joined():
                self._apply_joined(change)
            case changes.SeatingChanged():
                self._apply_seating(change)
            case changes.GroupSaved():
                self._apply_group(change)
            case changes.GroupDeleted():
                self._apply_group_deleted(change)
            case changes.HostAffiliationChosen():
                self.tables = [change.table if t.id == change.table.id else t
                               for t in self.tables]
                self._tables[change.table.id] = change.table
            case changes.LayoutChosen():
                self.event = replace(self.event, board_layout=change.layout)
            case changes.ScreenChosen():
                self.event = replace(self.event, projector_screen=change.screen)
            case changes.PagesCommanded():
                self.event = replace(self.event, projector_paused=change.paused,
                                     projector_page_turns=change.turns)
            case changes.DotsChanged():
                self._set_dots(change.vote)
            case changes.GroupDotsChanged():
                self._group_dots.set(change.vote.group_id, change.vote.participant_id,
                                     change.vote.dots)
            case changes.VotingChanged():
                self.event = replace(self.event, vote_budget=change.budget,
                                     voting_open=change.open, votes_revealed=change.revealed,
                                     vote_on=change.vote_on)
            case changes.JoiningChanged():
                self.event = replace(
                    self.event, join_code=change.join_code, joining_open=change.open,
                    flood_since_ms=change.flood_since_ms, flood_until_ms=change.flood_until_ms,
                    card_flood_since_ms=change.card_flood_since_ms,
                    card_flood_until_ms=change.card_flood_until_ms)
            case changes.SurveyChanged():
                self.survey = change.survey
            case changes.SurveyAnswered():
                self.survey_answers[change.answer.participant_id] = change.answer
            case changes.ActionSaved():
                self._put_action(change.action)
                for step in change.steps:
                    self.action_steps.setdefault(step.action_id, []).append(step)
            case changes.HandRaised():
                people = self.hands.setdefault(change.hand.action_id, set())
                if change.raised:
                    people.add(change.hand.participant_id)
                else:
                    people.discard(change.hand.participant_id)
            case changes.PhotoAdded():
                self._photos[change.photo.id] = change.photo
            case changes.PhotoDeleted():
                self._photos.pop(change.photo.id, None)
            case changes.PhotoProjected():
                self._photos = {photo_id: replace(photo, on_projector=photo_id == change.photo_id)
                                for photo_id, photo in self._photos.items()}
            case _:
                assert_never(change)

    def _put_card(self, card: CardRecord) -> None:
        old = self._cards.get(card.id)
        was_in = old.merged_into if old else None
        if was_in != card.merged_into:
            self._carry_weight(card.id, was_in, -1)
            self._carry_weight(card.id, card.merged_into, +1)
        self._cards[card.id] = card
        if old is None:
            self._index.add(card)
        else:
            self._index.change(old, card)
        self._keywords_follow(old, card)

    def _apply_merge(self, change: changes.CardsMerged | changes.CardsUnmerged) -> None:
        self._put_card(change.kept)
        for card in change.merged:
            self._put_card(card)
            for voter in self.voters_of(card.id):
                self._set_dots(VoteRecord(voter, card.id, 0))
        for voter in self.voters_of(change.kept.id):
            self._set_dots(VoteRecord(voter, change.kept.id, 0))
        for vote in change.votes:
            self._set_dots(vote)

    def _apply_joined(self, change: changes.Joined) -> None:
        self._set_person(change.person)
        for round_index, table_id in change.seats:
            self.seats.setdefault(round_index, {})[change.person.id] = table_id

    def _set_person(self, person: PersonRecord) -> None:
        if person.id in self._people:
            self.participants = [person if p.id == person.id else p for p in self.participants]
        else:
            self.participants = [*self.participants, person]
        self._people[person.id] = person

    def _apply_seating(self, change: changes.SeatingChanged) -> None:
        seats: dict[int, dict[int, int]] = {}
        for round_index, person, table_id in change.seats:
            seats.setdefault(round_index, {})[person] = table_id
        self.seats = seats
        self.participants = list(change.people)  # everyone: a removed person is gone
        self._people = {person.id: person for person in change.people}
        self.survey_answers = {person_id: answer  # a removed person's answers go with them
                               for person_id, answer in self.survey_answers.items()
                               if person_id in self._people}

    def _apply_group(self, change: changes.GroupSaved) -> None:
        if change.created:
            self.groups = [*self.groups, change.group]
        else:
            self.groups = [change.group if g.id == change.group.id else g for g in self.groups]

    def _apply_group_deleted(self, change: changes.GroupDeleted) -> None:
        self.groups = [g for g in self.groups if g.id != change.group_id]
        self._group_dots.drop(change.group_id)  # the database deletes them with the group
        for _, card_id in list(self._index.oldest_first(("group", change.group_id))):
            self._put_card(replace(self._cards[card_id], group_id=None))
        for action in self.action_list():  # the database sets their group to NULL
            if action.group_id == change.group_id:
                self.actions[action.id] = replace(action, group_id=None)


def _merged_weights(all_cards: Iterable[CardRecord]) -> dict[str, int]:
    return {card_id: weight for card_id, weight in cards.weights(all_cards).items()
            if weight > 1}


def _without_repeats(round_indexes: Iterable[int]) -> list[int]:
    visited: list[int] = []
    for round_index in round_indexes:
        if not visited or visited[-1] != round_index:
            visited.append(round_index)
    return visited
