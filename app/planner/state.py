"""A plan under search: the counts a move's cost change is read from, the cost, the best plan.

The cost is a weighted sum of the objectives in order: revisits (when barred), theme
coverage (themes a traveller's first rounds leave out), the chosen theme at the home table,
repeated pairs as the sum of C(meetings, 2) (so a third meeting costs more than a second;
a pair that met in an earlier event of a series starts at one meeting),
visits to a table beyond the first (when revisits cannot be avoided; a third visit costs
more than a second), affiliation mix as the sum of squared counts per table, and repeated
themes per traveller. Each weight exceeds twice the largest change one move can make to
everything below it, so a move is judged by the first objective it changes.
"""

from __future__ import annotations

import math
import random

from app.planner.bounds import pairs, triples
from app.planner.instance import UNSET, Instance
from app.planner.mix import mix_cost

LEVELS = ("revisit", "cover", "theme", "repeat", "mix", "variety")
"""Every objective, first first; revisits go below the repeats when they are only a wish."""


class State:
    """The current plan with its counts, and the best plan seen (`best`, `best_cost`)."""

    def __init__(self, instance: Instance, seat: list[list[int]]) -> None:
        self.instance = instance
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
        self.load(seat)
        self.best = [row[:] for row in seat]
        self.best_cost = self.cost

    def order(self) -> list[str]:
        """The objectives, first first, as this request ranks them."""
        if self.instance.no_revisit:
            return list(LEVELS)
        below = list(LEVELS[1:])
        below.insert(below.index("repeat") + 1, "revisit")
        return below

    def chased(self) -> list[str]:
        """The objectives whose floors the search restarts for: all but the spread of
        unavoidable revisits, a wish whose floor even the designs cannot reach."""
        return [name for name in self.order() if self.instance.no_revisit or name != "revisit"]

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
        rounds = instance.counted + (1 if instance.met_before else 0)  # a meeting before
        movers = 2 * max(instance.table_count + 2, largest)
        # (bound of one person's change, size of one step; None: never accept a worse value)
        scale = {
            "revisit": (2 * pairs(rounds + 1), None if instance.no_revisit else 1),
            "cover": (1, 1),
            "theme": (1, 1),
            "repeat": (2 * largest * rounds, 1),
            "mix": (2 * largest + 2, 2),
            "variety": (2 * rounds, 1),
        }
        self.weight: dict[str, int] = {}
        self.levels: list[tuple[int, int | None]] = []
        below = 0
        for name in reversed(self.order()):
            bound, step = scale[name]
            weight = 2 * below + 1
            self.weight[name] = weight
            self.levels.insert(0, (weight, step))
            below += movers * bound * weight
        for name, weight in self.weight.items():
            setattr(self, f"w_{name}", weight)  # read by the deltas, move after move

    def load(self, seat: list[list[int]]) -> None:
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
        self.cover_seen = [[0] * instance.theme_kinds for _ in range(people)]
        for r, row in enumerate(seat):
            for person, table in enumerate(row):
                if instance.affiliation[person] != UNSET:
                    self.affiliations[r][table][instance.affiliation[person]] += 1
            for person in instance.travellers:
                table = row[person]
                self.position[r][person] = len(self.members[r][table])
                self.members[r][table].append(person)
                self.sizes[r][table] += 1
                self.visits[person][table] = self.visits[person].get(table, 0) + 1
                theme = instance.table_theme[table]
                if theme != UNSET:
                    self.theme_seen[person][theme] += 1
                    if r < instance.cover:
                        self.cover_seen[person][theme] += 1
            for group in self.members[r]:
                for first in group:
                    for second in group:
                        if first != second:
                            self.meet[first][second] = self.meet[first].get(second, 0) + 1
        for first, second in instance.met_before:
            if not (instance.is_host[first] or instance.is_host[second]):
                self.meet[first][second] = self.meet[first].get(second, 0) + 1
                self.meet[second][first] = self.meet[second].get(first, 0) + 1
        self.cost = self.cost_of(self.measures())

    def measures(self) -> dict[str, int]:
        """Every objective's value for the current plan, counted afresh."""
        instance = self.instance
        travellers = instance.travellers
        return {
            "revisit": sum(triples(v) for p in travellers for v in self.visits[p].values()),
            "cover": sum(self.cover_seen[p].count(0) for p in travellers) if instance.cover else 0,
            "theme": sum(
                instance.table_theme[self.seat[0][p]] != instance.theme[p]
                for p in travellers
                if instance.theme[p] != UNSET
            ),
            "repeat": sum(pairs(m) for p in travellers for m in self.meet[p].values()) // 2,
            "mix": mix_cost(c for row in self.affiliations for table in row for c in table),
            "variety": sum(pairs(k) for p in travellers for k in self.theme_seen[p]),
        }

    def cost_of(self, measures: dict[str, int]) -> int:
        return sum(self.weight[name] * value for name, value in measures.items())

    def remember(self) -> bool:
        """Keep the current plan when it is the best so far; True when it is."""
        if self.cost < self.best_cost:
            self.best_cost = self.cost
            self.best = [row[:] for row in self.seat]
            return True
        return False

    def restore(self) -> None:
        """Make the best plan the current one again."""
        self.load([row[:] for row in self.best])

    def accepts(self, delta: int, tau: float, rng: random.Random) -> bool:
        """Metropolis on the first objective the change touches; never a worse rule."""
        if delta <= 0:
            return True
        for weight, step in self.levels:
            if 2 * delta >= weight:
                if step is None:
                    return False
                return rng.random() < math.exp(-delta / (weight * step * tau))
        return False

    def breaks_rule(self, delta: int) -> bool:
        """Whether a change makes a rule (a level never traded) worse."""
        for weight, step in self.levels:
            if 2 * delta >= weight:
                return step is None
        return False

    def troubled(self, person: int) -> bool:
        """In a repeat, at a table for the second time, or missing a theme."""
        return (
            any(m > 1 for m in self.meet[person].values())
            or any(v > 1 for v in self.visits[person].values())
            or (self.instance.cover > 0 and 0 in self.cover_seen[person])
        )

    def cover_open(self, r: int, person: int, here: int, there: int) -> bool:
        """Whether going from `here` to `there` in round r keeps the theme rule for them."""
        instance = self.instance
        if r >= instance.cover:
            return True
        theme = instance.table_theme[there]
        return theme == instance.table_theme[here] or not self.cover_seen[person][theme]

    def fits(self, r: int, s: int, tables: tuple[int, ...]) -> bool:
        """Whether these tables have a valid size in rounds r and s."""
        instance = self.instance
        return all(
            instance.base[q][t] <= self.sizes[q][t] <= instance.base[q][t] + instance.flex[q][t]
            for q in (r, s)
            for t in tables
        )

    def move_delta(self, r: int, person: int, here: int, there: int) -> int:
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
        delta += (pairs(visits.get(there, 0) + 1) - pairs(visits[here])) * self.w_revisit
        kind = instance.affiliation[person]
        if kind != UNSET:
            counts = self.affiliations[r]
            delta += (2 * (counts[there][kind] - counts[here][kind]) + 2) * self.w_mix
        return delta + self._theme_delta(r, person, here, there)

    def swap_delta(self, r: int, first: int, second: int, here: int, there: int) -> int:
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
            pairs(visits_first.get(there, 0) + 1) - pairs(visits_first[here])
            + pairs(visits_second.get(here, 0) + 1) - pairs(visits_second[there])
        )
        delta += revisits * self.w_revisit
        kind_first, kind_second = instance.affiliation[first], instance.affiliation[second]
        if kind_first != kind_second:
            counts_here, counts_there = self.affiliations[r][here], self.affiliations[r][there]
            mix = 0
            if kind_first != UNSET:
                mix += 2 * (counts_there[kind_first] - counts_here[kind_first]) + 2
            if kind_second != UNSET:
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
        if r == 0 and wanted != UNSET:
            delta += ((theme_there != wanted) - (theme_here != wanted)) * self.w_theme
        if r < instance.cover:
            covered = self.cover_seen[person]
            delta += ((covered[theme_here] == 1) - (covered[theme_there] == 0)) * self.w_cover
        seen = self.theme_seen[person]
        if theme_here != UNSET:
            delta -= (seen[theme_here] - 1) * self.w_variety
        if theme_there != UNSET:
            delta += seen[theme_there] * self.w_variety
        return delta

    def relocate(self, r: int, person: int, here: int, there: int) -> None:
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
        if kind != UNSET:
            self.affiliations[r][here][kind] -= 1
            self.affiliations[r][there][kind] += 1
        theme_here, theme_there = instance.table_theme[here], instance.table_theme[there]
        if theme_here != UNSET:
            self.theme_seen[person][theme_here] -= 1
        if theme_there != UNSET:
            self.theme_seen[person][theme_there] += 1
        if r < instance.cover:
            self.cover_seen[person][theme_here] -= 1
            self.cover_seen[person][theme_there] += 1

    def swap(self, r: int, first: int, second: int, delta: int) -> None:
        """Two people of round r trade seats; `delta` is the cost change swap_delta gave."""
        here, there = self.seat[r][first], self.seat[r][second]
        self.relocate(r, first, here, there)
        self.relocate(r, second, there, here)
        self.cost += delta
