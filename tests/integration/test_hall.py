"""A hall's burst against a real server: 500 cards from 20 writers reach a phone's page
socket exactly once each, in the order of their commits, as one small piece each; and the
phone that applied every push shows what a fresh snapshot shows. The console gets each
card as one card too, and the keyword charts it changed at most every few seconds."""

import threading
import uuid

from lxml import html

from tests.fixtures import loopback
from tests.fixtures.api import (
    THEMES,
    bearer,
    create_event,
    join,
    listen,
    post_card,
    receive_snapshot,
)
from tests.fixtures.screens import Screen
from tests.fixtures.timing import seconds

WRITERS, EACH = 20, 25


def post_in_turn(server, event, token: str, sent: list[str], each: int = EACH) -> None:
    """One device writing cards one after another (each after the last was answered)."""
    with loopback.Client(base_url=server.url, timeout=seconds(30)) as client:
        for n in range(each):
            card_id = str(uuid.uuid4())
            while True:
                answer = post_card(client, event, token, f"{n}: 見守りの担い手 <b>{token[:4]}</b>",
                                   card_id)
                if answer.status_code != 429:
                    break
                threading.Event().wait(float(answer.headers["Retry-After"]))
            assert answer.status_code == 201, answer.text
            sent.append(card_id)


def burst(server, event, tokens: list[str], each: int, socket, screen: Screen,
          ids) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """Each token writes `each` cards in turn while `socket`'s frames are applied to
    `screen`: the frames, the cards they bring (found by `ids`) in order, and what each
    token sent."""
    sent: dict[str, list[str]] = {token: [] for token in tokens}
    threads = [threading.Thread(target=post_in_turn, args=(server, event, token, sent[token],
                                                           each))
               for token in tokens]
    for thread in threads:
        thread.start()
    frames, arrived = [], []
    while len(arrived) < len(tokens) * each:
        frame = socket.recv(timeout=seconds(30))
        frames.append(frame)
        arrived += ids(frame)
        screen.apply(frame)
    for thread in threads:
        thread.join()
    return frames, arrived, sent


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
    with listen(server, event, reader["token"], view="participant") as phone:
        screen = Screen(receive_snapshot(phone, "participant", timeout=10))
        frames, arrived, sent = burst(server, event, [w["token"] for w in writers], EACH,
                                      phone, screen, inserted_ids)
    assert sorted(arrived) == sorted(card for cards in sent.values() for card in cards)
    assert len(set(arrived)) == len(arrived)  # exactly once each
    position = {card: index for index, card in enumerate(arrived)}
    for cards in sent.values():  # each writer's cards were committed one after another
        assert [position[card] for card in cards] == sorted(position[card] for card in cards)
    assert max(len(f.encode()) for f in frames) < 3 * 1024 * max(
        len(inserted_ids(f)) for f in frames)
    with listen(server, event, reader["token"], view="participant") as fresh:
        snapshot = Screen(receive_snapshot(fresh, "participant", timeout=10))
    assert screen.shape("vote-cards") == snapshot.shape("vote-cards")


CARD_BYTES = 3 * 1024
"""What one card may cost a console's socket: its item and its column's count."""


def board_ids(frame: str) -> list[str]:
    return [part.split('"')[0] for part in frame.split('<li id="bc-')[1:]]


def without_charts(frame: str) -> str:
    """The frame less the keyword charts it replaces (top-level elements keywords-*)."""
    kept = [piece for piece in html.fragments_fromstring(frame)
            if isinstance(piece, str) or not piece.get("id", "").startswith("keywords-")]
    return "".join(p if isinstance(p, str) else html.tostring(p, encoding="unicode")
                   for p in kept)


def test_a_card_costs_the_console_one_card_and_the_charts_follow(api, server):
    """100 cards from 20 tables of three themes: each console frame is the cards it brings
    (a few KiB each, whatever the board's size) plus, at most every few seconds, the
    keyword charts they changed; the console that applied every push shows what a fresh
    one shows."""
    event = create_event(api, tables=[{"name": f"T{n}", "theme": THEMES[n % 3]}
                                      for n in range(1, 21)])
    hosts = [table["host_token"] for table in event["tables"]]
    facilitator = event["facilitator_token"]
    with listen(server, event, facilitator, view="facilitator") as console:
        screen = Screen(receive_snapshot(console, "facilitator"))
        frames, arrived, sent = burst(server, event, hosts, 5, console, screen, board_ids)
        with listen(server, event, facilitator, view="facilitator") as fresh_socket:
            fresh = Screen(receive_snapshot(fresh_socket, "facilitator"))
        while screen.shape("keywords") != fresh.shape("keywords"):  # the charts held back
            frame = console.recv(timeout=seconds(10))
            frames.append(frame)
            screen.apply(frame)
    assert sorted(arrived) == sorted(card for cards in sent.values() for card in cards)
    assert screen.shape("board") == fresh.shape("board")
    for frame in frames:
        assert 'id="keywords"' not in frame and 'id="board"' not in frame
        cards = len(board_ids(frame))
        assert len(without_charts(frame).encode()) <= CARD_BYTES * cards, frame[:300]
    assert any('id="keywords-all"' in frame for frame in frames)
