"""Fan-out benchmark: how fast a facilitator action reaches N live JSON WebSocket clients.

Two servers are measured in one run, one after the other, with the same clients:

- the floor: a bare `websockets` server in its own process that broadcasts whatever its
  "facilitator" connection sends, with `websockets.broadcast` (no app, no database);
- worldcafe: `python -m app.cli serve` (one worker, SQLite in a temporary folder), driven
  through `POST /api/v1/sessions/{id}/control` like a facilitator's console.

N clients (`?format=json`, projector token) run in separate processes, so the client side
shares a CPU with the server only as much as the machine forces it to. The parent sends K
actions, `--interval-ms` apart; every action changes the clock's `ends_at_ms`, which identifies
the resulting `phase` message on every client. Latency of one delivery = the client's
`time.time_ns()` on receipt minus the parent's `time.time_ns()` just before the action was sent
(one machine, one clock). The run prints p50/p99/max per server and the worldcafe/floor ratios.

Benchmarks report, they do not judge: the exit status is 0 whatever the ratios are, and
non-zero only when the run itself broke (a server did not start, clients could not connect,
messages were lost).

    .venv/bin/python bench/fanout.py                  # N=1000, 50 actions, 100 ms apart
    .venv/bin/python bench/fanout.py --clients 50 --actions 10 --json
    .venv/bin/python bench/fanout.py --only worldcafe --per-action   # find the slow actions
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection as Pipe
from pathlib import Path

import httpx
from websockets.asyncio.client import connect
from websockets.asyncio.server import broadcast, serve
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as connect_sync

from app.web.protocols import raise_open_files_limit

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO = 2.0
CONNECT_BATCH = 100
"""Connections opened at once: enough to be quick, few enough not to overflow the backlog."""
SERVER_START_SECONDS = 60
CONNECT_TIMEOUT_SECONDS = 30
SETTLE_SECONDS = 10
"""How long clients wait after the last action for stragglers before counting losses."""

EVENT_BODY = {
    "title": "市民協働ワークショップ（ベンチマーク）",
    "language": "ja",
    "tables": [{"name": f"テーブル{n}", "theme": theme} for n, theme in enumerate(
        ("高齢者を地域で支え合う", "子どもの成長を地域で支える", "市民参画による魅力発信"), 1)],
    "program": "standard",
}

FLOOR_SNAPSHOT = json.dumps({"type": "snapshot", "session": EVENT_BODY}, ensure_ascii=False)


def floor_phase_message(ends_at_ms: int) -> str:
    """The same shape and size as worldcafe's JSON `phase` event for this program (~250 B)."""
    now = time.time_ns() // 1_000_000
    return json.dumps({
        "type": "phase",
        "phase_index": 0,
        "phase": {"kind": "plain", "title": "Opening and purpose", "minutes": 10.0,
                  "question": "", "moves": False},
        "status": "running",
        "ends_at_ms": ends_at_ms,
        "remaining_ms": max(0, ends_at_ms - now),
        "server_now_ms": now,
    }, ensure_ascii=False)


# -- small helpers shared by every process ------------------------------------------------


def fast_event_loop() -> None:
    """Use uvloop when installed, as uvicorn does, so both servers run on the same loop."""
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def child_setup() -> None:
    """Children leave Ctrl-C to the parent, which stops them in order."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise_open_files_limit()
    fast_event_loop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process and its living children (a server's workers) have
    used so far (Linux /proc), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, ValueError, IndexError):
        return None
    return own + sum(cpu_seconds(int(child)) or 0.0 for child in children)


def percentile(ordered: list[int], fraction: float) -> int:
    """Nearest-rank percentile of an already sorted list."""
    if not ordered:
        return 0
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered) - 1e-9)))
    return ordered[rank - 1]


# -- the floor server ----------------------------------------------------------------------


def floor_server_process(port: int, pipe: Pipe) -> None:
    """A bare websockets server: `/control` messages are broadcast to every other client."""
    child_setup()
    asyncio.run(_floor_server(port, pipe))


async def _floor_server(port: int, pipe: Pipe) -> None:
    clients: set = set()

    async def handler(websocket) -> None:
        if websocket.request.path == "/control":
            with contextlib.suppress(ConnectionClosed):  # the parent may stop mid-run
                async for message in websocket:
                    broadcast(clients, message)
            return
        clients.add(websocket)
        try:
            await websocket.send(FLOOR_SNAPSHOT)
            await websocket.wait_closed()
        finally:
            clients.discard(websocket)

    parent_gone = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_reader(pipe.fileno(), parent_gone.set)  # EOF or "stop": either way, shut down
    async with serve(handler, "127.0.0.1", port, backlog=1024):
        pipe.send("ready")
        await parent_gone.wait()


# -- client processes ----------------------------------------------------------------------


def message_key(message: dict, kind: str) -> int | str | None:
    """What identifies one measured message of `kind`: a `phase` event's ends_at_ms, a
    `card` event's card id (bench/cards.py); None for any other message."""
    if message.get("type") != kind:
        return None
    if kind == "card":
        return (message.get("card") or {}).get("id")
    return message.get("ends_at_ms")


def client_process(url: str, count: int, compression: str | None, pipe: Pipe,
                   kind: str = "phase") -> None:
    """Hold `count` connections, record when each message arrives, report on request."""
    child_setup()
    try:
        asyncio.run(_clients(url, count, compression, pipe, kind))
    except (EOFError, OSError):
        pass  # the parent is gone (closed or reset pipe); nothing to report to


@dataclass
class Listener:
    """One client connection and what it received after its snapshot: (time_ns, text)."""

    websocket: object
    received: list[tuple[int, str]] = field(default_factory=list)
    task: asyncio.Task | None = None

    async def listen(self) -> None:
        with contextlib.suppress(Exception):
            async for text in self.websocket:
                self.received.append((time.time_ns(), text))


async def _open_listener(url: str, compression: str | None) -> Listener:
    websocket = await connect(url, compression=compression, ping_interval=None,
                              open_timeout=CONNECT_TIMEOUT_SECONDS, max_size=None)
    try:
        first = json.loads(await asyncio.wait_for(websocket.recv(), CONNECT_TIMEOUT_SECONDS))
        if first.get("type") != "snapshot":
            raise RuntimeError(f"expected a snapshot first, got {first.get('type')!r}")
    except BaseException:
        await websocket.close()
        raise
    listener = Listener(websocket)
    listener.task = asyncio.create_task(listener.listen())
    return listener


async def _clients(url: str, count: int, compression: str | None, pipe: Pipe,
                   kind: str) -> None:
    loop = asyncio.get_running_loop()
    listeners: list[Listener] = []
    errors: list[str] = []
    for start in range(0, count, CONNECT_BATCH):
        batch = min(CONNECT_BATCH, count - start)
        opened = await asyncio.gather(*(_open_listener(url, compression) for _ in range(batch)),
                                      return_exceptions=True)
        for result in opened:
            if isinstance(result, BaseException):
                errors.append(f"{type(result).__name__}: {result}")
            else:
                listeners.append(result)
    extension = ""
    if listeners:
        extension = listeners[0].websocket.response.headers.get("Sec-WebSocket-Extensions", "")
    # A full collection over a thousand connections takes 100+ ms on this machine: keep the
    # clients' own collector out of the timings (the servers keep their defaults).
    gc.collect()
    gc.freeze()
    gc.disable()
    pipe.send(("ready", len(listeners), errors[:5], len(errors), extension))

    command = await loop.run_in_executor(None, pipe.recv)
    if command[0] != "collect":
        return
    expected = command[1]
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        if all(len(listener.received) >= expected for listener in listeners):
            break
        await asyncio.sleep(0.05)

    # Parse only now, so that JSON decoding never delays a receipt being timed.
    arrivals: dict[int | str, list[int]] = {}
    extra = 0
    sizes = 0
    for listener in listeners:
        for received_ns, text in listener.received:
            key = message_key(json.loads(text), kind)
            if key is None:
                extra += 1
                continue
            arrivals.setdefault(key, []).append(received_ns)
            sizes += len(text.encode())
    gc.enable()
    delivered = sum(len(times) for times in arrivals.values())
    pipe.send(("results", arrivals, extra, sizes // max(1, delivered)))

    for listener in listeners:
        listener.task.cancel()
    await asyncio.wait_for(
        asyncio.gather(*(listener.websocket.close() for listener in listeners),
                       return_exceptions=True), 10)


class ClientFleet:
    """The client processes of one measurement, started and stopped together."""

    def __init__(self, url: str, clients: int, processes: int, compression: str | None,
                 kind: str = "phase"):
        context = multiprocessing.get_context("spawn")
        self.workers: list[tuple[multiprocessing.Process, Pipe]] = []
        shares = [clients // processes + (1 if i < clients % processes else 0)
                  for i in range(processes)]
        for share in filter(None, shares):
            ours, theirs = context.Pipe()
            process = context.Process(target=client_process, daemon=True,
                                      args=(url, share, compression, theirs, kind),
                                      name="fanout-clients")
            process.start()
            theirs.close()
            self.workers.append((process, ours))

    def wait_ready(self, timeout: float) -> tuple[int, list[str], int, str]:
        connected, failures, failed, extension = 0, [], 0, ""
        for process, pipe in self.workers:
            if not pipe.poll(timeout):
                raise RuntimeError(f"client process {process.pid} did not connect in time")
            _, count, errors, error_count, extension = pipe.recv()
            connected += count
            failures += errors
            failed += error_count
        return connected, failures, failed, extension

    def collect(self, expected_per_client: int) -> tuple[dict[int, list[int]], int, int]:
        for _, pipe in self.workers:
            pipe.send(("collect", expected_per_client))
        arrivals: dict[int, list[int]] = {}
        extra, size = 0, 0
        for process, pipe in self.workers:
            if not pipe.poll(SETTLE_SECONDS + 30):
                raise RuntimeError(f"client process {process.pid} did not report")
            _, part, part_extra, part_size = pipe.recv()
            for key, times in part.items():
                arrivals.setdefault(key, []).extend(times)
            extra += part_extra
            size = max(size, part_size)
        return arrivals, extra, size

    def stop(self) -> None:
        for process, pipe in self.workers:
            with contextlib.suppress(OSError):
                pipe.close()
            process.join(timeout=15)
        stop_processes([process for process, _ in self.workers])


def stop_processes(processes: list[multiprocessing.Process]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()
            process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join()


# -- the two targets -----------------------------------------------------------------------


@dataclass
class Result:
    server: str
    clients: int
    actions: int
    connected: int = 0
    expected: int = 0
    received: int = 0
    extension: str = ""
    message_bytes: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    last_p50_ms: float = 0.0
    """Median over actions of the time until the last client had it: the whole fan-out."""
    trigger_p50_ms: float | None = None
    server_cpu_ms_per_action: float | None = None
    """The server process's CPU time while the measured actions were delivered, per action."""
    per_action: list[dict] = field(default_factory=list)
    """Each measured action: trigger (send) time, first/median/last delivery, all in ms."""
    problems: list[str] = field(default_factory=list)


@dataclass
class Options:
    clients: int
    actions: int
    warmup: int
    interval_s: float
    client_processes: int
    compression: str | None


def summarize(result: Result, sent: dict[int, tuple[int, int]], measured: set[int],
              arrivals: dict[int, list[int]], extra: int) -> None:
    """Latencies of the measured actions (warm-up ones only count towards losses).

    `sent` maps each action's key to (time_ns before sending, ns the send call took)."""
    latencies: list[int] = []
    last: list[int] = []
    lost, short_actions = 0, 0
    for key, (sent_ns, trigger_ns) in sent.items():
        times = sorted(arrivals.get(key, []))
        result.received += len(times) if key in measured else 0
        if len(times) < result.connected:
            lost += result.connected - len(times)
            short_actions += 1
        if key in measured and times:
            latencies += [t - sent_ns for t in times]
            last.append(times[-1] - sent_ns)
            result.per_action.append({
                "trigger_ms": round(trigger_ns / 1e6, 2),
                "first_ms": round((times[0] - sent_ns) / 1e6, 2),
                "p50_ms": round((percentile(times, 0.5) - sent_ns) / 1e6, 2),
                "last_ms": round((times[-1] - sent_ns) / 1e6, 2),
                "received": len(times),
            })
    if lost:
        result.problems.append(f"{lost} messages lost over {short_actions} of {len(sent)} "
                               "actions (warm-up included)")
    unknown = sum(len(times) for key, times in arrivals.items() if key not in sent)
    if unknown or extra:
        result.problems.append(f"{unknown + extra} unexpected messages")
    result.expected = result.connected * len(measured)
    latencies.sort()
    last.sort()
    result.p50_ms = percentile(latencies, 0.50) / 1e6
    result.p99_ms = percentile(latencies, 0.99) / 1e6
    result.max_ms = (latencies[-1] if latencies else 0) / 1e6
    result.last_p50_ms = percentile(last, 0.50) / 1e6
    triggers = sorted(trigger_ns for key, (_, trigger_ns) in sent.items() if key in measured)
    result.trigger_p50_ms = percentile(triggers, 0.5) / 1e6


def pace(start: float, index: int, interval_s: float) -> None:
    """Sleep until action `index`'s slot; a slow action delays the next, never overlaps it."""
    delay = start + index * interval_s - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def wait_for_fleet(fleet: ClientFleet, options: Options, result: Result) -> bool:
    """Wait until the clients are connected, noting who could not; False if nobody could."""
    connected, failures, failed, extension = fleet.wait_ready(
        timeout=CONNECT_TIMEOUT_SECONDS + options.clients / 20)
    result.connected, result.extension = connected, extension or "none"
    if failed:
        result.problems.append(f"{failed} of {options.clients} clients could not connect, "
                               f"e.g. {failures[0]}")
    return connected > 0


def measure(name: str, ws_url: str, options: Options, send_action, server_pid: int) -> Result:
    """Connect the fleet, send warm-up and measured actions, collect and summarize."""
    result = Result(name, options.clients, options.actions)
    fleet = ClientFleet(ws_url, options.clients, options.client_processes, options.compression)
    try:
        if not wait_for_fleet(fleet, options, result):
            return result
        sent: dict[int, tuple[int, int]] = {}
        measured: set[int] = set()
        start = time.monotonic() + 0.2
        cpu_before = None
        for index in range(options.warmup + options.actions):
            pace(start, index, options.interval_s)
            if index == options.warmup:
                cpu_before = cpu_seconds(server_pid)
            sent_ns = time.time_ns()
            key = send_action(index)
            if key in sent:
                result.problems.append(f"action {index} did not change the clock")
            sent[key] = (sent_ns, time.time_ns() - sent_ns)
            if index >= options.warmup:
                measured.add(key)
        arrivals, extra, result.message_bytes = fleet.collect(options.warmup + options.actions)
        cpu_after = cpu_seconds(server_pid)
        if cpu_before is not None and cpu_after is not None:
            result.server_cpu_ms_per_action = round(
                (cpu_after - cpu_before) * 1000 / options.actions, 2)
        summarize(result, sent, measured, arrivals, extra)
        return result
    finally:
        fleet.stop()


def run_floor(options: Options) -> Result:
    port = free_port()
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=floor_server_process, args=(port, theirs), daemon=True,
                             name="fanout-floor")
    server.start()
    theirs.close()
    try:
        if not ours.poll(SERVER_START_SECONDS) or ours.recv() != "ready":
            raise RuntimeError("the floor server did not start")
        base = time.time_ns() // 1_000_000 + 600_000
        with connect_sync(f"ws://127.0.0.1:{port}/control", compression=None) as control:

            def send_action(index: int) -> int:
                key = base + index * 1000
                control.send(floor_phase_message(key))
                return key

            return measure("floor", f"ws://127.0.0.1:{port}/clients", options, send_action,
                           server.pid)
    finally:
        with contextlib.suppress(OSError):
            ours.send("stop")
            ours.close()
        server.join(timeout=10)
        stop_processes([server])


class WorldcafeServer:
    """`python -m app.cli serve` as a child process: by default one worker on a fresh
    SQLite file; bench/workers.py gives it PostgreSQL, Redis and several workers."""

    def __init__(self, folder: Path, env: dict[str, str] | None = None,
                 database_url: str | None = None, workers: int = 1,
                 redis_url: str | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "server.log"
        self.database_url = database_url or f"sqlite:///{folder / 'bench.db'}"
        self.workers, self.redis_url = workers, redis_url
        self.env = env or {}
        """Extra environment for the server (bench/cards.py raises the card rate limits)."""
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port),
                   "--database-url", self.database_url, "--workers", str(self.workers)]
        if self.redis_url:
            command += ["--redis-url", self.redis_url]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + SERVER_START_SECONDS
        answered: set[int] = set()  # every worker, before measuring anything
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worldcafe server exited:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError), httpx.Client(timeout=1) as fresh:
                answer = fresh.get(f"{self.url}/healthz")
                if answer.status_code == 200:
                    answered.add(answer.json().get("worker", 0))
                    if len(answered) >= self.workers:
                        return
            time.sleep(0.05)
        raise RuntimeError(f"worldcafe server did not start:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run_worldcafe(options: Options, folder: Path,
                  server: WorldcafeServer | None = None) -> Result:
    server = server or WorldcafeServer(folder)
    try:
        server.start()
        with httpx.Client(base_url=server.url, timeout=30) as http:
            response = http.post("/api/v1/sessions", json=EVENT_BODY)
            response.raise_for_status()
            event = response.json()
            control_url = f"/api/v1/sessions/{event['id']}/control"
            headers = {"Authorization": f"Bearer {event['facilitator_token']}"}
            # Started before the clients connect, so that every later action (+1 s) moves
            # ends_at_ms forward: a new value per action identifies its phase message.
            http.post(control_url, headers=headers, json={"action": "start"}).raise_for_status()

            def send_action(index: int) -> int:
                answer = http.post(control_url, headers=headers,
                                   json={"action": "extend", "seconds": 1})
                answer.raise_for_status()
                return answer.json()["ends_at_ms"]

            ws_url = (f"ws://127.0.0.1:{server.port}/ws/sessions/{event['id']}"
                      f"?token={event['projector_token']}&format=json")
            return measure("worldcafe", ws_url, options, send_action, server.process.pid)
    finally:
        server.stop()


# -- report --------------------------------------------------------------------------------


def short_extension(result: Result) -> str:
    return "deflate" if "permessage-deflate" in result.extension else result.extension


def print_table(results: list[Result]) -> None:
    """One row per measured server (shared with bench/cards.py)."""
    header = (f"{'server':<10} {'N':>5} {'actions':>7} {'received/expected':>19} "
              f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'last p50':>9} {'cpu/act':>8} "
              f"{'msg B':>6}  ext")
    print(header)
    print("-" * len(header))
    for r in results:
        cpu = "-" if r.server_cpu_ms_per_action is None else f"{r.server_cpu_ms_per_action:.1f}"
        print(f"{r.server:<10} {r.clients:>5} {r.actions:>7} "
              f"{f'{r.received}/{r.expected}':>19} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
              f"{r.max_ms:>8.2f} {r.last_p50_ms:>9.2f} {cpu:>8} {r.message_bytes:>6}  "
              f"{short_extension(r)}")


def print_report(results: list[Result], options: Options, load: float,
                 per_action: bool = False) -> None:
    print_table(results)
    print(f"(clients in {options.client_processes} process(es); actions "
          f"{options.interval_s * 1000:.0f} ms apart after {options.warmup} warm-up; "
          "'last p50' = median time until the last client had an action; "
          "'cpu/act' = server CPU ms per action)")
    print(f"{os.cpu_count()} CPUs, 1-minute load average {load:.2f} before the run "
          "(other work on the machine widens the tails)")
    if per_action:
        for r in results:
            print(f"\n{r.server}: per action (ms after the send)")
            print(f"{'#':>4} {'send':>8} {'first':>8} {'p50':>8} {'last':>8} {'received':>9}")
            for number, row in enumerate(r.per_action, 1):
                print(f"{number:>4} {row['trigger_ms']:>8.2f} {row['first_ms']:>8.2f} "
                      f"{row['p50_ms']:>8.2f} {row['last_ms']:>8.2f} {row['received']:>9}")
        print()
    by_name = {r.server: r for r in results}
    floor, ours = by_name.get("floor"), by_name.get("worldcafe")
    if ours and ours.trigger_p50_ms is not None:
        print(f"worldcafe control POST round trip p50: {ours.trigger_p50_ms:.2f} ms")
    if floor and ours and floor.p50_ms and floor.p99_ms:
        print(f"worldcafe/floor: p50 ×{ours.p50_ms / floor.p50_ms:.2f}, "
              f"p99 ×{ours.p99_ms / floor.p99_ms:.2f}")
    print(f"goal: p99 ≤ {GOAL_RATIO:g}× floor (at N = 1000 on a 2-core machine)")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000, help="WebSocket clients (1000)")
    parser.add_argument("--actions", type=int, default=50, help="measured actions (50)")
    parser.add_argument("--interval-ms", type=float, default=100,
                        help="time between actions (100)")
    parser.add_argument("--warmup", type=int, default=2,
                        help="actions sent first and not measured (2)")
    parser.add_argument("--client-processes", type=int, default=2,
                        help="processes the clients are spread over (2)")
    parser.add_argument("--compression", choices=("deflate", "none"), default="deflate",
                        help="what clients offer: permessage-deflate as browsers do (default), "
                        "or nothing; each server then answers with its own defaults")
    parser.add_argument("--only", choices=("floor", "worldcafe"),
                        help="measure one server only")
    parser.add_argument("--per-action", action="store_true",
                        help="also print each action's send time and first/median/last delivery")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    arguments = parser.parse_args(argv)
    if arguments.clients < 1 or arguments.actions < 1 or arguments.client_processes < 1:
        parser.error("--clients, --actions and --client-processes must be at least 1")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    raise_open_files_limit()
    options = Options(arguments.clients, arguments.actions, max(0, arguments.warmup),
                      arguments.interval_ms / 1000, arguments.client_processes,
                      None if arguments.compression == "none" else "deflate")
    # A polite `kill` stops the children too: turn SIGTERM into the Ctrl-C path.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    results: list[Result] = []
    load = os.getloadavg()[0]
    try:
        with tempfile.TemporaryDirectory(prefix="worldcafe-fanout-") as folder:
            if arguments.only in (None, "floor"):
                results.append(run_floor(options))
            if arguments.only in (None, "worldcafe"):
                results.append(run_worldcafe(options, Path(folder)))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (RuntimeError, httpx.HTTPError, OSError, EOFError) as error:
        print(f"fanout: the run broke: {error}", file=sys.stderr)
        return 2
    print_report(results, options, load, arguments.per_action)
    if arguments.json:
        print(json.dumps({"options": asdict(options), "load_average": load,
                          "results": [asdict(r) for r in results]}))
    return report_problems(results)


def report_problems(results) -> int:
    """Lost messages or failed clients make the exit status 1; times never do."""
    problems = [f"{r.server}: {problem}" for r in results for problem in r.problems]
    for problem in problems[:20]:
        print(f"PROBLEM {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
