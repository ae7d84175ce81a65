"""Known plans without repeats, for requests nothing constrains (no hosts, no given seats).

- Resolvable transversal designs from GF(q): k groups of q people, q tables of k. Person
  (g, v) sits in class m at the table of c = v - m*g; each class is a round, and two people
  of different groups meet exactly once in the q rounds. When k divides q a last round
  splits each group into tables of k, whose pairs the other rounds never seat together.
  With k = q this is the affine plane of order q (q + 1 rounds, every pair once); with
  k < q the element y = k labels the tables (c + m*y), so nobody sits at a table twice.
  32 people at 8 tables get 9 rounds without a repeat (the golfers' 8-4-9).
- Kirkman's schoolgirls, a resolvable Steiner triple system on 15 points: the 1-rotational
  solution over {inf} + Z7 x {0, 1}, whose base class develops mod 7 into seven parallel
  classes (Colbourn & Rosa, Triple Systems, 1999).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.planner.fields import galois_field
from app.planner.instance import Instance


@dataclass(frozen=True)
class Design:
    rows: list[list[int]]
    """Per round, person -> table."""
    fresh: int
    """How many leading rows seat nobody at a table twice; the builder relabels the rest."""


def design_for(instance: Instance) -> Design | None:
    """The design that fits the request and covers the most of its rounds, if any."""
    tables, people = instance.table_count, instance.size
    group, rest = divmod(people, tables)
    if rest or group < 2 or not instance.plain(group):
        return None
    found = [d for d in (_transversal(tables, group), _kirkman(tables, group)) if d is not None]
    usable = [
        Design(d.rows[: instance.counted], min(d.fresh, instance.counted))
        for d in found
        if not instance.no_revisit or d.fresh >= min(len(d.rows), instance.counted)
    ]
    if not usable:
        return None
    return max(usable, key=lambda d: (len(d.rows), d.fresh))


def _transversal(q: int, k: int) -> Design | None:
    if k > q:
        return None
    field = galois_field(q)
    if field is None:
        return None
    add, multiply = field
    negative = [add[a].index(0) for a in range(q)]
    label = k if k < q else 0  # y: an element no group uses, else 0 (the table is c)
    rows = []
    for m in range(q):
        # the table of (g, v) is c + m*y = v + m*(y - g)
        shift = [multiply[m][add[label][negative[g]]] for g in range(k)]
        rows.append([add[v][shift[g]] for g in range(k) for v in range(q)])
    if q % k == 0:
        rows.append([g * (q // k) + v // k for g in range(k) for v in range(q)])
    return Design(rows, q if k < q else 0)


_KIRKMAN_BASE = (("inf", (0, 0), (0, 1)), ((1, 0), (2, 0), (4, 0)), ((3, 0), (1, 1), (5, 1)),
                 ((5, 0), (4, 1), (6, 1)), ((6, 0), (2, 1), (3, 1)))
"""Five triples that partition the 15 points; adding t = 0..6 to every Z7 part gives a class."""


def _kirkman(tables: int, group: int) -> Design | None:
    if (tables, group) != (5, 3):
        return None

    def person(point: str | tuple[int, int], shift: int) -> int:
        if point == "inf":
            return 0
        value, half = point
        return 1 + 7 * half + (value + shift) % 7

    rows = []
    for shift in range(7):
        row = [0] * 15
        for table, triple in enumerate(_KIRKMAN_BASE):
            for point in triple:
                row[person(point, shift)] = table
        rows.append(row)
    return Design(rows, 0)
