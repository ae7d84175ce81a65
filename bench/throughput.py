"""Card throughput benchmark: W tokens posting cards at their per-token limit for N seconds.

One run starts the server twice on a fresh SQLite file each, the same load both times:

- baseline: `WORLDCAFE_GROUP_COMMIT=false`, every card its own write transaction (main's way);
- grouped: `WORLDCAFE_GROUP_COMMIT=true`, the cards of concurrent requests committed together.

Each time an event is started, a console and a projector (HTML sockets, so the server
renders what a real room makes it render) are connected, W participants join (`--writers
100`) and each posts cards as fast as its token's limit allows
(`WORLDCAFE_CARD_RATE_PER_SECOND`, 5: one every 204 ms, 2 % under it, or at once when the
answer came later) for `--seconds`; the per-minute limit is raised to 60 × that rate so
that the per-second one holds throughout. One more participant, the honest phone, posts
one card every `--honest-every` seconds and times each answer. Every phone has an address
of its own (X-Forwarded-For from loopback, which the server trusts by default), as in a
hall behind a proxy, so the per-address budget does not come into it
(tests/integration/test_throughput.py covers that).

Figures: cards stored (201) a second over the run, refusals by code, the honest card's
answer time p50/p99 (over the run and over each third of it: the board grows by thousands
of cards meanwhile), the server's CPU per stored card; then grouped/baseline ratios. Three
warm-up cards go first, one after the other, not counted (the keyword analyser and the
templates load on first use).
Benchmarks report, they do not judge: exit status 0 whatever the figures, 2 when a run
broke, 130 on Ctrl-C.

    .venv/bin/python bench/throughput.py                   # 100 tokens, 60 s each run
    .venv/bin/python bench/throughput.py --seconds 15      # a shorter run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from cards import CARD_TEXTS, Screens, started_event
from fanout import (
    WorldcafeServer,
    cpu_seconds,
    fast_event_loop,
    percentile,
)


@dataclass
class Run:
    name: str
    stored: int = 0
    refused: Counter = field(default_factory=Counter)
    honest_ms: list[float] = field(default_factory=list)
    honest_at: list[float] = field(default_factory=list)
    """Seconds into the run each honest card was answered (the board grows meanwhile)."""
    honest_failed: int = 0
    seconds: float = 0.0
    cpu_seconds: float | None = None

    @property
    def rate(self) -> float:
        return self.stored / self.seconds if self.seconds else 0.0

    def honest(self, fraction: float, part: int | None = None) -> float:
        """A percentile of the honest card's answer time, over the run or one of its
        thirds (0, 1, 2)."""
        times = self.honest_ms if part is None else [
            ms for ms, at in zip(self.honest_ms, self.honest_at, strict=True)
            if int(3 * at / self.seconds) == part]
        ordered = sorted(times)
        return percentile(ordered, fraction) if ordered else float("nan")


def address(number: int) -> str:
    return f"10.{number // 250 % 250}.{number % 250}.{number // 62500 + 1}"


def card_body(number: int) -> dict:
    return {"id": str(uuid.uuid4()), "text": f"{CARD_TEXTS[number % len(CARD_TEXTS)]} {number}"}


class Connection:
    """One keep-alive HTTP/1.1 connection, one request at a time, written by hand: httpx
    spends ~15 ms of CPU a request here, so 100 of its clients in one process would cap
    what the server is offered (the client, not the server, would be measured)."""

    def __init__(self, port: int, headers: dict[str, str]):
        self.port = port
        self.head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: dict) -> tuple[int, bytes]:
        """(status, body); a keep-alive connection the server closed meanwhile is opened
        again and the card sent again (its id makes a resend harmless)."""
        for attempt in (1, 2):
            try:
                return await self._post(path, body)
            except (OSError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _post(self, path: str, body: dict) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        data = json.dumps(body).encode()
        self.writer.write(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                          f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                          f"{self.head}\r\n".encode() + data)
        status = int((await self.reader.readuntil(b"\r\n")).split()[1])
        length, closing = 0, False
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                closing = True
        answer = await self.reader.readexactly(length)
        if closing:
            self.close()
        return status, answer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def join(http: httpx.Client, event: dict, number: int) -> str:
    answer = http.post(f"/api/v1/sessions/{event['id']}/participants",
                       json={"join_code": event["join_code"], "name": f"参加者{number}",
                             "affiliation": "citizen"},
                       headers={"X-Forwarded-For": address(number)})
    answer.raise_for_status()
    return answer.json()["token"]


def phone(port: int, token: str, number: int) -> Connection:
    return Connection(port, {"Authorization": f"Bearer {token}",
                             "X-Forwarded-For": address(number)})


async def flood_token(connection: Connection, url: str, number: int, interval_s: float,
                      until: float, run: Run) -> None:
    """One token at its limit: a card every `interval_s`, or at once after a late answer."""
    sent = 0
    next_at = time.monotonic()
    while (now := time.monotonic()) < until:
        if next_at > now:
            await asyncio.sleep(next_at - now)
        next_at = max(time.monotonic(), next_at) + interval_s
        status, answer = await connection.post(url, card_body(number * 10_000 + sent))
        sent += 1
        if status in (200, 201):
            run.stored += 1
        else:
            run.refused[_code(status, answer)] += 1


async def honest_phone(connection: Connection, url: str, number: int, every_s: float,
                       until: float, seconds: float, run: Run) -> None:
    sent = 0
    while time.monotonic() + every_s < until:
        await asyncio.sleep(every_s)
        started = time.perf_counter()
        status, answer = await connection.post(url, card_body(number * 10_000 + sent))
        sent += 1
        if status in (200, 201):
            run.stored += 1
            run.honest_ms.append((time.perf_counter() - started) * 1000)
            run.honest_at.append(time.monotonic() - (until - seconds))
        else:
            run.honest_failed += 1
            run.refused[_code(status, answer)] += 1


PACE_MARGIN = 1.02
"""A token's cards 2 % further apart than its limit: a timer that wakes a little early
would otherwise put a sixth card into the limit's second now and then (a 429)."""

WARM_UP_CARDS = 3
"""Cards the honest phone sends before the run, one after the other, not counted."""


def _code(status: int, answer: bytes) -> str:
    try:
        return json.loads(answer)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return str(status)


def setup(server: WorldcafeServer, writers: int) -> tuple[dict, list[str]]:
    """A started event and the tokens of `writers` + 1 participants."""
    with httpx.Client(base_url=server.url, timeout=60) as http:
        event = started_event(http)
        return event, [join(http, event, number) for number in range(writers + 1)]


async def drive(server: WorldcafeServer, event: dict, tokens: list[str], run: Run,
                seconds: float, honest_every: float, per_second: int) -> None:
    url = f"/api/v1/sessions/{event['id']}/cards"
    phones = [phone(server.port, token, number) for number, token in enumerate(tokens)]
    for number in range(WARM_UP_CARDS):  # the analyser and the templates load on first use
        await phones[-1].post(url, card_body(-1 - number))
    cpu_before = cpu_seconds(server.process.pid)
    started = time.monotonic()
    until = started + seconds
    try:
        await asyncio.gather(
            honest_phone(phones[-1], url, len(phones) - 1, honest_every, until, seconds, run),
            *(flood_token(connection, url, number, PACE_MARGIN / per_second, until, run)
              for number, connection in enumerate(phones[:-1])))
    finally:
        for connection in phones:
            connection.close()
    run.seconds = time.monotonic() - started
    cpu_after = cpu_seconds(server.process.pid)
    if cpu_before is not None and cpu_after is not None:
        run.cpu_seconds = cpu_after - cpu_before


def measure(name: str, folder: Path, grouped: bool, arguments: argparse.Namespace) -> Run:
    per_second = arguments.per_token_rate
    env = {"WORLDCAFE_CARD_COMMIT_GROUP": "64" if grouped else "1",
           "WORLDCAFE_CARD_RATE_PER_SECOND": str(per_second),
           "WORLDCAFE_CARD_RATE_PER_MINUTE": str(per_second * 60)}
    server = WorldcafeServer(folder, env=env)
    run = Run(name)
    try:
        server.start()
        event, tokens = setup(server, arguments.writers)
        ws_base = f"ws://127.0.0.1:{server.port}/ws/sessions/{event['id']}"
        screens = Screens(ws_base, event, 2)
        try:
            asyncio.run(drive(server, event, tokens, run, arguments.seconds,
                              arguments.honest_every, per_second))
        finally:
            screens.close()
    finally:
        server.stop()
    return run


def print_report(runs: list[Run], arguments: argparse.Namespace, load: float) -> None:
    print(f"{arguments.writers} tokens at {arguments.per_token_rate} cards/s each for "
          f"{arguments.seconds:g} s, an honest phone posting every {arguments.honest_every:g} s, "
          f"a console and a projector connected; SQLite; {os.cpu_count()} CPUs, load "
          f"{load:.2f} before the run")
    print("| run | cards stored/s | refused | honest p50 / p99 ms | honest p99 by third ms "
          "| honest failed | server cpu ms/card |")
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        cpu = (f"{run.cpu_seconds * 1000 / run.stored:.1f}"
               if run.cpu_seconds is not None and run.stored else "–")
        refused = ", ".join(f"{code} {count}" for code, count in run.refused.most_common()) \
            or "0"
        thirds = " / ".join(f"{run.honest(0.99, part):.0f}" for part in range(3))
        print(f"| {run.name} | {run.rate:.1f} | {refused} | {run.honest(0.5):.0f} / "
              f"{run.honest(0.99):.0f} | {thirds} | {run.honest_failed} | {cpu} |")
    if len(runs) == 2 and runs[0].rate and runs[0].honest_ms and runs[1].honest_ms:
        base, grouped = runs
        print(f"grouped/baseline: cards/s ×{grouped.rate / base.rate:.2f}, honest p50 "
              f"×{grouped.honest(0.5) / base.honest(0.5):.2f}, p99 "
              f"×{grouped.honest(0.99) / base.honest(0.99):.2f}")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=100, help="flooding tokens (100)")
    parser.add_argument("--seconds", type=float, default=60, help="length of each run (60)")
    parser.add_argument("--per-token-rate", type=int, default=5,
                        help="each token's card limit a second, as the server's default (5)")
    parser.add_argument("--honest-every", type=float, default=0.5,
                        help="seconds between the honest phone's cards (0.5)")
    parser.add_argument("--only", choices=("baseline", "grouped"),
                        help="one run only (no ratios)")
    arguments = parser.parse_args(argv)
    if min(arguments.writers, arguments.seconds, arguments.per_token_rate,
           arguments.honest_every) <= 0:
        parser.error("every figure must be positive")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    fast_event_loop()
    load = os.getloadavg()[0]
    runs = []
    try:
        with tempfile.TemporaryDirectory(prefix="worldcafe-throughput-") as folder:
            for name, grouped in (("baseline", False), ("grouped", True)):
                if arguments.only in (None, name):
                    run_folder = Path(folder) / name
                    run_folder.mkdir()
                    runs.append(measure(name, run_folder, grouped, arguments))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (RuntimeError, httpx.HTTPError, OSError) as error:
        print(f"throughput: the run broke: {error!r}", file=sys.stderr)
        return 2
    print_report(runs, arguments, load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
