"""The first plan: a design where one fits, then round after round, each person at the
allowed table where they meet the fewest old friends."""

from __future__ import annotations

import random
from collections import Counter, deque

from app.planner.designs import design_for
from app.planner.instance import UNSET, Instance


def construct(instance: Instance, rng: random.Random) -> list[list[int]]:
    """A first plan that keeps the rules: a design's rounds when one fits, then greedy rounds."""
    builder = Builder(instance, rng)
    design = design_for(instance)
    rows = design.rows if design else []
    fresh = design.fresh if design else 0
    for r in range(instance.counted):
        if r < fresh:
            builder.take(rows[r])
        elif r < len(rows):
            builder.take(builder.relabelled(rows[r]))
        else:
            builder.take(builder.greedy_round(r))
    return builder.seat


class Builder:
    """Seats round after round; `allowed` keeps the rules against second visits and, in the
    rounds the theme rule covers, against a theme seen already."""

    def __init__(self, instance: Instance, rng: random.Random) -> None:
        self.instance = instance
        self.rng = rng
        self.seat: list[list[int]] = []
        self.meet: list[dict[int, int]] = [{} for _ in range(instance.size)]
        for first, second in instance.met_before:  # met in an earlier event of the series
            self.meet[first][second] = self.meet[second][first] = 1
        self.visited: list[Counter[int]] = [Counter() for _ in range(instance.size)]
        self.theme_seen: list[Counter[int]] = [Counter() for _ in range(instance.size)]

    def take(self, row: list[int]) -> None:
        instance = self.instance
        groups: list[list[int]] = [[] for _ in range(instance.table_count)]
        for person in instance.travellers:
            table = row[person]
            groups[table].append(person)
            self.visited[person][table] += 1
            if instance.table_theme[table] != UNSET:
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
        allowed table left makes room through `_augment`, or, failing that, sits anyway."""
        instance = self.instance
        self.round = r
        self.row = [UNSET] * instance.size
        self.count = [0] * instance.table_count
        self.groups: list[list[int]] = [[] for _ in range(instance.table_count)]
        self.affiliations = [[0] * instance.affiliation_kinds for _ in range(instance.table_count)]
        for person, table in instance.home.items():
            if instance.is_host[person]:
                self._place(person, table)
        for person, table in instance.pinned[r].items():
            self._place(person, table)
        free = [p for p in instance.travellers if self.row[p] == UNSET]
        self.rng.shuffle(free)
        self.room = self._room(free)
        self.movable = set(free)
        # the theme rule gives way before the rule against second visits does
        passes = (True, False) if r < instance.cover else (False,)
        for person in free:
            for themed in passes:
                table = self._best_table(person, strict=True, themed=themed)
                if table is not None:
                    self._place(person, table)
                    break
                if self._augment(person, themed) or (
                    not themed and self._augment(person, themed, move_extras=True)
                ):
                    break
            else:
                self._place(person, self._best_table(person, strict=False))
        return self.row

    def _allowed(self, person: int, table: int, themed: bool = True) -> bool:
        """No second visit where that is barred; with `themed`, no theme seen already in the
        rounds the theme rule covers."""
        instance = self.instance
        if (themed and self.round < instance.cover
                and self.theme_seen[person][instance.table_theme[table]]):
            return False
        return self.round == 0 or not instance.no_revisit or table not in self.visited[person]

    def _place(self, person: int, table: int) -> None:
        self.row[person] = table
        self.count[table] += 1
        if not self.instance.is_host[person]:
            self.groups[table].append(person)
        kind = self.instance.affiliation[person]
        if kind != UNSET:
            self.affiliations[table][kind] += 1

    def _unplace(self, person: int) -> None:
        table = self.row[person]
        self.row[person] = UNSET
        self.count[table] -= 1
        self.groups[table].remove(person)
        kind = self.instance.affiliation[person]
        if kind != UNSET:
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
                wanted[theme] / tables_of_theme[theme] if theme != UNSET else 0.0
                for theme in instance.table_theme
            ]
        else:
            rounds_left = instance.counted - r
            need = [
                sum(self._allowed(p, t) for p in free) / rounds_left - (room[t] - self.count[t])
                for t in range(instance.table_count)
            ]
        flexible.sort(key=lambda t: (-need[t], self.rng.random()))
        for table in self._owed_first(flexible, self._owed_extras(free)):
            room[table] += 1
        return room

    def _owed_first(self, flexible: list[int], owed: list[int]) -> list[int]:
        """The tables that get this round's extra seats, from `flexible` in order of demand:
        first those owed an extra in every round left, then as many other owed tables as
        the later rounds' extras could not serve, then by demand. Fewer owed tables now
        would leave one short later; more would overrule the demand for nothing."""
        instance, r = self.instance, self.round
        rounds_left = instance.counted - r
        short = sum(max(o, 0) for o in owed) - sum(instance.extras[r + 1 :])
        urgent = [t for t in flexible if owed[t] >= rounds_left]
        owing = [t for t in flexible if 0 < owed[t] < rounds_left]
        chosen = urgent + owing[: max(0, short - len(urgent))]
        chosen += [t for t in flexible if t not in chosen]
        return chosen[: instance.extras[r]]

    def _owed_extras(self, free: list[int]) -> list[int]:
        """Per table, the extra seats it must get in this round and the later ones so that
        the travellers without a table to spare (as many tables left unvisited as rounds
        left) can all still visit it.

        The theme rule alone would send the extra seat of several rounds to the table of the
        theme most people have not seen, and with rounds = tables the last round then has
        fewer seats at the tables people have not sat at than people who must sit there.
        Serving what is owed (`_owed_first`) keeps every count reachable (owed <= the rounds
        left at every table, owed in all <= the extras left), round after round.
        """
        instance, r = self.instance, self.round
        tables = range(instance.table_count)
        owed = [0] * instance.table_count
        if r == 0 or not instance.no_revisit:
            return owed
        later = range(r + 1, instance.counted)
        given_later = {p for s in later for p in instance.pinned[s]}
        for person in free:
            unvisited = [t for t in tables if t not in self.visited[person]]
            if person not in given_later and len(unvisited) == instance.counted - r:
                for table in unvisited:
                    owed[table] += 1
        for table in tables:
            owed[table] -= instance.base[r][table] - self.count[table]
            for s in later:
                given = sum(seat == table for seat in instance.pinned[s].values())
                owed[table] -= instance.base[s][table] - instance.host_count[table] - given
        return owed

    def _best_table(self, person: int, strict: bool, themed: bool = True) -> int | None:
        """The open table where this person meets the fewest old friends, then mixes best;
        `strict`: only allowed tables. Otherwise the rules come first, in their order."""
        instance = self.instance
        conflicts = [0] * instance.table_count
        for other, times in self.meet[person].items():
            table = self.row[other]
            if table != UNSET:
                conflicts[table] += times
        kind = instance.affiliation[person]
        wanted = instance.theme[person]
        seen = self.theme_seen[person]
        visited = self.visited[person]
        barred = instance.no_revisit and self.round > 0
        best, best_key, ties = None, None, 0
        for table in range(instance.table_count):
            full = self.count[table] >= self.room[table]
            if full or (strict and not self._allowed(person, table, themed)):
                continue
            theme = instance.table_theme[table]
            if self.round == 0:
                theme_cost = wanted != UNSET and theme != wanted
            else:
                theme_cost = seen[theme] if theme != UNSET else 0
            key = (
                barred and visited[table] > 0,
                self.round < instance.cover and seen[theme] > 0,
                conflicts[table],
                visited[table],
                self.affiliations[table][kind] if kind != UNSET else 0,
                theme_cost,
            )
            if best_key is None or key < best_key:
                best, best_key, ties = table, key, 1
            elif key == best_key:
                ties += 1
                if self.rng.randrange(ties) == 0:
                    best = table
        return best

    def _augment(self, person: int, themed: bool, move_extras: bool = False) -> bool:
        """Make room at an allowed table by moving others along a chain of allowed tables.

        With `move_extras` a link of the chain may also hand a table's extra seat to a full
        table without one (the chain goes on from the table that gave it up), so the extra
        seats `_room` chose never force a revisit in this round that other extras avoid.
        The search is breadth-first over every such link: it finds a chain whenever one
        exists (an augmenting path of the round's seat flow).
        """
        instance = self.instance
        base, flex = instance.base[self.round], instance.flex[self.round]
        came_from: dict[int, tuple[int, int] | None] = {}
        queue: deque[int] = deque()
        for table in range(instance.table_count):
            if self._allowed(person, table, themed):
                came_from[table] = None
                queue.append(table)
        while queue:
            table = queue.popleft()
            if self.count[table] < self.room[table]:
                step = came_from[table]
                while step is not None:
                    previous, mover = step
                    if mover == UNSET:  # `table` hands its extra seat to `previous`
                        self.room[table] -= 1
                        self.room[previous] += 1
                    else:
                        self._unplace(mover)
                        self._place(mover, table)
                    table, step = previous, came_from[previous]
                self._place(person, table)
                return True
            for mover in self.groups[table]:
                if mover not in self.movable:
                    continue
                for target in range(instance.table_count):
                    if target not in came_from and self._allowed(mover, target, themed):
                        came_from[target] = (table, mover)
                        queue.append(target)
            if move_extras and flex[table] and self.room[table] == base[table]:
                for giver in range(instance.table_count):
                    if giver not in came_from and self.room[giver] > base[giver]:
                        came_from[giver] = (table, UNSET)
                        queue.append(giver)
        return False
