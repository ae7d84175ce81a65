"""Seating planner benchmark: repeats against the lower bound and two baselines, per row.

Prints one line per instance; never fails on time. Run: .venv/bin/python bench/seating.py
(`--quick` gives every plan a tenth of its budget, for a smoke run). The baselines are a
random seating and a greedy one (each person in turn takes the table with room of a theme
they have not seen yet, then where they have not sat yet and have met the fewest people);
both keep sizes balanced and the home round as given, neither is bound by the rules.

Sections:
- plain: nothing given, 2 s per plan (the command's default);
- hard designs: Kirkman's schoolgirls 15/5/7 and the social golfers 32/8/9 and 32/8/10,
  10 s per plan (zero repeats exists for all three);
- live: as the server plans, 0.5 s per plan and the seeds 0 to 4: people join one by one
  with a theme and an affiliation and get their home table then (choose_home_table), so the
  home round is fixed; one theme per table, or three themes with a third of the tables each
  and the standard programme (home, two moves; the return is the home round again).

Columns: repeats = meetings beyond the first, summed over pairs (what the plan reports) and
bound = the plan's lower bound on it; C(m,2) = the sum over pairs of C(meetings, 2), what
the planner minimises, and C-bnd its lower bound (for the themed rows: among plans that keep
the theme rule); misses = travellers whose first rounds leave out a theme although the
rounds are enough; twice = people who sit at some table twice although rounds <= tables;
mix = the sum over tables and rounds of squared affiliation counts (lower mixes better);
sec = the planner's seconds. Live rows show seed 0, then the worst repeats and the longest
time over the five seeds.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.planner import bounds, coverage  # noqa: E402
from app.planner.instance import Instance  # noqa: E402
from app.tables import (  # noqa: E402
    Person,
    Plan,
    Table,
    choose_home_table,
    count_repeat_pairs,
    plan_seating,
)

# (people, tables, rounds including the home round, last round returns home)
PLAIN = [
    (9, 3, 4, False),
    (16, 4, 5, False),
    (20, 4, 4, False),
    (20, 3, 4, True),
    (30, 5, 4, False),
    (60, 6, 4, False),
    (200, 20, 4, False),
    (1000, 100, 4, False),
]
PLAIN_SECONDS = 2.0
HARD = [(15, 5, 7), (32, 8, 9), (32, 8, 10)]
HARD_SECONDS = 10.0
# (people, tables, rounds including the home round, themes; 0: one theme per table)
LIVE = [
    (12, 4, 3, 0),
    (20, 5, 4, 0),
    (24, 4, 3, 0),
    (40, 8, 3, 0),
    (200, 20, 3, 0),
    (24, 6, 3, 3),
    (48, 6, 3, 3),
    (96, 12, 3, 3),
]
LIVE_SECONDS = 0.5  # what the server gives the planner (app/store/seating.py)
LIVE_SEEDS = range(5)
AFFILIATIONS = ("citizen", "city", "npo", "business", "community", "other")

Groups = list[list[list[int]]]
"""Per round, per table position, the people seated there."""


def live_event(people: int, tables: int, themes: int) -> tuple[list[Person], list[Table]]:
    """People join in turn, choosing the themes evenly, and take the emptiest table of theirs."""
    names = [f"theme {t}" for t in range(themes or tables)]
    room = [Table(t + 1, theme=names[t % len(names)]) for t in range(tables)]
    occupancy: dict[int, int] = {}
    joined = []
    for i in range(people):
        theme = names[i % len(names)]
        home = choose_home_table(room, occupancy, theme)
        occupancy[home] = occupancy.get(home, 0) + 1
        joined.append(Person(i + 1, AFFILIATIONS[i % len(AFFILIATIONS)], theme, home))
    return joined, room


def balanced_sizes(people: int, tables: int) -> list[int]:
    return [people // tables + (1 if t < people % tables else 0) for t in range(tables)]


def home_groups(persons: list[Person], room: list[Table]) -> list[list[int]]:
    position = {t.id: index for index, t in enumerate(room)}
    groups: list[list[int]] = [[] for _ in room]
    for index, person in enumerate(persons):
        groups[position[person.home_table]].append(index)
    return groups


def random_rounds(people: int, tables: int, rounds: int, home: list[list[int]] | None,
                  seed: int) -> Groups:
    rng = random.Random(seed)
    result = [home] if home else []
    while len(result) < rounds:
        order = list(range(people))
        rng.shuffle(order)
        groups, start = [], 0
        for size in balanced_sizes(people, tables):
            groups.append(order[start : start + size])
            start += size
        result.append(groups)
    return result


def greedy_rounds(people: int, tables: int, rounds: int, home: list[list[int]] | None,
                  themes: list[str | None]) -> Groups:
    met: list[set[int]] = [set() for _ in range(people)]
    visited: list[set[int]] = [set() for _ in range(people)]
    seen: list[set[str | None]] = [set() for _ in range(people)]
    result: Groups = []
    for r in range(rounds):
        if r == 0 and home:
            groups = home
        else:
            room = balanced_sizes(people, tables)
            groups = [[] for _ in range(tables)]
            for person in range(people):
                table = min(
                    (t for t in range(tables) if len(groups[t]) < room[t]),
                    key=lambda t: (themes[t] in seen[person], t in visited[person],
                                   len(met[person].intersection(groups[t])), t),
                )
                groups[table].append(person)
        for table, group in enumerate(groups):
            for person in group:
                met[person].update(group)
                visited[person].add(table)
                seen[person].add(themes[table])
        result.append(groups)
    return result


def pair_cost(rounds: Groups) -> int:
    meetings = Counter(
        pair
        for groups in rounds
        for group in groups
        for pair in itertools.combinations(sorted(group), 2)
    )
    return sum(m * (m - 1) // 2 for m in meetings.values())


def sitting_twice(rounds: Groups, tables: int) -> int:
    if len(rounds) > tables:
        return 0
    visits = Counter(
        (person, table)
        for groups in rounds
        for table, group in enumerate(groups)
        for person in group
    )
    return len({person for (person, _), times in visits.items() if times > 1})


def theme_misses(rounds: Groups, instance: Instance) -> int:
    """Travellers whose first rounds leave out a theme (the planner's own count)."""
    seat = [[0] * instance.size for _ in rounds]
    for r, groups in enumerate(rounds):
        for table, group in enumerate(groups):
            for person in group:
                seat[r][person] = table
    return len(coverage.misses(instance, seat))


def mix(rounds: Groups, persons: list[Person]) -> int:
    return sum(
        count * count
        for groups in rounds
        for group in groups
        for count in Counter(persons[p].affiliation for p in group if persons[p].affiliation)
        .values()
    )


def groups_of(plan: Plan, persons: list[Person], room: list[Table], counted: int) -> Groups:
    index = {person.id: position for position, person in enumerate(persons)}
    return [[[index[p] for p in seating[t.id]] for t in room] for seating in plan.rounds[:counted]]


def figures(persons: list[Person], room: list[Table], rounds: int, return_round: bool,
            seconds: float, seeds: range) -> tuple[list[object], list[tuple[Plan, float]]]:
    """Our figures for seed 0 and every seed's plan with its time."""
    results = []
    for seed in seeds:
        started = time.perf_counter()
        plan = plan_seating(persons, room, rounds, seed=seed, time_limit=seconds,
                            return_round=return_round, clock=time.monotonic)
        results.append((plan, time.perf_counter() - started))
    plan, spent = results[0]
    counted = rounds - 1 if return_round else rounds
    ours = groups_of(plan, persons, room, counted)
    instance = Instance(persons, room, rounds, [], return_round)
    barred = sitting_twice(ours, len(room)) == 0 and counted <= len(room)
    covered = instance.cover > 0 and not plan.theme_misses
    row = [
        plan.repeat_pairs, plan.lower_bound, pair_cost(ours),
        bounds.pair_bound(instance, barred=barred, covered=covered),
        len(plan.theme_misses), sitting_twice(ours, len(room)), mix(ours, persons),
        f"{spent:.2f}",
    ]
    return row, results


def baselines(persons: list[Person], room: list[Table], counted: int,
              fixed_home: bool) -> list[object]:
    home = home_groups(persons, room) if fixed_home else None
    instance = Instance(persons, room, counted, [], False)
    shuffled = random_rounds(len(persons), len(room), counted, home, seed=0)
    greedy = greedy_rounds(len(persons), len(room), counted, home, [t.theme for t in room])
    return [
        count_repeat_pairs(shuffled), theme_misses(shuffled, instance),
        count_repeat_pairs(greedy), theme_misses(greedy, instance),
        sitting_twice(greedy, len(room)),
    ]


COLUMNS = ("people", "tables", "rounds", "repeats", "bound", "C(m,2)", "C-bnd", "misses",
           "twice", "mix", "sec", "random", "misses", "greedy", "misses", "twice")


def header(title: str, extra: tuple[str, ...] = ()) -> None:
    print()
    print(title)
    print("".join(f"{c:>8}" for c in COLUMNS + extra))
    print(f"{'':>24}{'------------------ ours ------------------':^64}"
          f"{'- random -':^16}{'--- greedy ---':^24}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of every budget")
    scale = 0.1 if parser.parse_args().quick else 1.0

    header(f"plain: nothing given, {PLAIN_SECONDS * scale:g} s per plan")
    for people, tables, rounds, return_round in PLAIN:
        persons, room = [Person(i) for i in range(people)], [Table(t) for t in range(tables)]
        counted = rounds - 1 if return_round else rounds
        ours, _ = figures(persons, room, rounds, return_round, PLAIN_SECONDS * scale, range(1))
        label = f"{rounds}{'+r' if return_round else ''}"
        print("".join(f"{v:>8}" for v in [people, tables, label, *ours,
                                            *baselines(persons, room, counted, False)]),
              flush=True)

    header(f"hard designs: {HARD_SECONDS * scale:g} s per plan")
    for people, tables, rounds in HARD:
        persons, room = [Person(i) for i in range(people)], [Table(t) for t in range(tables)]
        ours, _ = figures(persons, room, rounds, False, HARD_SECONDS * scale, range(1))
        print("".join(f"{v:>8}" for v in [people, tables, rounds, *ours,
                                            *baselines(persons, room, rounds, False)]),
              flush=True)

    header(f"live: home tables fixed when people join, {LIVE_SECONDS * scale:g} s per plan, "
           "seed 0 (worst and longest over seeds 0-4)", ("worst", "longest", "themes"))
    for people, tables, rounds, themes in LIVE:
        persons, room = live_event(people, tables, themes)
        ours, results = figures(persons, room, rounds, False, LIVE_SECONDS * scale, LIVE_SEEDS)
        worst = max(plan.repeat_pairs for plan, _ in results)
        longest = max(spent for _, spent in results)
        print("".join(f"{v:>8}" for v in [people, tables, rounds, *ours,
                                            *baselines(persons, room, rounds, True),
                                            worst, f"{longest:.2f}", themes or tables]),
              flush=True)


if __name__ == "__main__":
    main()
