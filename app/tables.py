"""Tables and the seating/rotation planner for World Café rounds: pure, no I/O.

The planner takes plain data (people, tables, a number of rounds), a seed and a clock, and
returns a `Plan`. Round 0 is the home round; later rounds are the moves; with
`return_round=True` the last round sends everyone back to their home table.

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

Objectives, in order: fewest repeated pairs, an even mix of affiliations at every table,
the chosen theme at the home table, and as many distinct themes per traveller as possible.

A *repeat* is an extra meeting: two travellers at one table in a round after they already
met in an earlier round. `repeat_pairs` sums, over pairs, the meetings beyond the first (a
pair that meets three times counts 2). The home round counts as a meeting; the return
round and pairs that include a host do not count (a host meets whoever comes to the table).
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from app.i18n import N_
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
class Plan:
    """Who sits where: `rounds[r][table id]` lists the person ids at that table in round r.

    `repeat_pairs` counts meetings beyond the first, summed over pairs of travellers (return
    round and hosts excluded); `lower_bound` is a proven lower bound on it for any plan with
    the same table sizes; `seconds` is the planning time read from the clock.
    """

    rounds: list[dict[int, list[int]]]
    repeat_pairs: int
    lower_bound: int
    seconds: float
    return_round: bool = False

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


def choose_home_table(tables: Sequence[Table], occupancy: dict[int, int], theme: str | None) -> int:
    """The home table for someone joining now: the least occupied table of their theme.

    Without a matching table (or theme) the least occupied table overall; full tables are
    skipped unless every table is full. Ties go to the lowest id.
    """
    if not tables:
        raise Refusal("refused", "there are no tables")

    def has_room(table: Table) -> bool:
        return table.capacity is None or occupancy.get(table.id, 0) < table.capacity

    themed = [t for t in tables if theme is not None and t.theme == theme]
    pool = (
        [t for t in themed if has_room(t)]
        or [t for t in tables if has_room(t)]
        or list(tables)
    )
    return min(pool, key=lambda t: (occupancy.get(t.id, 0), t.id)).id


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
    clock: Callable[[], float] = time.monotonic,
) -> Plan:
    """Seat `people` at `tables` for `rounds` rounds (home round and return round included).

    `fixed[r]` maps person id -> table id for seats already taken in round r (live
    re-planning: latecomers, manual moves); those seats are never changed. The same seed
    gives the same plan unless the time limit cuts the search short.
    """
    started = clock()
    if time_limit < 0:
        raise Refusal("refused", "the time limit must not be negative")
    instance = _Instance(people, tables, rounds, fixed or [], return_round)
    rng = random.Random(seed)
    search = _Search(instance, _construct(instance, rng), rng)
    # the last few percent of the budget are left for building the result
    search.run(
        started=started,
        deadline=started + 0.95 * time_limit,
        clock=clock,
        construct=lambda: _construct(instance, rng),
    )
    return instance.plan_of(search.best, seconds=clock() - started)


# --- the request, checked and indexed ------------------------------------------------------

_UNSET = -1


def _pairs(count: int) -> int:
    return count * (count - 1) // 2


def _triples(visits: int) -> int:
    """The cost of sitting `visits` times at one table: 0, 0, 1, 4, 10... (C(visits + 1, 3))."""
    return (visits + 1) * visits * (visits - 1) // 6


def _split_pairs(count: int, parts: int) -> int:
    """Fewest pairs that stay together when `count` people spread over `parts` tables."""
    parts = max(parts, 1)
    whole, rest = divmod(count, parts)
    return rest * _pairs(whole + 1) + (parts - rest) * _pairs(whole)


class _Instance:
    """The request with ids mapped to indexes, every given seat checked, sizes decided."""

    def __init__(
        self,
        people: Sequence[Person],
        tables: Sequence[Table],
        rounds: int,
        fixed: Sequence[dict[int, int]],
        return_round: bool,
    ) -> None:
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
        self.people = list(people)
        self.tables = list(tables)
        self.rounds = rounds
        self.return_round = return_round
        self.counted = rounds - 1 if return_round else rounds
        self.size = len(people)
        self.table_count = len(tables)
        self.table_index = _index_of((t.id for t in tables), "table")
        self.person_index = _index_of((p.id for p in people), "person")
        for table in tables:
            if table.capacity is not None and table.capacity < 1:
                raise Refusal(
                    "refused",
                    f"table {table.id} has capacity {table.capacity}; it must be 1 or more"
                )
        capacity = sum(t.capacity if t.capacity is not None else self.size for t in tables)
        if capacity < self.size:
            raise Refusal("refused", N_("the tables seat only %(capacity)s people but there "
                                        "are %(people)s"), capacity=capacity, people=self.size)

        self.is_host = [p.is_host for p in people]
        self.travellers = [i for i, p in enumerate(people) if not p.is_host]
        affiliations = {
            a: i for i, a in enumerate(sorted({p.affiliation for p in people if p.affiliation}))
        }
        self.affiliation_kinds = len(affiliations)
        self.affiliation = [affiliations.get(p.affiliation, _UNSET) for p in people]
        themes = {t: i for i, t in enumerate(sorted({t.theme for t in tables if t.theme}))}
        self.table_theme = [themes.get(t.theme, _UNSET) for t in tables]
        self.theme = [themes.get(p.theme, _UNSET) for p in people]
        self.theme_kinds = len(themes)

        fixed_seats = [self._fixed_round(r, seats) for r, seats in enumerate(fixed)]
        self.home = self._homes(fixed_seats)
        self.host_count = [0] * self.table_count
        for person, table in self.home.items():
            if self.is_host[person]:
                self.host_count[table] += 1
        self.pinned = self._pinned(fixed_seats)
        self.base, self.flex, self.extras = [], [], []
        for r in range(self.counted):
            base, flex, extras = self._sizes(r)
            self.base.append(base)
            self.flex.append(flex)
            self.extras.append(extras)
        # a table already filled by its hosts cannot take travellers, so it does not count
        open_tables = min(
            sum(b > h or f for b, h, f in zip(base, self.host_count, flex, strict=True))
            for base, flex in zip(self.base, self.flex, strict=True)
        )
        self.no_revisit = self.counted <= open_tables

    def _table(self, table_id: int, where: str) -> int:
        if table_id not in self.table_index:
            raise Refusal("refused", f"unknown table {table_id} in {where}")
        return self.table_index[table_id]

    def _fixed_round(self, r: int, seats: dict[int, int]) -> dict[int, int]:
        where = f"the fixed seats of round {r + 1}"
        indexed = {}
        for person_id, table_id in seats.items():
            if person_id not in self.person_index:
                raise Refusal("refused", f"unknown person {person_id} in {where}")
            indexed[self.person_index[person_id]] = self._table(table_id, where)
        return indexed

    def _homes(self, fixed_seats: list[dict[int, int]]) -> dict[int, int]:
        """Home tables already decided: given ones, fixed home/return seats, and the hosts'."""
        home: dict[int, int] = {}

        def settle(person: int, table: int, reason: str) -> None:
            if home.setdefault(person, table) != table:
                raise Refusal(
                    "refused",
                    f"person {self.people[person].id} has home table "
                    f"{self.tables[home[person]].id} but {reason} puts them at table "
                    f"{self.tables[table].id}"
                )

        for person, p in enumerate(self.people):
            if p.home_table is not None:
                home[person] = self._table(p.home_table, f"the home table of person {p.id}")
        for r, seats in enumerate(fixed_seats):
            for person, table in seats.items():
                if r == 0:
                    settle(person, table, "a fixed seat in round 1")
                elif self.return_round and r == self.rounds - 1:
                    settle(person, table, "the return round")
                elif self.is_host[person]:
                    settle(person, table, f"a fixed seat in round {r + 1} (hosts stay put)")
        hosted = Counter(home[p] for p in home if self.is_host[p])
        for person, p in enumerate(self.people):
            if p.is_host and person not in home:
                table = min(
                    range(self.table_count),
                    key=lambda t: (
                        hosted[t],
                        self.table_theme[t] != self.theme[person] or self.theme[person] < 0,
                        t,
                    ),
                )
                home[person] = table
                hosted[table] += 1
        return home

    def _pinned(self, fixed_seats: list[dict[int, int]]) -> list[dict[int, int]]:
        """Per counted round, the travellers whose seat is given (hosts are kept apart)."""
        pinned: list[dict[int, int]] = [{} for _ in range(self.counted)]
        for person, table in self.home.items():
            if not self.is_host[person]:
                pinned[0][person] = table
        for r, seats in enumerate(fixed_seats[: self.counted]):
            for person, table in seats.items():
                if not self.is_host[person]:
                    pinned[r][person] = table
        return pinned

    def _sizes(self, r: int) -> tuple[list[int], list[bool], int]:
        """Table sizes for round r: given seats first, everyone else filled in evenly.

        Returns the base size of every table, which tables may take one extra person, and
        how many extra persons there are.
        """
        low = list(self.host_count)
        for table in self.pinned[r].values():
            low[table] += 1
        high = [t.capacity if t.capacity is not None else self.size for t in self.tables]
        for t, (seated, limit) in enumerate(zip(low, high, strict=True)):
            if seated > limit:
                raise Refusal(
                    "refused",
                    N_("table %(table)s is full (capacity %(capacity)s): round %(round)s "
                       "already gives it %(seated)s people"),
                    table=self.tables[t].id, capacity=limit, round=r + 1, seated=seated,
                )

        def filled(level: int) -> int:
            return sum(min(max(level, lo), hi) for lo, hi in zip(low, high, strict=True))

        bottom, top = 0, self.size
        while bottom < top:
            middle = (bottom + top) // 2
            if filled(middle) >= self.size:
                top = middle
            else:
                bottom = middle + 1
        base = [min(max(bottom - 1, lo), hi) for lo, hi in zip(low, high, strict=True)]
        flex = [min(max(bottom, lo), hi) > b for lo, hi, b in zip(low, high, base, strict=True)]
        return base, flex, self.size - sum(base)

    def traveller_sizes(self, r: int) -> tuple[list[int], list[bool], int]:
        base, flex, extras = self.base[r], self.flex[r], self.extras[r]
        return [b - h for b, h in zip(base, self.host_count, strict=True)], flex, extras

    def lower_bound(self, barred: bool) -> int:
        """A lower bound on repeat_pairs for every plan with these table sizes.

        Counting: the rounds hold at least M traveller pairs but only C(n, 2) distinct pairs
        exist, so at least M - C(n, 2) meetings repeat (this implies the per-person bound).
        Pigeonhole: the k travellers of a table in an earlier round spread over the tables
        of a later round (minus their own table when `barred`, i.e. for plans without
        revisits), so some of them meet again; likewise for the arrivals at a table.
        """
        travellers = len(self.travellers)
        sizes = [self.traveller_sizes(r) for r in range(self.counted)]
        total = sum(
            _least(base, flex, extras, lambda count, _: _pairs(count))
            for base, flex, extras in sizes
        )
        counting = total - _pairs(travellers)
        pigeonhole = 0
        for later in range(1, self.counted):
            pigeonhole += max(
                max(
                    self._spread_bound(sizes[earlier], sizes[later], barred),
                    self._spread_bound(sizes[later], sizes[earlier], barred),
                )
                for earlier in range(later)
            )
        return max(0, counting, pigeonhole)

    def pair_bound(self, barred: bool) -> int:
        """A lower bound on the sum over traveller pairs of C(meetings, 2), what the search
        minimises: that sum counts, for every two rounds, the pairs that meet in both.

        Per two rounds the pigeonhole bound above; overall the meetings spread as evenly as
        possible over the C(n, 2) pairs.
        """
        sizes = [self.traveller_sizes(r) for r in range(self.counted)]
        total = sum(
            _least(base, flex, extras, lambda count, _: _pairs(count))
            for base, flex, extras in sizes
        )
        counting = _split_pairs(total, _pairs(len(self.travellers)))
        pigeonhole = sum(
            max(
                self._spread_bound(sizes[earlier], sizes[later], barred),
                self._spread_bound(sizes[later], sizes[earlier], barred),
            )
            for later in range(1, self.counted)
            for earlier in range(later)
        )
        return max(counting, pigeonhole, self.lower_bound(barred))

    @staticmethod
    def _spread_bound(
        groups: tuple[list[int], list[bool], int],
        targets: tuple[list[int], list[bool], int],
        barred: bool,
    ) -> int:
        """Fewest pairs of one round's groups that must sit together in another round."""
        target_base, target_flex, target_extras = targets
        open_tables = [
            b > 0 or (f and target_extras > 0)
            for b, f in zip(target_base, target_flex, strict=True)
        ]
        reachable = sum(open_tables)
        base, flex, extras = groups

        def parts(table: int) -> int:
            return reachable - (1 if barred and open_tables[table] else 0)

        def pairs_left(count: int, table: int) -> int:
            return _split_pairs(count, parts(table))

        return _least(base, flex, extras, pairs_left)

    def plan_of(self, seat: list[list[int]], seconds: float) -> Plan:
        rows = seat + ([seat[0]] if self.return_round else [])
        rounds = []
        for row in rows:
            seating: dict[int, list[int]] = {t.id: [] for t in self.tables}
            for person, table in enumerate(row):
                seating[self.tables[table].id].append(self.people[person].id)
            rounds.append({table: sorted(seated) for table, seated in seating.items()})
        hosts = {p.id for p in self.people if p.is_host}
        counted = [seating.values() for seating in rounds[: self.counted]]
        revisit_free = all(
            len({row[p] for row in seat}) == self.counted for p in self.travellers
        )
        return Plan(
            rounds=rounds,
            repeat_pairs=count_repeat_pairs(counted, excluded=hosts),
            lower_bound=self.lower_bound(barred=revisit_free),
            seconds=seconds,
            return_round=self.return_round,
        )


def _index_of(keys: Iterable[int], what: str) -> dict[int, int]:
    """Position of every id; `what` names the ids if one appears twice."""
    index: dict[int, int] = {}
    for key in keys:
        if key in index:
            raise Refusal("refused", f"{what} {key} appears twice")
        index[key] = len(index)
    return index


def _least(
    base: list[int], flex: list[bool], extras: int, cost: Callable[[int, int], int]
) -> int:
    """The smallest total of cost(people, table) over the ways of handing out the extra
    seats to flexible tables (one each); exact because every cost here is convex."""
    total = sum(cost(count, t) for t, count in enumerate(base))
    rises = sorted(cost(count + 1, t) - cost(count, t) for t, count in enumerate(base) if flex[t])
    return total + sum(rises[:extras])


# --- construction ------------------------------------------------------------------------


def _construct(instance: _Instance, rng: random.Random) -> list[list[int]]:
    """A first plan that keeps the rules: an affine plane when one fits, then greedy rounds."""
    builder = _Builder(instance, rng)
    design = _affine_rounds(instance)
    for r in range(instance.counted):
        builder.take(builder.relabelled(design[r]) if r < len(design) else builder.greedy_round(r))
    return builder.seat


class _Builder:
    """Seats round after round, each person at the allowed table with the fewest old friends."""

    def __init__(self, instance: _Instance, rng: random.Random) -> None:
        self.instance = instance
        self.rng = rng
        self.seat: list[list[int]] = []
        self.meet: list[dict[int, int]] = [{} for _ in range(instance.size)]
        self.visited: list[Counter[int]] = [Counter() for _ in range(instance.size)]
        self.theme_seen: list[Counter[int]] = [Counter() for _ in range(instance.size)]

    def take(self, row: list[int]) -> None:
        instance = self.instance
        groups: list[list[int]] = [[] for _ in range(instance.table_count)]
        for person in instance.travellers:
            table = row[person]
            groups[table].append(person)
            self.visited[person][table] += 1
            if instance.table_theme[table] != _UNSET:
                self.theme_seen[person][instance.table_theme[table]] += 1
        for group in groups:
            for i, first in enumerate(group):
                for second in group[i + 1 :]:
                    self.meet[first][second] = self.meet[first].get(second, 0) + 1
                    self.meet[second][first] = self.meet[second].get(first, 0) + 1
        self.seat.append(row)

    def relabelled(self, row: list[int]) -> list[int]:
        """The same groups, each sent to the table its members have visited least."""
        tables = range(self.instance.table_count)
        visits = [[0] * len(tables) for _ in tables]
        for person, group in enumerate(row):
            for table, times in self.visited[person].items():
                visits[group][table] += times
        label: dict[int, int] = {}
        for _, group, table in sorted((visits[g][t], g, t) for g in tables for t in tables):
            if group not in label and table not in label.values():
                label[group] = table
        return [label[group] for group in row]

    def greedy_round(self, r: int) -> list[int]:
        """Round r: given seats first, then everyone else in random order; a person with no
        allowed table left makes room through `_augment`, or, failing that, sits twice."""
        instance = self.instance
        self.round = r
        self.row = [_UNSET] * instance.size
        self.count = [0] * instance.table_count
        self.groups: list[list[int]] = [[] for _ in range(instance.table_count)]
        self.affiliations = [[0] * instance.affiliation_kinds for _ in range(instance.table_count)]
        for person, table in instance.home.items():
            if instance.is_host[person]:
                self._place(person, table)
        for person, table in instance.pinned[r].items():
            self._place(person, table)
        free = [p for p in instance.travellers if self.row[p] == _UNSET]
        self.rng.shuffle(free)
        self.room = self._room(free)
        self.movable = set(free)
        for person in free:
            table = self._best_table(person, strict=True)
            if table is not None:
                self._place(person, table)
            elif not self._augment(person):
                self._place(person, self._best_table(person, strict=False))
        return self.row

    def _allowed(self, person: int, table: int) -> bool:
        return self.round == 0 or not self.instance.no_revisit or table not in self.visited[person]

    def _place(self, person: int, table: int) -> None:
        self.row[person] = table
        self.count[table] += 1
        if not self.instance.is_host[person]:
            self.groups[table].append(person)
        kind = self.instance.affiliation[person]
        if kind != _UNSET:
            self.affiliations[table][kind] += 1

    def _unplace(self, person: int) -> None:
        table = self.row[person]
        self.row[person] = _UNSET
        self.count[table] -= 1
        self.groups[table].remove(person)
        kind = self.instance.affiliation[person]
        if kind != _UNSET:
            self.affiliations[table][kind] -= 1

    def _room(self, free: list[int]) -> list[int]:
        """Table sizes for this round: the extra seats go where the demand is highest."""
        instance, r = self.instance, self.round
        room = list(instance.base[r])
        flexible = [t for t in range(instance.table_count) if instance.flex[r][t]]
        if r == 0:
            tables_of_theme = Counter(instance.table_theme)
            wanted = Counter(instance.theme[p] for p in free)
            need = [
                wanted[theme] / tables_of_theme[theme] if theme != _UNSET else 0.0
                for theme in instance.table_theme
            ]
        else:
            rounds_left = instance.counted - r
            need = [
                sum(self._allowed(p, t) for p in free) / rounds_left - (room[t] - self.count[t])
                for t in range(instance.table_count)
            ]
        flexible.sort(key=lambda t: (-need[t], self.rng.random()))
        for table in flexible[: instance.extras[r]]:
            room[table] += 1
        return room

    def _best_table(self, person: int, strict: bool) -> int | None:
        """The open table where this person meets the fewest old friends, then mixes best."""
        instance = self.instance
        conflicts = [0] * instance.table_count
        for other, times in self.meet[person].items():
            table = self.row[other]
            if table != _UNSET:
                conflicts[table] += times
        kind = instance.affiliation[person]
        wanted = instance.theme[person]
        seen = self.theme_seen[person]
        visited = self.visited[person]
        best, best_key, ties = None, None, 0
        for table in range(instance.table_count):
            full = self.count[table] >= self.room[table]
            if full or (strict and not self._allowed(person, table)):
                continue
            theme = instance.table_theme[table]
            if self.round == 0:
                theme_cost = wanted != _UNSET and theme != wanted
            else:
                theme_cost = seen[theme] if theme != _UNSET else 0
            key = (
                conflicts[table],
                visited[table],
                self.affiliations[table][kind] if kind != _UNSET else 0,
                theme_cost,
            )
            if best_key is None or key < best_key:
                best, best_key, ties = table, key, 1
            elif key == best_key:
                ties += 1
                if self.rng.randrange(ties) == 0:
                    best = table
        return best

    def _augment(self, person: int) -> bool:
        """Make room at an allowed table by moving others along a chain of allowed tables."""
        came_from: dict[int, tuple[int, int] | None] = {}
        queue: deque[int] = deque()
        for table in range(self.instance.table_count):
            if self._allowed(person, table):
                came_from[table] = None
                queue.append(table)
        while queue:
            table = queue.popleft()
            if self.count[table] < self.room[table]:
                step = came_from[table]
                while step is not None:
                    previous, mover = step
                    self._unplace(mover)
                    self._place(mover, table)
                    table, step = previous, came_from[previous]
                self._place(person, table)
                return True
            for mover in self.groups[table]:
                if mover not in self.movable:
                    continue
                for target in range(self.instance.table_count):
                    if target not in came_from and self._allowed(mover, target):
                        came_from[target] = (table, mover)
                        queue.append(target)
        return False


def _affine_rounds(instance: _Instance) -> list[list[int]]:
    """The parallel classes of the affine plane of order q for q*q people at q tables.

    Any two people meet exactly once over q + 1 rounds, so there are no repeats at all. It
    fits only an unconstrained request with more rounds than tables (each person then sits
    at some table twice, which the rules allow in that case).
    """
    q = instance.table_count
    constrained = (
        any(instance.pinned)
        or any(instance.is_host)
        or any(t.capacity is not None and t.capacity < q for t in instance.tables)
    )
    if instance.size != q * q or instance.counted <= q or constrained:
        return []
    field = _galois_field(q)
    if field is None:
        return []
    add, multiply = field
    negative = [add[a].index(0) for a in range(q)]
    points = [divmod(person, q) for person in range(q * q)]
    rows = [[x for x, _ in points]]
    for slope in range(q):
        rows.append([add[y][negative[multiply[slope][x]]] for x, y in points])
    return rows


def _galois_field(order: int) -> tuple[list[list[int]], list[list[int]]] | None:
    """Addition and multiplication tables of GF(order), or None unless order = p**k."""
    prime = next((p for p in range(2, order + 1) if order % p == 0), None)
    if prime is None:
        return None
    degree, rest = 0, order
    while rest % prime == 0:
        rest //= prime
        degree += 1
    if rest != 1:
        return None

    def digits(number: int) -> list[int]:
        return [(number // prime**i) % prime for i in range(degree)]

    def number_of(coefficients: list[int]) -> int:
        return sum(c * prime**i for i, c in enumerate(coefficients))

    add = [
        [number_of([(x + y) % prime for x, y in zip(digits(a), digits(b), strict=True)])
         for b in range(order)]
        for a in range(order)
    ]

    def product(a: int, b: int, low: list[int]) -> int:
        """a * b modulo the monic polynomial x**degree + low[k-1] x**(k-1) + ... + low[0]."""
        result = [0] * (2 * degree - 1)
        for i, x in enumerate(digits(a)):
            for j, y in enumerate(digits(b)):
                result[i + j] += x * y
        for top in range(2 * degree - 2, degree - 1, -1):
            carry = result[top] % prime
            result[top] = 0
            for j, c in enumerate(low):
                result[top - degree + j] -= carry * c
        return number_of([c % prime for c in result[:degree]])

    for modulus in range(order):
        low = digits(modulus)
        multiply = [[product(a, b, low) for b in range(order)] for a in range(order)]
        if all(1 in multiply[a] for a in range(1, order)):
            return add, multiply
    return None


# --- local search ------------------------------------------------------------------------

_TAU_COOL, _TAU_HOT = 0.15, 2.0  # where cycles start: from a construction, after a kick
_TAU_END = 0.02
_ROTATE_SHARE = 0.5  # rotations; chains take 20 %, seat moves and group swaps 15 %, swaps the rest
_CLOCK_EVERY = 64
_HOT_EVERY = 512
_CYCLE_MIN, _CYCLE_MAX = 500, 10000
_PATIENCE = 2  # cycles without a new best before the search starts again
_KICK_MIN, _KICK_SHARE = 3, 8  # a kick: at least 3 moves, one per 8 people that can move
_TAU_KICK = 1e9  # hot enough to take any move the rules allow


def _fill(floors: list[int], count: int) -> list[int]:
    """The counts after adding `count` people one by one to the smallest: this spreads them
    as evenly as the floors allow, which minimises every convex cost of the counts."""
    counts = sorted(floors)
    if count <= 0 or not counts:
        return counts
    # raise the lowest counts to one level, then share out what is left
    level, used = counts[0], 0
    for i, value in enumerate(counts):
        if (value - level) * i + used > count:
            break
        used += (value - level) * i
        level = value
        top = i + 1
    width = top
    whole, rest = divmod(count - used, width)
    return [level + whole + (i < rest) for i in range(width)] + counts[width:]


class _Search:
    """Simulated annealing over swaps, rotations, seat moves, Kempe chains and group swaps,
    costed move by move, started again (kick or fresh construction) whenever it stalls.

    The cost is a weighted sum of the objectives in order: revisits (when barred), repeated
    pairs as the sum of C(meetings, 2) (so a third meeting costs more than a second), visits
    to a table beyond the first (when revisits cannot be avoided; a third visit costs more
    than a second), affiliation mix as the sum of squared counts per table, home-theme
    misses, and repeated themes per traveller. Each weight exceeds twice the largest change
    one move can make to everything below it, so a move is judged by the first objective it
    changes.
    """

    def __init__(self, instance: _Instance, seat: list[list[int]], rng: random.Random) -> None:
        self.instance = instance
        self.rng = rng
        people, tables, counted = instance.size, instance.table_count, instance.counted
        self.movable = [
            [p for p in instance.travellers if p not in instance.pinned[r]] for r in range(counted)
        ]
        self.is_movable = [[False] * people for _ in range(counted)]
        for r, movers in enumerate(self.movable):
            for person in movers:
                self.is_movable[r][person] = True
        self.rounds_of = [
            [r for r in range(counted) if self.is_movable[r][p]] for p in range(people)
        ]
        self.active = [p for p in instance.travellers if len(self.rounds_of[p]) > 0]
        self.flexible = [
            [t for t in range(tables) if instance.flex[r][t]] if instance.extras[r] else []
            for r in range(counted)
        ]
        self._weigh()
        self._load(seat)
        self.best = [row[:] for row in seat]
        self.best_cost = self.cost
        self.now = 0.0  # the last reading of the clock
        self.first_reading: float | None = None

    def _load(self, seat: list[list[int]]) -> None:
        """Make `seat` the current plan and count everything the deltas read."""
        instance = self.instance
        people, tables, counted = instance.size, instance.table_count, instance.counted
        kinds = instance.affiliation_kinds
        self.seat = seat
        self.members: list[list[list[int]]] = [[[] for _ in range(tables)] for _ in range(counted)]
        self.position = [[0] * people for _ in range(counted)]
        self.sizes = [list(instance.host_count) for _ in range(counted)]
        self.affiliations = [[[0] * kinds for _ in range(tables)] for _ in range(counted)]
        self.meet: list[dict[int, int]] = [{} for _ in range(people)]
        self.visits: list[dict[int, int]] = [{} for _ in range(people)]
        self.theme_seen = [[0] * instance.theme_kinds for _ in range(people)]
        for r, row in enumerate(seat):
            for person, table in enumerate(row):
                if instance.affiliation[person] != _UNSET:
                    self.affiliations[r][table][instance.affiliation[person]] += 1
            for person in instance.travellers:
                table = row[person]
                self.position[r][person] = len(self.members[r][table])
                self.members[r][table].append(person)
                self.sizes[r][table] += 1
                self.visits[person][table] = self.visits[person].get(table, 0) + 1
                if instance.table_theme[table] != _UNSET:
                    self.theme_seen[person][instance.table_theme[table]] += 1
            for group in self.members[r]:
                for first in group:
                    for second in group:
                        if first != second:
                            self.meet[first][second] = self.meet[first].get(second, 0) + 1
        self.hot: list[int] = []
        self.cost = self._total()

    def _weigh(self) -> None:
        """Weights from the last objective up; revisits are a rule when barred, else a wish.

        Bounds are per person moved in one round; a move relocates at most `movers` people
        (a chain crosses every table in two rounds, a group swap moves two tables). The
        sizes are the largest the rules allow, so the weights hold for every plan.
        """
        instance = self.instance
        largest = 1 + max(
            b + f for base, flex in zip(instance.base, instance.flex, strict=True)
            for b, f in zip(base, flex, strict=True)
        )
        rounds = instance.counted
        movers = 2 * max(instance.table_count + 2, largest)
        revisit = ("revisit", 2 * _pairs(rounds + 1), None if instance.no_revisit else 1)
        objectives = [("variety", 2 * rounds, 1), ("theme", 1, 1), ("mix", 2 * largest + 2, 2)]
        if not instance.no_revisit:
            objectives.append(revisit)
        objectives.append(("repeat", 2 * largest * rounds, 1))
        if instance.no_revisit:
            objectives.append(revisit)
        # (weight, size of one step at that level); None: never accept a worse value
        self.levels: list[tuple[int, int | None]] = []
        below = 0
        for name, bound, step in objectives:
            weight = 2 * below + 1
            setattr(self, f"w_{name}", weight)
            self.levels.insert(0, (weight, step))
            below += movers * bound * weight

    def _total(self) -> int:
        instance = self.instance
        travellers = instance.travellers
        revisits = sum(_triples(v) for p in travellers for v in self.visits[p].values())
        repeats = sum(_pairs(m) for p in travellers for m in self.meet[p].values()) // 2
        mix = sum(c * c for row in self.affiliations for table in row for c in table)
        theme = sum(
            instance.table_theme[self.seat[0][p]] != instance.theme[p]
            for p in travellers
            if instance.theme[p] != _UNSET
        )
        variety = sum(_pairs(k) for p in travellers for k in self.theme_seen[p])
        return (
            revisits * self.w_revisit
            + repeats * self.w_repeat
            + mix * self.w_mix
            + theme * self.w_theme
            + variety * self.w_variety
        )

    def _target(self) -> int:
        """The cost of a plan that meets every simple bound: nothing better exists.

        Every objective gets a lower bound of its own: the pairs that must meet again (as
        the sum of C(meetings, 2)); the affiliations and themes spread as evenly as the
        given seats (hosts, home tables, fixed seats) allow; the home-theme misses those
        seats already make.
        """
        instance = self.instance
        tables = instance.table_count
        given = [dict(instance.pinned[r]) for r in range(instance.counted)]
        for person, table in instance.home.items():
            if instance.is_host[person]:
                for seats in given:
                    seats[person] = table
        mix = 0
        for seats in given:
            floors = [[0] * tables for _ in range(instance.affiliation_kinds)]
            for person, table in seats.items():
                if instance.affiliation[person] != _UNSET:
                    floors[instance.affiliation[person]][table] += 1
            total = Counter(a for a in instance.affiliation if a != _UNSET)
            for kind, floor in enumerate(floors):
                mix += sum(c * c for c in _fill(floor, total[kind] - sum(floor)))
        theme = sum(
            instance.table_theme[table] != instance.theme[person]
            for person, table in instance.pinned[0].items()
            if instance.theme[person] != _UNSET
        )
        variety = 0
        if instance.theme_kinds and _UNSET not in instance.table_theme:
            for person in instance.travellers:
                seen = [0] * instance.theme_kinds
                for seats in instance.pinned:
                    if person in seats:
                        seen[instance.table_theme[seats[person]]] += 1
                free = instance.counted - sum(seen)
                variety += sum(_pairs(k) for k in _fill(seen, free))
        whole, rest = divmod(instance.counted, tables)
        revisits = len(instance.travellers) * (
            rest * _triples(whole + 1) + (tables - rest) * _triples(whole)
        )
        return (
            revisits * self.w_revisit
            + instance.pair_bound(barred=instance.no_revisit) * self.w_repeat
            + mix * self.w_mix
            + theme * self.w_theme
            + variety * self.w_variety
        )

    def run(
        self,
        started: float,
        deadline: float,
        clock: Callable[[], float],
        construct: Callable[[], list[list[int]]],
    ) -> None:
        """Anneal until the plan meets every bound or the time is up.

        The first search starts cool from the construction. One that stalls above the
        bounds does not stop: by turns the best plan is shaken (a few people kicked to
        other tables) and annealed again from hot, and a fresh construction is annealed
        from cool (when the time left allows building one). All randomness comes from the
        one generator, so a seed gives one plan unless the clock cuts the search short.
        """
        if not self.active:
            return
        target = self._target()
        self.now = started
        if self._anneal(target, deadline, clock, _TAU_COOL) or self.best_cost <= target:
            return
        # the construction and the set-up of the search, as read at the first check
        building = (started if self.first_reading is None else self.first_reading) - started
        attempt = 0
        while self.best_cost > target:
            attempt += 1
            if attempt % 2 == 0 and deadline - self.now > 4 * building:
                self._load(construct())
                if self.cost < self.best_cost:
                    self.best_cost, self.best = self.cost, [row[:] for row in self.seat]
                tau_start = _TAU_COOL
            else:
                self._load([row[:] for row in self.best])
                self._kick()
                tau_start = _TAU_HOT
            if self._anneal(target, deadline, clock, tau_start):
                return

    def _kick(self) -> None:
        """Shake the plan: a few moves taken whatever they cost (the rules still hold)."""
        self._refresh_hot()
        for _ in range(max(_KICK_MIN, len(self.active) // _KICK_SHARE)):
            self._step(_TAU_KICK)

    def _anneal(
        self, target: int, deadline: float, clock: Callable[[], float], tau_start: float
    ) -> bool:
        """Cycles of cooling until a few of them find nothing better; True when time is up."""
        cycle = min(max(_CYCLE_MIN, 20 * sum(len(m) for m in self.movable)), _CYCLE_MAX)
        idle_cycles, tau, iteration = 0, tau_start, 0
        while self.best_cost > target and idle_cycles < _PATIENCE:
            if iteration % _CLOCK_EVERY == 0:
                self.now = clock()
                if self.first_reading is None:
                    self.first_reading = self.now
                if self.now >= deadline:
                    return True
                tau = tau_start * (_TAU_END / tau_start) ** ((iteration % cycle) / cycle)
            if iteration % cycle == 0:
                idle_cycles += 1
            if iteration % _HOT_EVERY == 0:
                self._refresh_hot()
            self._step(tau)
            if self.cost < self.best_cost:
                self.best_cost = self.cost
                self.best = [row[:] for row in self.seat]
                idle_cycles = 0
            iteration += 1
        return False

    def _refresh_hot(self) -> None:
        """People in a repeat or at a table for the second time: half the moves start there."""
        self.hot = [
            p
            for p in self.active
            if any(m > 1 for m in self.meet[p].values())
            or any(v > 1 for v in self.visits[p].values())
        ]

    def _accepts(self, delta: int, tau: float) -> bool:
        if delta <= 0:
            return True
        for weight, step in self.levels:
            if 2 * delta >= weight:
                if step is None:
                    return False
                return self.rng.random() < math.exp(-delta / (weight * step * tau))
        return False

    def _step(self, tau: float) -> None:
        rng = self.rng
        if self.hot and rng.random() < 0.5:
            person = self.hot[rng.randrange(len(self.hot))]
        else:
            person = self.active[rng.randrange(len(self.active))]
        rounds = self.rounds_of[person]
        r = rounds[rng.randrange(len(rounds))]
        kind = rng.random()
        if kind < 0.2 and len(rounds) > 1:
            self._try_chain(r, person, tau)
        elif kind < 0.3 and self.flexible[r]:
            self._try_move(r, person, tau)
        elif kind < 0.35:
            self._try_group_swap(r, person, tau)
        elif kind < 0.35 + _ROTATE_SHARE:
            self._try_rotation(r, person, tau)
        else:
            movers = self.movable[r]
            other = movers[rng.randrange(len(movers))]
            first, second = self.seat[r][person], self.seat[r][other]
            if first != second:
                delta = self._swap_delta(r, person, other, first, second)
                if self._accepts(delta, tau):
                    self._relocate(r, person, first, second)
                    self._relocate(r, other, second, first)
                    self.cost += delta

    def _try_rotation(self, r: int, person: int, tau: float) -> None:
        """People of one round move round a cycle of tables, each to a table they may visit.

        The person goes to a table open to them, someone there goes on to a table open to
        them, and so on until the one who moves last can take the first seat. Where the rule
        against second visits leaves each person one or two tables, a plain swap is rarely
        allowed and a cycle of three or more is the way through. Sizes do not change: every
        table of the cycle gains one person and loses one.
        """
        rng = self.rng
        tables = self.instance.table_count
        barred = self.instance.no_revisit
        seat, members, movable = self.seat[r], self.members[r], self.is_movable[r]
        start = seat[person]
        chain: list[tuple[int, int, int]] = []
        entered, moved = {start}, {person}
        mover, delta, closed = person, 0, False
        while len(chain) < tables:
            here, visits = seat[mover], self.visits[mover]
            if chain and not (barred and visits.get(start)):
                delta += self._move_delta(r, mover, here, start)
                self._relocate(r, mover, here, start)
                chain.append((mover, here, start))
                closed = True
                break
            options = [
                t for t in range(tables) if t not in entered and not (barred and visits.get(t))
            ]
            if not options:
                break
            there = options[rng.randrange(len(options))]
            riders = [p for p in members[there] if movable[p] and p not in moved]
            if not riders:
                break
            delta += self._move_delta(r, mover, here, there)
            self._relocate(r, mover, here, there)
            chain.append((mover, here, there))
            entered.add(there)
            mover = riders[rng.randrange(len(riders))]
            moved.add(mover)
        if closed and self._accepts(delta, tau):
            self.cost += delta
            return
        for mover, here, there in reversed(chain):
            self._relocate(r, mover, there, here)

    def _try_chain(self, r: int, person: int, tau: float) -> None:
        """Trade the tables of rounds r and s along a chain of people (a Kempe chain).

        The first person swaps their two tables; the next one, taken from the table that
        now has one person too many in round s, swaps theirs, and so on until the chain
        closes or the spare seats of flexible tables absorb the difference. Every route keeps
        its tables and every table a valid size.
        """
        rng = self.rng
        rounds = [s for s in self.rounds_of[person] if s != r]
        s = rounds[rng.randrange(len(rounds))]
        start, goal = self.seat[r][person], self.seat[s][person]
        if start == goal:
            return
        chain = [person]
        delta = self._exchange(r, s, person)
        open_table = start
        while open_table != goal and not self._fits(r, s, (open_table, goal)):
            candidates = [
                p
                for p in self.members[s][open_table]
                if self.is_movable[r][p]
                and self.is_movable[s][p]
                and self.seat[r][p] != open_table
                and p not in chain
            ]
            if not candidates or len(chain) > self.instance.table_count:
                self._undo(r, s, chain)
                return
            closing = [p for p in candidates if self.seat[r][p] == goal]
            pool = closing if closing and rng.random() < 0.5 else candidates
            follower = pool[rng.randrange(len(pool))]
            open_table = self.seat[r][follower]
            delta += self._exchange(r, s, follower)
            chain.append(follower)
        if self._accepts(delta, tau):
            self.cost += delta
        else:
            self._undo(r, s, chain)

    def _fits(self, r: int, s: int, tables: tuple[int, ...]) -> bool:
        """Whether these tables have a valid size in rounds r and s."""
        instance = self.instance
        return all(
            instance.base[q][t] <= self.sizes[q][t] <= instance.base[q][t] + instance.flex[q][t]
            for q in (r, s)
            for t in tables
        )

    def _try_group_swap(self, r: int, person: int, tau: float) -> None:
        """Two tables trade their whole groups of travellers: nobody meets anyone new."""
        here = self.seat[r][person]
        there = self.rng.randrange(self.instance.table_count)
        leaving, coming = list(self.members[r][here]), list(self.members[r][there])
        if (
            here == there
            or len(leaving) != len(coming)
            or self.instance.host_count[here] != self.instance.host_count[there]
            or not all(self.is_movable[r][p] for p in leaving + coming)
        ):
            return
        delta = 0
        for group, start, goal in ((leaving, here, there), (coming, there, here)):
            for p in group:
                delta += self._move_delta(r, p, start, goal)
                self._relocate(r, p, start, goal)
        if self._accepts(delta, tau):
            self.cost += delta
            return
        for group, start, goal in ((leaving, here, there), (coming, there, here)):
            for p in group:
                self._relocate(r, p, goal, start)

    def _exchange(self, r: int, s: int, person: int) -> int:
        """Swap one person's tables of rounds r and s; returns the cost change."""
        first, second = self.seat[r][person], self.seat[s][person]
        delta = self._move_delta(r, person, first, second)
        self._relocate(r, person, first, second)
        delta += self._move_delta(s, person, second, first)
        self._relocate(s, person, second, first)
        return delta

    def _undo(self, r: int, s: int, chain: list[int]) -> None:
        for person in reversed(chain):
            first, second = self.seat[r][person], self.seat[s][person]
            self._relocate(r, person, first, second)
            self._relocate(s, person, second, first)

    def _try_move(self, r: int, person: int, tau: float) -> None:
        """Hand the extra seat of one flexible table to another: sizes stay within one."""
        instance = self.instance
        here = self.seat[r][person]
        tables = self.flexible[r]
        there = tables[self.rng.randrange(len(tables))]
        base, sizes = instance.base[r], self.sizes[r]
        has_extra = instance.flex[r][here] and sizes[here] == base[here] + 1
        if not has_extra or sizes[there] != base[there]:
            return
        delta = self._move_delta(r, person, here, there)
        if self._accepts(delta, tau):
            self._relocate(r, person, here, there)
            self.cost += delta

    def _move_delta(self, r: int, person: int, here: int, there: int) -> int:
        instance = self.instance
        meet = self.meet[person]
        repeats = 0
        for other in self.members[r][here]:
            if other != person:
                repeats += 1 - meet.get(other, 0)
        for other in self.members[r][there]:
            repeats += meet.get(other, 0)
        delta = repeats * self.w_repeat
        visits = self.visits[person]
        delta += (_pairs(visits.get(there, 0) + 1) - _pairs(visits[here])) * self.w_revisit
        kind = instance.affiliation[person]
        if kind != _UNSET:
            counts = self.affiliations[r]
            delta += (2 * (counts[there][kind] - counts[here][kind]) + 2) * self.w_mix
        return delta + self._theme_delta(r, person, here, there)

    def _swap_delta(self, r: int, first: int, second: int, here: int, there: int) -> int:
        """Cost change when `first` (at `here`) and `second` (at `there`) trade seats."""
        instance = self.instance
        meet_first, meet_second = self.meet[first], self.meet[second]
        repeats = 0
        for other in self.members[r][here]:
            if other != first:
                repeats += meet_second.get(other, 0) - meet_first.get(other, 0) + 1
        for other in self.members[r][there]:
            if other != second:
                repeats += meet_first.get(other, 0) - meet_second.get(other, 0) + 1
        delta = repeats * self.w_repeat
        visits_first, visits_second = self.visits[first], self.visits[second]
        revisits = (
            _pairs(visits_first.get(there, 0) + 1) - _pairs(visits_first[here])
            + _pairs(visits_second.get(here, 0) + 1) - _pairs(visits_second[there])
        )
        delta += revisits * self.w_revisit
        kind_first, kind_second = instance.affiliation[first], instance.affiliation[second]
        if kind_first != kind_second:
            counts_here, counts_there = self.affiliations[r][here], self.affiliations[r][there]
            mix = 0
            if kind_first != _UNSET:
                mix += 2 * (counts_there[kind_first] - counts_here[kind_first]) + 2
            if kind_second != _UNSET:
                mix += 2 * (counts_here[kind_second] - counts_there[kind_second]) + 2
            delta += mix * self.w_mix
        return (
            delta
            + self._theme_delta(r, first, here, there)
            + self._theme_delta(r, second, there, here)
        )

    def _theme_delta(self, r: int, person: int, here: int, there: int) -> int:
        """Theme costs of one person going from `here` to `there`."""
        instance = self.instance
        theme_here, theme_there = instance.table_theme[here], instance.table_theme[there]
        if theme_here == theme_there:
            return 0
        delta = 0
        wanted = instance.theme[person]
        if r == 0 and wanted != _UNSET:
            delta += ((theme_there != wanted) - (theme_here != wanted)) * self.w_theme
        seen = self.theme_seen[person]
        if theme_here != _UNSET:
            delta -= (seen[theme_here] - 1) * self.w_variety
        if theme_there != _UNSET:
            delta += seen[theme_there] * self.w_variety
        return delta

    def _relocate(self, r: int, person: int, here: int, there: int) -> None:
        """Move one person and update every count the deltas read."""
        instance = self.instance
        group_here, group_there = self.members[r][here], self.members[r][there]
        positions = self.position[r]
        index, last = positions[person], group_here.pop()
        if last != person:
            group_here[index] = last
            positions[last] = index
        meet, meet_person = self.meet, self.meet[person]
        for other in group_here:
            meet_person[other] -= 1
            meet[other][person] -= 1
        for other in group_there:
            meet_person[other] = meet_person.get(other, 0) + 1
            meet[other][person] = meet[other].get(person, 0) + 1
        positions[person] = len(group_there)
        group_there.append(person)
        self.seat[r][person] = there
        self.sizes[r][here] -= 1
        self.sizes[r][there] += 1
        visits = self.visits[person]
        visits[here] -= 1
        visits[there] = visits.get(there, 0) + 1
        kind = instance.affiliation[person]
        if kind != _UNSET:
            self.affiliations[r][here][kind] -= 1
            self.affiliations[r][there][kind] += 1
        theme_here, theme_there = instance.table_theme[here], instance.table_theme[there]
        if theme_here != _UNSET:
            self.theme_seen[person][theme_here] -= 1
        if theme_there != _UNSET:
            self.theme_seen[person][theme_there] += 1
