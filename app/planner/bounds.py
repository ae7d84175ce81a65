"""Lower bounds: what no plan with these table sizes can beat.

`repeat_bound` is what a plan reports beside its repeats; `floors` gives every objective
the search weighs a floor of its own, so that it can stop once a plan meets them all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from app.planner import coverage
from app.planner.instance import UNSET, Instance
from app.planner.mix import mix_cost

Sizes = tuple[list[int], list[bool], int]


def pairs(count: int) -> int:
    return count * (count - 1) // 2


def triples(visits: int) -> int:
    """The cost of sitting `visits` times at one table: 0, 0, 1, 4, 10... (C(visits + 1, 3))."""
    return (visits + 1) * visits * (visits - 1) // 6


def split_pairs(count: int, parts: int) -> int:
    """Fewest pairs that stay together when `count` people spread over `parts` tables."""
    parts = max(parts, 1)
    whole, rest = divmod(count, parts)
    return rest * pairs(whole + 1) + (parts - rest) * pairs(whole)


def least(base: list[int], flex: list[bool], extras: int, cost: Callable[[int, int], int]) -> int:
    """The smallest total of cost(people, table) over the ways of handing out the extra
    seats to flexible tables (one each); exact because every cost here is convex."""
    total = sum(cost(count, t) for t, count in enumerate(base))
    rises = sorted(cost(count + 1, t) - cost(count, t) for t, count in enumerate(base) if flex[t])
    return total + sum(rises[:extras])


def fill(floors: list[int], count: int) -> list[int]:
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


def _round_pairs(sizes: list[Sizes]) -> int:
    """The fewest pairs the rounds seat together, whoever sits where."""
    return sum(
        least(base, flex, extras, lambda count, _: pairs(count)) for base, flex, extras in sizes
    )


def _spread(
    instance: Instance, groups: Sizes, targets: Sizes, barred: bool, themed: bool
) -> int:
    """Fewest pairs of one round's groups that must sit together in another round.

    A group spreads over the open tables of the other round: all but its own table when
    revisits are barred, only the tables of other themes when both rounds are covered.
    """
    target_base, target_flex, target_extras = targets
    open_tables = [
        t
        for t, (b, f) in enumerate(zip(target_base, target_flex, strict=True))
        if b > 0 or (f and target_extras > 0)
    ]
    theme = instance.table_theme

    def parts(table: int) -> int:
        if themed:
            return sum(theme[t] != theme[table] for t in open_tables)
        return len(open_tables) - (1 if barred and table in open_tables else 0)

    base, flex, extras = groups
    return least(base, flex, extras, lambda count, table: split_pairs(count, parts(table)))


def _pigeonhole(instance: Instance, sizes: list[Sizes], barred: bool, covered: bool):
    """For every two counted rounds (earlier, later): the pairs that must meet in both."""
    for later in range(1, instance.counted):
        for earlier in range(later):
            themed = covered and later < instance.cover
            yield later, max(
                _spread(instance, sizes[earlier], sizes[later], barred, themed),
                _spread(instance, sizes[later], sizes[earlier], barred, themed),
            )


def repeat_bound(instance: Instance, barred: bool, covered: bool) -> int:
    """A lower bound on repeat_pairs for every plan with these table sizes.

    Counting: the rounds hold at least M traveller pairs but only C(n, 2) distinct pairs
    exist, so at least M - C(n, 2) meetings repeat (this implies the per-person bound).
    Pigeonhole: the k travellers of a table in an earlier round spread over the tables of a
    later round (minus their own table when `barred`, i.e. for plans without revisits, and
    minus the tables of their theme when `covered`, i.e. for plans where every traveller
    sees each theme once), so some of them meet again; likewise for the arrivals at a table.
    """
    sizes = [instance.traveller_sizes(r) for r in range(instance.counted)]
    counting = _round_pairs(sizes) - pairs(len(instance.travellers))
    strongest: Counter[int] = Counter()
    for later, forced in _pigeonhole(instance, sizes, barred, covered):
        strongest[later] = max(strongest[later], forced)
    return max(0, counting, sum(strongest.values()))


def series_bound(instance: Instance) -> int:
    """A lower bound on the meetings of pairs who met in an earlier event of a series: the
    ones the given seats make (both seated there by the request: home tables in the home
    round, fixed seats), which no plan can change."""
    return sum(
        seats.get(first) is not None and seats.get(first) == seats.get(second)
        for seats in instance.pinned
        for first, second in instance.met_before
    )


def pair_bound(instance: Instance, barred: bool, covered: bool) -> int:
    """A lower bound on the sum over traveller pairs of C(meetings, 2), what the search
    minimises: that sum counts, for every two rounds, the pairs that meet in both.

    Per two rounds the pigeonhole bound above; overall the meetings spread as evenly as
    possible over the C(n, 2) pairs.
    """
    sizes = [instance.traveller_sizes(r) for r in range(instance.counted)]
    counting = split_pairs(_round_pairs(sizes), pairs(len(instance.travellers)))
    pigeonhole = sum(forced for _, forced in _pigeonhole(instance, sizes, barred, covered))
    return max(counting, pigeonhole, repeat_bound(instance, barred, covered))


def floors(instance: Instance) -> dict[str, int]:
    """A floor for every objective the search weighs, each on its own.

    The pairs that must meet again (as the sum of C(meetings, 2)); theme misses the given
    seats force; affiliations and themes spread as evenly as the given seats (hosts, home
    tables, fixed seats) allow; the home-theme misses those seats already make; visits to
    one table spread evenly when there are more rounds than tables.
    """
    tables = instance.table_count
    given = [dict(instance.pinned[r]) for r in range(instance.counted)]
    for person, table in instance.home.items():
        if instance.is_host[person]:
            for seats in given:
                seats[person] = table
    mix = 0
    total = Counter(a for a in instance.affiliation if a != UNSET)
    for seats in given:
        floor = [[0] * tables for _ in range(instance.affiliation_kinds)]
        for person, table in seats.items():
            if instance.affiliation[person] != UNSET:
                floor[instance.affiliation[person]][table] += 1
        for kind, counts in enumerate(floor):
            mix += mix_cost(fill(counts, total[kind] - sum(counts)))
    theme = sum(
        instance.table_theme[table] != instance.theme[person]
        for person, table in instance.pinned[0].items()
        if instance.theme[person] != UNSET
    )
    variety = 0
    if instance.theme_kinds and UNSET not in instance.table_theme:
        for person in instance.travellers:
            seen = [0] * instance.theme_kinds
            for seats in instance.pinned:
                if person in seats:
                    seen[instance.table_theme[seats[person]]] += 1
            free = instance.counted - sum(seen)
            variety += sum(pairs(k) for k in fill(seen, free))
    whole, rest = divmod(instance.counted, tables)
    revisit = len(instance.travellers) * (
        rest * triples(whole + 1) + (tables - rest) * triples(whole)
    )
    cover = coverage.floor(instance)
    covered = instance.cover > 0 and cover == 0
    return {
        "revisit": revisit,
        "cover": cover,
        "theme": theme,
        "repeat": pair_bound(instance, barred=instance.no_revisit, covered=covered),
        "mix": mix,
        "variety": variety,
    }
