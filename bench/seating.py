"""Seating planner benchmark: repeated pairs against a lower bound and two baselines.

Prints one line per instance; never fails on time. Run: .venv/bin/python bench/seating.py
The baselines are a random seating and a greedy one (each person in turn takes the table
with room where they have not sat yet and have met the fewest people); both keep sizes
balanced, neither is bound by the rule against sitting at a table twice.

Columns: repeats = meetings beyond the first, summed over pairs (what the plan reports);
C(m,2) = the sum over pairs of C(meetings, 2), the superlinear cost the planner minimises
(a pair that travels together all event weighs more than several pairs meeting twice);
twice = people who sit at some table twice although rounds <= tables.

The live section plans as the server does: one theme per table, people join one by one
with a theme and an affiliation and get their home table then (choose_home_table), so the
home round is fixed; the planner has the server's 0.5 s and the seeds 0 to 4. Columns:
repeats, bound, C(m,2) and seconds of seed 0, then the worst repeats and the longest time
over the five seeds.
"""

from __future__ import annotations

import itertools
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.tables import (  # noqa: E402
    Person,
    Table,
    choose_home_table,
    count_repeat_pairs,
    plan_seating,
)

# (people, tables, rounds including the home round, last round returns home)
INSTANCES = [
    (9, 3, 4, False),
    (16, 4, 5, False),
    (20, 4, 4, False),
    (20, 3, 4, True),
    (30, 5, 4, False),
    (60, 6, 4, False),
    (200, 20, 4, False),
    (1000, 100, 4, False),
]

# (people, tables, rounds including the home round): homes fixed, affiliations mixed
LIVE_INSTANCES = [
    (12, 4, 3),
    (20, 5, 4),
    (24, 4, 3),
    (40, 8, 3),
    (200, 20, 3),
]
LIVE_SECONDS = 0.5  # what the server gives the planner (app/seating.py)
LIVE_SEEDS = range(5)
AFFILIATIONS = ("citizen", "city", "npo", "business", "community", "other")


def live_event(people: int, tables: int) -> tuple[list[Person], list[Table]]:
    """One theme per table; people join in turn and take the emptiest table of their theme."""
    themes = [f"theme {t}" for t in range(tables)]
    room = [Table(t + 1, theme=themes[t]) for t in range(tables)]
    occupancy: dict[int, int] = {}
    joined = []
    for i in range(people):
        home = choose_home_table(room, occupancy, themes[i % tables])
        occupancy[home] = occupancy.get(home, 0) + 1
        joined.append(Person(i + 1, AFFILIATIONS[i % len(AFFILIATIONS)], themes[i % tables], home))
    return joined, room


def balanced_sizes(people: int, tables: int) -> list[int]:
    return [people // tables + (1 if t < people % tables else 0) for t in range(tables)]


def random_rounds(people: int, tables: int, rounds: int, seed: int) -> list[list[list[int]]]:
    rng = random.Random(seed)
    result = []
    for _ in range(rounds):
        order = list(range(people))
        rng.shuffle(order)
        groups, start = [], 0
        for size in balanced_sizes(people, tables):
            groups.append(order[start : start + size])
            start += size
        result.append(groups)
    return result


def greedy_rounds(people: int, tables: int, rounds: int) -> list[list[list[int]]]:
    met = [set() for _ in range(people)]
    visited = [set() for _ in range(people)]
    result = []
    for _ in range(rounds):
        room = balanced_sizes(people, tables)
        groups: list[list[int]] = [[] for _ in range(tables)]
        for person in range(people):
            table = min(
                (t for t in range(tables) if len(groups[t]) < room[t]),
                key=lambda t: (t in visited[person], len(met[person].intersection(groups[t])), t),
            )
            groups[table].append(person)
            visited[person].add(table)
        for group in groups:
            for person in group:
                met[person].update(group)
        result.append(groups)
    return result


def pair_cost(rounds: list[list[list[int]]]) -> int:
    meetings = Counter(
        pair
        for groups in rounds
        for group in groups
        for pair in itertools.combinations(sorted(group), 2)
    )
    return sum(m * (m - 1) // 2 for m in meetings.values())


def sitting_twice(rounds: list[list[list[int]]], tables: int) -> int:
    if len(rounds) > tables:
        return 0
    visits = Counter(
        (person, table)
        for groups in rounds
        for table, group in enumerate(groups)
        for person in group
    )
    return len({person for (person, _), times in visits.items() if times > 1})


def main() -> None:
    columns = ("people", "tables", "rounds", "return", "repeats", "bound", "C(m,2)", "twice",
               "random", "C(m,2)", "greedy", "C(m,2)", "twice", "seconds")
    print("".join(f"{c:>8}" for c in columns))
    print(f"{'':>32}{'--- ours ---':^32}{'- random -':^16}{'--- greedy ---':^24}")
    for people, tables, rounds, return_round in INSTANCES:
        started = time.perf_counter()
        plan = plan_seating(
            [Person(i) for i in range(people)], [Table(t) for t in range(tables)], rounds,
            seed=0, time_limit=2.0, return_round=return_round,
        )
        seconds = time.perf_counter() - started
        counted = rounds - 1 if return_round else rounds
        ours = [list(seating.values()) for seating in plan.rounds[:counted]]
        shuffled = random_rounds(people, tables, counted, seed=0)
        greedy = greedy_rounds(people, tables, counted)
        row = (
            people, tables, rounds, "yes" if return_round else "no",
            plan.repeat_pairs, plan.lower_bound, pair_cost(ours), sitting_twice(ours, tables),
            count_repeat_pairs(shuffled), pair_cost(shuffled),
            count_repeat_pairs(greedy), pair_cost(greedy), sitting_twice(greedy, tables),
            f"{seconds:.2f}",
        )
        print("".join(f"{value:>8}" for value in row), flush=True)
    live()


def live() -> None:
    print()
    print(f"live: home tables fixed when people join, {LIVE_SECONDS} s per plan as on the server")
    columns = ("people", "tables", "rounds", "repeats", "bound", "C(m,2)", "seconds",
               "worst", "longest")
    print("".join(f"{c:>8}" for c in columns))
    print(f"{'':>24}{'----- seed 0 -----':^32}{'- seeds 0-4 -':^16}")
    for people, tables, rounds in LIVE_INSTANCES:
        persons, room = live_event(people, tables)
        results = []
        for seed in LIVE_SEEDS:
            started = time.perf_counter()
            plan = plan_seating(persons, room, rounds, seed=seed, time_limit=LIVE_SECONDS)
            results.append((plan, time.perf_counter() - started))
        first, seconds = results[0]
        groups = [list(seating.values()) for seating in first.rounds]
        row = (
            people, tables, rounds, first.repeat_pairs, first.lower_bound, pair_cost(groups),
            f"{seconds:.2f}", max(plan.repeat_pairs for plan, _ in results),
            f"{max(spent for _, spent in results):.2f}",
        )
        print("".join(f"{value:>8}" for value in row), flush=True)


if __name__ == "__main__":
    main()
