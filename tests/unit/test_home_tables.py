"""Home tables that mix affiliations: the joiner's rule (choose_home_table) and the
re-balance before the first round (balance_homes), for people joining in any order."""

from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from app.planner.mix import joining_cost, mix_cost
from app.tables import HOME_SIZE_SLACK, Person, Table, balance_homes, choose_home_table, home_mix

CODES = ("citizen", "city", "npo", "business", "community", "other")
UNLUCKY = ("business", "business", "npo", "citizen", "business", "citizen", "citizen",
           "citizen")
"""A join order that leaves one of two tables of a theme with 2 citizens of 3 under the
joiner's rule, although 4 and 4 with 2 citizens each is possible."""


def join_in_order(tables, joiners):
    """Everyone joins in turn, as the server seats them: (theme, affiliation) each."""
    seated: dict[int, list[str]] = {}
    people = []
    for number, (theme, affiliation) in enumerate(joiners, 1):
        home = choose_home_table(tables, seated, theme, affiliation)
        seated.setdefault(home, []).append(affiliation)
        people.append(Person(number, affiliation, theme, home))
    return people


def themes_kept(tables, people, homes) -> bool:
    """Everyone's home table (in `homes`) is of the theme they chose."""
    theme_of = {t.id: t.theme for t in tables}
    return all(theme_of[homes[p.id]] == p.theme for p in people)


def rehomed(people, homes):
    return [replace(p, home_table=homes[p.id]) for p in people]


def mix_allows(people, tables, theme) -> bool:
    """Enough of other kinds that every table of the theme, filled evenly, can hold two
    kinds or more with none over half: each kind at most half the smallest table, times
    the tables."""
    kinds = Counter(p.affiliation for p in people if p.theme == theme)
    count = sum(1 for t in tables if t.theme == theme)
    smallest = sum(kinds.values()) // count
    return max(kinds.values(), default=0) <= count * (smallest // 2) and len(kinds) > 1


def mixed(counts: Counter) -> bool:
    """Two kinds or more and none over half the table."""
    return len(counts) >= 2 and 2 * max(counts.values()) <= sum(counts.values())


@st.composite
def events(draw):
    """Themes with one to four tables each (no capacity) and people who join in a drawn
    order, each with a theme and an affiliation."""
    themes = draw(st.integers(1, 3))
    per_theme = draw(st.integers(1, 4))
    tables = [Table(n + 1, theme=f"theme {n % themes}") for n in range(themes * per_theme)]
    kinds = draw(st.lists(st.sampled_from(CODES), min_size=2, max_size=6, unique=True))
    joiners = draw(st.lists(
        st.tuples(st.sampled_from([f"theme {n}" for n in range(themes)]),
                  st.sampled_from(kinds)),
        min_size=len(tables), max_size=12 * len(tables)))
    return tables, draw(st.permutations(joiners))


@settings(max_examples=300, deadline=None)
@given(events())
def test_any_join_order_is_mixed_after_the_rebalance_when_the_mix_allows(event):
    tables, joiners = event
    people = join_in_order(tables, joiners)
    homes = balance_homes(people, tables)
    assert themes_kept(tables, people, homes)
    after = rehomed(people, homes)
    mix = home_mix(after, tables)
    for theme in {t.theme for t in tables}:
        sizes = [sum(mix[t.id].values()) for t in tables if t.theme == theme]
        assert max(sizes) - min(sizes) <= 1
        if mix_allows(after, tables, theme):
            assert all(mixed(mix[t.id]) for t in tables if t.theme == theme), mix


@settings(max_examples=300, deadline=None)
@given(events())
def test_joiners_keep_their_theme_and_near_even_tables_in_any_order(event):
    tables, joiners = event
    people = join_in_order(tables, joiners)
    assert themes_kept(tables, people, {p.id: p.home_table for p in people})
    sizes = Counter(p.home_table for p in people)
    for theme in {t.theme for t in tables}:
        group = [sizes[t.id] for t in tables if t.theme == theme]
        assert max(group) - min(group) <= HOME_SIZE_SLACK + 1


@settings(max_examples=200, deadline=None)
@given(events(), st.data())
def test_the_rebalance_moves_nobody_seated_by_hand(event, data):
    tables, joiners = event
    people = join_in_order(tables, joiners)
    by_hand = data.draw(st.sets(st.sampled_from([p.id for p in people])))
    homes = balance_homes(people, tables, kept=by_hand)
    assert all(homes[p.id] == p.home_table for p in people if p.id in by_hand)
    assert themes_kept(tables, people, homes)


@settings(max_examples=150, deadline=None)
@given(events())
def test_a_second_rebalance_moves_nobody(event):
    """Whoever sits well stays: the re-balance starts from the tables as they are."""
    tables, joiners = event
    joined = join_in_order(tables, joiners)
    people = rehomed(joined, balance_homes(joined, tables))
    assert balance_homes(people, tables) == {p.id: p.home_table for p in people}


def test_an_unlucky_join_order_is_mended_by_the_rebalance():
    tables = [Table(1, theme="care"), Table(2, theme="care")]
    people = join_in_order(tables, [("care", kind) for kind in UNLUCKY])
    before = home_mix(people, tables)
    assert not all(mixed(counts) for counts in before.values())
    after = home_mix(rehomed(people, balance_homes(people, tables)), tables)
    assert all(mixed(counts) for counts in after.values())
    assert [sum(c.values()) for c in after.values()] == [4, 4]


def test_a_joiner_takes_the_table_with_fewest_of_their_kind_unless_it_is_too_full():
    tables = [Table(1, theme="care"), Table(2, theme="care"), Table(3, theme="kids")]
    seated = {1: ["citizen", "npo"], 2: ["citizen"], 3: []}
    assert choose_home_table(tables, seated, "care", "citizen") == 2  # fewer citizens
    assert choose_home_table(tables, seated, "care", "npo") == 2  # no npo at 2
    assert choose_home_table(tables, seated, "care", "city") == 2  # a tie: the emptier
    seated = {1: ["citizen"] * 3, 2: ["npo"], 3: []}
    # table 2 is two fewer: table 1 is too full for anyone, whatever its mix
    assert choose_home_table(tables, seated, "care", "npo") == 2


def test_a_joiner_never_takes_a_full_table_while_their_theme_has_room():
    tables = [Table(1, capacity=2, theme="care"), Table(2, capacity=4, theme="care")]
    seated = {1: ["npo"], 2: ["citizen", "citizen"]}
    assert choose_home_table(tables, seated, "care", "citizen") == 1
    seated = {1: ["npo", "city"], 2: ["citizen", "citizen"]}
    assert choose_home_table(tables, seated, "care", "citizen") == 2


def test_the_rebalance_fills_tables_up_to_their_capacity():
    tables = [Table(1, capacity=3, theme="care"), Table(2, theme="care")]
    people = join_in_order(tables, [("care", CODES[n % 3]) for n in range(10)])
    sizes = Counter(balance_homes(people, tables).values())
    assert sizes == {1: 3, 2: 7}


def test_home_mix_counts_affiliations_per_home_table():
    tables = [Table(1), Table(2)]
    people = [Person(1, "citizen", home_table=1), Person(2, "citizen", home_table=1),
              Person(3, "npo", home_table=1), Person(4, None, home_table=2)]
    assert home_mix(people, tables) == {1: Counter(citizen=2, npo=1), 2: Counter()}


def test_one_more_of_a_kind_costs_what_the_mix_score_grows_by():
    for count in range(5):
        assert mix_cost([count + 1]) - mix_cost([count]) == joining_cost(count)
