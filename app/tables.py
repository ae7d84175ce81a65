"""Tables and the seating/rotation planner for World Café rounds: pure, no I/O.

The planner takes plain data (people, tables, a number of rounds), a seed and a clock, and
returns a `Plan`. Round 0 is the home round; later rounds are the moves; with
`return_round=True` the last round sends everyone back to their home table. This module is
its face (the people, the tables, the plan and the checks of a request); the machinery
lives in app/planner/.

Hard rules (always kept):
- everyone sits exactly once in every round; hosts stay at their home table all event;
- seats given by the caller (`home_table`, `fixed`) are never moved, and no table ever holds
  more than its capacity;
- the people the planner places itself keep table sizes within one of each other (or fill
  the tables evenly up to their capacities); only given seats can make a table bigger;
- when the rounds that move (all rounds but the return round) are no more than the tables,
  no traveller sits at the same table twice, the return round and given seats excepted.
  Sizes come first: where hosts or given seats leave no such plan (unequal room at the
  tables, a latecomer whose free seats are all at one table), as few people as possible sit
  twice. With more moving rounds than tables the visits are spread instead.

Objectives, in order: every traveller visits each theme once before any theme twice (when
every table has a theme and the rounds that count are at least the themes; see
app/planner/coverage.py), the chosen theme at the home table, fewest repeated pairs, an
even mix of affiliations at every table, and as many distinct themes per traveller as
possible. Where the theme rule fails someone, `Plan.theme_misses` says who and why.

A *repeat* is an extra meeting: two travellers at one table in a round after they already
met in an earlier round. `repeat_pairs` sums, over pairs, the meetings beyond the first (a
pair that meets three times counts 2). The home round counts as a meeting; the return
round and pairs that include a host do not count (a host meets whoever comes to the table).
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

from app.i18n import N_
from app.planner import bounds, coverage
from app.planner.budget import Budget
from app.planner.instance import Instance
from app.planner.mix import joining_cost, mix_cost
from app.planner.search import solve
from app.refusal import Refusal


@dataclass(frozen=True)
class Person:
    id: int
    affiliation: str | None = None
    theme: str | None = None
    home_table: int | None = None
    is_host: bool = False


@dataclass(frozen=True)
class Table:
    id: int
    capacity: int | None = None
    theme: str | None = None


@dataclass(frozen=True)
class ThemeMiss:
    """A traveller whose first rounds leave out some themes, and why (`reason`):

    - "given": the seats given for them (a move by hand, a round already held) repeat a theme;
    - "seats": the tables of those themes had no seat left for them in the rounds that
      remained (table sizes, a latecomer placed around everyone else).
    """

    person: int
    themes: tuple[str, ...]
    reason: str

    REASONS: ClassVar[dict[str, str]] = {
        coverage.GIVEN: N_("the seats given to them repeat a theme"),
        coverage.SEATS: N_("the tables of that theme had no free seat for them"),
    }

    @property
    def message(self) -> str:
        """The reason as a msgid, for the console to translate."""
        return self.REASONS[self.reason]


@dataclass(frozen=True)
class Plan:
    """Who sits where: `rounds[r][table id]` lists the person ids at that table in round r.

    `repeat_pairs` counts meetings beyond the first, summed over pairs of travellers (return
    round and hosts excluded); `lower_bound` is a proven lower bound on it for any plan with
    the same table sizes (that keeps the theme rule, when this plan keeps it for everyone);
    `seconds` is the planning time read from the clock. `theme_misses` lists the travellers
    the theme rule fails; `search_steps` counts the moves the search tried (a measure of
    work that does not depend on the machine).
    """

    rounds: list[dict[int, list[int]]]
    repeat_pairs: int
    lower_bound: int
    seconds: float
    return_round: bool = False
    theme_misses: tuple[ThemeMiss, ...] = ()
    search_steps: int = 0
    series_repeat_pairs: int = 0
    """Meetings (return round and hosts excluded) of pairs who met in an earlier event of
    the series (`met_before`): each is a repeat over the whole series."""
    series_lower_bound: int = 0
    """A proven lower bound on `series_repeat_pairs` for any plan: the meetings of such
    pairs that the given seats (home tables, fixed seats) make."""
    series_repeat_bound: int = 0
    """An upper bound on `series_repeat_pairs`, kept by construction: the series repeats
    of a plan of the same request that ignores the earlier events (made first, with
    BASELINE_SHARE of the time); this plan never has more, unless that plan leaves out
    more themes (the theme rule comes first): then it is this plan's own count."""

    def route(self, person_id: int) -> list[int]:
        """The table ids one person sits at, round by round (KeyError for a stranger)."""
        return [
            {person: table for table, seated in seating.items() for person in seated}[person_id]
            for seating in self.rounds
        ]

    def encounters(self) -> dict[int, int]:
        """How many different people each person meets over the whole plan."""
        met: dict[int, set[int]] = {}
        for seating in self.rounds:
            for seated in seating.values():
                for person in seated:
                    met.setdefault(person, set()).update(seated)
        return {person: len(others) - 1 for person, others in met.items()}

    def affiliation_counts(self, people: Iterable[Person]) -> list[dict[int, Counter[str]]]:
        """Per round and table, how many people of each affiliation sit there."""
        affiliation = {person.id: person.affiliation for person in people}
        return [
            {
                table: Counter(affiliation[p] for p in seated if affiliation.get(p) is not None)
                for table, seated in seating.items()
            }
            for seating in self.rounds
        ]


def table_in_round(home_table: int | None, round_index: int, seat: int | None) -> int | None:
    """Where someone sits in a seating round: their home table in the home round (0), their
    seat in a moving round. Someone with no seat in a moving round (the moves not planned
    yet; absent when they were re-planned and not placed since) stays at their home table:
    a card they write goes to it, and their phone, the console and the host list them
    there, so a person is never nowhere while the store files their card somewhere."""
    if round_index == 0 or seat is None:
        return home_table
    return seat


HOME_SIZE_SLACK = 1
"""A joiner may take a table one person fuller than the emptiest of their theme's when
fewer of their kind sit there. With the tables kept strictly even, the last joiner of each
turn round the tables has no choice, and shuffled joins left a table more than half one
kind far more often (bench/seating.py, "home tables")."""


def choose_home_table(tables: Sequence[Table], seated: Mapping[int, Sequence[str | None]],
                      theme: str | None, affiliation: str | None = None) -> int:
    """The home table for someone joining now, from the affiliations already seated at
    each table's home round (`seated`: table id -> their affiliations).

    Among the tables of their theme with room (without one, every table with room; every
    table when all are full), the ones at most HOME_SIZE_SLACK fuller than the emptiest;
    of those, where their affiliation adds least to the planner's mix score (the fewest of
    their kind), then the emptiest, then the lowest id. Without an affiliation this is the
    emptiest table (the rule before the mix counted). A joiner cannot undo an unlucky
    order of the people before them: `balance_homes` can, before the first round.
    """
    if not tables:
        raise Refusal("refused", "there are no tables")
    occupancy = {t.id: len(seated.get(t.id, ())) for t in tables}

    def has_room(table: Table) -> bool:
        return table.capacity is None or occupancy[table.id] < table.capacity

    themed = [t for t in tables if theme is not None and t.theme == theme]
    pool = (
        [t for t in themed if has_room(t)]
        or [t for t in tables if has_room(t)]
        or list(tables)
    )
    emptiest = min(occupancy[t.id] for t in pool)

    def added_mix(table: Table) -> int:
        if affiliation is None:
            return 0
        return joining_cost(sum(1 for a in seated.get(table.id, ()) if a == affiliation))

    near = [t for t in pool if occupancy[t.id] <= emptiest + HOME_SIZE_SLACK]
    return min(near, key=lambda t: (added_mix(t), occupancy[t.id], t.id)).id


def home_mix(people: Iterable[Person], tables: Sequence[Table]) -> dict[int, Counter[str]]:
    """Per table, how many people of each affiliation have it as their home table."""
    mix: dict[int, Counter[str]] = {t.id: Counter() for t in tables}
    for person in people:
        if person.home_table in mix and person.affiliation:
            mix[person.home_table][person.affiliation] += 1
    return mix


def balance_homes(people: Sequence[Person], tables: Sequence[Table],
                  kept: Collection[int] = ()) -> dict[int, int]:
    """Home tables that mix affiliations best: person id -> table id, for everyone.

    Each person stays among the tables of their present home table's theme (the theme
    they chose; tables without a theme form one group); the people in `kept` (seated by
    hand) and anyone without a home table stay where they are. Within a theme, starting
    from the tables as they are, people move or trade places while that makes the sizes
    more even (up to the capacities), then leaves fewer people beyond half a table of one
    kind, then lowers the planner's mix score: whoever sits well stays. Where that stops
    short of a fresh seating (the largest affiliation spread first, then the same trades)
    on halves, the fresh seating is taken (the sizes even out either way).
    """
    theme_of = {t.id: t.theme for t in tables}
    homes = {p.id: p.home_table for p in people if p.home_table is not None}
    for theme in dict.fromkeys(theme_of.values()):
        group = [t for t in tables if t.theme == theme]
        ids = {t.id for t in group}
        staying = [p for p in people if p.home_table in ids and p.id in kept]
        moving = [p for p in people if p.home_table in ids and p.id not in kept]
        as_they_are = _ThemeHomes(group, staying, {p.id: p.home_table for p in moving},
                                  {p.id: p.affiliation for p in moving})
        as_they_are.improve()
        better = as_they_are
        if as_they_are.score()[1]:  # someone beyond half a table: try afresh
            fresh = _ThemeHomes(group, staying, _spread(group, staying, moving),
                                {p.id: p.affiliation for p in moving})
            fresh.improve()
            if fresh.score()[:2] < as_they_are.score()[:2]:
                better = fresh
        homes.update(better.seat)
    return homes


def _spread(group: Sequence[Table], staying: Sequence[Person],
            moving: Sequence[Person]) -> dict[int, int]:
    """A fresh seating of `moving` at one theme's tables around `staying`: sizes as even as
    the capacities allow, then each person, the largest affiliation first, where the
    fewest of their kind sit."""
    sizes = Counter(p.home_table for p in staying)
    room = Counter({t.id: 0 for t in group})
    for _ in moving:
        with_room = [t for t in group
                     if t.capacity is None or sizes[t.id] + room[t.id] < t.capacity] or group
        table = min(with_room, key=lambda t: (sizes[t.id] + room[t.id], t.id))
        room[table.id] += 1
    kinds = {t.id: Counter(p.affiliation for p in staying if p.home_table == t.id)
             for t in group}
    frequency = Counter(p.affiliation for p in moving)
    seat: dict[int, int] = {}
    for person in sorted(moving, key=lambda p: (-frequency[p.affiliation],
                                                p.affiliation or "", p.id)):
        table = min((t.id for t in group if room[t.id] > 0),
                    key=lambda t: (kinds[t][person.affiliation], -room[t], t))
        seat[person.id] = table
        room[table] -= 1
        kinds[table][person.affiliation] += 1
    return seat


class _ThemeHomes:
    """One theme's home tables under re-balance: who of the movable people sits where,
    and every table's count of each kind (the kept people's included)."""

    def __init__(self, group: Sequence[Table], staying: Sequence[Person],
                 seat: dict[int, int], kind_of: Mapping[int, str | None]) -> None:
        self.tables = [t.id for t in group]
        self.capacity = {t.id: t.capacity for t in group}
        self.seat = dict(seat)
        self.kinds: dict[int, Counter[str | None]] = {t.id: Counter() for t in group}
        self.movers: dict[int, dict[str | None, list[int]]] = {t.id: {} for t in group}
        for person in staying:
            self.kinds[person.home_table][person.affiliation] += 1
        for person, table in sorted(seat.items()):
            self.kinds[table][kind_of[person]] += 1
            self.movers[table].setdefault(kind_of[person], []).append(person)
        self.scores = {t: self.table_score(self.kinds[t]) for t in self.tables}

    @staticmethod
    def table_score(counts: Mapping[str | None, int],
                    change: Mapping[str | None, int] | None = None) -> tuple[int, int, int]:
        """(size², people beyond half the table of one kind, the mix score) of a table's
        counts after `change` (kind -> people more or fewer): summed over the tables,
        lower is better in this order; the squares of the sizes are least when even."""
        change = change or {}
        size = sum(counts.values()) + sum(change.values())
        known = [counts.get(kind, 0) + change.get(kind, 0)
                 for kind in {*counts, *change} if kind is not None]
        return size * size, sum(max(0, 2 * c - size) for c in known), mix_cost(known)

    def score(self) -> tuple[int, int, int]:
        """The whole theme's score: its tables' summed."""
        sizes, halves, mix = zip(*self.scores.values(), strict=True)
        return sum(sizes), sum(halves), sum(mix)

    def _gains(self, here: int, there: int, leaving: str | None,
               coming: str | None = None) -> bool:
        """Whether one of `leaving` going from here to there (and, in a trade, one of
        `coming` the other way) lowers the score."""
        trade = {} if coming is None else {coming: 1}
        after_here = self.table_score(self.kinds[here], {leaving: -1, **trade})
        after_there = self.table_score(
            self.kinds[there], {leaving: 1} if coming is None else {leaving: 1, coming: -1})
        before_here, before_there = self.scores[here], self.scores[there]
        return (tuple(a + b for a, b in zip(after_here, after_there, strict=True))
                < tuple(a + b for a, b in zip(before_here, before_there, strict=True)))

    def _go(self, here: int, there: int, kind: str | None) -> None:
        person = self.movers[here][kind].pop()
        self.movers[there].setdefault(kind, []).append(person)
        self.seat[person] = there
        self.kinds[here][kind] -= 1
        self.kinds[there][kind] += 1
        for table in (here, there):
            self.scores[table] = self.table_score(self.kinds[table])

    def _has_room(self, table: int) -> bool:
        capacity = self.capacity[table]
        return capacity is None or sum(self.kinds[table].values()) < capacity

    def improve(self) -> None:
        """Moves and trades of one person each way while the score falls (the last of a
        kind to come to a table is the first to go)."""
        changed = True
        while changed:
            changed = False
            for here, there in itertools.permutations(self.tables, 2):
                counts_here, counts_there = self.kinds[here], self.kinds[there]
                for kind in [k for k, movers in self.movers[here].items() if movers]:
                    # a move to a table as full or fuller makes the sizes less even
                    if (counts_here.total() > counts_there.total() and self._has_room(there)
                            and self._gains(here, there, kind)):
                        self._go(here, there, kind)
                        changed = True
                        continue
                    # with nobody beyond half at either table, a trade that does not
                    # take a kind to where it has fewer only raises the mix score
                    calm = not self.scores[here][1] and not self.scores[there][1]
                    for other in [k for k, movers in self.movers[there].items()
                                  if movers and k != kind]:
                        if calm and counts_here[kind] <= counts_there[kind] \
                                and counts_there[other] <= counts_here[other]:
                            continue
                        if self.movers[here].get(kind) and self._gains(
                                here, there, kind, other):
                            self._go(here, there, kind)
                            self._go(there, here, other)
                            changed = True


def count_repeat_pairs(
    rounds: Iterable[Iterable[Iterable[int]]], excluded: Iterable[int] = ()
) -> int:
    """Meetings beyond the first, summed over pairs; `rounds` holds the groups of each round.

    Pass only the rounds that count (leave out a return round) and exclude the hosts.
    """
    skip = set(excluded)
    meetings: Counter[tuple[int, int]] = Counter()
    for groups in rounds:
        for group in groups:
            seated = sorted(p for p in group if p not in skip)
            for i, first in enumerate(seated):
                for second in seated[i + 1 :]:
                    meetings[first, second] += 1
    return sum(count - 1 for count in meetings.values())


def plan_seating(
    people: Sequence[Person],
    tables: Sequence[Table],
    rounds: int,
    *,
    seed: int = 0,
    time_limit: float = 2.0,
    fixed: Sequence[dict[int, int]] | None = None,
    return_round: bool = False,
    met_before: Iterable[tuple[int, int]] = (),
    clock: Callable[[], float],
) -> Plan:
    """Seat `people` at `tables` for `rounds` rounds (home round and return round included).

    `fixed[r]` maps person id -> table id for seats already taken in round r (live
    re-planning: latecomers, manual moves); those seats are never changed. `met_before`
    holds pairs of person ids who met in an earlier event of a series: they count as
    having met once, so the plan keeps them apart as it keeps apart a pair that met in
    an earlier round (fewest repeats over the whole series). `clock` gives
    seconds (time.monotonic on the server, a fake clock in tests): the search reads it to
    keep within `time_limit`, so the same seed gives the same plan unless the time limit cuts
    the search short.
    """
    started = clock()
    fixed = fixed or []
    _check(people, tables, rounds, fixed, return_round, time_limit)
    instance = Instance(people, tables, rounds, fixed, return_round, met_before)
    rng = random.Random(seed)
    # the last few percent of the budget are left for building the result
    deadline = started + 0.95 * time_limit
    baseline: Plan | None = None
    begun = started
    if instance.met_before:
        ignoring = Instance(people, tables, rounds, fixed, return_round)
        budget = Budget(clock, started, started + BASELINE_SHARE * (deadline - started))
        baseline = _plan_of(instance, solve(ignoring, rng, budget), budget.steps, seconds=0)
        begun = budget.now  # its last reading of the clock
    budget = Budget(clock, begun, deadline)
    plan = _plan_of(instance, solve(instance, rng, budget), budget.steps, seconds=0)
    if baseline is not None:
        plan = _within_baseline(plan, baseline)
    return replace(plan, seconds=clock() - started)


BASELINE_SHARE = 0.2
"""The share of a series plan's time spent first on a plan that ignores the earlier events
(Plan.series_repeat_bound); the plan that keeps them apart gets the rest."""


def _within_baseline(mindful: Plan, baseline: Plan) -> Plan:
    """The plan to give of the two, with the bound on its series repeats: the plan that
    keeps apart who met before, unless the one that ignores them is better in the planner's
    first objective (fewer theme misses) or, at as many, meets fewer of those pairs."""
    chosen = baseline if _series_rank(baseline) < _series_rank(mindful) else mindful
    return replace(chosen, search_steps=mindful.search_steps + baseline.search_steps,
                   series_repeat_bound=max(baseline.series_repeat_pairs,
                                           chosen.series_repeat_pairs))


def _series_rank(plan: Plan) -> tuple[int, int]:
    return len(plan.theme_misses), plan.series_repeat_pairs


def _check(
    people: Sequence[Person],
    tables: Sequence[Table],
    rounds: int,
    fixed: Sequence[dict[int, int]],
    return_round: bool,
    time_limit: float,
) -> None:
    """Refuse a request no plan can answer, in words the facilitator can act on."""
    if time_limit < 0:
        raise Refusal("refused", "the time limit must not be negative")
    if rounds < 1:
        raise Refusal("refused", N_("at least one round is needed (got %(rounds)s)"),
                      rounds=rounds)
    if return_round and rounds < 2:
        raise Refusal("refused", "a return round needs at least two rounds")
    if not tables:
        raise Refusal("refused", "there are no tables")
    if not people:
        raise Refusal("refused", N_("there are no people to seat"))
    if len(tables) > len(people):
        raise Refusal(
            "refused",
            N_("more tables (%(tables)s) than people (%(people)s): "
               "every table needs at least one person"),
            tables=len(tables), people=len(people),
        )
    if len(fixed) > rounds:
        raise Refusal(
            "refused",
            f"fixed seats are given for {len(fixed)} rounds but there are only {rounds}"
        )
    for what, ids in (("table", [t.id for t in tables]), ("person", [p.id for p in people])):
        twice = [key for key, count in Counter(ids).items() if count > 1]
        if twice:
            raise Refusal("refused", f"{what} {twice[0]} appears twice")
    for table in tables:
        if table.capacity is not None and table.capacity < 1:
            raise Refusal(
                "refused",
                f"table {table.id} has capacity {table.capacity}; it must be 1 or more"
            )
    capacity = sum(t.capacity if t.capacity is not None else len(people) for t in tables)
    if capacity < len(people):
        raise Refusal("refused", N_("the tables seat only %(capacity)s people but there "
                                    "are %(people)s"), capacity=capacity, people=len(people))


def _plan_of(instance: Instance, seat: list[list[int]], steps: int, seconds: float) -> Plan:
    """The plan by ids, with its figures; the bounds assume what the plan itself keeps."""
    rows = seat + ([seat[0]] if instance.return_round else [])
    rounds = []
    for row in rows:
        seating: dict[int, list[int]] = {t.id: [] for t in instance.tables}
        for person, table in enumerate(row):
            seating[instance.tables[table].id].append(instance.people[person].id)
        rounds.append({table: sorted(seated) for table, seated in seating.items()})
    hosts = {p.id for p in instance.people if p.is_host}
    counted = [seating.values() for seating in rounds[: instance.counted]]
    revisit_free = all(
        len({row[p] for row in seat}) == instance.counted for p in instance.travellers
    )
    misses = _misses(instance, seat)
    covered = instance.cover > 0 and not misses
    met_before = {(instance.people[a].id, instance.people[b].id)
                  for a, b in instance.met_before}
    return Plan(
        rounds=rounds,
        repeat_pairs=count_repeat_pairs(counted, excluded=hosts),
        lower_bound=bounds.repeat_bound(instance, barred=revisit_free, covered=covered),
        seconds=seconds,
        return_round=instance.return_round,
        theme_misses=misses,
        search_steps=steps,
        series_repeat_pairs=count_series_repeats(counted, met_before, excluded=hosts),
        series_lower_bound=bounds.series_bound(instance),
    )


def count_series_repeats(rounds: Iterable[Iterable[Iterable[int]]],
                         met_before: Iterable[tuple[int, int]],
                         excluded: Iterable[int] = ()) -> int:
    """Meetings, over `rounds` (the groups of each round that counts), of the pairs in
    `met_before` (person ids, in either order): who meets again across a series."""
    skip = set(excluded)
    before = {frozenset(pair) for pair in met_before}
    again = 0
    for groups in rounds:
        for group in groups:
            seated = sorted(p for p in group if p not in skip)
            again += sum(frozenset((first, second)) in before
                         for i, first in enumerate(seated) for second in seated[i + 1:])
    return again


@dataclass(frozen=True)
class RepeatFigures:
    """The repeats of a stored plan read back, with the bounds a plan would report."""

    repeat_pairs: int
    lower_bound: int
    series_repeat_pairs: int
    series_lower_bound: int
    series_repeat_bound: int


def repeat_figures(people: Sequence[Person], tables: Sequence[Table],
                   seats: Sequence[dict[int, int]],
                   met_before: Iterable[tuple[int, int]] = (),
                   series_repeat_bound: int | None = None) -> RepeatFigures:
    """What a plan reports of its repeats (`repeat_pairs`, `lower_bound`, and across a
    series `series_repeat_pairs`, `series_lower_bound`, `series_repeat_bound`), for seats
    read back: `seats[r]` maps every person id to a table id in round r (home round first,
    no return round); the home round is given (the people's home tables), the rest the
    planner's. `series_repeat_bound` is the one the plan reported (kept with it: it cannot
    be recomputed from the seats); None for seats nobody planned, which bound themselves."""
    instance = Instance(people, tables, len(seats), [], False, met_before)
    seat = [[instance.table_index[row[p.id]] for p in instance.people] for row in seats]
    counted = [[[p for p, t in row.items() if t == table.id] for table in tables]
               for row in seats]
    revisit_free = all(len({row[p] for row in seat}) == instance.counted
                       for p in instance.travellers)
    covered = instance.cover > 0 and not _misses(instance, seat)
    met = [(instance.people[a].id, instance.people[b].id) for a, b in instance.met_before]
    again = count_series_repeats(counted, met)
    return RepeatFigures(
        repeat_pairs=count_repeat_pairs(counted),
        lower_bound=bounds.repeat_bound(instance, barred=revisit_free, covered=covered),
        series_repeat_pairs=again,
        series_lower_bound=bounds.series_bound(instance),
        series_repeat_bound=again if series_repeat_bound is None else series_repeat_bound)


def theme_misses(
    people: Sequence[Person],
    tables: Sequence[Table],
    seats: Sequence[dict[int, int]],
    given: Sequence[dict[int, int]] = (),
) -> tuple[ThemeMiss, ...]:
    """What a plan reports as `theme_misses`, for seats read back (a live event's stored
    plan): `seats[r]` maps every person id to a table id in round r (home round first, no
    return round), `given[r]` the seats placed by hand; home tables come with the people."""
    instance = Instance(people, tables, len(seats), given, return_round=False)
    seat = [[instance.table_index[row[p.id]] for p in instance.people] for row in seats]
    return _misses(instance, seat)


def _misses(instance: Instance, seat: list[list[int]]) -> tuple[ThemeMiss, ...]:
    return tuple(
        ThemeMiss(
            person=instance.people[person].id,
            themes=tuple(instance.theme_names[theme] for theme in left_out),
            reason=reason,
        )
        for person, left_out, reason in coverage.misses(instance, seat)
    )
