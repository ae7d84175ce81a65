"""How the budget is spent: anneal the first plan, then, while the plan is above the bounds,
by turns tabu search (while repeats, revisits or missed themes remain), a kick of the best
plan annealed from hot, and a fresh construction annealed from cool. The search stops as
soon as the best plan meets the floor of every objective it chases (bounds.floors,
State.chased). All randomness comes from the one generator, so a seed gives one plan
unless the clock cuts the search short.
"""

from __future__ import annotations

import random

from app.planner import bounds
from app.planner.annealing import TAU_COOL, TAU_HOT, Annealer
from app.planner.budget import Budget
from app.planner.greedy import construct
from app.planner.instance import Instance
from app.planner.state import State
from app.planner.tabu import Tabu


def solve(instance: Instance, rng: random.Random, budget: Budget) -> list[list[int]]:
    """The best plan found (per counted round, person -> table) within the budget."""
    state = State(instance, construct(instance, rng))
    if not state.active:
        return state.best
    floors = bounds.floors(instance)
    target = state.cost_of(floors)
    chased = state.chased()
    order = state.order()
    primary = order[: order.index("repeat") + 1]
    annealer = Annealer(state, rng, budget)
    tabu = Tabu(state, rng, budget)
    if annealer.anneal(target, TAU_COOL):
        return state.best
    building = budget.setup()
    attempt = 0
    while not budget.tick():
        state.restore()
        measures = state.measures()
        if all(measures[name] <= floors[name] for name in chased):
            return state.best
        above = any(measures[name] > floors[name] for name in primary)
        attempt += 1
        if above and attempt % 3 == 0:
            spent = tabu.run(target)
        elif attempt % 2 == 0 and budget.left() > 4 * building:
            state.load(construct(instance, rng))
            state.remember()
            spent = annealer.anneal(target, TAU_COOL)
        else:
            annealer.kick()
            spent = annealer.anneal(target, TAU_HOT)
        if spent:
            return state.best
    return state.best
