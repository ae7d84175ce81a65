"""Conflict-directed tabu search (Dotú & Van Hentenryck, "Scheduling social golfers
locally", CPAIOR 2005), for plans the annealing leaves above the bounds.

Each iteration takes the best swap of two people of one round that moves someone in
conflict (in a repeated pair, at a table twice where that is barred, or at a theme twice in
the covered rounds),
whatever it costs: a worse plan is how the search leaves a local minimum. A person who
moved in a round stays put there for a few iterations (a tabu list per round), unless the
swap would give the best plan yet. When the best plan stops improving, a random breakout
(a few random swaps) moves the search elsewhere.
"""

from __future__ import annotations

import random

from app.planner.budget import Budget
from app.planner.state import State

_TENURE_MIN, _TENURE_SHARE = 4, 4  # tenure: 4 up to 4 + one per 4 people that can move
_STALL = 150  # iterations without a new best before a breakout
_BREAKOUTS = 4  # breakouts without a new best before the search hands back
_BREAKOUT_MIN, _BREAKOUT_SHARE = 2, 16  # random swaps: at least 2, one per 16 people
_SWAPS_PER_STEP = 4  # weighing a swap costs about a quarter of an annealing step


class Tabu:
    def __init__(self, state: State, rng: random.Random, budget: Budget) -> None:
        self.state = state
        self.rng = rng
        self.budget = budget

    def run(self, target: int) -> bool:
        """Search from the current plan until it stalls or the best plan costs no more than
        `target`; True when the time is up."""
        state, budget = self.state, self.budget
        counted = state.instance.counted
        free_until = [[0] * state.instance.size for _ in range(counted)]
        tenure_top = _TENURE_MIN + len(state.active) // _TENURE_SHARE
        iteration = since_best = breakouts = weighed = 0
        while state.best_cost > target:
            if budget.tick(1 + weighed // _SWAPS_PER_STEP):
                return True
            move, weighed = self._best_swap(iteration, free_until)
            if move is not None:
                r, first, second, delta = move
                state.swap(r, first, second, delta)
                free_until[r][first] = iteration + self.rng.randint(_TENURE_MIN, tenure_top)
                free_until[r][second] = iteration + self.rng.randint(_TENURE_MIN, tenure_top)
            if state.remember():
                since_best = breakouts = 0
            else:
                since_best += 1
            if move is None or since_best >= _STALL:
                if breakouts >= _BREAKOUTS:
                    return False
                breakouts += 1
                since_best = 0
                self._breakout()
            iteration += 1
        return False

    def _conflicts(self, r: int) -> list[int]:
        """The people of round r who may move and sit in conflict there."""
        state = self.state
        instance = state.instance
        found = []
        for table, group in enumerate(state.members[r]):
            theme = instance.table_theme[table]
            for person in group:
                if not state.is_movable[r][person]:
                    continue
                meet = state.meet[person]
                if (
                    (instance.no_revisit and state.visits[person][table] > 1)
                    or any(meet[other] > 1 for other in group if other != person)
                    or (r < instance.cover and state.cover_seen[person][theme] > 1)
                ):
                    found.append(person)
        return found

    def _best_swap(
        self, iteration: int, free_until: list[list[int]]
    ) -> tuple[tuple[int, int, int, int] | None, int]:
        """The cheapest allowed swap touching a conflict (ties at random), or None; and how
        many swaps were weighed."""
        state = self.state
        best_delta, choices, weighed = None, [], 0
        for r in range(state.instance.counted):
            seat, movers, waits = state.seat[r], state.movable[r], free_until[r]
            for first in self._conflicts(r):
                here = seat[first]
                for second in movers:
                    there = seat[second]
                    if there == here:
                        continue
                    delta = state.swap_delta(r, first, second, here, there)
                    weighed += 1
                    if best_delta is not None and delta > best_delta:
                        continue
                    tabu = waits[first] > iteration or waits[second] > iteration
                    if tabu and state.cost + delta >= state.best_cost:
                        continue
                    if state.breaks_rule(delta):
                        continue
                    if best_delta is None or delta < best_delta:
                        best_delta, choices = delta, [(r, first, second)]
                    else:
                        choices.append((r, first, second))
        if not choices:
            return None, weighed
        r, first, second = choices[self.rng.randrange(len(choices))]
        return (r, first, second, best_delta), weighed

    def _breakout(self) -> None:
        """A few random swaps that keep the rules, whatever else they cost."""
        state, rng = self.state, self.rng
        for _ in range(max(_BREAKOUT_MIN, len(state.active) // _BREAKOUT_SHARE)):
            person = state.active[rng.randrange(len(state.active))]
            rounds = state.rounds_of[person]
            r = rounds[rng.randrange(len(rounds))]
            movers = state.movable[r]
            other = movers[rng.randrange(len(movers))]
            here, there = state.seat[r][person], state.seat[r][other]
            if here != there:
                delta = state.swap_delta(r, person, other, here, there)
                if not state.breaks_rule(delta):
                    state.swap(r, person, other, delta)
