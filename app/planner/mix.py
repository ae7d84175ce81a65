"""The affiliation mix, as the planner scores it: the sum over tables of the squared count
of each affiliation (lower mixes better). One more person of a kind where `count` of that
kind sit adds `2 * count + 1`, so the cheapest table for someone is the one with the fewest
of their kind; the search's move deltas (state.py) are that difference, inlined."""

from __future__ import annotations

from collections.abc import Iterable


def mix_cost(counts: Iterable[int]) -> int:
    """The mix objective of these per-table, per-kind counts."""
    return sum(count * count for count in counts)


def joining_cost(count: int) -> int:
    """What one more person of a kind adds to `mix_cost` where `count` of it sit."""
    return 2 * count + 1
