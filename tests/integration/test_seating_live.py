"""Seating in a live event: planned when people first move, latecomers placed without
moving anyone, absences and manual moves re-plan only what lies ahead."""


from tests.fixtures import loopback
from tests.fixtures.api import (
    AFFILIATIONS,
    bearer,
    control,
    create_event,
    join,
    move_into_first_moving_round,
    seat_of,
    seating,
)
from tests.fixtures.timing import seconds


def event_with_people(api, count: int, **overrides):
    event = create_event(api, **overrides)
    people = [join(api, event, f"参加者{n}", affiliation=AFFILIATIONS[n % 6],
                   theme=event["tables"][n % 3]["theme"]).json() for n in range(count)]
    return event, people


FOUR_TABLES = [{"name": f"テーブル{n}", "theme": theme}
               for n, theme in enumerate(("支え合い", "子ども", "魅力", "防災"), 1)]


def move_to_another_table_next_round(api, event, person: int, rounds: list[dict]):
    """Ask to seat `person` in phase 3 (the next move) at a table they were not given."""
    target = next(int(t) for t, seated in rounds[2]["tables"].items() if person not in seated)
    response = api.post(f"/api/v1/sessions/{event['id']}/seats",
                        headers=bearer(event["facilitator_token"]),
                        json={"participant_id": person, "table_id": target, "phase_index": 3})
    return target, response


def test_moving_rounds_are_planned_when_people_first_move(api):
    event = create_event(api, tables=FOUR_TABLES)
    people = [join(api, event, f"参加者{n}", affiliation=AFFILIATIONS[n % 6],
                   theme=FOUR_TABLES[n % 4]["theme"]).json() for n in range(12)]
    before = seating(api, event)
    assert [r["phase_index"] for r in before] == [1, 2, 3, 4]
    assert seat_of(before[1]) == seat_of(before[0])  # nothing planned yet: everyone home
    move_into_first_moving_round(api, event)
    rounds = seating(api, event)
    ids = {p["id"] for p in people}
    home = seat_of(rounds[0])
    for round_ in rounds:
        seats = seat_of(round_)
        assert set(seats) == ids  # everyone exactly once
        sizes = [len(people) for people in round_["tables"].values()]
        assert max(sizes) - min(sizes) <= 1
    for round_ in rounds[1:3]:  # 2 moves <= 4 tables: never back at the home table
        assert all(seat_of(round_)[p] != home[p] for p in ids)
    assert seat_of(rounds[3]) == home  # the return round
    met_twice = 0
    for first in ids:
        for second in ids:
            if first < second:
                together = sum(seat_of(r)[first] == seat_of(r)[second] for r in rounds[:3])
                met_twice += together > 1
    assert met_twice == 0  # 12 people, 4 tables, 3 rounds: a schedule without repeats exists


def test_a_latecomer_is_seated_without_moving_anyone(api):
    event, _people = event_with_people(api, 9)
    move_into_first_moving_round(api, event)
    before = [seat_of(r) for r in seating(api, event)]
    late = join(api, event, "遅刻者", theme=event["tables"][0]["theme"]).json()
    after = [seat_of(r) for r in seating(api, event)]
    for old, new in zip(before, after, strict=True):
        assert {p: t for p, t in new.items() if p != late["id"]} == old
        assert late["id"] in new


def test_an_absence_frees_the_seat_and_repairs_later_rounds(api):
    event, _people = event_with_people(api, 12)
    move_into_first_moving_round(api, event)
    rounds = seating(api, event)
    current = seat_of(rounds[1])
    absent_id, table_id = next(iter(current.items()))
    host = next(t for t in event["tables"] if t["id"] == table_id)
    other_host = next(t for t in event["tables"] if t["id"] != table_id)
    refused = api.post(f"/api/v1/sessions/{event['id']}/participants/{absent_id}/absence",
                       headers=bearer(other_host["host_token"]), json={"absent": True})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    response = api.post(f"/api/v1/sessions/{event['id']}/participants/{absent_id}/absence",
                        headers=bearer(host["host_token"]), json={"absent": True})
    assert response.status_code == 200, response.text
    after = seating(api, event)
    assert absent_id not in seat_of(after[1]) and absent_id not in seat_of(after[2])
    assert {p: t for p, t in seat_of(after[1]).items()} == {
        p: t for p, t in current.items() if p != absent_id}  # nobody seated moves now
    sizes = [len(people) for people in after[2]["tables"].values()]
    assert max(sizes) - min(sizes) <= 1


def test_manual_moves_are_kept_and_full_tables_refused(api):
    tables = [{"name": f"T{n}", "theme": t, "capacity": 4}
              for n, t in enumerate(("A", "B", "C"), 1)]
    event = create_event(api, tables=tables)
    people = [join(api, event, f"P{n}", theme="ABC"[n % 3]).json() for n in range(12)]
    move_into_first_moving_round(api, event)
    rounds = seating(api, event)
    person = people[0]["id"]
    target, response = move_to_another_table_next_round(api, event, person, rounds)
    # every table seats 4 and holds 4 already: the move is refused and nothing changes
    assert response.status_code == 400
    assert "4" in response.json()["error"]["message"]
    assert seating(api, event) == rounds


def test_manual_move_is_respected_by_the_planner(api):
    event, people = event_with_people(api, 10)
    move_into_first_moving_round(api, event)
    rounds = seating(api, event)
    person = people[0]["id"]
    target, response = move_to_another_table_next_round(api, event, person, rounds)
    assert response.status_code == 200, response.text
    after = seating(api, event)
    assert seat_of(after[2])[person] == target
    assert seat_of(after[1]) == seat_of(rounds[1])  # the current round is untouched
    assert set(seat_of(after[2])) == {p["id"] for p in people}


def test_seating_needs_the_facilitator(api):
    event, people = event_with_people(api, 3)
    for token in (people[0]["token"], event["tables"][0]["host_token"]):
        response = api.get(f"/api/v1/sessions/{event['id']}/seating", headers=bearer(token))
        assert response.status_code == 403
    response = api.post(f"/api/v1/sessions/{event['id']}/seats",
                        headers=bearer(event["tables"][0]["host_token"]),
                        json={"participant_id": people[0]["id"], "table_id": 1})
    assert response.status_code == 403


def test_more_tables_than_people_keeps_the_clock_going(server):
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as api:
        event, _people = event_with_people(api, 2)
        move_into_first_moving_round(api, event)
        state = control(api, event, "start").json()
        assert state["status"] == "running"
        rounds = seating(api, event)
        assert all(len(seat_of(r)) == 2 for r in rounds)
