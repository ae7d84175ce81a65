"""A hall's burst against a real server: 500 cards from 20 writers reach a phone's page
socket exactly once each, in the order of their commits, as one small piece each; and the
phone that applied every push shows what a fresh snapshot shows."""

import threading
import uuid

import httpx

from tests.fixtures.api import THEMES, bearer, create_event, join, listen, post_card
from tests.fixtures.screens import Screen
from tests.fixtures.timing import seconds

WRITERS, EACH = 20, 25


def post_in_turn(server, event, token: str, sent: list[str]) -> None:
    """One device writing cards one after another (each after the last was answered)."""
    with httpx.Client(base_url=server.url, timeout=seconds(30)) as client:
        for n in range(EACH):
            card_id = str(uuid.uuid4())
            while True:
                answer = post_card(client, event, token, f"{n}: 見守りの担い手 <b>{token[:4]}</b>",
                                   card_id)
                if answer.status_code != 429:
                    break
                threading.Event().wait(float(answer.headers["Retry-After"]))
            assert answer.status_code == 201, answer.text
            sent.append(card_id)


def inserted_ids(frame: str) -> list[str]:
    return [part.split('"')[0] for part in frame.split('id="vc-')[1:]]


def test_five_hundred_cards_from_twenty_writers_reach_a_phone_once_each_in_order(api, server):
    event = create_event(api, tables=[{"name": f"T{n}", "theme": THEMES[n % 3]}
                                      for n in range(1, 21)])
    writers = [join(api, event, f"書き手{n}", theme=THEMES[n % 3]).json() for n in range(WRITERS)]
    reader = join(api, event, "読み手", theme=THEMES[0]).json()
    opened = api.patch(f"/api/v1/sessions/{event['id']}/board", json={"open": True},
                       headers=bearer(event["facilitator_token"]))
    assert opened.status_code == 200, opened.text
    sent: dict[str, list[str]] = {w["token"]: [] for w in writers}
    with listen(server, event, reader["token"], view="participant") as phone:
        screen = Screen(phone.recv(timeout=seconds(10)))
        threads = [threading.Thread(target=post_in_turn, args=(server, event, w["token"],
                                                               sent[w["token"]]))
                   for w in writers]
        for thread in threads:
            thread.start()
        frames, arrived = [], []
        while len(arrived) < WRITERS * EACH:
            frame = phone.recv(timeout=seconds(30))
            frames.append(frame)
            arrived += inserted_ids(frame)
            screen.apply(frame)
        for thread in threads:
            thread.join()
    assert sorted(arrived) == sorted(card for cards in sent.values() for card in cards)
    assert len(set(arrived)) == len(arrived)  # exactly once each
    position = {card: index for index, card in enumerate(arrived)}
    for cards in sent.values():  # each writer's cards were committed one after another
        assert [position[card] for card in cards] == sorted(position[card] for card in cards)
    assert max(len(f.encode()) for f in frames) < 3 * 1024 * max(
        len(inserted_ids(f)) for f in frames)
    with listen(server, event, reader["token"], view="participant") as fresh:
        snapshot = Screen(fresh.recv(timeout=seconds(10)))
    assert screen.shape("vote-cards") == snapshot.shape("vote-cards")
