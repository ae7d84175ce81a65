"""Card benchmark: how long a card takes from its POST to N live projector screens.

One run measures, one after the other and with the same client fleet settings (N JSON
WebSocket clients in separate processes, bench/fanout.py's machinery):

- floor: the bare `websockets` broadcast server of bench/fanout.py, one message per slot;
- phase: worldcafe driven by facilitator `extend` actions at the same pace (fanout.py's
  worldcafe run), the app's fan-out cost without a card behind it;
- cards: worldcafe receiving cards from W writers (table hosts and participants, one token
  each, in turn) at `--rate` cards a second, open loop: each POST starts in its slot on a
  thread pool (up to max(4 × W, 64) in flight) whether or not earlier ones were answered.

Latency of one card = the client's `time.time_ns()` when `{"type": "card", ...}` with that
card's id arrives minus the poster's `time.time_ns()` just before the POST (one machine, one
clock): the commit, the view load, the render and the fan-out. Like a real event, an HTML
console and an HTML projector are connected too (`--html-screens`), so the server renders
the board column and the keyword charts for every card as well.

The API limits cards per device token (WORLDCAFE_CARD_RATE_PER_SECOND, default 5, and
WORLDCAFE_CARD_RATE_PER_MINUTE, default 30). 20 writers at 20 cards a second send 60 a
minute each, so the bench server runs with both limits raised (the output says so);
`--keep-rate-limits` keeps the defaults (expect 429s then).

Benchmarks report, they do not judge: exit status 0 whatever the figures, 1 when cards were
refused or messages lost, 2 when the run broke, 130 on Ctrl-C.

    .venv/bin/python bench/cards.py                      # N=500, 20 cards/s, 200 cards
    .venv/bin/python bench/cards.py --clients 50 --cards 40 --only cards   # a smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

import httpx
from fanout import (
    CONNECT_TIMEOUT_SECONDS,
    EVENT_BODY,
    ClientFleet,
    Options,
    Result,
    WorldcafeServer,
    cpu_seconds,
    pace,
    percentile,
    print_table,
    raise_open_files_limit,
    report_problems,
    run_floor,
    run_worldcafe,
    summarize,
    wait_for_fleet,
)
from websockets.sync.client import connect as connect_sync

RAISED_LIMITS = {"WORLDCAFE_CARD_RATE_PER_SECOND": "1000",
                 "WORLDCAFE_CARD_RATE_PER_MINUTE": "100000"}
CARD_TEXTS = (
    "見守りボランティアが足りない", "町内会と学校をつなぐ場がほしい", "空き家を地域の居場所に",
    "子どもの居場所づくりを続けたい", "SNSで市の魅力を発信する", "Community cafe for volunteers",
)


class Screens:
    """HTML sockets (a projector, then a console, in turn) that only drain what they get,
    so that the server does the rendering a real room makes it do."""

    def __init__(self, ws_base: str, event: dict, count: int):
        self.sockets = []
        self.threads = []
        wanted = [("projector", event["projector_token"]),
                  ("facilitator", event["facilitator_token"])]
        for index in range(count):
            view, token = wanted[index % len(wanted)]
            socket = connect_sync(f"{ws_base}?token={token}&view={view}", max_size=None,
                                  open_timeout=CONNECT_TIMEOUT_SECONDS, compression=None)
            thread = threading.Thread(target=self._drain, args=(socket,), daemon=True)
            thread.start()
            self.sockets.append(socket)
            self.threads.append(thread)

    @staticmethod
    def _drain(socket) -> None:
        with contextlib.suppress(Exception):
            for _ in socket:
                pass

    def close(self) -> None:
        for socket in self.sockets:
            with contextlib.suppress(Exception):
                socket.close()


def started_event(http: httpx.Client) -> dict:
    """A new event of EVENT_BODY, its first phase running."""
    answer = http.post("/api/v1/sessions", json=EVENT_BODY)
    answer.raise_for_status()
    event = answer.json()
    headers = {"Authorization": f"Bearer {event['facilitator_token']}"}
    http.post(f"/api/v1/sessions/{event['id']}/control", headers=headers,
              json={"action": "start"}).raise_for_status()
    return event


def writers_of(http: httpx.Client, event: dict, count: int) -> list[str]:
    """`count` device tokens: the table hosts', then participants joined for the rest."""
    tokens = [table["host_token"] for table in event["tables"]][:count]
    for number in range(count - len(tokens)):
        answer = http.post(f"/api/v1/sessions/{event['id']}/participants",
                           json={"join_code": event["join_code"], "name": f"参加者{number}",
                                 "affiliation": "citizen"})
        answer.raise_for_status()
        tokens.append(answer.json()["token"])
    return tokens


def run_cards(options: Options, folder: Path, writers: int, html_screens: int,
              keep_limits: bool) -> tuple[Result, dict]:
    server = WorldcafeServer(folder, env=None if keep_limits else RAISED_LIMITS)
    result = Result("cards", options.clients, options.actions)
    extra_figures: dict = {}
    screens = fleet = None
    try:
        server.start()
        # Threads (and connections) for POSTs in flight, more than writers: a server that
        # falls behind must not slow the offered rate down (an open loop).
        in_flight = max(writers * 4, 64)
        limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
        with httpx.Client(base_url=server.url, timeout=60, limits=limits) as http, \
                ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="post") as pool:
            event = started_event(http)
            tokens = writers_of(http, event, writers)
            ws_base = f"ws://127.0.0.1:{server.port}/ws/sessions/{event['id']}"
            screens = Screens(ws_base, event, html_screens)
            fleet = ClientFleet(f"{ws_base}?token={event['projector_token']}&format=json",
                                options.clients, options.client_processes,
                                options.compression, kind="card")
            if not wait_for_fleet(fleet, options, result):
                return result, extra_figures

            cards_url = f"/api/v1/sessions/{event['id']}/cards"

            def post(index: int) -> tuple[str, int, int, int]:
                card_id = str(uuid.uuid4())
                body = {"id": card_id, "text": f"{CARD_TEXTS[index % len(CARD_TEXTS)]} #{index}"}
                token = tokens[index % len(tokens)]
                sent_ns = time.time_ns()
                answer = http.post(cards_url, json=body,
                                   headers={"Authorization": f"Bearer {token}"})
                return card_id, sent_ns, time.time_ns() - sent_ns, answer.status_code

            total = options.warmup + options.actions
            futures = []
            start = time.monotonic() + 0.2
            cpu_before = None
            for index in range(total):
                pace(start, index, options.interval_s)
                if index == options.warmup:
                    cpu_before = cpu_seconds(server.process.pid)
                futures.append(pool.submit(post, index))
            posted = [future.result() for future in futures]
            sent = {card_id: (sent_ns, took) for card_id, sent_ns, took, _ in posted}
            measured = {card_id for card_id, *_ in posted[options.warmup:]}
            refused = [status for *_, status in posted if status != 201]
            if refused:
                result.problems.append(f"{len(refused)} of {total} cards refused "
                                       f"(statuses {sorted(set(refused))})")
                for card_id, *_, status in posted:
                    if status != 201:
                        sent.pop(card_id, None)
                        measured.discard(card_id)
            arrivals, extra, result.message_bytes = fleet.collect(total - len(refused))
            cpu_after = cpu_seconds(server.process.pid)
            if cpu_before is not None and cpu_after is not None:
                result.server_cpu_ms_per_action = round(
                    (cpu_after - cpu_before) * 1000 / options.actions, 2)
            summarize(result, sent, measured, arrivals, extra)
            round_trips = sorted(took for _, _, took, _ in posted[options.warmup:])
            first_ns, last_ns = posted[options.warmup][1], posted[-1][1]
            extra_figures = {
                "writers": len(tokens),
                "post_p50_ms": percentile(round_trips, 0.5) / 1e6,
                "post_p99_ms": percentile(round_trips, 0.99) / 1e6,
                "achieved_rate": (options.actions - 1) / max(1e-9, (last_ns - first_ns) / 1e9),
                "rate_limits": "default" if keep_limits else RAISED_LIMITS,
            }
            return result, extra_figures
    finally:
        if fleet is not None:
            fleet.stop()
        if screens is not None:
            screens.close()
        server.stop()


def print_report(results: list[Result], options: Options, figures: dict, load: float,
                 html_screens: int) -> None:
    print_table(results)
    print(f"(N JSON clients in {options.client_processes} process(es); one card or action "
          f"every {options.interval_s * 1000:.0f} ms ({1 / options.interval_s:g}/s) after "
          f"{options.warmup} warm-up; {html_screens} HTML screen(s) connected to the card "
          "server; 'cpu/act' = server CPU ms per card or action)")
    if figures:
        limits = figures["rate_limits"]
        limit_text = ("the default per-token card limits" if limits == "default" else
                      "card limits raised: " + ", ".join(f"{k}={v}" for k, v in limits.items()))
        print(f"cards: {figures['writers']} writer tokens, achieved "
              f"{figures['achieved_rate']:.1f} cards/s, POST round trip p50 "
              f"{figures['post_p50_ms']:.2f} ms, p99 {figures['post_p99_ms']:.2f} ms; "
              f"{limit_text}")
    print(f"{os.cpu_count()} CPUs, 1-minute load average {load:.2f} before the run "
          "(other work on the machine widens the tails)")
    by_name = {r.server: r for r in results}
    floor, phase, cards = by_name.get("floor"), by_name.get("phase"), by_name.get("cards")
    for name, base in (("floor", floor), ("phase", phase)):
        if cards and base and base.p50_ms and base.p99_ms:
            print(f"cards/{name}: p50 ×{cards.p50_ms / base.p50_ms:.2f}, "
                  f"p99 ×{cards.p99_ms / base.p99_ms:.2f}")
    if cards and cards.p50_ms and figures:
        print(f"of the cards p50, the POST answer takes {figures['post_p50_ms']:.2f} ms "
              "(commit + publish; the push leaves the server around then)")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500, help="JSON projector clients (500)")
    parser.add_argument("--cards", type=int, default=200, help="measured cards (200)")
    parser.add_argument("--rate", type=float, default=20, help="cards (and actions) a second (20)")
    parser.add_argument("--writers", type=int, default=20,
                        help="device tokens posting cards in turn: hosts, then participants (20)")
    parser.add_argument("--warmup", type=int, default=5, help="cards sent first, not measured (5)")
    parser.add_argument("--client-processes", type=int, default=2,
                        help="processes the clients are spread over (2)")
    parser.add_argument("--html-screens", type=int, default=2,
                        help="HTML sockets on the card server: 1 = a projector page, "
                        "2 = a projector and a console (2)")
    parser.add_argument("--compression", choices=("deflate", "none"), default="deflate",
                        help="what clients offer (permessage-deflate, as browsers do)")
    parser.add_argument("--keep-rate-limits", action="store_true",
                        help="keep the default per-token card limits (expect 429s)")
    parser.add_argument("--only", choices=("floor", "phase", "cards"), action="append",
                        help="measure only these (repeatable); default all three")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    arguments = parser.parse_args(argv)
    if min(arguments.clients, arguments.cards, arguments.writers, arguments.client_processes) < 1 \
            or arguments.rate <= 0:
        parser.error("--clients, --cards, --writers, --client-processes and --rate must be "
                     "positive")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    raise_open_files_limit()
    options = Options(arguments.clients, arguments.cards, max(0, arguments.warmup),
                      1 / arguments.rate, arguments.client_processes,
                      None if arguments.compression == "none" else "deflate")
    wanted = arguments.only or ["floor", "phase", "cards"]
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    results: list[Result] = []
    figures: dict = {}
    load = os.getloadavg()[0]
    try:
        with tempfile.TemporaryDirectory(prefix="worldcafe-cards-") as folder:
            if "floor" in wanted:
                results.append(run_floor(options))
            if "phase" in wanted:
                phase_folder = Path(folder) / "phase"
                phase_folder.mkdir()
                phase = run_worldcafe(options, phase_folder)
                phase.server = "phase"
                results.append(phase)
            if "cards" in wanted:
                cards_folder = Path(folder) / "cards"
                cards_folder.mkdir()
                result, figures = run_cards(options, cards_folder, arguments.writers,
                                            max(0, arguments.html_screens),
                                            arguments.keep_rate_limits)
                results.append(result)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (RuntimeError, httpx.HTTPError, OSError, EOFError) as error:
        print(f"cards: the run broke: {error}", file=sys.stderr)
        return 2
    print_report(results, options, figures, load, max(0, arguments.html_screens))
    if arguments.json:
        print(json.dumps({"options": asdict(options), "load_average": load,
                          "card_figures": figures, "results": [asdict(r) for r in results]},
                         ensure_ascii=False, default=str))
    return report_problems(results)


if __name__ == "__main__":
    sys.exit(main())
