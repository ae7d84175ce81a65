"""Many tokens posting cards at once (stored together by group commit) and an address over
its card budget, against a real server, real sockets and both databases: every card is
stored and announced exactly once, a bad card is refused alone, and a flood of cards from
one address gets 429 and the console's flood notice while a phone behind the same address
that sent few cards is not refused."""

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.fixtures import loopback
from tests.fixtures.api import (
    assert_refused,
    bearer,
    create_event,
    facilitator,
    join,
    listen,
    next_json,
    open_link,
    session_of,
)
from tests.fixtures.servers import BUDGET_ENV, DATABASES, MANY_AT_ONCE_ENV
from tests.fixtures.timing import seconds

WRITERS = 30

def post(client: httpx.Client, event: dict, token: str, body: dict,
         address: str | None = None) -> httpx.Response:
    headers = bearer(token) | ({"X-Forwarded-For": address} if address else {})
    return client.post(f"/api/v1/sessions/{event['id']}/cards", json=body, headers=headers)


def body(text: str = "見守りの輪", card_id: str | None = None, **fields) -> dict:
    return {"id": card_id or str(uuid.uuid4()), "text": text, **fields}


@pytest.mark.parametrize("database", DATABASES)
def test_cards_from_many_tokens_at_once_are_stored_once_and_refused_one_by_one(make_server,
                                                                             database):
    server = make_server(database, env=MANY_AT_ONCE_ENV)
    with loopback.Client(base_url=server.url, timeout=seconds(30)) as api:
        event = create_event(api, card_max_length=40)
        people = [join(api, event, f"書き手{n}", theme=event["tables"][n % 3]["theme"]).json()
                  for n in range(WRITERS)]
        taken = body("先に書いたカード")
        assert post(api, event, people[0]["token"], taken).status_code == 201
        other_table = {t["id"] for t in event["tables"]} - {people[1]["home_table"]}
        wanted: list[tuple[dict, dict, int, str | None]] = []
        for number, person in enumerate(people):
            for copy in range(3):
                wanted.append((person, body(f"書き手{number}の意見{copy}"), 201, None))
        wanted += [
            (people[1], body("長" * 41), 422, "invalid"),
            (people[1], body("別のテーブルへ", table_id=min(other_table)), 403, "forbidden"),
            (people[2], body("他人のid", taken["id"]), 409, "id_taken"),
            (people[0], body("送り直し", taken["id"]), 200, None),
        ]
        start = threading.Barrier(len(wanted))

        def send(item):
            person, card, _status, _code = item
            with loopback.Client(base_url=server.url, timeout=seconds(30)) as client:
                start.wait(seconds(30))
                return post(client, event, person["token"], card)

        with listen(server, event, event["projector_token"], format="json") as projector:
            next_json(projector, "snapshot")
            with ThreadPoolExecutor(len(wanted)) as pool:
                answers = list(pool.map(send, wanted))
            for (_person, card, status, code), answer in zip(wanted, answers, strict=True):
                if code:
                    assert_refused(answer, status, code)
                else:
                    assert answer.status_code == status, answer.text
                    assert answer.json()["id"] == card["id"]
            new_ids = {card["id"] for _p, card, status, _c in wanted if status == 201}
            announced: Counter = Counter()
            while len(announced) < len(new_ids):
                announced[next_json(projector, "card")["card"]["id"]] += 1
            assert set(announced) == new_ids and set(announced.values()) == {1}
        listed = api.get(f"/api/v1/sessions/{event['id']}/cards",
                         headers=facilitator(event)).json()["cards"]
        assert Counter(c["id"] for c in listed) == Counter(new_ids | {taken["id"]})
        texts = {c["id"]: c["text"] for c in listed}
        assert texts[taken["id"]] == "先に書いたカード"  # the resend changed nothing
        home = {p["id"]: p["home_table"] for p in people}
        by_id = {card["id"]: person for person, card, status, _c in wanted if status == 201}
        assert all(c["table_id"] == home[by_id[c["id"]]["id"]] for c in listed
                   if c["id"] in by_id)


@pytest.mark.parametrize("database", DATABASES)
def test_an_address_over_its_card_budget_gets_429_and_the_console_a_flood_notice(make_server,
                                                                               database):
    server = make_server(database, env=BUDGET_ENV)
    with loopback.Client(base_url=server.url, timeout=seconds(30)) as api:
        event, other_event = create_event(api), create_event(api, title="別の会")
        people = [join(api, event, f"送り手{n}").json() for n in range(3)]
        honest = join(api, event, "別回線の本人").json()
        with listen(server, event, event["facilitator_token"], format="json") as console:
            next_json(console, "snapshot")
            for number in range(6):  # the budget, from three tokens of one address
                person = people[number % 3]
                assert post(api, event, person["token"], body(f"宣伝{number}")).status_code == 201
            over = post(api, event, people[0]["token"], body("宣伝のつづき"))
            assert_refused(over, 429, "too_many_cards_from_network")
            assert int(over.headers["Retry-After"]) >= 1
            assert over.json()["error"]["message"].startswith("Too many cards from this network")
            noticed = next_json(console, "joining")
            flood = noticed["card_flood"]
            assert sorted(flood["participant_ids"]) == sorted(p["id"] for p in people)
            assert flood["since_ms"] <= flood["until_ms"] and noticed["join_flood"] is None

        # the refused card did not count against its token: another address takes it
        # at once, as it takes a phone on a network of its own; another event is apart
        assert post(api, event, people[0]["token"], body("別回線から"),
                    address="10.9.8.7").status_code == 201
        assert post(api, event, honest["token"], body("本人のカード"),
                    address="10.9.8.6").status_code == 201
        host = other_event["tables"][0]["host_token"]
        assert post(api, other_event, host, body("別の会のカード")).status_code == 201

        seen = session_of(api, event, event["facilitator_token"])["card_flood"]
        assert sorted(seen["participant_ids"]) == sorted(flood["participant_ids"])
        with loopback.Client(base_url=server.url, timeout=seconds(30)) as browser:
            console_page = open_link(browser, event["urls"]["console"])
        notice = console_page.text.split('id="flood"', 1)[1].split("</section>", 1)[0]
        assert "カードの殺到を止めました" in notice
        for person in people:
            assert f'name="remove" value="{person["id"]}" checked' in notice

        # a phone behind the flood's address that has sent few cards is not refused
        for number in range(2):
            assert post(api, event, honest["token"], body(f"同じ回線から{number}")
                        ).status_code == 201
        assert_refused(post(api, event, honest["token"], body("三枚目")), 429,
                       "too_many_cards_from_network")
        assert_refused(post(api, event, people[1]["token"], body("宣伝")), 429,
                       "too_many_cards_from_network")

        assert api.delete(f"/api/v1/sessions/{event['id']}/join_flood",
                          headers=facilitator(event)).status_code == 200
        assert session_of(api, event, event["facilitator_token"])["card_flood"] is None
