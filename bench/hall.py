"""Hall benchmark: one event grown through the public API as a municipal hall grows it.

200 participants join an event of 20 tables (three themes), dot voting is opened, and every
screen of the room is connected: a page-format socket per participant (each its own
audience, `?view=participant`), the console page, the projector page and a JSON watcher
(the facilitator's `?format=json`). Cards are then posted, by the 20 table hosts and the
participants in turn, open loop at `--rate` cards a second (at most `--in-flight` waiting
for their answer), until the board holds `--cards` cards.

At each checkpoint (100, 500, 1000, 2000 cards by default) it prints, over the last
`--window` cards posted before the board reached that size:

- cpu/card: server CPU ms per new card (from /proc; the whole process: HTTP, commit,
  fan-out);
- phone B/card: bytes one phone's socket receives per new card (mean over the phones);
- console B/card, projector B/card: the same for the console's and the projector's page
  sockets (the console shows every card with its tools, and the keyword charts);
- watcher p50/p99: a card's POST to the JSON watcher's `card` event;
- healthz max: the slowest `GET /healthz` answer while those cards went in (polled every
  `--healthz-ms`), the longest stall of the event loop the room would feel.

At 1000 and 2000 cards it also measures `--actions` of each of: hiding a card, editing one,
one dot (a participant's `POST .../votes`), and a full resync (all 203 sockets closed and
opened again at once): for the first three, the time from the request to each screen's
first frame after it (p50/p99/max over every screen reached, and how many), the server CPU
per action and the slowest /healthz meanwhile; for the resync, the time until the last of
the 203 snapshots arrived (a phone's snapshot is two frames: the pieces every phone
shares, then its own; the last frame before the screens fall quiet counts). Ratios are
against the 100-card row of the same run.

Screens run in `--client-processes` processes of their own (asyncio clients that only
record what arrives and when), so they share the machine's two cores with the server only
as much as the machine forces. One clock: the parent's and the clients' `time.time_ns()`.

Benchmarks report, they do not judge: exit status 0 whatever the figures, 1 when cards were
refused or never seen by the watcher, 2 when the run broke, 130 on Ctrl-C.

    .venv/bin/python bench/hall.py                       # 200 people, 20 tables, 2000 cards
    .venv/bin/python bench/hall.py --people 40 --cards 300 --checkpoints 100,300  # a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import multiprocessing
import os
import random
import signal
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as Pipe
from pathlib import Path

import httpx
from fanout import (
    CONNECT_BATCH,
    CONNECT_TIMEOUT_SECONDS,
    WorldcafeServer,
    child_setup,
    cpu_seconds,
    percentile,
    raise_open_files_limit,
)
from websockets.asyncio.client import connect

RAISED_LIMITS = {"WORLDCAFE_CARD_RATE_PER_SECOND": "1000",
                 "WORLDCAFE_CARD_RATE_PER_MINUTE": "100000"}
THEMES = ("高齢者を地域で支え合う", "子どもの成長を地域で支える", "市民参画による魅力発信")
AFFILIATIONS = ("citizen", "city", "npo", "business", "community")
CARD_TEXTS = (
    "見守りボランティアが足りない", "町内会と学校をつなぐ場がほしい", "空き家を地域の居場所に",
    "子どもの居場所づくりを続けたい", "SNSで市の魅力を発信する", "民生委員の負担を減らしたい",
    "地域包括支援センターをもっと知ってほしい", "空き教室を子ども食堂に使う",
    "Community cafe for volunteers", "商店街のイベントに若い人を呼ぶ",
)
QUIET_MS = 400
"""After an action, screens are read once nothing has arrived for this long."""
SETTLE_SECONDS = 180
"""How long the watcher may take to see every posted card before the run gives up."""


# -- the screens: client processes --------------------------------------------------------


@dataclass
class Screen:
    """One socket: its name (phone-12, console, projector, watcher) and what it received."""

    name: str
    url: str
    arrivals: list[tuple[int, int]] = field(default_factory=list)
    """(time_ns, bytes) of every frame after the snapshot."""
    snapshot_ns: int = 0
    websocket: object = None
    task: asyncio.Task | None = None
    watcher_events: list[tuple[int, str, str]] = field(default_factory=list)
    """The watcher only: (time_ns, type, card id or '') of each JSON event."""

    async def open(self) -> None:
        self.websocket = await connect(self.url, compression=None, ping_interval=None,
                                       open_timeout=CONNECT_TIMEOUT_SECONDS, max_size=None)
        await asyncio.wait_for(self.websocket.recv(decode=False), CONNECT_TIMEOUT_SECONDS)
        self.snapshot_ns = time.time_ns()
        self.task = asyncio.create_task(self.listen())

    async def listen(self) -> None:
        """Frames as bytes, never decoded (the watcher's excepted): 200 phones' snapshots
        are ~200 MB, whose decoding would take the two cores from the server measured."""
        with contextlib.suppress(Exception):
            while True:
                data = await self.websocket.recv(decode=False)
                now = time.time_ns()
                self.arrivals.append((now, len(data)))
                if self.name == "watcher":
                    message = json.loads(data)
                    card = message.get("card") or {}
                    self.watcher_events.append((now, message.get("type", ""),
                                                card.get("id", "")))

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        with contextlib.suppress(Exception):
            await self.websocket.close()


def screen_process(screens: list[tuple[str, str]], pipe: Pipe) -> None:
    child_setup()
    with contextlib.suppress(EOFError, OSError):
        asyncio.run(_serve_screens(screens, pipe))


async def _open_all(screens: list[Screen]) -> list[str]:
    errors = []
    for start in range(0, len(screens), CONNECT_BATCH):
        batch = screens[start:start + CONNECT_BATCH]
        results = await asyncio.gather(*(s.open() for s in batch), return_exceptions=True)
        errors += [f"{s.name}: {type(r).__name__}: {r}" for s, r in zip(batch, results,
                                                                          strict=True)
                   if isinstance(r, BaseException)]
    return errors


async def _quiet(screens: list[Screen]) -> None:
    """Until no screen has received anything for QUIET_MS."""
    while True:
        last = max((s.arrivals[-1][0] for s in screens if s.arrivals), default=0)
        if time.time_ns() - last >= QUIET_MS * 1_000_000:
            return
        await asyncio.sleep(QUIET_MS / 4000)


async def _serve_screens(specs: list[tuple[str, str]], pipe: Pipe) -> None:
    """Open the screens, then answer the parent's questions until told to stop."""
    loop = asyncio.get_running_loop()
    screens = [Screen(name, url) for name, url in specs]
    errors = await _open_all(screens)
    gc.collect()
    gc.freeze()
    gc.disable()  # the clients' own collector must not land in the server's figures
    pipe.send(("ready", len(screens) - len(errors), errors[:5]))
    while True:
        command, *args = await loop.run_in_executor(None, pipe.recv)
        if command == "bytes":  # bytes per screen received in [start, end)
            start, end = args
            pipe.send({s.name: sum(n for t, n in s.arrivals if start <= t < end)
                       for s in screens})
        elif command == "first_after":  # each screen's first frame at or after `start`
            (start,) = args
            pipe.send({s.name: next((t for t, _ in s.arrivals if t >= start), None)
                       for s in screens})
        elif command == "last_arrival":
            pipe.send(max((s.arrivals[-1][0] for s in screens if s.arrivals), default=0))
        elif command == "watcher":  # the watcher's events since an index
            (since,) = args
            events = [e for s in screens if s.name == "watcher" for e in s.watcher_events]
            pipe.send(events[since:])
        elif command == "resync":  # close everything, open everything at once
            await asyncio.gather(*(s.close() for s in screens))
            started = time.time_ns()
            for screen in screens:
                screen.arrivals.clear()
            reopen_errors = await _open_all(screens)
            await _quiet(screens)  # a snapshot may come in several frames
            pipe.send((started, max(max([s.snapshot_ns, *(t for t, _ in s.arrivals)])
                                    for s in screens), reopen_errors[:5]))
        elif command == "stop":
            await asyncio.gather(*(s.close() for s in screens))
            pipe.send("stopped")
            return


class Screens:
    """The room's 203 sockets, spread over client processes (the console, the projector
    and the watcher with the first share of phones)."""

    def __init__(self, specs: list[tuple[str, str]], processes: int):
        context = multiprocessing.get_context("spawn")
        shares = [specs[i::processes] for i in range(processes)]
        self.workers: list[tuple[multiprocessing.Process, Pipe]] = []
        for share in filter(None, shares):
            ours, theirs = context.Pipe()
            process = context.Process(target=screen_process, args=(share, theirs),
                                      daemon=True, name="hall-screens")
            process.start()
            theirs.close()
            self.workers.append((process, ours))

    def ask(self, *command) -> list:
        for _, pipe in self.workers:
            pipe.send(command)
        answers = []
        for process, pipe in self.workers:
            if not pipe.poll(SETTLE_SECONDS):
                raise RuntimeError(f"screen process {process.pid} did not answer {command[0]}")
            answers.append(pipe.recv())
        return answers

    def ready(self) -> tuple[int, list[str]]:
        connected, errors = 0, []
        for process, pipe in self.workers:
            if not pipe.poll(SETTLE_SECONDS):
                raise RuntimeError(f"screen process {process.pid} did not connect in time")
            _, count, problems = pipe.recv()
            connected += count
            errors += problems
        return connected, errors

    def merged(self, *command) -> dict:
        merged: dict = {}
        for part in self.ask(*command):
            merged.update(part)
        return merged

    def watcher_events(self, since: int) -> list[tuple[int, str, str]]:
        return [e for part in self.ask("watcher", since) for e in part]

    def wait_quiet(self, timeout_s: float = 10) -> None:
        """Until no screen has received anything for QUIET_MS (or the time-out)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            last = max(self.ask("last_arrival"))
            if time.time_ns() - last >= QUIET_MS * 1_000_000:
                return
            time.sleep(QUIET_MS / 4000)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.ask("stop")
        for process, pipe in self.workers:
            with contextlib.suppress(OSError):
                pipe.close()
            process.join(timeout=15)
            if process.is_alive():
                process.kill()


# -- /healthz, polled the whole time ---------------------------------------------------------


class HealthProbe:
    """GET /healthz every `interval_ms` on its own connection; keeps (sent_ns, took_ms)."""

    def __init__(self, url: str, interval_ms: int):
        self.samples: list[tuple[int, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(url, interval_ms / 1000),
                                        daemon=True)
        self._thread.start()

    def _run(self, url: str, interval_s: float) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            while not self._stop.is_set():
                sent = time.time_ns()
                with contextlib.suppress(httpx.HTTPError):
                    client.get("/healthz")
                    self.samples.append((sent, (time.time_ns() - sent) / 1e6))
                self._stop.wait(interval_s)

    def worst(self, start_ns: int, end_ns: int) -> float:
        return max((took for sent, took in self.samples if start_ns <= sent < end_ns),
                   default=0.0)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


# -- the event --------------------------------------------------------------------------------


@dataclass
class Hall:
    event: dict
    participants: list[dict]
    writers: list[str]
    """Device tokens that post cards, in turn: each host, then a participant, and so on."""
    posted: list[tuple[str, int]] = field(default_factory=list)
    """(card id, POST sent at ns) of every card that was answered 201, in order."""


def build_hall(http: httpx.Client, people: int, tables: int) -> Hall:
    body = {"title": "市民協働ワークショップ（ホール）", "language": "ja",
            "tables": [{"name": f"テーブル{n}", "theme": THEMES[(n - 1) % len(THEMES)]}
                       for n in range(1, tables + 1)],
            "program": "standard"}
    answer = http.post("/api/v1/sessions", json=body)
    answer.raise_for_status()
    event = answer.json()
    participants = []
    for number in range(people):
        joined = http.post(f"/api/v1/sessions/{event['id']}/participants", json={
            "join_code": event["join_code"], "name": f"参加者{number + 1}",
            "affiliation": AFFILIATIONS[number % len(AFFILIATIONS)],
            "theme": THEMES[number % len(THEMES)],
            "expectation": "地域のことを話したい"})
        joined.raise_for_status()
        participants.append(joined.json())
    facilitator = {"Authorization": f"Bearer {event['facilitator_token']}"}
    http.post(f"/api/v1/sessions/{event['id']}/control", headers=facilitator,
              json={"action": "start"}).raise_for_status()
    http.patch(f"/api/v1/sessions/{event['id']}/board", headers=facilitator,
               json={"open": True}).raise_for_status()
    hosts = [table["host_token"] for table in event["tables"]]
    writers = []
    for index in range(max(len(hosts), len(participants))):
        if index < len(hosts):
            writers.append(hosts[index])
        if index < len(participants):
            writers.append(participants[index]["token"])
    return Hall(event, participants, writers)


def screen_specs(ws_base: str, hall: Hall) -> list[tuple[str, str]]:
    event = hall.event
    specs = [("console", f"{ws_base}?token={event['facilitator_token']}&view=facilitator"),
             ("projector", f"{ws_base}?token={event['projector_token']}&view=projector"),
             ("watcher", f"{ws_base}?token={event['facilitator_token']}&format=json")]
    specs += [(f"phone-{p['id']}", f"{ws_base}?token={p['token']}&view=participant")
              for p in hall.participants]
    return specs


# -- measurements ----------------------------------------------------------------------------


@dataclass
class Row:
    cards: int
    cpu_ms: float | None = None
    phone_bytes: float | None = None
    console_bytes: float | None = None
    projector_bytes: float | None = None
    watcher_p50: float | None = None
    watcher_p99: float | None = None
    healthz_max: float | None = None
    actions: dict = field(default_factory=dict)
    """kind -> {"p50", "p99", "max", "screens", "cpu_ms", "healthz_max"}; resync -> {"ms"}."""


def milliseconds(values_ns: list[int]) -> tuple[float, float, float]:
    ordered = sorted(values_ns)
    return (percentile(ordered, 0.5) / 1e6, percentile(ordered, 0.99) / 1e6,
            (ordered[-1] if ordered else 0) / 1e6)


class Bench:
    def __init__(self, server: WorldcafeServer, http: httpx.Client, hall: Hall,
                 screens: Screens, probe: HealthProbe, options: argparse.Namespace):
        self.server, self.http, self.hall = server, http, hall
        self.screens, self.probe, self.options = screens, probe, options
        self.session_url = f"/api/v1/sessions/{hall.event['id']}"
        self.facilitator = {"Authorization": f"Bearer {hall.event['facilitator_token']}"}
        self.phones = [f"phone-{p['id']}" for p in hall.participants]
        self.watcher_seen = 0
        self.card_seen: dict[str, int] = {}
        self.refused: list[int] = []
        self.random = random.Random(7)
        self.voters = list(hall.participants)
        self.random.shuffle(self.voters)

    def cpu(self) -> float:
        return cpu_seconds(self.server.process.pid) or 0.0

    def _pull_watcher(self) -> list[tuple[int, str, str]]:
        events = self.screens.watcher_events(self.watcher_seen)
        self.watcher_seen += len(events)
        for received, kind, card_id in events:
            if kind == "card":
                self.card_seen.setdefault(card_id, received)
        return events

    def post_cards(self, count: int) -> tuple[int, int]:
        """Post `count` cards open loop; returns (first sent ns, last answered ns)."""
        options = self.options
        interval = 1 / options.rate
        url = f"{self.session_url}/cards"
        offset = len(self.hall.posted) + len(self.refused)

        def post(index: int) -> tuple[str, int, int]:
            card_id = str(uuid.uuid4())
            number = offset + index
            token = self.hall.writers[number % len(self.hall.writers)]
            text = f"{CARD_TEXTS[number % len(CARD_TEXTS)]} {number}"
            sent = time.time_ns()
            answer = self.http.post(url, json={"id": card_id, "text": text},
                                    headers={"Authorization": f"Bearer {token}"})
            return card_id, sent, answer.status_code

        started = time.monotonic()
        first_sent = time.time_ns()
        gate = threading.Semaphore(options.in_flight)
        futures = []
        with ThreadPoolExecutor(max_workers=options.in_flight) as pool:
            for index in range(count):
                delay = started + index * interval - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                gate.acquire()
                future = pool.submit(post, index)
                future.add_done_callback(lambda _f: gate.release())
                futures.append(future)
            results = [future.result() for future in futures]
        for card_id, sent, status in results:
            if status == 201:
                self.hall.posted.append((card_id, sent))
            else:
                self.refused.append(status)
        return first_sent, time.time_ns()

    def wait_for_watcher(self) -> bool:
        """Until the watcher has seen every card answered 201 (or SETTLE_SECONDS)."""
        deadline = time.monotonic() + SETTLE_SECONDS
        wanted = {card_id for card_id, _ in self.hall.posted}
        while time.monotonic() < deadline:
            self._pull_watcher()
            if wanted <= self.card_seen.keys():
                return True
            time.sleep(0.1)
        return False

    def grow_to(self, target: int) -> Row | None:
        """Post cards until the board holds `target`; the last `window` are measured."""
        window = min(self.options.window, target - len(self.hall.posted))
        before = target - window - len(self.hall.posted)
        if before > 0:
            self.post_cards(before)
        if not self.wait_for_watcher():
            return None
        self.screens.wait_quiet()
        cpu_before = self.cpu()
        measured_from = len(self.hall.posted)
        start_ns, _ = self.post_cards(window)
        seen_all = self.wait_for_watcher()
        self.screens.wait_quiet()
        end_ns = time.time_ns()
        cpu_after = self.cpu()
        measured = self.hall.posted[measured_from:]
        row = Row(target)
        row.cpu_ms = (cpu_after - cpu_before) * 1000 / max(1, len(measured))
        sizes = self.screens.merged("bytes", start_ns, end_ns)
        row.phone_bytes = sum(sizes[p] for p in self.phones) / max(
            1, len(self.phones) * len(measured))
        row.console_bytes = sizes["console"] / max(1, len(measured))
        row.projector_bytes = sizes["projector"] / max(1, len(measured))
        latencies = [self.card_seen[c] - sent for c, sent in measured if c in self.card_seen]
        row.watcher_p50, row.watcher_p99, _ = milliseconds(latencies)
        row.healthz_max = self.probe.worst(start_ns, end_ns)
        if not seen_all:
            print(f"  at {target}: the watcher did not see every card", file=sys.stderr)
        return row

    def wait_for_watcher_event(self, kind: str, card_id: str | None, since_ns: int) -> None:
        """Until the watcher has the JSON event of an action (or SETTLE_SECONDS)."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline:
            for received, event_kind, event_card in self._pull_watcher():
                if received >= since_ns and event_kind == kind and card_id in (None,
                                                                                event_card):
                    return
            time.sleep(0.02)
        print(f"  the watcher never saw the {kind} event", file=sys.stderr)

    def measure_action(self, kind: str, act) -> dict:
        """`--actions` times: the request, then each screen's first frame after it."""
        latencies: list[int] = []
        reached: list[int] = []
        cpu_total = 0.0
        healthz = 0.0
        for index in range(self.options.actions):
            self.screens.wait_quiet()
            cpu_before = self.cpu()
            self._pull_watcher()
            sent = time.time_ns()
            event_kind, card_id = act(index)
            self.wait_for_watcher_event(event_kind, card_id, sent)
            self.screens.wait_quiet()
            end = time.time_ns()
            cpu_total += self.cpu() - cpu_before
            firsts = self.screens.merged("first_after", sent)
            arrived = [t - sent for t in firsts.values() if t is not None]
            latencies += arrived
            reached.append(len(arrived))
            healthz = max(healthz, self.probe.worst(sent, end))
        self._pull_watcher()
        p50, p99, worst = milliseconds(latencies)
        return {"p50": p50, "p99": p99, "max": worst, "screens": min(reached, default=0),
                "cpu_ms": cpu_total * 1000 / self.options.actions, "healthz_max": healthz}

    def hide(self, _index: int) -> tuple[str, str]:
        card_id, _ = self.random.choice(self.hall.posted)
        self.http.patch(f"{self.session_url}/cards/{card_id}", headers=self.facilitator,
                        json={"hidden": True}).raise_for_status()
        return "card_hidden", card_id

    def edit(self, index: int) -> tuple[str, str]:
        card_id, _ = self.random.choice(self.hall.posted)
        self.http.patch(f"{self.session_url}/cards/{card_id}", headers=self.facilitator,
                        json={"text": f"書き直したカード {index}"}).raise_for_status()
        return "card_edited", card_id

    def dot(self, _index: int) -> tuple[str, None]:
        for _attempt in range(len(self.voters)):
            voter = self.voters.pop(0)
            card_id, _ = self.random.choice(self.hall.posted)
            answer = self.http.post(f"{self.session_url}/cards/{card_id}/votes",
                                    headers={"Authorization": f"Bearer {voter['token']}"})
            self.voters.append(voter)
            if answer.status_code == 201:
                return "vote", None
        raise RuntimeError("no participant could place a dot")

    def resync(self) -> dict:
        self.screens.wait_quiet()
        cpu_before = self.cpu()
        answers = self.screens.ask("resync")
        started = min(a[0] for a in answers)
        last = max(a[1] for a in answers)
        problems = [p for a in answers for p in a[2]]
        if problems:
            print(f"  resync: {len(problems)} screens did not reopen: {problems[:2]}",
                  file=sys.stderr)
        return {"ms": (last - started) / 1e6, "cpu_ms": (self.cpu() - cpu_before) * 1000,
                "healthz_max": self.probe.worst(started, last)}

    def actions_at(self, row: Row) -> None:
        row.actions["hide"] = self.measure_action("hide", self.hide)
        row.actions["edit"] = self.measure_action("edit", self.edit)
        row.actions["dot"] = self.measure_action("dot", self.dot)
        row.actions["resync"] = self.resync()


# -- the report ---------------------------------------------------------------------------------


def ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "–"
    return f"×{value / base:.2f}"


def print_report(rows: list[Row], options: argparse.Namespace, screens: int,
                 load: float) -> None:
    print(f"hall: {options.people} participants, {options.tables} tables, voting open, "
          f"{screens} screens ({options.people} phones as their own audiences, console, "
          f"projector, JSON watcher); cards at {options.rate:g}/s, at most "
          f"{options.in_flight} in flight; figures over the last {options.window} cards "
          "before each size")
    print(f"{'cards':>6} | {'cpu/card ms':>11} {'ratio':>6} | {'phone B/card':>12} "
          f"{'ratio':>6} | {'console B/card':>14} {'projector':>9} | {'watcher p50':>11} "
          f"{'p99 ms':>7} | {'healthz max ms':>14}")
    base = rows[0] if rows else None
    for row in rows:
        print(f"{row.cards:>6} | {row.cpu_ms:>11.2f} {ratio(row.cpu_ms, base.cpu_ms):>6} | "
              f"{row.phone_bytes:>12.0f} {ratio(row.phone_bytes, base.phone_bytes):>6} | "
              f"{row.console_bytes:>14.0f} {row.projector_bytes:>9.0f} | "
              f"{row.watcher_p50:>11.1f} {row.watcher_p99:>7.1f} | {row.healthz_max:>14.1f}")
    acted = [row for row in rows if row.actions]
    if acted:
        print(f"\n{'cards':>6} {'action':>7} | {'to every screen p50':>19} {'p99':>7} "
              f"{'max ms':>7} {'screens':>7} | {'cpu ms':>7} | {'healthz max ms':>14}")
        for row in acted:
            for kind in ("hide", "edit", "dot"):
                figures = row.actions[kind]
                print(f"{row.cards:>6} {kind:>7} | {figures['p50']:>19.1f} "
                      f"{figures['p99']:>7.1f} {figures['max']:>7.1f} "
                      f"{figures['screens']:>7} | {figures['cpu_ms']:>7.1f} | "
                      f"{figures['healthz_max']:>14.1f}")
            figures = row.actions["resync"]
            print(f"{row.cards:>6} {'resync':>7} | all {screens} snapshots in "
                  f"{figures['ms']:.0f} ms | {figures['cpu_ms']:>7.0f} | "
                  f"{figures['healthz_max']:>14.1f}")
    print(f"\n{os.cpu_count()} CPUs, 1-minute load average {load:.2f} before the run; "
          f"'screens' = the fewest screens one action reached (phones see a dot only once "
          "revealed: the voter, the console and the watcher do)")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200, help="participants (200)")
    parser.add_argument("--tables", type=int, default=20, help="tables (20)")
    parser.add_argument("--cards", type=int, default=2000, help="cards on the board at the end")
    parser.add_argument("--checkpoints", default="100,500,1000,2000",
                        help="board sizes that get a row (100,500,1000,2000)")
    parser.add_argument("--action-checkpoints", default="1000,2000",
                        help="board sizes where hide, edit, dot and resync are measured")
    parser.add_argument("--window", type=int, default=50,
                        help="cards measured before each checkpoint (50)")
    parser.add_argument("--rate", type=float, default=20, help="cards a second (20)")
    parser.add_argument("--in-flight", type=int, default=40,
                        help="cards waiting for their answer at most (40)")
    parser.add_argument("--actions", type=int, default=5,
                        help="hides, edits and dots measured at each action checkpoint (5)")
    parser.add_argument("--client-processes", type=int, default=2,
                        help="processes the screens are spread over (2)")
    parser.add_argument("--healthz-ms", type=int, default=20, help="healthz poll interval")
    parser.add_argument("--json", action="store_true", help="also print the rows as JSON")
    arguments = parser.parse_args(argv)
    arguments.checkpoint_list = sorted({int(n) for n in arguments.checkpoints.split(",")
                                        if int(n) <= arguments.cards})
    arguments.action_list = {int(n) for n in arguments.action_checkpoints.split(",") if n}
    if not arguments.checkpoint_list or min(arguments.people, arguments.tables,
                                            arguments.window, arguments.in_flight) < 1:
        parser.error("people, tables, window, in-flight and a checkpoint must be positive")
    return arguments


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    raise_open_files_limit()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    load = os.getloadavg()[0]
    rows: list[Row] = []
    screens = probe = server = None
    missing = False
    try:
        with tempfile.TemporaryDirectory(prefix="worldcafe-hall-") as folder:
            server = WorldcafeServer(Path(folder), env=RAISED_LIMITS)
            server.start()
            # idle connections are dropped before uvicorn's 5 s keep-alive ends them, so
            # that a POST never races the server's close of its connection
            limits = httpx.Limits(max_connections=options.in_flight + 8,
                                  max_keepalive_connections=options.in_flight + 8,
                                  keepalive_expiry=2)
            with httpx.Client(base_url=server.url, timeout=120, limits=limits) as http:
                hall = build_hall(http, options.people, options.tables)
                ws_base = f"ws://127.0.0.1:{server.port}/ws/sessions/{hall.event['id']}"
                specs = screen_specs(ws_base, hall)
                screens = Screens(specs, options.client_processes)
                connected, errors = screens.ready()
                if connected < len(specs):
                    raise RuntimeError(f"only {connected} of {len(specs)} screens connected: "
                                       f"{errors}")
                probe = HealthProbe(server.url, options.healthz_ms)
                bench = Bench(server, http, hall, screens, probe, options)
                for target in options.checkpoint_list:
                    row = bench.grow_to(target)
                    if row is None:
                        print(f"hall: the watcher never saw every card before {target}; "
                              "stopping here", file=sys.stderr)
                        missing = True
                        break
                    if target in options.action_list:
                        bench.actions_at(row)
                    rows.append(row)
                    print(f"  {target} cards measured", file=sys.stderr)
                if bench.refused:
                    print(f"hall: {len(bench.refused)} cards refused "
                          f"({sorted(set(bench.refused))})", file=sys.stderr)
                    missing = True
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (RuntimeError, httpx.HTTPError, OSError, EOFError) as error:
        print(f"hall: the run broke: {error}", file=sys.stderr)
        if server is not None:
            print(server.log_tail(), file=sys.stderr)
        return 2
    finally:
        if probe is not None:
            probe.stop()
        if screens is not None:
            screens.stop()
        if server is not None:
            server.stop()
    print_report(rows, options, options.people + 3, load)
    if options.json:
        print(json.dumps([row.__dict__ for row in rows], ensure_ascii=False))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
