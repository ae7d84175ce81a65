"""Home tables that mix stakeholders in a live event, on SQLite and PostgreSQL: the mix
per table in GET …/seating, the re-balance before the first round (409 once the rounds
have started), people seated at home by hand left where they are."""

import random
from collections import Counter

from tests.fixtures.api import (
    AFFILIATIONS,
    assert_refused,
    bearer,
    control,
    create_event,
    join,
    seat_of,
)

TWO_A_THEME = [{"name": f"テーブル{n}", "theme": theme}
               for n, theme in enumerate(("支え合い", "支え合い", "子ども", "子ども"), 1)]
UNLUCKY = ("business", "business", "npo", "citizen", "business", "citizen", "citizen",
           "citizen")
"""A join order that leaves one table of a theme with 2 citizens of 3 (tests/unit)."""


def seating_of(api, event) -> dict:
    response = api.get(f"/api/v1/sessions/{event['id']}/seating",
                       headers=bearer(event["facilitator_token"]))
    assert response.status_code == 200, response.text
    return response.json()


def rebalance(api, event, token=None):
    return api.post(f"/api/v1/sessions/{event['id']}/seating/rebalance",
                    headers=bearer(token or event["facilitator_token"]))


def mixed(mix: dict[str, int]) -> bool:
    return len(mix) >= 2 and 2 * max(mix.values()) <= sum(mix.values())


def home_mix_of(body: dict) -> dict[int, dict[str, int]]:
    return {entry["table_id"]: entry["mix"] for entry in body["home_mix"]}


def test_the_home_mix_counts_who_sits_at_each_home_table(api):
    event = create_event(api, tables=TWO_A_THEME)
    theme = {t["id"]: t["theme"] for t in event["tables"]}
    rng = random.Random(24)
    joiners = [(AFFILIATIONS[n % 6], TWO_A_THEME[n % 4]["theme"]) for n in range(24)]
    rng.shuffle(joiners)
    people = {}
    for n, (affiliation, chosen) in enumerate(joiners):
        person = join(api, event, f"参加者{n}", affiliation=affiliation, theme=chosen).json()
        assert theme[person["home_table"]] == chosen
        people[person["id"]] = affiliation
    body = seating_of(api, event)
    home = seat_of(body["rounds"][0])
    counted = {t: dict(Counter(people[p] for p, at in home.items() if at == t))
               for t in theme}
    assert home_mix_of(body) == counted
    assert [(e["table_id"], e["theme"]) for e in body["home_mix"]] == list(theme.items())


def test_the_rebalance_mixes_the_home_tables_and_moves_nobody_seated_by_hand(api):
    event = create_event(api, tables=TWO_A_THEME)
    first, second = (t["id"] for t in event["tables"][:2])
    people = [join(api, event, f"参加者{n}", affiliation=kind, theme="支え合い").json()
              for n, kind in enumerate(UNLUCKY)]
    before = home_mix_of(seating_of(api, event))
    assert not (mixed(before[first]) and mixed(before[second]))
    # the facilitator seats a citizen at home at table 2 by hand: 3 citizens of 4 there
    by_hand = next(p for p, kind in zip(people, UNLUCKY, strict=True)
                   if kind == "citizen" and p["home_table"] == first)
    moved = api.post(f"/api/v1/sessions/{event['id']}/seats",
                     headers=bearer(event["facilitator_token"]),
                     json={"participant_id": by_hand["id"], "table_id": second,
                           "phase_index": 0})
    assert moved.status_code == 200, moved.text
    assert not mixed(home_mix_of(seating_of(api, event))[second])
    response = rebalance(api, event)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["moved"] >= 1
    after = home_mix_of(body)
    assert mixed(after[first]) and mixed(after[second])
    assert sum(after[first].values()) == sum(after[second].values()) == 4
    home = seat_of(body["rounds"][0])
    assert home[by_hand["id"]] == second
    assert {home[p["id"]] for p in people} <= {first, second}  # the theme kept
    assert seating_of(api, event)["home_mix"] == body["home_mix"]


def test_the_rebalance_replans_planned_moves_around_the_new_homes(api):
    event = create_event(api, tables=TWO_A_THEME)
    people = [join(api, event, f"参加者{n}", affiliation=kind, theme="支え合い").json()
              for n, kind in enumerate(UNLUCKY)]
    people += [join(api, event, f"子{n}", affiliation=AFFILIATIONS[n % 6], theme="子ども").json()
               for n in range(8)]
    planned = api.post(f"/api/v1/sessions/{event['id']}/seating/plan",
                       headers=bearer(event["facilitator_token"]))
    assert planned.status_code == 200, planned.text
    body = rebalance(api, event).json()
    ids = {p["id"] for p in people}
    rounds = body["rounds"]
    home = seat_of(rounds[0])
    for round_ in rounds:
        assert set(seat_of(round_)) == ids  # everyone once in every round
    assert seat_of(rounds[-1]) == home  # the return round goes to the new home tables
    for round_ in rounds[1:-1]:  # 2 moves at 4 tables: nobody back home while moving
        assert all(seat_of(round_)[p] != home[p] for p in ids)


def test_the_rebalance_is_refused_once_the_first_round_has_started(api):
    event = create_event(api, tables=TWO_A_THEME)
    for n, kind in enumerate(UNLUCKY):
        join(api, event, f"参加者{n}", affiliation=kind, theme="子ども")
    assert_refused(rebalance(api, event, event["tables"][0]["host_token"]), 403, "forbidden")
    control(api, event, "start", from_phase=0)  # the opening runs: not a round yet
    assert rebalance(api, event).status_code == 200
    control(api, event, "next", from_phase=0)  # the first round is set up, not started
    assert rebalance(api, event).status_code == 200
    control(api, event, "start", from_phase=1)
    before = seating_of(api, event)
    assert_refused(rebalance(api, event), 409, "rounds_started")
    assert seating_of(api, event) == before
