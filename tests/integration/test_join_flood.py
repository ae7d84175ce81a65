"""A flood of joins with the right code from one address (a script in the venue, behind
the same NAT as the honest phones) is answered by the server itself: a new join code on
the projector, the script's old code refused cheaply, the room let in at once, and the
console's review of who joined meanwhile; against a real server, real sockets and both
databases."""

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.fixtures import loopback
from tests.fixtures.api import (
    THEMES,
    assert_refused,
    bearer,
    closed_with,
    create_event,
    facilitator,
    join,
    listen,
    next_json,
    post_card,
    session_of,
)
from tests.fixtures.servers import DATABASES, FLOOD_ENV
from tests.fixtures.timing import seconds


def at_once(api, event: dict, count: int, name: str = "偽者") -> list[httpx.Response]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda n: join(api, event, f"{name}{n}"), range(count)))


def flood(api, event: dict, count: int) -> list[httpx.Response]:
    """The burst one after the other (each stored before the next), then `count` at once:
    the second of those would wait two turns, so the server answers the flood. Joins not
    yet stored when the answer commits are refused with the rest."""
    burst = [join(api, event, f"先頭{n}") for n in range(3)]
    assert [a.status_code for a in burst] == [201] * 3
    return burst + at_once(api, event, count)


@pytest.mark.parametrize("database", DATABASES)
def test_a_flood_gets_a_new_join_code_and_the_room_gets_in_at_once(make_server, database):
    server = make_server(database, env=FLOOD_ENV)
    with loopback.Client(base_url=server.url, timeout=seconds(30)) as api:
        event = create_event(api)
        with listen(server, event, event["projector_token"], format="json") as projector, \
                listen(server, event, event["facilitator_token"], format="json") as console:
            next_json(projector, "snapshot")
            next_json(console, "snapshot")
            answers = flood(api, event, 12)
            joined = [a.json()["id"] for a in answers if a.status_code == 201]
            refused = [a for a in answers if a.status_code != 201]
            assert 3 <= len(joined) <= 4  # the burst, and perhaps one let in just before
            for answer in refused:
                assert_refused(answer, 403, "join_code_replaced")
            shown = next_json(projector, "joining")
            assert shown["open"] is True and shown["join_code"] != event["join_code"]
            noticed = next_json(console, "joining")
            assert noticed["join_code"] == shown["join_code"]
            # every join stored before the answer (a later one was refused)
            assert sorted(noticed["join_flood"]["participant_ids"]) == sorted(joined)

        # the script goes on with the old code: refused before it takes a turn, and
        # never counted as guessing (more than the 10 wrong codes a minute allowed)
        for n in range(15):
            assert_refused(join(api, event, f"続き{n}"), 403, "join_code_replaced")
        assert_refused(join(api, {**event, "join_code": "ZZZZZZ"}, "当て推量"), 403,
                       "wrong_join_code")
        # the people in the room read the new code: no wait behind the flood
        renewed = {**event, "join_code": shown["join_code"]}
        honest = at_once(api, renewed, 3, "本人")
        assert [a.status_code for a in honest] == [201] * 3
        seen = session_of(api, event, event["facilitator_token"])
        assert seen["join_code"] == shown["join_code"]
        assert sorted(seen["join_flood"]["participant_ids"]) == sorted(joined)
        assert seen["join_flood"]["since_ms"] <= seen["join_flood"]["until_ms"]
        # a participant (a script holding a flooded-in token) cannot read the new code
        assert_refused(api.get(f"/api/v1/sessions/{event['id']}",
                               headers=bearer(honest[0].json()["token"])), 403, "forbidden")
        with listen(server, event, honest[0].json()["token"], format="json") as phone:
            assert "join_code" not in next_json(phone, "snapshot")["session"]


def test_with_the_answer_turned_off_a_flood_is_paced_and_other_events_are_not(make_server):
    server = make_server(env={**FLOOD_ENV, "WORLDCAFE_RENEW_JOIN_CODE_ON_FLOOD": "false"})
    with loopback.Client(base_url=server.url, timeout=seconds(30)) as api:
        event, other = create_event(api), create_event(api, title="別の会")
        answers = flood(api, event, 8)
        assert {a.status_code for a in answers} == {201, 429}
        for answer in answers:
            if answer.status_code == 429:
                assert_refused(answer, 429, "too_many_joins")
                assert int(answer.headers["Retry-After"]) >= 1
        assert session_of(api, event, event["facilitator_token"])["join_code"] == \
            event["join_code"]
        assert session_of(api, event, event["facilitator_token"])["join_flood"] is None
        assert [a.status_code for a in at_once(api, other, 3)] == [201] * 3  # paced apart


def test_the_facilitator_removes_the_flood_and_keeps_the_honest_one(make_server):
    server = make_server(env=FLOOD_ENV)
    with loopback.Client(base_url=server.url, timeout=seconds(30)) as api:
        event = create_event(api)
        answers = flood(api, event, 10)
        people = [a.json() for a in answers if a.status_code == 201]
        *fakes, honest = people
        for fake in fakes:
            assert post_card(api, event, fake["token"], "宣伝です").status_code == 201
        kept_card = post_card(api, event, honest["token"], "見守りの輪").json()["id"]
        removal = f"/api/v1/sessions/{event['id']}/participants/removal"
        ids = [fake["id"] for fake in fakes]
        assert_refused(api.post(removal, json={"participant_ids": ids},
                                headers=bearer(event["tables"][0]["host_token"])),
                     403, "forbidden")
        assert_refused(api.post(removal, json={"participant_ids": [*ids, 999_999]},
                                headers=facilitator(event)), 404, "not_found")
        assert_refused(api.post(removal, json={"participant_ids": []},
                                headers=facilitator(event)), 422, "invalid")
        assert len(session_of(api, event, event["facilitator_token"])["participants"]) == \
            len(people)  # all or none
        with listen(server, event, fakes[0]["token"], format="json") as theirs, \
                listen(server, event, event["facilitator_token"], format="json") as console:
            next_json(theirs, "snapshot")
            next_json(console, "snapshot")
            removed = api.post(removal, json={"participant_ids": ids, "hide_cards": True},
                               headers=facilitator(event))
            assert removed.json() == {"removed": ids, "hidden_cards": len(fakes)}
            assert closed_with(theirs) == 4401
            reviewed = api.delete(f"/api/v1/sessions/{event['id']}/join_flood",
                                  headers=facilitator(event))
            assert reviewed.json() == {"join_flood": None}
            assert next_json(console, "joining")["join_flood"] is None
        for fake in fakes:
            assert_refused(post_card(api, event, fake["token"], "まだいる"), 401, "invalid_token")
        seen = session_of(api, event, event["facilitator_token"])
        assert [p["id"] for p in seen["participants"]] == [honest["id"]]
        assert seen["join_flood"] is None
        cards = api.get(f"/api/v1/sessions/{event['id']}/cards",
                        headers=facilitator(event)).json()["cards"]
        assert {c["id"]: c["hidden"] for c in cards}[kept_card] is False
        assert sum(c["hidden"] for c in cards) == len(fakes)


def test_a_phone_with_the_replaced_code_types_the_new_one_and_keeps_its_answers(
        make_server):
    server = make_server(env=FLOOD_ENV)
    with loopback.Client(base_url=server.url, timeout=seconds(30)) as api:
        event = create_event(api)
        old = event["join_code"]
        new = api.post(f"/api/v1/sessions/{event['id']}/join_code",
                       headers=facilitator(event)).json()["join_code"]
        page = api.get(f"/j/{old}")
        assert page.status_code == 403
        assert "この参加コードは新しくなりました" in page.text
        assert 'name="join_code"' in page.text and new not in page.text
        typed = {"name": "遅れた人", "affiliation": "npo", "theme": THEMES[1],
                 "expectation": "つながりたい"}
        kept = api.post(f"/j/{old}", data=typed)
        assert kept.status_code == 403 and new not in kept.text
        assert 'value="遅れた人"' in kept.text and "つながりたい" in kept.text
        wrong = api.post("/j", data={**typed, "session": event["id"], "join_code": "ZZZZZZ"})
        assert wrong.status_code == 403 and "参加コードがこのイベントと一致しません" in wrong.text
        assert 'value="遅れた人"' in wrong.text
        joined = api.post("/j", data={**typed, "session": event["id"], "join_code": new})
        assert joined.status_code == 303, joined.text
        assert joined.headers["location"] == f"/m/{event['id']}"
        people = session_of(api, event, event["facilitator_token"])["participants"]
        assert [(p["name"], p["affiliation"]) for p in people] == [("遅れた人", "npo")]
        again = api.get(f"/j/{old}")  # the old QR code on a table tent, scanned once more
        assert again.status_code == 303 and again.headers["location"] == f"/m/{event['id']}"
        assert api.post("/j", data={**typed, "session": "nope"}).status_code == 404


def test_a_venue_of_200_behind_one_address_is_no_flood(make_server):
    """200 people joining over two minutes from one address with the default burst of 100
    and pace of 60 a minute, with time twenty times faster (1200 a minute, 200 joins over
    six seconds): every join gets in at once and the code stays."""
    server = make_server(env={"WORLDCAFE_JOINS_PER_MINUTE": "1200"})
    with loopback.Client(base_url=server.url, timeout=seconds(30)) as api:
        event = create_event(api)
        start = time.monotonic()

        def arrive(n: int) -> httpx.Response:
            time.sleep(max(0.0, start + n * 0.03 - time.monotonic()))  # the room's pace
            return join(api, event, f"参加者{n}")

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(arrive, range(200)))
        assert [a.status_code for a in answers] == [201] * 200
        seen = session_of(api, event, event["facilitator_token"])
        assert seen["join_code"] == event["join_code"] and seen["join_flood"] is None
        assert len(seen["participants"]) == 200
