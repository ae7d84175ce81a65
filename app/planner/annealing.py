"""Simulated annealing over swaps, rotations, seat moves, Kempe chains and group swaps, each
move costed from the counts the state keeps (never by re-costing the plan)."""

from __future__ import annotations

import random

from app.planner.budget import Budget
from app.planner.state import State

TAU_COOL, TAU_HOT = 0.15, 2.0  # where cycles start: from a construction, after a kick
_TAU_END = 0.02
_ROTATE_SHARE = 0.5  # rotations; chains take 20 %, seat moves and group swaps 15 %, swaps the rest
_TAU_EVERY = 64  # steps between two updates of the temperature
_HOT_EVERY = 512
_CYCLE_MIN, _CYCLE_MAX = 500, 10000
_PATIENCE = 2  # cycles without a new best before the annealing gives up
_KICK_MIN, _KICK_SHARE = 3, 8  # a kick: at least 3 moves, one per 8 people that can move
_TAU_KICK = 1e9  # hot enough to take any move the rules allow


class Annealer:
    def __init__(self, state: State, rng: random.Random, budget: Budget) -> None:
        self.state = state
        self.rng = rng
        self.budget = budget
        self.hot: list[int] = []

    def anneal(self, target: int, tau_start: float) -> bool:
        """Cycles of cooling until a few of them find nothing better or the best plan costs
        no more than `target`; True when the time is up."""
        state, budget = self.state, self.budget
        cycle = min(max(_CYCLE_MIN, 20 * sum(len(m) for m in state.movable)), _CYCLE_MAX)
        idle_cycles, tau, iteration = 0, tau_start, 0
        self.hot = []
        while state.best_cost > target and idle_cycles < _PATIENCE:
            if budget.tick():
                return True
            if iteration % _TAU_EVERY == 0:
                tau = tau_start * (_TAU_END / tau_start) ** ((iteration % cycle) / cycle)
            if iteration % cycle == 0:
                idle_cycles += 1
            if iteration % _HOT_EVERY == 0:
                self._refresh_hot()
            self._step(tau)
            if state.remember():
                idle_cycles = 0
            iteration += 1
        return False

    def kick(self) -> None:
        """Shake the plan: a few moves taken whatever they cost (the rules still hold)."""
        self._refresh_hot()
        for _ in range(max(_KICK_MIN, len(self.state.active) // _KICK_SHARE)):
            self._step(_TAU_KICK)

    def _refresh_hot(self) -> None:
        """People in a repeat, at a table twice or missing a theme: half the moves start there."""
        self.hot = [p for p in self.state.active if self.state.troubled(p)]

    def _accepts(self, delta: int, tau: float) -> bool:
        return self.state.accepts(delta, tau, self.rng)

    def _step(self, tau: float) -> None:
        rng, state = self.rng, self.state
        if self.hot and rng.random() < 0.5:
            person = self.hot[rng.randrange(len(self.hot))]
        else:
            person = state.active[rng.randrange(len(state.active))]
        rounds = state.rounds_of[person]
        r = rounds[rng.randrange(len(rounds))]
        kind = rng.random()
        if kind < 0.2 and len(rounds) > 1:
            self._try_chain(r, person, tau)
        elif kind < 0.3 and state.flexible[r]:
            self._try_move(r, person, tau)
        elif kind < 0.35:
            self._try_group_swap(r, person, tau)
        elif kind < 0.35 + _ROTATE_SHARE:
            self._try_rotation(r, person, tau)
        else:
            movers = state.movable[r]
            other = movers[rng.randrange(len(movers))]
            first, second = state.seat[r][person], state.seat[r][other]
            if first != second:
                delta = state.swap_delta(r, person, other, first, second)
                if self._accepts(delta, tau):
                    state.swap(r, person, other, delta)

    def _try_rotation(self, r: int, person: int, tau: float) -> None:
        """People of one round move round a cycle of tables, each to a table they may visit.

        The person goes to a table open to them, someone there goes on to a table open to
        them, and so on until the one who moves last can take the first seat. Where the rule
        against second visits leaves each person one or two tables, a plain swap is rarely
        allowed and a cycle of three or more is the way through. Sizes do not change: every
        table of the cycle gains one person and loses one.
        """
        rng, state = self.rng, self.state
        tables = state.instance.table_count
        barred = state.instance.no_revisit
        seat, members, movable = state.seat[r], state.members[r], state.is_movable[r]
        start = seat[person]
        chain: list[tuple[int, int, int]] = []
        entered, moved = {start}, {person}
        mover, delta, closed = person, 0, False

        def open_to(mover: int, here: int, table: int) -> bool:
            return not (barred and state.visits[mover].get(table)) and state.cover_open(
                r, mover, here, table
            )

        while len(chain) < tables:
            here = seat[mover]
            if chain and open_to(mover, here, start):
                delta += state.move_delta(r, mover, here, start)
                state.relocate(r, mover, here, start)
                chain.append((mover, here, start))
                closed = True
                break
            options = [t for t in range(tables) if t not in entered and open_to(mover, here, t)]
            if not options:
                break
            there = options[rng.randrange(len(options))]
            riders = [p for p in members[there] if movable[p] and p not in moved]
            if not riders:
                break
            delta += state.move_delta(r, mover, here, there)
            state.relocate(r, mover, here, there)
            chain.append((mover, here, there))
            entered.add(there)
            mover = riders[rng.randrange(len(riders))]
            moved.add(mover)
        if closed and self._accepts(delta, tau):
            state.cost += delta
            return
        for mover, here, there in reversed(chain):
            state.relocate(r, mover, there, here)

    def _try_chain(self, r: int, person: int, tau: float) -> None:
        """Trade the tables of rounds r and s along a chain of people (a Kempe chain).

        The first person swaps their two tables; the next one, taken from the table that
        now has one person too many in round s, swaps theirs, and so on until the chain
        closes or the spare seats of flexible tables absorb the difference. Every route keeps
        its tables and every table a valid size.
        """
        rng, state = self.rng, self.state
        rounds = [s for s in state.rounds_of[person] if s != r]
        s = rounds[rng.randrange(len(rounds))]
        start, goal = state.seat[r][person], state.seat[s][person]
        if start == goal:
            return
        chain = [person]
        delta = self._exchange(r, s, person)
        open_table = start
        while open_table != goal and not state.fits(r, s, (open_table, goal)):
            candidates = [
                p
                for p in state.members[s][open_table]
                if state.is_movable[r][p]
                and state.is_movable[s][p]
                and state.seat[r][p] != open_table
                and p not in chain
            ]
            if not candidates or len(chain) > state.instance.table_count:
                self._undo(r, s, chain)
                return
            closing = [p for p in candidates if state.seat[r][p] == goal]
            pool = closing if closing and rng.random() < 0.5 else candidates
            follower = pool[rng.randrange(len(pool))]
            open_table = state.seat[r][follower]
            delta += self._exchange(r, s, follower)
            chain.append(follower)
        if self._accepts(delta, tau):
            state.cost += delta
        else:
            self._undo(r, s, chain)

    def _try_group_swap(self, r: int, person: int, tau: float) -> None:
        """Two tables trade their whole groups of travellers: nobody meets anyone new."""
        state = self.state
        instance = state.instance
        here = state.seat[r][person]
        there = self.rng.randrange(instance.table_count)
        leaving, coming = list(state.members[r][here]), list(state.members[r][there])
        if (
            here == there
            or len(leaving) != len(coming)
            or instance.host_count[here] != instance.host_count[there]
            or not all(state.is_movable[r][p] for p in leaving + coming)
        ):
            return
        delta = 0
        for group, start, goal in ((leaving, here, there), (coming, there, here)):
            for p in group:
                delta += state.move_delta(r, p, start, goal)
                state.relocate(r, p, start, goal)
        if self._accepts(delta, tau):
            state.cost += delta
            return
        for group, start, goal in ((leaving, here, there), (coming, there, here)):
            for p in group:
                state.relocate(r, p, goal, start)

    def _exchange(self, r: int, s: int, person: int) -> int:
        """Swap one person's tables of rounds r and s; returns the cost change."""
        state = self.state
        first, second = state.seat[r][person], state.seat[s][person]
        delta = state.move_delta(r, person, first, second)
        state.relocate(r, person, first, second)
        delta += state.move_delta(s, person, second, first)
        state.relocate(s, person, second, first)
        return delta

    def _undo(self, r: int, s: int, chain: list[int]) -> None:
        state = self.state
        for person in reversed(chain):
            first, second = state.seat[r][person], state.seat[s][person]
            state.relocate(r, person, first, second)
            state.relocate(s, person, second, first)

    def _try_move(self, r: int, person: int, tau: float) -> None:
        """Hand the extra seat of one flexible table to another: sizes stay within one."""
        state = self.state
        instance = state.instance
        here = state.seat[r][person]
        tables = state.flexible[r]
        there = tables[self.rng.randrange(len(tables))]
        base, sizes = instance.base[r], state.sizes[r]
        has_extra = instance.flex[r][here] and sizes[here] == base[here] + 1
        if not has_extra or sizes[there] != base[there]:
            return
        delta = state.move_delta(r, person, here, there)
        if self._accepts(delta, tau):
            state.relocate(r, person, here, there)
            state.cost += delta
