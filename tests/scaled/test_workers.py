"""Two workers on a fresh PostgreSQL and Redis, as a city's hosted installation runs: one
migration, a whole event with its screens spread over both workers, races that must be
won exactly once, a worker killed with -9, and Redis stopped in the middle of the event."""

import json
import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.fixtures import loopback
from tests.fixtures.api import (
    THEMES,
    bearer,
    control,
    create_event,
    join,
    post_card,
    post_until_accepted,
)
from tests.fixtures.services import Redis
from tests.fixtures.timing import eventually, seconds


def socket_url(server, event) -> str:
    return (f"{server.ws_url}/ws/sessions/{event['id']}"
            f"?token={event['facilitator_token']}&format=json")


class Watcher:
    """A JSON socket that keeps what it receives, on a thread of its own, and when it
    received its last snapshot: a JSON snapshot lists no cards (docs/api.md), so a screen
    learns of a card as an event only if the card came after its last snapshot."""

    def __init__(self, url: str):
        self.url = url
        self.messages: list[dict] = []
        self.closed = threading.Event()
        self.socket = connect(url, open_timeout=seconds(10)).__enter__()
        first = json.loads(self.socket.recv(timeout=seconds(10)))
        assert first["type"] == "snapshot"
        self.messages.append(first)
        self.last_snapshot_at = time.monotonic()
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        try:
            for text in self.socket:
                message = json.loads(text)
                if message["type"] == "snapshot":  # a resync: cards before it are not sent
                    self.last_snapshot_at = time.monotonic()
                self.messages.append(message)
        except ConnectionClosed:
            pass
        self.closed.set()

    def of_type(self, kind: str) -> list[dict]:
        return [m for m in list(self.messages) if m["type"] == kind]

    def close(self) -> None:
        self.socket.close()


def workers_of(watchers, server) -> int:
    """How many workers the watchers' sockets are spread over (the sockets' server-side
    ports are in no answer, so ask the kernel which worker holds each connection)."""
    ports = {w.socket.socket.getsockname()[1] for w in watchers}
    holders = set()
    for pid in server.worker_pids():
        inodes = set()
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = fd.readlink().name
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        for line in open(f"/proc/{pid}/net/tcp").read().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].split(":")[1], 16)
            if fields[9] in inodes and remote_port in ports:
                holders.add(pid)
    return len(holders)


def watchers_on_both_workers(url: str, server, count: int) -> list[Watcher]:
    """At least `count` watchers, and more until both workers hold some: the kernel hands
    the shared listening socket's connections to whichever worker accepts first, and on an
    idle machine that can be one worker a dozen times in a row."""
    watchers = [Watcher(url) for _ in range(count)]
    while workers_of(watchers, server) < 2:
        assert len(watchers) < count + 60, "every socket landed on one worker"
        watchers.append(Watcher(url))
    return watchers


def test_two_workers_migrate_once_and_run_a_whole_event(make_server):
    server = make_server("postgresql", redis=True, workers=2)
    log = server.log.read_text()
    assert log.count("is up to date") == 1  # migrated once, before the workers started
    with loopback.Client(base_url=server.url, timeout=seconds(20)) as client:
        event = create_event(client)
        for n in range(40):
            assert join(client, event, f"参加者{n}", theme=THEMES[n % 3]).status_code == 201
        watchers = watchers_on_both_workers(socket_url(server, event), server, 12)
        for action, extra in (("start", {}), ("extend", {"seconds": 60}), ("pause", {}),
                              ("next", {"from_phase": 0})):
            assert control(client, event, action, **extra).status_code == 200
        host = event["tables"][0]["host_token"]
        cards = [str(uuid.uuid4()) for _ in range(10)]
        for n, card_id in enumerate(cards):
            assert post_until_accepted(client, event, host, f"見守り {n}", card_id) == 201
    eventually(lambda: all(len(w.of_type("phase")) == 4 and len(w.of_type("card")) == 10
                           for w in watchers), 10, "every socket sees every action and card")
    for watcher in watchers:
        assert [m["status"] for m in watcher.of_type("phase")] == [
            "running", "running", "paused", "ready"]
        assert [m["card"]["id"] for m in watcher.of_type("card")] == cards
        watcher.close()


def test_twenty_nexts_at_once_advance_once_and_thirty_dots_at_once_give_three(make_server):
    server = make_server("postgresql", redis=True, workers=2)
    with loopback.Client(base_url=server.url, timeout=seconds(20)) as client:
        event = create_event(client)
        person = join(client, event).json()
        card = post_card(client, event, event["tables"][0]["host_token"], "見守り").json()
        client.patch(f"/api/v1/sessions/{event['id']}/board", json={"open": True},
                     headers=bearer(event["facilitator_token"])).raise_for_status()

    def next_once(_n) -> bool:
        with loopback.Client(base_url=server.url, timeout=seconds(20)) as own:
            return control(own, event, "next", from_phase=0).json()["changed"]

    def dot(_n) -> int:
        with loopback.Client(base_url=server.url, timeout=seconds(20)) as own:
            return own.post(f"/api/v1/sessions/{event['id']}/cards/{card['id']}/votes",
                            headers=bearer(person["token"])).status_code

    with ThreadPoolExecutor(max_workers=30) as pool:
        changed = list(pool.map(next_once, range(20)))
        dots = list(pool.map(dot, range(30)))
    assert changed.count(True) == 1
    assert dots.count(201) == 3 and set(dots) == {201, 409}
    with loopback.Client(base_url=server.url, timeout=seconds(20)) as client:
        state = client.get(f"/api/v1/sessions/{event['id']}/state",
                           headers=bearer(event["facilitator_token"])).json()
        votes = client.get(f"/api/v1/sessions/{event['id']}/votes",
                           headers=bearer(person["token"])).json()
    assert state["phase_index"] == 1 and votes["mine"]["used"] == 3


def test_a_worker_killed_with_9_loses_no_answered_card(make_server):
    server = make_server("postgresql", redis=True, workers=2)
    with loopback.Client(base_url=server.url, timeout=seconds(20)) as client:
        event = create_event(client)
        writers = [join(client, event, f"書き手{n}", theme=THEMES[n % 3]).json()["token"]
                   for n in range(6)]
    watchers = watchers_on_both_workers(socket_url(server, event), server, 12)
    answered: list[str] = []
    started_at: dict[str, float] = {}
    stop = threading.Event()

    def write(token: str) -> None:
        while not stop.is_set():
            card_id = str(uuid.uuid4())
            started_at[card_id] = time.monotonic()
            try:
                with loopback.Client(base_url=server.url, timeout=seconds(10)) as own:
                    status = post_card(own, event, token, "書いた", card_id).status_code
            except httpx.HTTPError:
                continue  # the worker died under this request: not answered, not counted
            if status == 201:
                answered.append(card_id)
            time.sleep(0.2)  # a person writing (and the per-token card limit)

    threads = [threading.Thread(target=write, args=(t,)) for t in writers]
    for thread in threads:
        thread.start()
    eventually(lambda: len(answered) >= 10, 20, "cards before the kill")
    victim = server.worker_pids()[0]
    os.kill(victim, signal.SIGKILL)
    eventually(lambda: any(w.closed.is_set() for w in watchers), 10, "its sockets close")
    dropped = [w for w in watchers if w.closed.is_set()]
    assert 0 < len(dropped) < len(watchers)  # the other worker's sockets stay up
    reconnected = [Watcher(w.url) for w in dropped]  # to whichever worker serves now
    survivors = [w for w in watchers if not w.closed.is_set()] + reconnected

    def since_last_snapshot(watcher: Watcher) -> set[str]:
        """The answered cards begun after the screen's last snapshot: each must reach it
        as an event. The killed worker may have taken a change number with it, and then
        the other worker's rooms resync after waiting for it (hub.GAP_WAIT_SECONDS): the
        cards from before that snapshot are in the database, not in the events."""
        return {card for card in list(answered) if started_at[card] > watcher.last_snapshot_at}

    eventually(lambda: all(len(since_last_snapshot(w)) >= 10 for w in survivors), 30,
               "cards after the kill, after every screen's last snapshot")
    stop.set()
    for thread in threads:
        thread.join()
    with loopback.Client(base_url=server.url, timeout=seconds(20)) as client:
        stored = {c["id"] for c in client.get(
            f"/api/v1/sessions/{event['id']}/cards",
            headers=bearer(event["facilitator_token"])).json()["cards"]}
    assert set(answered) <= stored  # no card answered 201 is lost
    eventually(lambda: all(since_last_snapshot(w) <= {m["card"]["id"] for m in w.of_type("card")}
                           for w in survivors), 10, "every screen sees the later cards")
    for watcher in survivors:
        watcher.close()
    # uvicorn's stop waits for the killed worker's replacement to finish starting, tens of
    # seconds on a loaded machine (51 s in a whole run); stopping is not what is tested here
    server.kill()


@pytest.fixture
def own_redis():
    """A Redis of this test's own, to stop and start in the middle of an event."""
    started = Redis().start()
    yield started
    started.stop()


def test_redis_stopped_mid_event_degrades_and_recovers(make_server, own_redis):
    server = make_server("postgresql", redis=own_redis.url, workers=2)
    with loopback.Client(base_url=server.url, timeout=seconds(20)) as client:
        event = create_event(client)
        watchers = watchers_on_both_workers(socket_url(server, event), server, 8)
        own_redis.stop()
        host = event["tables"][0]["host_token"]
        assert post_card(client, event, host, "Redis が止まっても").status_code == 201
        moved = control(client, event, "next", from_phase=0)
        assert moved.status_code == 200 and moved.json()["changed"] is True

        def degraded() -> bool:
            with loopback.Client(base_url=server.url, timeout=seconds(5)) as fresh:
                answer = fresh.get("/healthz")
            return answer.status_code == 503 and \
                answer.json()["error"]["code"] == "bus_unavailable"

        eventually(degraded, 10, "/healthz says degraded")
        own_redis.start()

        def current(watcher) -> bool:
            phases = [m["state"]["phase_index"] if m["type"] == "snapshot" else
                      m["phase_index"] for m in list(watcher.messages)
                      if m["type"] in ("snapshot", "phase")]
            return phases[-1] == 1

        # within seconds(5) of Redis' return (a wait, never a wall-clock assertion)
        eventually(lambda: all(current(w) for w in watchers), 5, "every screen shows phase 2")
        eventually(lambda: loopback.get(f"{server.url}/healthz",
                                        timeout=seconds(10)).status_code == 200, 10,
                   "/healthz is ok again")
    for watcher in watchers:
        watcher.close()


def test_a_participant_removed_on_one_worker_is_signed_out_on_both(make_server):
    server = make_server("postgresql", redis=True, workers=2)
    with loopback.Client(base_url=server.url, timeout=seconds(20)) as client:
        event = create_event(client)
        person = join(client, event, "荒らし").json()
    url = (f"{server.ws_url}/ws/sessions/{event['id']}?token={person['token']}"
           "&format=json")
    phones = watchers_on_both_workers(url, server, 12)
    state = f"/api/v1/sessions/{event['id']}/state"

    def answers_with_own_connections() -> set[int]:
        """Fresh connections, so that both workers answer some (and cache the token)."""
        statuses = set()
        for _ in range(20):
            with loopback.Client(base_url=server.url, timeout=seconds(10)) as own:
                statuses.add(own.get(state, headers=bearer(person["token"])).status_code)
        return statuses

    assert answers_with_own_connections() == {200}
    with loopback.Client(base_url=server.url, timeout=seconds(20)) as client:
        removed = client.delete(
            f"/api/v1/sessions/{event['id']}/participants/{person['id']}",
            headers=bearer(event["facilitator_token"]))
    assert removed.status_code == 200, removed.text
    eventually(lambda: all(p.closed.is_set() for p in phones), 10, "every socket closes")
    assert {p.socket.close_code for p in phones} == {4401}
    assert answers_with_own_connections() == {401}


def test_a_join_flood_over_both_workers_is_answered_once_and_both_let_the_room_in(
        make_server):
    server = make_server("postgresql", redis=True, workers=2,
                         env={"WORLDCAFE_JOIN_BURST": "3", "WORLDCAFE_JOINS_PER_MINUTE": "60",
                              "WORLDCAFE_JOIN_WAIT_SECONDS": "1"})
    with loopback.Client(base_url=server.url, timeout=seconds(20)) as client:
        event = create_event(client)
    consoles = watchers_on_both_workers(socket_url(server, event), server, 4)

    def join_fresh(name: str, code: str) -> httpx.Response:
        """A connection of its own, so that the joins are spread over both workers."""
        with loopback.Client(base_url=server.url, timeout=seconds(20)) as own:
            return join(own, {**event, "join_code": code}, name)

    answers = [join_fresh(f"先頭{n}", event["join_code"]) for n in range(3)]
    assert [a.status_code for a in answers] == [201] * 3  # within either worker's burst
    with ThreadPoolExecutor(16) as pool:
        answers += pool.map(lambda n: join_fresh(f"偽者{n}", event["join_code"]), range(40))
    assert {a.status_code for a in answers} == {201, 403}
    assert {a.json()["error"]["code"] for a in answers if a.status_code == 403} == \
        {"join_code_replaced"}
    with loopback.Client(base_url=server.url, timeout=seconds(20)) as client:
        seen = client.get(f"/api/v1/sessions/{event['id']}",
                          headers=bearer(event["facilitator_token"])).json()
        # a later change: every console has had every earlier batch once it sees this one
        client.patch(f"/api/v1/sessions/{event['id']}", json={"title": "後の変更"},
                     headers=bearer(event["facilitator_token"]))
    for console in consoles:
        eventually(lambda c=console: c.of_type("session")
                   and c.of_type("session")[-1]["session"]["title"] == "後の変更", 10,
                   "the later change reaches every console")
        codes = {m["join_code"] for m in console.of_type("joining")}
        assert codes == {seen["join_code"]}  # one new code, drawn once for both workers
    joined = {a.json()["id"] for a in answers if a.status_code == 201}
    # the window starts when the answering worker's run of joins began: joins the other
    # worker let in before that may fall outside it (docs/api.md)
    assert seen["join_flood"]["participant_ids"]
    assert set(seen["join_flood"]["participant_ids"]) <= joined
    honest = [join_fresh(f"本人{n}", seen["join_code"]) for n in range(6)]
    assert [a.status_code for a in honest] == [201] * 6  # both workers paced afresh
    for console in consoles:
        console.close()
