"""Seating across a series (issue 23): pairs who met in an earlier event count as having
met; the plan reports their meetings (`series_repeat_pairs`) between a proven lower bound
and an upper bound it keeps by construction (the series repeats of a plan of the same
request that ignores the earlier events), and the figures read back from stored seats agree
with the plan's."""

import itertools
from dataclasses import replace

import pytest

from app.tables import (
    BASELINE_SHARE,
    Person,
    Table,
    count_series_repeats,
    plan_seating,
    repeat_figures,
)
from tests.fixtures.timing import step_clock

PEOPLE = [Person(n, ("citizen", "city", "npo")[n % 3]) for n in range(24)]
TABLES = [Table(t) for t in range(100, 106)]


def first_session():
    """The pairs a first 24-person event of three rounds seated together."""
    first = plan_seating(PEOPLE, TABLES, 3, seed=1, time_limit=0.3, clock=step_clock())
    return {pair for seating in first.rounds for seated in seating.values()
            for pair in itertools.combinations(sorted(seated), 2)}


def groups(plan):
    return [list(seating.values()) for seating in plan.rounds]


def test_pairs_met_before_are_kept_apart_and_counted():
    met = first_session()
    mindful = plan_seating(PEOPLE, TABLES, 3, seed=2, time_limit=0.3, met_before=met,
                           clock=step_clock())
    ignoring = plan_seating(PEOPLE, TABLES, 3, seed=2, time_limit=0.3, clock=step_clock())
    assert mindful.series_repeat_pairs == count_series_repeats(groups(mindful), met)
    assert ignoring.series_repeat_pairs == 0  # it was told of no earlier event
    again = count_series_repeats(groups(ignoring), met)
    assert mindful.series_lower_bound <= mindful.series_repeat_pairs < again / 2
    for seating in mindful.rounds:  # the hard rules still hold
        assert sorted(p for seated in seating.values() for p in seated) == list(range(24))


def test_the_bound_counts_the_meetings_the_given_seats_make():
    """Two who met before, both at home at table 100: no plan can keep them apart there."""
    people = [Person(0, home_table=100), Person(1, home_table=100),
              *(Person(n) for n in range(2, 12))]
    tables = [Table(100), Table(101), Table(102)]
    planned = plan_seating(people, tables, 3, seed=0, time_limit=0.1,
                           met_before={(1, 0), (2, 3)}, clock=step_clock())
    assert planned.series_lower_bound == 1
    assert planned.series_repeat_pairs >= 1


def test_figures_read_back_from_seats_match_the_plans():
    met = first_session()
    planned = plan_seating(PEOPLE, TABLES, 3, seed=3, time_limit=0.2, met_before=met,
                           clock=step_clock())
    seats = [{p: t for t, seated in seating.items() for p in seated}
             for seating in planned.rounds]
    homes = [Person(p.id, p.affiliation, home_table=seats[0][p.id]) for p in PEOPLE]
    figures = repeat_figures(homes, TABLES, seats, met)
    assert figures.repeat_pairs == planned.repeat_pairs
    assert figures.series_repeat_pairs == planned.series_repeat_pairs
    # read back, the home round is given: its meetings of old pairs are forced
    assert figures.series_lower_bound == count_series_repeats(groups(planned)[:1], met)
    assert figures.lower_bound <= figures.repeat_pairs


def session_pairs(people, tables, seed):
    """The pairs an earlier event of three rounds seated together."""
    earlier = plan_seating(people, tables, 3, seed=seed, time_limit=0.2, clock=step_clock())
    return {pair for seating in earlier.rounds for seated in seating.values()
            for pair in itertools.combinations(sorted(seated), 2)}


def crowd(size, table_count, themed):
    themes = ("見守り", "子育て", "防災")
    tables = [Table(100 + t, None, themes[t % 3] if themed else None)
              for t in range(table_count)]
    people = [Person(n, ("citizen", "city", "npo", "business")[n % 4],
                     themes[n % 3] if themed else None) for n in range(size)]
    return people, tables


@pytest.mark.parametrize(("size", "table_count", "themed", "seed"), [
    (24, 6, False, 1), (24, 4, False, 2), (30, 5, False, 3), (48, 6, False, 4),
    (48, 6, True, 5), (36, 6, True, 6),
])
def test_the_series_repeats_lie_between_the_bounds(size, table_count, themed, seed):
    people, tables = crowd(size, table_count, themed)
    met = session_pairs(people, tables, seed)
    planned = plan_seating(people, tables, 3, seed=seed, time_limit=0.3, met_before=met,
                           clock=step_clock())
    assert planned.series_repeat_pairs == count_series_repeats(groups(planned), met)
    assert (planned.series_lower_bound <= planned.series_repeat_pairs
            <= planned.series_repeat_bound)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_bound_is_a_plan_of_the_same_request_that_ignores_the_earlier_event(seed):
    """The upper bound is no estimate: the same request, the same seed, planned first
    without the earlier pairs on BASELINE_SHARE of the time (home tables given)."""
    people, tables = crowd(24, 6, themed=False)
    people = [replace(p, home_table=tables[(p.id * 5) % 6].id) for p in people]
    met = session_pairs(people, tables, seed)
    time_limit = 0.31  # the baseline's deadline falls between two readings of the clock
    planned = plan_seating(people, tables, 3, seed=seed, time_limit=time_limit,
                           met_before=met, clock=step_clock())
    ignoring = plan_seating(people, tables, 3, seed=seed,
                            time_limit=BASELINE_SHARE * time_limit, clock=step_clock())
    assert ignoring.series_repeat_pairs == ignoring.series_repeat_bound == 0  # no series
    assert planned.series_repeat_bound == count_series_repeats(groups(ignoring), met)
    assert planned.series_repeat_pairs < planned.series_repeat_bound


def test_seats_read_back_keep_the_plans_bound_and_unplanned_seats_bound_themselves():
    people, tables = crowd(24, 6, themed=False)
    met = session_pairs(people, tables, 7)
    planned = plan_seating(people, tables, 3, seed=7, time_limit=0.2, met_before=met,
                           clock=step_clock())
    seats = [{p: t for t, seated in seating.items() for p in seated}
             for seating in planned.rounds]
    homes = [replace(p, home_table=seats[0][p.id]) for p in people]
    kept = repeat_figures(homes, tables, seats, met, planned.series_repeat_bound)
    assert kept.series_repeat_bound == planned.series_repeat_bound
    home_only = repeat_figures(homes, tables, seats[:1], met)
    assert home_only.series_repeat_bound == home_only.series_repeat_pairs > 0
