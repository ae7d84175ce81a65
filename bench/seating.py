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
- home tables: the mix of affiliations at the home tables when 24, 48 or 96 people join in
  shuffled orders (HOME_SEEDS), three themes with two or four tables each, affiliations
  drawn as a city office's workshop might have them (HOME_WEIGHTS), each person's theme
  drawn evenly. Three rules on the same joins: "main" (the emptiest table of the theme,
  the rule before the mix counted: choose_home_table without the affiliation), "joins"
  (choose_home_table as the server runs it now), "rebal" (the joins, then the
  re-balance before the first round, balance_homes). `--home` runs only this section.

Columns of the plans: repeats = meetings beyond the first, summed over pairs (what the plan
reports) and bound = the plan's lower bound on it; C(m,2) = the sum over pairs of
C(meetings, 2), what the planner minimises, and C-bnd its lower bound (for the themed rows:
among plans that keep the theme rule); misses = travellers whose first rounds leave out a
theme although the rounds are enough; twice = people who sit at some table twice although
rounds <= tables; mix = the sum over tables and rounds of squared affiliation counts (lower
mixes better); sec = the planner's seconds. Live rows show seed 0, then the worst repeats
and the longest time over the five seeds.

Columns of the home tables, over the tables with someone at them, of the seeds where the
mix allows it (`allow` of the seeds: every theme has each kind at most half its smallest
table times its tables, so every table can have two kinds or more and none over half):
kinds = stakeholder kinds at a table (the fewest, and the mean), share = the largest share
of one kind at a table (the worst, and the mean), unmixed = tables with one kind only or a
kind over half of it (then over `all` seeds); over all seeds: mix = the planner's mix
score of the home round (mean; lower mixes better), spread = the largest difference of
sizes between tables of a theme, moved = people the re-balance moved (mean).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.planner import bounds, coverage  # noqa: E402
from app.planner.instance import Instance  # noqa: E402
from app.planner.mix import mix_cost  # noqa: E402
from app.tables import (  # noqa: E402
    Person,
    Plan,
    Table,
    balance_homes,
    choose_home_table,
    count_repeat_pairs,
    home_mix,
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
# (people, tables): three themes, a third of the tables each
HOME = [(24, 6), (48, 6), (96, 12)]
HOME_SEEDS = range(200)
HOME_WEIGHTS = (30, 20, 15, 15, 12, 8)
"""Citizens most, then city staff, NPOs, businesses, neighbourhood groups, others (per cent)."""

Groups = list[list[list[int]]]
"""Per round, per table position, the people seated there."""


def live_event(people: int, tables: int, themes: int) -> tuple[list[Person], list[Table]]:
    """People join in turn, choosing the themes evenly, and get a table of theirs as the
    server gives it (choose_home_table)."""
    names = [f"theme {t}" for t in range(themes or tables)]
    room = [Table(t + 1, theme=names[t % len(names)]) for t in range(tables)]
    joiners = [Person(i + 1, AFFILIATIONS[i % len(AFFILIATIONS)], names[i % len(names)])
               for i in range(people)]
    return joined(room, joiners, with_mix=True), room


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
    return mix_cost(
        count
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


def shuffled_joins(people: int, tables: int, seed: int) -> tuple[list[Table], list[Person]]:
    """Tables of three themes and people in a shuffled order, not seated yet."""
    rng = random.Random(seed)
    themes = [f"theme {t}" for t in range(3)]
    room = [Table(t + 1, theme=themes[t % 3]) for t in range(tables)]
    kinds = rng.choices(AFFILIATIONS, HOME_WEIGHTS, k=people)
    return room, [Person(n + 1, kinds[n], rng.choice(themes)) for n in range(people)]


def joined(room: list[Table], joiners: list[Person], with_mix: bool) -> list[Person]:
    """Everyone gets a home table in turn: by the joiner's rule, or (`with_mix` False) by
    the same rule blind to affiliations, the emptiest table (main's rule)."""
    seated: dict[int, list[str | None]] = {}
    people = []
    for person in joiners:
        affiliation = person.affiliation if with_mix else None
        home = choose_home_table(room, seated, person.theme, affiliation)
        seated.setdefault(home, []).append(person.affiliation)
        people.append(replace(person, home_table=home))
    return people


def mix_allows(room: list[Table], people: list[Person]) -> bool:
    """Every theme's kinds fit at most half of its smallest even table, at each table."""
    for theme in {t.theme for t in room}:
        kinds = Counter(p.affiliation for p in people if p.theme == theme)
        count = sum(1 for t in room if t.theme == theme)
        if len(kinds) < 2 or max(kinds.values()) > count * ((sum(kinds.values()) // count) // 2):
            return False
    return True


def home_figures(room: list[Table], people: list[Person]) -> dict[str, float]:
    mixes = home_mix(people, room)
    sizes = {t: sum(counts.values()) for t, counts in mixes.items()}
    spread = max(max(sizes[t.id] for t in room if t.theme == theme)
                 - min(sizes[t.id] for t in room if t.theme == theme)
                 for theme in {t.theme for t in room})
    shares = [max(c.values()) / sizes[t] for t, c in mixes.items() if sizes[t]]
    return {
        "kinds": [len(c) for t, c in mixes.items() if sizes[t]],
        "shares": shares,
        "unmixed": sum(1 for t, c in mixes.items()
                       if sizes[t] and (len(c) < 2 or 2 * max(c.values()) > sizes[t])),
        "mix": mix_cost(n for c in mixes.values() for n in c.values()),
        "spread": spread,
    }


HOME_COLUMNS = ("people", "tables", "rule", "kinds", "mean", "share", "mean", "unmixed",
                "all", "allow", "mix", "spread", "moved")


def home_row(figures_: list[dict], allowed: int, tables: int) -> list[object]:
    """One rule's figures over the seeds: kinds and shares where the mix allows."""
    kinds = [k for f in figures_ if f["allows"] for k in f["kinds"]]
    shares = [s for f in figures_ if f["allows"] for s in f["shares"]]
    return [min(kinds), f"{sum(kinds) / len(kinds):.2f}",
            f"{max(shares):.2f}", f"{sum(shares) / len(shares):.2f}",
            f"{sum(f['unmixed'] for f in figures_ if f['allows'])}/{allowed * tables}",
            f"{sum(f['unmixed'] for f in figures_)}/{len(figures_) * tables}",
            f"{allowed}/{len(figures_)}",
            f"{sum(f['mix'] for f in figures_) / len(figures_):.1f}",
            max(f["spread"] for f in figures_)]


def home_section() -> None:
    print()
    print(f"home tables: three themes, shuffled joins, seeds 0-{HOME_SEEDS[-1]}")
    print("".join(f"{c:>9}" for c in HOME_COLUMNS))
    for people, tables in HOME:
        rows: dict[str, list[dict]] = {"main": [], "joins": [], "rebal": []}
        moved, allowed = [], 0
        for seed in HOME_SEEDS:
            room, joiners = shuffled_joins(people, tables, seed)
            allows = mix_allows(room, joiners)
            allowed += allows
            mixing = joined(room, joiners, with_mix=True)
            homes = balance_homes(mixing, room)
            rebalanced = [replace(p, home_table=homes[p.id]) for p in mixing]
            moved.append(sum(p.home_table != homes[p.id] for p in mixing))
            for rule, seated in (("main", joined(room, joiners, with_mix=False)),
                                 ("joins", mixing), ("rebal", rebalanced)):
                rows[rule].append({**home_figures(room, seated), "allows": allows})
        for rule, figures_ in rows.items():
            cells = [people, tables, rule, *home_row(figures_, allowed, tables),
                     f"{sum(moved) / len(moved):.1f}" if rule == "rebal" else ""]
            print("".join(f"{v:>9}" for v in cells), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of every budget")
    parser.add_argument("--home", action="store_true", help="only the home tables' mix")
    arguments = parser.parse_args()
    home_section()
    if arguments.home:
        return
    scale = 0.1 if arguments.quick else 1.0

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
