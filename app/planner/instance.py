"""The request as the planner works on it: people and tables by index, given seats checked
against each other and the capacities, the table sizes of every round decided."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol

from app.i18n import N_
from app.refusal import Refusal

UNSET = -1


class PersonLike(Protocol):
    id: int
    affiliation: str | None
    theme: str | None
    home_table: int | None
    is_host: bool


class TableLike(Protocol):
    id: int
    capacity: int | None
    theme: str | None


class Instance:
    """A checked request (app/tables.py checks the counts) with every index the search reads.

    `counted` is the rounds that count (all but a return round). `cover` is how many of the
    first counted rounds must show every traveller each theme once (see coverage.py); 0 when
    the rule does not apply.
    """

    def __init__(
        self,
        people: Sequence[PersonLike],
        tables: Sequence[TableLike],
        rounds: int,
        fixed: Sequence[dict[int, int]],
        return_round: bool,
        met_before: Iterable[tuple[int, int]] = (),
    ) -> None:
        self.people = list(people)
        self.tables = list(tables)
        self.rounds = rounds
        self.return_round = return_round
        self.counted = rounds - 1 if return_round else rounds
        self.size = len(people)
        self.table_count = len(tables)
        self.table_index = {t.id: index for index, t in enumerate(tables)}
        self.person_index = {p.id: index for index, p in enumerate(people)}
        self.met_before = sorted({
            (min(first, second), max(first, second))
            for a, b in met_before
            if (first := self.person_index.get(a)) is not None
            and (second := self.person_index.get(b)) is not None and first != second
        })
        """Pairs (by index) who met in an earlier event of a series: the search counts
        them as having met once already (State.load), so a meeting now is a repeat."""

        self.is_host = [p.is_host for p in people]
        self.travellers = [i for i, p in enumerate(people) if not p.is_host]
        affiliations = {
            a: i for i, a in enumerate(sorted({p.affiliation for p in people if p.affiliation}))
        }
        self.affiliation_kinds = len(affiliations)
        self.affiliation = [affiliations.get(p.affiliation, UNSET) for p in people]
        self.theme_names = sorted({t.theme for t in tables if t.theme})
        themes = {name: i for i, name in enumerate(self.theme_names)}
        self.table_theme = [themes.get(t.theme, UNSET) for t in tables]
        self.theme = [themes.get(p.theme, UNSET) for p in people]
        self.theme_kinds = len(themes)
        every_table_themed = UNSET not in self.table_theme
        self.cover = (
            self.theme_kinds
            if self.theme_kinds >= 2 and every_table_themed and self.counted >= self.theme_kinds
            else 0
        )

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

    def plain(self, group: int) -> bool:
        """Whether nothing is given and every table seats `group`: a design fits as it is."""
        return not (
            any(self.pinned)
            or any(self.is_host)
            or any(t.capacity is not None and t.capacity < group for t in self.tables)
        )
