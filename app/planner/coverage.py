"""The theme rule: people carry what they heard at one theme to the next.

When every table has a theme, there are at least two themes and the rounds that count are
at least as many, each traveller's first `cover` rounds (home included) show every theme
once. Hosts stay at their table and are not bound. Given seats (home tables, moves by hand,
rounds already held) count as visits and are never changed: where they repeat a theme
already, or where the seats of a theme run out, someone misses a theme and the plan says so.
"""

from __future__ import annotations

from app.planner.instance import Instance

GIVEN = "given"
"""The seats given for them repeat a theme within the first rounds."""
SEATS = "seats"
"""The tables of a theme had no seat left for them in the rounds that remained."""


def given_repeats(instance: Instance, person: int) -> int:
    """How many themes the given seats of the first rounds already visit twice (or more)."""
    themes = [
        instance.table_theme[seats[person]]
        for seats in instance.pinned[: instance.cover]
        if person in seats
    ]
    return len(themes) - len(set(themes))


def floor(instance: Instance) -> int:
    """The themes travellers must miss whatever the plan: their given seats' repeats."""
    if not instance.cover:
        return 0
    return sum(given_repeats(instance, person) for person in instance.travellers)


def missing(instance: Instance, route: list[int]) -> list[int]:
    """The themes (by index) a route's first rounds leave out."""
    seen = {instance.table_theme[table] for table in route[: instance.cover]}
    return [theme for theme in range(instance.theme_kinds) if theme not in seen]


def misses(instance: Instance, seat: list[list[int]]) -> list[tuple[int, list[int], str]]:
    """(person, themes left out, reason) for every traveller the rule fails."""
    if not instance.cover:
        return []
    found = []
    for person in instance.travellers:
        left_out = missing(instance, [row[person] for row in seat])
        if left_out:
            reason = GIVEN if given_repeats(instance, person) else SEATS
            found.append((person, left_out, reason))
    return found
