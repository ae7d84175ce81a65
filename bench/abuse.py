"""Abuse benchmark: floods from one address against a local server, and an honest phone.

`worldcafe serve` (one worker, a fresh SQLite file in a temporary folder, default limits)
is started on a free loopback port (fanout.WorldcafeServer), then five floods run one after
another, every one from 127.0.0.1: one address, as a whole venue is behind its NAT.

1. big bodies: `--big-parallel` connections POST /api/v1/sessions with 150 MB bodies,
   streamed from a generator (half declare their length in Content-Length, half are sent
   chunked without one); the server should answer 413 `too_large` early.
2. slow requests: `--slow-headers` sockets send half a request header and hold, and
   `--slow-bodies` sockets send whole headers with a Content-Length and then trickle the
   body a byte a second; the server should close them after `header_timeout` /
   `body_timeout`.
3. join flood: `--parallel` connections POST joins with the right code as fast as they
   are answered; the per-address pacer lets a burst through, then ~60 a minute, each
   waiting its turn up to 15 s. A join whose turn is further off is a flood, and the server
   answers it by itself: a new join code on the projector, 403 `join_code_replaced` for
   the flood's old one (the script does not read the screen), and the console's list of
   who joined meanwhile. Honest phones take the code from the projector when they arrive
   (a projector socket in this process); one that read it just before it changed is
   refused with `join_code_replaced`, looks at the screen again and sends once more, as
   the join page asks (counted as "read the new code").
4. card flood: the participants joined by flood 3 and the event's hosts post cards as fast
   as they are answered (5 a second and 30 a minute per token, then 429 `too_many_cards`).
5. wrong codes: joins with wrong join codes as fast as they are answered (403
   `wrong_join_code`, then 429 `too_many_attempts` for the rest of the minute).
5b. wrong organiser passcodes: events created with guessed passcodes as fast as they are
   answered (both servers have an organiser passcode, ORGANISER_PASSCODE), while the
   organiser creates one with the right passcode from the same address every 2 s.
6. socket floods, against a second server (the same command starts it: a fresh SQLite
   file, the card rate limits raised only to seed its board of `--board-cards` cards, 2000,
   with voting open): a) `--frame-sockets` (60) raw sockets send one 15 MiB text frame to
   /ws/sessions/NoSuchEv?token=x&format=json right behind their upgrade request, 3 rounds;
   b) the same with a participant's token, the frame sent once the socket is open; c) 150
   sockets hold an unfinished 15 MiB fragmented message; d) 50 sockets on one participant
   token ask for a resync 4×/s and never read; e) 20 sockets send protocol pings as fast
   as they can, never reading; f) 200 connections GET …/cards and never read. Each row
   says how the sockets ended, and the server's RSS before, at its peak and after (back
   within 10 % of before, waited for up to 15 s; nothing asks the server to collect).

Each flood runs in a process of its own, so that the flood's client never delays the
measuring side. Meanwhile, in this process, an honest phone arrives every second (a new
connection, as a new phone would): it joins the event under attack with the right code,
posts one card as that participant and asks GET /healthz, each request timed; a probe asks
/healthz every 0.25 s on a kept connection, and the server's RSS (VmRSS of the server and
its children, /proc) is sampled every 0.5 s. Before the floods the honest phone runs alone
(`--baseline` s) and every figure is also printed as a ratio to that baseline.
A projector socket of the event under attack records the cards it is shown: an honest
card is "seen" when it arrives there (waited for up to SEEN_WAIT_S after the flood). RSS
is read before each flood and after it (waited for until back within 10 % of before, up
to 15 s; nothing asks the server to collect).

At the end, one row per attack of issue 20's table (rows 1-6f and 5b): the figures of old
main it stated (BEFORE), RSS before / peak / after, /healthz p99 and max (the phones' and
the probe's answers), the honest cards stored and seen, and PASS or FAIL against the
issue's bars (GOALS): RSS ≤ 500 MB during and back within 10 % after, /healthz ≤ 200 ms,
an honest phone's card stored and seen (5b: and the right passcode never refused).

The join pacer is per address and event, and honest joins behind the venue's address
share it with the flood (the server cannot tell them apart): the server's answer, the new
join code, starts the event's pacing afresh, so the card flood's honest joins need no
cool-down.

Benchmarks report, they do not judge: exit status 0 whatever the figures, 2 when the run
broke, 130 on Ctrl-C.

    .venv/bin/python bench/abuse.py            # ~2.5 min: 15 s floods, default server limits
    .venv/bin/python bench/abuse.py --quick    # ~1.5 min smoke run: 5 s floods, fewer
                                               # sockets, header/body time-outs 3 s / 6 s
    .venv/bin/python bench/abuse.py --only sockets   # the socket floods (6) alone
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import signal
import string
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as Pipe
from pathlib import Path

import httpx
from fanout import (
    WorldcafeServer,
    child_setup,
    cpu_seconds,
    message_key,
    percentile,
    raise_open_files_limit,
)
from hall import AFFILIATIONS, CARD_TEXTS, THEMES
from websockets.asyncio.client import connect

HOST = "127.0.0.1"
OWN_NETWORK = "127.0.0.2"
"""The source address of a second honest phone, as one on its own mobile network."""
MB = 1_000_000
BIG_BODY_BYTES = 150 * MB
BIG_CHUNK = b" " * 65536
JOIN_PACER_MAX_WAIT_S = 15
"""The server's join_wait_seconds: a join waits its turn at most this long."""
HONEST_INTERVAL_S = 1.0
PROBE_INTERVAL_S = 0.25
RSS_INTERVAL_S = 0.5
HONEST_TIMEOUT_S = 40
NEW_CODE_TIMEOUT_S = 10
"""How long a phone refused with a replaced code looks at the screen for the new one."""
DRAIN_SECONDS = 20
"""After a flood stops, how long its requests still in flight (joins waiting their turn)
and the honest phones already on their way may take."""
GOALS = {"healthz_ms": 200, "rss_mb": 500, "rss_back": 0.10}
"""The issue's bars for every row: /healthz (max over the phone's and the probe's answers)
under 200 ms, RSS under 500 MB during the flood and back within 10 % of before after it."""
ORGANISER_PASSCODE = "bench-organiser-passcode"
"""Both servers need it to create an event (the wrong-passcode flood guesses it)."""
SEEN_WAIT_S = 10
"""How long after a flood the projector's socket may take to show the last honest card."""
CLIENT_KINDS = ("httpx, length", "httpx, chunked", "reads while sending, length",
                "reads while sending, chunked")
"""The big-body flood's clients, one per connection in turn."""


# -- small helpers ------------------------------------------------------------------------------


def rss_mb(pid: int) -> float | None:
    """VmRSS of a process and its living children (a server's workers), in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    kb = next((int(line.split()[1]) for line in status.splitlines()
               if line.startswith("VmRSS:")), 0)
    return kb / 1000 + sum(rss_mb(int(child)) or 0.0 for child in children)


def error_code(answer: httpx.Response) -> str:
    """The refusal's code (`{"error": {"code"}}`), else the status."""
    if answer.status_code < 400:
        return str(answer.status_code)
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        return answer.json()["error"]["code"]
    return f"{answer.status_code} (no error code)"


def stats(values: list[float]) -> tuple[float, float, float]:
    """p50, p95, max (nearest rank) of milliseconds; zeros when empty."""
    ordered = sorted(values)
    if not ordered:
        return 0.0, 0.0, 0.0
    return percentile(ordered, 0.5), percentile(ordered, 0.95), ordered[-1]


def tally(codes: list[str]) -> str:
    counts: dict[str, int] = {}
    for code in codes:
        counts[code] = counts.get(code, 0) + 1
    return ", ".join(f"{code} {n}" for code, n in sorted(counts.items(), key=lambda i: -i[1]))


def join_body(join_code: str, name: str, number: int) -> dict:
    return {"join_code": join_code, "name": name,
            "affiliation": AFFILIATIONS[number % len(AFFILIATIONS)],
            "theme": THEMES[number % len(THEMES)]}


def card_body(number: int) -> dict:
    return {"id": str(uuid.uuid4()), "text": f"{CARD_TEXTS[number % len(CARD_TEXTS)]} {number}"}


def create_event(http: httpx.Client, title: str, tables: int = 12) -> dict:
    body = {"title": title, "language": "ja", "program": "standard",
            "tables": [{"name": f"テーブル{n}", "theme": THEMES[(n - 1) % len(THEMES)]}
                       for n in range(1, tables + 1)]}
    answer = http.post("/api/v1/sessions", json=body,
                       headers={"Authorization": f"Bearer {ORGANISER_PASSCODE}"})
    answer.raise_for_status()
    event = answer.json()
    http.post(f"/api/v1/sessions/{event['id']}/control", json={"action": "start"},
              headers={"Authorization": f"Bearer {event['facilitator_token']}"}
              ).raise_for_status()
    return event


def participant_count(http: httpx.Client, event: dict) -> int:
    answer = http.get(f"/api/v1/sessions/{event['id']}",
                      headers={"Authorization": f"Bearer {event['facilitator_token']}"})
    answer.raise_for_status()
    return len(answer.json().get("participants", []))


# -- the floods: each runs in a process of its own --------------------------------------------


async def flood_big_bodies(url: str, port: int, seconds: float, parallel: int) -> dict:
    """POST /api/v1/sessions with 150 MB bodies from a generator, `parallel` at a time.

    Connections take turns between four clients: httpx with a Content-Length, httpx chunked
    (httpx sends the whole body before it reads the answer), and a raw socket that reads
    while it sends, with a Content-Length or chunked (as curl and browsers do)."""
    answers: list[dict] = []
    deadline = time.monotonic() + seconds

    def body(progress: dict, chunked: bool):
        async def pieces():
            while progress["sent"] < BIG_BODY_BYTES:
                piece = BIG_CHUNK[:BIG_BODY_BYTES - progress["sent"]]
                progress["sent"] += len(piece)
                yield (b"%x\r\n%s\r\n" % (len(piece), piece)) if chunked else piece
            if chunked:
                yield b"0\r\n\r\n"
        return pieces()

    async def with_httpx(client: httpx.AsyncClient, declared: bool) -> tuple[str, int]:
        progress = {"sent": 0}
        headers = {"Content-Type": "application/json"}
        if declared:
            headers["Content-Length"] = str(BIG_BODY_BYTES)
        try:
            answer = await client.post("/api/v1/sessions", content=body(progress, False),
                                       headers=headers)
            return error_code(answer), progress["sent"]
        except httpx.HTTPError as error:
            return f"no answer: {type(error).__name__}", progress["sent"]

    async def reading_while_sending(declared: bool) -> tuple[str, int]:
        progress = {"sent": 0}
        reader, writer = await asyncio.open_connection(HOST, port)
        length = (f"Content-Length: {BIG_BODY_BYTES}" if declared
                  else "Transfer-Encoding: chunked")
        writer.write(f"POST /api/v1/sessions HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                     f"Content-Type: application/json\r\n{length}\r\n\r\n".encode())
        head = asyncio.ensure_future(reader.readuntil(b"\r\n\r\n"))
        outcome = "no answer: the body was sent whole"
        try:
            async for piece in body(progress, not declared):
                if head.done():
                    break
                writer.write(piece)
                drained = asyncio.ensure_future(writer.drain())
                await asyncio.wait({head, drained}, return_when=asyncio.FIRST_COMPLETED)
                if not drained.done():
                    drained.cancel()
                elif drained.exception() is not None:
                    break
            await asyncio.wait({head}, timeout=10)
            if head.done() and head.exception() is None:
                status_line = head.result().split(b"\r\n", 1)[0].decode("latin-1")
                outcome = "too_large" if " 413 " in status_line + " " else status_line
            elif head.done():
                outcome = f"no answer: {type(head.exception()).__name__}"
        finally:
            head.cancel()
            with contextlib.suppress(BaseException):
                await head
            writer.close()
        return outcome, progress["sent"]

    async def worker(index: int) -> None:
        client_kind = CLIENT_KINDS[index % len(CLIENT_KINDS)]
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                declared = "length" in client_kind
                try:
                    if client_kind.startswith("httpx"):
                        code, sent = await with_httpx(client, declared)
                    else:
                        code, sent = await reading_while_sending(declared)
                except (OSError, asyncio.IncompleteReadError) as error:
                    code, sent = f"no answer: {type(error).__name__}", 0
                answers.append({"client": client_kind, "code": code, "sent": sent,
                                "ms": (time.perf_counter() - started) * 1000})

    await asyncio.gather(*(worker(i) for i in range(parallel)))
    return {"answers": answers, "seconds": seconds}


async def flood_slow(port: int, header_sockets: int, body_sockets: int,
                     header_timeout: float, body_timeout: float) -> dict:
    """Half-sent headers and trickled bodies on raw sockets; when does the server close?"""
    results: list[dict] = []
    patience = {"header": header_timeout + 8, "body": body_timeout + 8}

    async def hold(kind: str) -> None:
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
        except OSError as error:
            results.append({"kind": kind, "outcome": f"connect failed: {type(error).__name__}"})
            return
        if kind == "header":
            writer.write(b"POST /api/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: applica")
        else:
            writer.write(b"POST /api/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        started = time.monotonic()
        outcome, answer = "still open", b""
        reading = asyncio.ensure_future(reader.read(4096))
        try:
            await writer.drain()
            while time.monotonic() - started < patience[kind]:
                done, _ = await asyncio.wait({reading}, timeout=1.0)
                if done:
                    answer = reading.result()
                    outcome = "answered" if answer else "closed"
                    break
                if kind == "body":
                    writer.write(b" ")  # one byte a second: never done before the time-out
                    await writer.drain()
        except (ConnectionError, OSError) as error:
            outcome = f"reset ({type(error).__name__})"
        finally:
            reading.cancel()
            with contextlib.suppress(BaseException):
                await reading
        results.append({"kind": kind, "outcome": outcome,
                        "after_s": time.monotonic() - started,
                        "answer": answer.split(b"\r\n", 1)[0].decode("latin-1")})
        writer.close()

    tasks = []
    kinds = ["header"] * header_sockets + ["body"] * body_sockets
    for start in range(0, len(kinds), 100):  # batches of 100: the backlog must not overflow
        tasks += [asyncio.ensure_future(hold(kind)) for kind in kinds[start:start + 100]]
        await asyncio.sleep(0.05)
    await asyncio.gather(*tasks)
    return {"results": results}


async def flood_joins(url: str, event_id: str, join_code: str, seconds: float,
                      parallel: int) -> dict:
    """Right-code joins as fast as they are answered, `parallel` at a time."""
    answers: list[dict] = []
    tokens: list[str] = []
    started, wall = time.monotonic(), time.time()
    deadline = started + seconds
    counter = iter(range(10**9))

    async def worker(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            number = next(counter)
            sent = time.monotonic()
            try:
                answer = await client.post(f"/api/v1/sessions/{event_id}/participants",
                                           json=join_body(join_code, f"flood{number}", number))
                code = error_code(answer)
                retry = answer.headers.get("retry-after")
                if answer.status_code == 201:
                    tokens.append(answer.json()["token"])
            except httpx.HTTPError as error:
                code, retry = f"no answer: {type(error).__name__}", None
            now = time.monotonic()
            answers.append({"code": code, "at_s": now - started, "wall": time.time(),
                            "ms": (now - sent) * 1000, "retry_after": retry})

    limits = httpx.Limits(max_connections=parallel, max_keepalive_connections=parallel,
                          keepalive_expiry=2)
    async with httpx.AsyncClient(base_url=url, timeout=JOIN_PACER_MAX_WAIT_S + DRAIN_SECONDS,
                                 limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(parallel)))
    return {"answers": answers, "tokens": tokens, "seconds": seconds, "wall": wall,
            "took_s": time.monotonic() - started}


async def flood_cards(url: str, event_id: str, tokens: list[str], seconds: float,
                      parallel: int) -> dict:
    """Cards from every token in turn as fast as they are answered."""
    answers: list[dict] = []
    started = time.monotonic()
    deadline = started + seconds
    counter = iter(range(10**9))

    async def worker(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            number = next(counter)
            token = tokens[number % len(tokens)]
            sent = time.monotonic()
            try:
                answer = await client.post(f"/api/v1/sessions/{event_id}/cards",
                                           json=card_body(number),
                                           headers={"Authorization": f"Bearer {token}"})
                code = error_code(answer)
            except httpx.HTTPError as error:
                code = f"no answer: {type(error).__name__}"
            answers.append({"code": code, "ms": (time.monotonic() - sent) * 1000})

    limits = httpx.Limits(max_connections=parallel, max_keepalive_connections=parallel,
                          keepalive_expiry=2)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(parallel)))
    return {"answers": answers, "tokens": len(tokens), "took_s": time.monotonic() - started}


async def flood_wrong_codes(url: str, event_id: str, join_code: str, seconds: float,
                            parallel: int) -> dict:
    """Joins with wrong join codes as fast as they are answered."""
    answers: list[dict] = []
    started = time.monotonic()
    deadline = started + seconds
    guesses = random.Random(5)

    def wrong_code() -> str:
        while True:
            code = "".join(guesses.choices(string.ascii_uppercase + string.digits, k=6))
            if code != join_code:
                return code

    async def worker(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            sent = time.monotonic()
            try:
                answer = await client.post(f"/api/v1/sessions/{event_id}/participants",
                                           json=join_body(wrong_code(), "guess", 0))
                code = error_code(answer)
            except httpx.HTTPError as error:
                code = f"no answer: {type(error).__name__}"
            answers.append({"code": code, "ms": (time.monotonic() - sent) * 1000})

    limits = httpx.Limits(max_connections=parallel, max_keepalive_connections=parallel,
                          keepalive_expiry=2)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(parallel)))
    return {"answers": answers, "took_s": time.monotonic() - started}


async def flood_wrong_passcodes(url: str, seconds: float, parallel: int) -> dict:
    """Events created with wrong organiser passcodes as fast as they are answered."""
    answers: list[dict] = []
    started = time.monotonic()
    deadline = started + seconds
    guesses = random.Random(7)

    async def worker(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            guess = "".join(guesses.choices(string.ascii_lowercase, k=12))
            sent = time.monotonic()
            try:
                answer = await client.post("/api/v1/sessions", json={
                    "title": "guess", "language": "ja", "program": "standard",
                    "tables": [{"name": "A"}]}, headers={"Authorization": f"Bearer {guess}"})
                code = error_code(answer)
            except httpx.HTTPError as error:
                code = f"no answer: {type(error).__name__}"
            answers.append({"code": code, "ms": (time.monotonic() - sent) * 1000})

    limits = httpx.Limits(max_connections=parallel, max_keepalive_connections=parallel)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(parallel)))
    return {"answers": answers, "seconds": time.monotonic() - started}


def ws_frame(opcode: int, payload: bytes, fin: bool = True) -> bytes:
    """A client frame, masked with a zero key (the payload goes as it is)."""
    length = len(payload)
    if length < 126:
        size = bytes([0x80 | length])
    elif length < 65536:
        size = bytes([0x80 | 126]) + length.to_bytes(2, "big")
    else:
        size = bytes([0x80 | 127]) + length.to_bytes(8, "big")
    return bytes([(0x80 if fin else 0) | opcode]) + size + b"\0\0\0\0" + payload


TEXT, CONTINUATION, PING = 0x1, 0x0, 0x9
SOCKET_FLOOD_FRAME = b"x" * (15 * 1024 * 1024)


async def flood_sockets(port: int, path: str, kind: str, sockets: int, rounds: int,
                        seconds: float) -> dict:
    """Live sockets that abuse the server, on raw connections, never reading what it sends:

    - frame: each sends its upgrade request and at once (without waiting for the answer)
      one 15 MiB text frame, then closes; `rounds` rounds of `sockets` at a time;
    - frame-open: the same, the frame sent once the socket is open;
    - fragments: each opens, sends the first 15 MiB of a message that never ends (1 MiB
      fragments) and holds it for `seconds`;
    - resync: each opens and asks to be drawn again 4 times a second for `seconds`;
    - pings: each opens and sends protocol pings as fast as it can for `seconds`;
    - get: not a socket: each asks `path` (GET, the token as bearer) and never reads the
      answer, for `seconds`.
    How each socket ended: the handshake's HTTP status, the server's close code, or the
    connection cut."""
    request = (f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n").encode()
    endings: list[str] = []
    deadline = time.monotonic() + seconds

    async def handshake(reader: asyncio.StreamReader) -> str:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        return head.split(b" ", 2)[1].decode()

    async def close_code(reader: asyncio.StreamReader) -> str:
        """The close code in what the server sent after the handshake (read at the end)."""
        with contextlib.suppress(Exception):
            data = await asyncio.wait_for(reader.read(1 << 22), 5)
            while len(data) >= 2:
                opcode, length, start = data[0] & 0x0F, data[1] & 0x7F, 2
                if length == 126:
                    length, start = int.from_bytes(data[2:4], "big"), 4
                elif length == 127:
                    length, start = int.from_bytes(data[2:10], "big"), 10
                if opcode == 0x8:
                    return f"closed {int.from_bytes(data[start:start + 2], 'big')}"
                if len(data) < start + length:
                    data += await asyncio.wait_for(reader.read(1 << 22), 5)
                    continue
                data = data[start + length:]
        return "cut"

    async def one(index: int) -> None:
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
        except OSError as error:
            endings.append(f"not connected: {type(error).__name__}")
            return
        outcome = "cut"
        try:
            if kind == "get":
                token = path.partition("token=")[2]
                writer.write(f"GET {path.partition('?')[0]} HTTP/1.1\r\nHost: {HOST}:{port}"
                             f"\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
                await writer.drain()
                await asyncio.sleep(max(0.0, deadline - time.monotonic()))
                outcome = "held, unread"
                return
            if kind == "frame":  # the frame right behind the request, without waiting
                writer.write(request + ws_frame(TEXT, SOCKET_FLOOD_FRAME))
                with contextlib.suppress(OSError):
                    await writer.drain()
                status = await handshake(reader)
                outcome = f"HTTP {status}" if status != "101" else await close_code(reader)
                return
            writer.write(request)
            status = await handshake(reader)
            if status != "101":
                outcome = f"HTTP {status}"
                return
            if kind == "frame-open":  # the frame once the socket is open
                writer.write(ws_frame(TEXT, SOCKET_FLOOD_FRAME))
                with contextlib.suppress(OSError):
                    await writer.drain()
            elif kind == "fragments":
                piece = SOCKET_FLOOD_FRAME[:1 << 20]
                writer.write(ws_frame(TEXT, piece, fin=False))
                for _ in range(14):
                    writer.write(ws_frame(CONTINUATION, piece, fin=False))
                    await writer.drain()
                await asyncio.sleep(max(0.0, deadline - time.monotonic()))
            else:
                message = (ws_frame(TEXT, b'{"type":"resync"}') if kind == "resync"
                           else ws_frame(PING, b"p" * 125))
                pause = 0.25 if kind == "resync" else 0.0
                while time.monotonic() < deadline and not reader.at_eof():
                    writer.write(message)
                    await writer.drain()
                    await asyncio.sleep(pause)
            outcome = await close_code(reader)
        except (OSError, asyncio.IncompleteReadError, TimeoutError) as error:
            outcome = f"cut ({type(error).__name__})"
        finally:
            endings.append(outcome)
            writer.close()

    for _ in range(rounds):
        await asyncio.gather(*(one(i) for i in range(sockets)))
    return {"endings": endings}


FLOODS = {"big": flood_big_bodies, "slow": flood_slow, "joins": flood_joins,
          "cards": flood_cards, "wrong": flood_wrong_codes, "sockets": flood_sockets,
          "passcodes": flood_wrong_passcodes}


def flood_process(kind: str, arguments: dict, pipe: Pipe) -> None:
    child_setup()

    async def run() -> dict:
        pipe.send("started")
        return await FLOODS[kind](**arguments)

    try:
        pipe.send(("done", asyncio.run(run())))
    except Exception as error:  # noqa: BLE001 - the parent reports it
        with contextlib.suppress(OSError):
            pipe.send(("broke", f"{type(error).__name__}: {error}"))


# -- the measuring side: honest phones, a /healthz probe, RSS --------------------------------


@dataclass
class Timed:
    ok: bool
    ms: float
    code: str
    at: float = field(default_factory=time.time)
    """wall-clock time of the answer"""


@dataclass
class Watch:
    """What the honest side saw during one flood (or the baseline)."""

    joins: list[Timed] = field(default_factory=list)
    cards: list[Timed] = field(default_factory=list)
    own_network: list[Timed] = field(default_factory=list)
    """Joins and cards of an honest phone on an address of its own (OWN_NETWORK)."""
    new_code_reads: int = 0
    """Honest joins refused with join_code_replaced, sent again with the projector's code."""
    card_fallbacks: int = 0
    """Cards posted by an earlier honest participant because this phone's join failed."""
    cards_not_tried: int = 0
    healthz: list[Timed] = field(default_factory=list)
    probe: list[Timed] = field(default_factory=list)
    loop: list[Timed] = field(default_factory=list)
    """GET of an unknown path: a 404 the event loop answers without the database or a
    thread, telling a stalled loop from a slow /healthz check."""
    rss: list[float] = field(default_factory=list)
    rss_before: float = 0.0
    rss_after: float = 0.0
    stored: set[str] = field(default_factory=set)
    """Ids of the honest phones' cards the server stored (behind the venue's address)."""
    seen: set[str] = field(default_factory=set)
    """Ids of cards that arrived on the event's projector socket."""
    organiser: list[Timed] = field(default_factory=list)
    """Events created with the right organiser passcode (the passcode flood's row)."""
    cpu_s: float = 0.0
    seconds: float = 0.0


class Observer:
    def __init__(self, server: WorldcafeServer):
        self.server = server
        self.numbers = iter(range(1, 10**9))
        self.earlier: dict[str, list[str]] = {}
        """event id -> tokens of honest participants who joined it, least recently used first"""

    async def timed(self, request) -> tuple[Timed, httpx.Response | None]:
        started = time.perf_counter()
        try:
            answer = await request
        except httpx.HTTPError as error:
            return Timed(False, (time.perf_counter() - started) * 1000,
                         f"no answer: {type(error).__name__}"), None
        took = (time.perf_counter() - started) * 1000
        return Timed(answer.status_code < 300, took, error_code(answer)), answer

    async def honest_join(self, http: httpx.AsyncClient, event: dict, name: str, number: int,
                          watch: Watch) -> tuple[Timed, httpx.Response | None]:
        """A join with the code the projector shows; refused as replaced (the code changed
        while the phone was on its way), once more with the new code, once the screen
        shows it (its push may arrive just after the refusal)."""
        url = f"/api/v1/sessions/{event['id']}/participants"
        used = event["join_code"]
        joined, answer = await self.timed(http.post(url, json=join_body(used, name, number)))
        if joined.code == "join_code_replaced":
            watch.new_code_reads += 1
            deadline = time.monotonic() + NEW_CODE_TIMEOUT_S
            while event["join_code"] == used and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            again, answer = await self.timed(http.post(
                url, json=join_body(event["join_code"], name, number)))
            joined = Timed(again.ok, joined.ms + again.ms, again.code, again.at)
        return joined, answer

    async def phone(self, event: dict, watch: Watch) -> None:
        """One honest phone: join, one card as that participant, /healthz."""
        number = next(self.numbers)
        earlier = self.earlier.setdefault(event["id"], [])
        async with httpx.AsyncClient(base_url=self.server.url, timeout=HONEST_TIMEOUT_S) as http:
            joined, answer = await self.honest_join(http, event, f"正直な参加者{number}",
                                                    number, watch)
            watch.joins.append(joined)
            token = None
            if joined.ok:
                token = answer.json()["token"]
            elif earlier:
                token = earlier.pop(0)
                watch.card_fallbacks += 1
            if token is None:
                watch.cards_not_tried += 1
            else:
                body = card_body(number)
                card, _ = await self.timed(http.post(
                    f"/api/v1/sessions/{event['id']}/cards", json=body,
                    headers={"Authorization": f"Bearer {token}"}))
                watch.cards.append(card)
                if card.ok:
                    watch.stored.add(body["id"])
                earlier.append(token)
            health, _ = await self.timed(http.get("/healthz"))
            watch.healthz.append(health)

    async def phone_on_its_own_network(self, event: dict, watch: Watch) -> None:
        """An honest phone that is not behind the venue's address: join and one card."""
        number = next(self.numbers)
        transport = httpx.AsyncHTTPTransport(local_address=OWN_NETWORK)
        async with httpx.AsyncClient(base_url=self.server.url, timeout=HONEST_TIMEOUT_S,
                                     transport=transport) as http:
            joined, answer = await self.honest_join(http, event, f"自分の回線{number}",
                                                    number, watch)
            watch.own_network.append(joined)
            if joined.ok:
                card, _ = await self.timed(http.post(
                    f"/api/v1/sessions/{event['id']}/cards", json=card_body(number),
                    headers={"Authorization": f"Bearer {answer.json()['token']}"}))
                watch.own_network.append(card)

    async def phones(self, event: dict, watch: Watch, stop: asyncio.Event) -> None:
        """A new honest phone every HONEST_INTERVAL_S until `stop` (behind the venue's
        address, and every other time one on its own network); waits for the last."""
        running: set[asyncio.Task] = set()
        turn = 0
        while not stop.is_set():
            task = asyncio.create_task(self.phone(event, watch))
            running.add(task)
            task.add_done_callback(running.discard)
            turn += 1
            if turn % 2:
                other = asyncio.create_task(self.phone_on_its_own_network(event, watch))
                running.add(other)
                other.add_done_callback(running.discard)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), HONEST_INTERVAL_S)
        if running:
            await asyncio.wait(running, timeout=HONEST_TIMEOUT_S + 5)

    async def probe(self, watch: Watch, stop: asyncio.Event) -> None:
        limits = httpx.Limits(keepalive_expiry=2)
        async with httpx.AsyncClient(base_url=self.server.url, timeout=30,
                                     limits=limits) as http:
            while not stop.is_set():
                sample, _ = await self.timed(http.get("/healthz"))
                watch.probe.append(sample)
                sample, _ = await self.timed(http.get("/api/v1/no-such-path"))
                watch.loop.append(Timed(sample.code == "not_found", sample.ms, sample.code))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), PROBE_INTERVAL_S)

    async def projector(self, event: dict, watch: Watch) -> None:
        """The event's projector screen (its JSON socket): the cards it is shown."""
        url = (f"{self.server.url.replace('http', 'ws', 1)}/ws/sessions/{event['id']}"
               f"?token={event['projector_token']}&format=json")
        async with connect(url, ping_interval=None, max_size=None) as socket:
            async for message in socket:
                card_id = message_key(json.loads(message), "card")
                if card_id is not None:
                    watch.seen.add(card_id)

    async def memory(self, watch: Watch, stop: asyncio.Event) -> None:
        while not stop.is_set():
            sample = rss_mb(self.server.process.pid)
            if sample is not None:
                watch.rss.append(sample)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), RSS_INTERVAL_S)

    async def watch(self, event: dict | None, body, with_phones: bool = True
                    ) -> tuple[Watch, object]:
        """Run `body()` (a coroutine function) while the honest side watches."""
        watch = Watch(rss_before=rss_mb(self.server.process.pid) or 0.0)
        stop_phones, stop_rest = asyncio.Event(), asyncio.Event()
        cpu_before = cpu_seconds(self.server.process.pid) or 0.0
        started = time.monotonic()
        side = [asyncio.create_task(self.probe(watch, stop_rest)),
                asyncio.create_task(self.memory(watch, stop_rest))]
        screen = None
        if with_phones and event is not None:
            screen = asyncio.create_task(self.projector(event, watch))
            phones = asyncio.create_task(self.phones(event, watch, stop_phones))
        else:
            phones = None
        try:
            outcome = await body()
        finally:
            stop_phones.set()
            if phones is not None:
                await phones
            stop_rest.set()
            await asyncio.gather(*side, return_exceptions=True)
            if screen is not None:  # the last honest cards may still be on their way
                deadline = time.monotonic() + SEEN_WAIT_S
                while (watch.stored - watch.seen and not screen.done()
                       and time.monotonic() < deadline):
                    await asyncio.sleep(0.1)
                screen.cancel()
                await asyncio.gather(screen, return_exceptions=True)
        watch.seconds = time.monotonic() - started
        watch.rss_after, _ = await rss_settled(self.server.process.pid, watch.rss_before)
        watch.cpu_s = (cpu_seconds(self.server.process.pid) or 0.0) - cpu_before
        return watch, outcome


async def run_flood(kind: str, arguments: dict) -> dict:
    """Start the flood's process, wait until it reports, return its result."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe(duplex=False)
    process = context.Process(target=flood_process, args=(kind, arguments, theirs),
                              daemon=True, name=f"abuse-{kind}")
    process.start()
    theirs.close()
    loop = asyncio.get_running_loop()
    try:
        started = await loop.run_in_executor(None, _receive, ours, 60)
        if started != "started":
            raise RuntimeError(f"the {kind} flood did not start: {started!r}")
        status, result = await loop.run_in_executor(None, _receive, ours, 600)
        if status != "done":
            raise RuntimeError(f"the {kind} flood broke: {result}")
        return result
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
        ours.close()


def _receive(pipe: Pipe, timeout: float):
    if not pipe.poll(timeout):
        raise RuntimeError("no answer from the flood process")
    return pipe.recv()


# -- the report ----------------------------------------------------------------------------------


@dataclass
class Flood:
    short: str
    title: str
    achieved: list[str]
    watch: Watch
    notes: list[str] = field(default_factory=list)


def ratio(value: float, base: float) -> str:
    return f"×{value / base:.1f}" if base > 0 else "–"


def print_flood(flood: Flood, base: Watch) -> None:
    watch = flood.watch
    print(f"\n== {flood.title} ({watch.seconds:.1f} s, server CPU {watch.cpu_s:.1f} s) ==")
    for line in flood.achieved:
        print(f"  flood: {line}")
    print(f"  {'honest side':<22} {'ok/N':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
          f"   {'×base p50':>9} {'p95':>6} {'max':>6}   refusals")
    rows = (("join (right code)", watch.joins, base.joins),
            ("card (that phone)", watch.cards, base.cards),
            ("/healthz (phone)", watch.healthz, base.healthz),
            ("/healthz (probe 4/s)", watch.probe, base.probe),
            ("404 on the loop (4/s)", watch.loop, base.loop),
            ("own network: join+card", watch.own_network, base.own_network))
    for label, samples, base_samples in rows:
        ok = sum(s.ok for s in samples)
        p50, p95, worst = stats([s.ms for s in samples])
        b50, b95, bmax = stats([s.ms for s in base_samples])
        failed = tally([s.code for s in samples if not s.ok]) or "–"
        print(f"  {label:<22} {f'{ok}/{len(samples)}':>9} {p50:>8.1f} {p95:>8.1f} "
              f"{worst:>8.1f}   {ratio(p50, b50):>9} {ratio(p95, b95):>6} "
              f"{ratio(worst, bmax):>6}   {failed}")
    if watch.new_code_reads:
        print(f"  joins: {watch.new_code_reads} honest phones read the new code from the "
              "screen and sent once more (they had the code from just before it changed)")
    if watch.card_fallbacks or watch.cards_not_tried:
        print(f"  cards: {watch.card_fallbacks} posted by an earlier honest participant "
              f"(this phone's join failed), {watch.cards_not_tried} not tried (no honest "
              "participant in this event yet)")
    peak = max(watch.rss, default=0.0)
    print(f"  peak RSS {peak:.0f} MB ({ratio(peak, max(base.rss, default=0.0))} the "
          f"baseline's {max(base.rss, default=0.0):.0f} MB)")
    for note in flood.notes:
        print(f"  note: {note}")
    healthz_max = max((s.ms for s in watch.healthz + watch.probe), default=0.0)
    loop_max = max((s.ms for s in watch.loop), default=0.0)
    if healthz_max >= GOALS["healthz_ms"] > loop_max:
        print(f"  note: /healthz took up to {healthz_max:.0f} ms while the loop's 404 took at "
              f"most {loop_max:.0f} ms (the two are asked one after the other: a stall "
              "the 404s missed, or /healthz waited on its own)")


def print_summary(floods: list[Flood], base: Watch) -> None:
    print("\n== summary (ms: p95 of joins and cards, max of /healthz and the loop's 404) ==")
    print("| flood | honest joins ok | join p95 | cards ok | card p95 | /healthz max "
          "(phone / probe) | 404 max | peak RSS |")
    print("|---|---|---|---|---|---|---|---|")
    for flood in [Flood("baseline", "", [], base), *floods]:
        watch = flood.watch
        joins_ok = f"{sum(s.ok for s in watch.joins)}/{len(watch.joins)}"
        cards_ok = f"{sum(s.ok for s in watch.cards)}/{len(watch.cards)}"
        print(f"| {flood.short} | {joins_ok} | {stats([s.ms for s in watch.joins])[1]:.0f} | "
              f"{cards_ok} | {stats([s.ms for s in watch.cards])[1]:.0f} | "
              f"{stats([s.ms for s in watch.healthz])[2]:.0f} / "
              f"{stats([s.ms for s in watch.probe])[2]:.0f} | "
              f"{stats([s.ms for s in watch.loop])[2]:.0f} | "
              f"{max(watch.rss, default=0):.0f} MB |")
    healthz = [s for f in floods for s in f.watch.healthz + f.watch.probe]
    healthz_max = max((s.ms for s in healthz), default=0.0)
    healthz_failed = sum(not s.ok for s in healthz)
    rss_peak = max((r for f in floods for r in f.watch.rss), default=0.0)
    missed = []
    for flood in floods:
        watch = flood.watch
        bad_joins = sum(not s.ok for s in watch.joins)
        bad_cards = sum(not s.ok for s in watch.cards) + watch.cards_not_tried
        if bad_joins or bad_cards or not watch.joins or not watch.cards:
            missed.append(f"{flood.short}: {bad_joins} of {len(watch.joins)} "
                          f"joins and {bad_cards} of "
                          f"{len(watch.cards) + watch.cards_not_tried} cards failed")
    yes = {True: "yes", False: "no"}
    print(f"\n/healthz max < {GOALS['healthz_ms']} ms: "
          f"{yes[healthz_max < GOALS['healthz_ms'] and not healthz_failed]} "
          f"(max {healthz_max:.0f} ms over {len(healthz)} answers during the floods"
          f"{f', {healthz_failed} failed' if healthz_failed else ''})")
    print(f"peak RSS < {GOALS['rss_mb']} MB: {yes[rss_peak < GOALS['rss_mb']]} "
          f"(peak {rss_peak:.0f} MB)")
    print(f"honest join and card succeeded during every flood: {yes[not missed]}"
          + (f" ({'; '.join(missed)})" if missed else ""))
    own = [(f.short, sum(not s.ok for s in f.watch.own_network), len(f.watch.own_network))
           for f in floods]
    own_missed = [f"{name}: {bad} of {total} failed" for name, bad, total in own
                  if bad or not total]
    print("an honest phone on its own network joined and posted during every flood: "
          f"{yes[not own_missed]}" + (f" ({'; '.join(own_missed)})" if own_missed else ""))


BEFORE = {
    "1 big bodies": "16 × 150 MB bodies: peak 120 MB, /healthz 43 ms (2026-12-02)",
    "2 slow requests": "1100 half headers + 100 trickled bodies: peak 119 MB (2026-12-02)",
    "3 join flood": "honest joins 16/30 ok; behind nginx 101 of 130 listed as the flood",
    "4 card flood": "/healthz 3675 ms (2026-12-02); ~15 cards/s, an honest card 6–14 s",
    "5 wrong codes": "the right code still works; /healthz 95 ms (2026-12-02)",
    "5b wrong passcodes": "10 wrong passcodes, then the right one refused (429)",
    "6a frames, no event": "RSS 96 → 757 → 1,354 → 1,875 MB, never returned",
    "6b frames, a token": "RSS 98 → 5,462 MB",
    "6c fragments": "2.5 GB held while they stay",
    "6d resync": "5.5 GB in 16 s",
    "6e pings": "+89 MB per 98 MB of pings; /healthz 4.3 s",
    "6f GET cards": "1.45 GB, 1.42 GB after they close; /healthz 3.4 s",
}
"""Each row's figures on old main (issue 20's table; rows 1, 2, 4, 5 also the first run of
this bench, bench/README.md)."""


def row_verdict(watch: Watch) -> tuple[bool, list[str]]:
    """Whether a row holds the issue's bars, and the bars it misses."""
    missed = []
    peak = max(watch.rss, default=0.0)
    healthz = watch.healthz + watch.probe
    if peak >= GOALS["rss_mb"]:
        missed.append(f"RSS {peak:.0f} MB")
    if watch.rss_after > watch.rss_before * (1 + GOALS["rss_back"]):
        missed.append("RSS not back")
    if max((s.ms for s in healthz), default=0.0) > GOALS["healthz_ms"]:
        missed.append("/healthz slow")
    if any(not s.ok for s in healthz):
        missed.append("/healthz failed")
    if not watch.stored or any(not s.ok for s in watch.cards):
        missed.append("honest card not stored")
    if watch.stored - watch.seen:
        missed.append(f"{len(watch.stored - watch.seen)} honest cards not seen")
    if any(not s.ok for s in watch.organiser):
        missed.append("right passcode refused")
    return not missed, missed


def print_rows(floods: list[Flood], base: Watch) -> None:
    """One row per attack of issue 20's table: the bars every row must hold; first the
    honest side alone, whose /healthz shows what the machine itself allows."""
    print("\n== rows (issue 20): RSS ≤ 500 MB during, back within 10 % after, /healthz ≤ "
          "200 ms, an honest phone's card stored and seen on the projector ==")
    print("| attack | before (old main) | RSS before / peak / after | /healthz p99 / max "
          "| honest cards stored / seen | verdict |")
    print("|---|---|---|---|---|---|")
    for flood in [Flood("baseline (no flood)", "", [], base), *floods]:
        watch = flood.watch
        healthz = sorted(s.ms for s in watch.healthz + watch.probe)
        p99 = percentile(healthz, 0.99) if healthz else 0.0
        held, missed = row_verdict(watch)
        verdict = ("reference" if watch is base
                   else "PASS" if held else "FAIL: " + ", ".join(missed))
        print(f"| {flood.short} | {BEFORE.get(flood.short, '–')} | {watch.rss_before:.0f} / "
              f"{max(watch.rss, default=0):.0f} / {watch.rss_after:.0f} MB | {p99:.0f} / "
              f"{max(healthz, default=0):.0f} ms | {len(watch.stored)}/"
              f"{len(watch.cards)} / {len(watch.stored & watch.seen)}/{len(watch.stored)} | "
              f"{verdict} |")


# -- the floods, described -------------------------------------------------------------------


def describe_big(result: dict, logged: list[str]) -> list[str]:
    answers = result["answers"]
    lines = [f"{len(answers)} requests of 150 MB "
             f"({len(answers) / result['seconds']:.0f}/s): {tally(a['code'] for a in answers)}",
             f"the server's access log: POST /api/v1/sessions answered {tally(logged) or '–'}"]
    for kind in CLIENT_KINDS:
        mine = [a for a in answers if a["client"] == kind]
        seen = [a for a in mine if a["code"] == "too_large"]
        p50, p95, worst = stats([a["ms"] for a in mine])
        sent = stats([a["sent"] / MB for a in mine])
        lines.append(f"{kind}: saw 413 too_large {len(seen)}/{len(mine)}; answer or reset "
                     f"after p50 {p50:.0f} / p95 {p95:.0f} / max {worst:.0f} ms, when the "
                     f"client had handed over p50 {sent[0]:.1f} / max {sent[2]:.1f} MB")
    return lines


def access_log(server: WorldcafeServer, offset: int, request: str) -> list[str]:
    """The statuses uvicorn logged for `request` (e.g. "POST /api/v1/sessions") since
    `offset` bytes into the server's log."""
    with server.log.open("rb") as log:
        log.seek(offset)
        text = log.read().decode(errors="replace")
    marker = f'"{request} HTTP/1.1" '
    return [line.split(marker, 1)[1].split(" ", 1)[0] for line in text.splitlines()
            if marker in line]


def describe_slow(result: dict, header_timeout: float, body_timeout: float) -> list[str]:
    lines = []
    for kind, label, limit in (("header", "half a header", header_timeout),
                               ("body", "headers + a byte of body a second", body_timeout)):
        mine = [r for r in result["results"] if r["kind"] == kind]
        closed = [r for r in mine if r["outcome"] == "closed" or r["outcome"].startswith("reset")]
        after = stats([r["after_s"] * 1000 for r in closed])
        earliest = min((r["after_s"] for r in closed), default=0.0)
        lines.append(f"{label}: {len(mine)} sockets; closed by the server {len(closed)} "
                     f"(time-out {limit:g} s) after min {earliest:.1f} / p50 "
                     f"{after[0] / 1000:.1f} / max {after[2] / 1000:.1f} s; "
                     f"{tally(r['outcome'] for r in mine)}")
        answered = [r["answer"] for r in mine if r["outcome"] == "answered"]
        if answered:
            lines.append(f"{label}: answers before the close: {tally(answered)}")
    return lines


def describe_joins(result: dict, honest: list[Timed], participants: int, limit: int,
                   review: dict | None) -> tuple[list[str], list[str]]:
    answers = result["answers"]
    accepted = [a for a in answers if a["code"] == "201"]
    paced = [a for a in answers if a["code"] == "too_many_joins"]
    replaced = [a for a in answers if a["code"] == "join_code_replaced"]
    full = [a for a in answers if a["code"] == "event_full"]
    lines = [f"{len(answers)} joins sent in {result['seconds']:.0f} s, the last answered "
             f"after {result['took_s']:.1f} s: {tally(a['code'] for a in answers)}"]
    waits = stats([a["ms"] for a in accepted])
    lines.append(f"{len(accepted)} fake participants got in (the burst and the joins let in "
                 f"before the answer); an accepted flood join waited p50 {waits[0]:.0f} / "
                 f"p95 {waits[1]:.0f} / max {waits[2]:.0f} ms")
    if replaced:
        lines.append(f"403 join_code_replaced {len(replaced)}, answered in p50 "
                     f"{stats([a['ms'] for a in replaced])[0]:.1f} / p95 "
                     f"{stats([a['ms'] for a in replaced])[1]:.1f} ms")
    if paced:
        retry = sorted({int(a["retry_after"]) for a in paced if a["retry_after"]})
        lines.append(f"429 too_many_joins {len(paced)}, Retry-After "
                     f"{retry[0] if retry else '?'}–{retry[-1] if retry else '?'} s")
    lines.append("honest joins in order (sent at s after the flood began): "
                 + timeline(honest, result["wall"]))
    answered = result["answered_at"]
    if answered is None:
        lines.append("the server never answered the flood (the projector's code did not "
                     "change)")
    else:
        before = [s for s in honest if s.at - s.ms / 1000 < answered]
        after = [s for s in honest if s.at - s.ms / 1000 >= answered]
        lines.append(f"the server's answer, a new join code on the projector at "
                     f"{answered - result['wall']:.2f} s: honest joins sent before it "
                     f"{sum(s.ok for s in before)}/{len(before)}, after it "
                     f"{sum(s.ok for s in after)}/{len(after)} (p95 "
                     f"{stats([s.ms for s in after])[1]:.0f} ms)")
    if review is not None:
        window_s = (review["until_ms"] - review["since_ms"]) / 1000
        lines.append(f"the console's review lists {len(review['participant_ids'])} people "
                     f"who joined in the flood's {window_s:.2f} s (to remove in one action)")
    notes = [f"the event holds {participants} participants at the end (cap {limit}): "
             + (f"409 event_full {len(full)} times" if full else "the cap was not reached")]
    return lines, notes


async def follow_the_projector(server: WorldcafeServer, event: dict, shown: list[float]
                               ) -> None:
    """Keep `event["join_code"]` what the projector shows (its `joining` events), and
    note when it changed."""
    url = (f"{server.url.replace('http', 'ws', 1)}/ws/sessions/{event['id']}"
           f"?token={event['projector_token']}&format=json")
    async with connect(url, ping_interval=None) as socket:
        async for message in socket:
            body = json.loads(message)
            if body["type"] == "joining" and body.get("join_code") != event["join_code"]:
                event["join_code"] = body["join_code"]
                shown.append(time.time())


def flood_review(http: httpx.Client, event: dict) -> dict | None:
    """What the console's notice lists (GET /sessions/{id} `join_flood`)."""
    answer = http.get(f"/api/v1/sessions/{event['id']}",
                      headers={"Authorization": f"Bearer {event['facilitator_token']}"})
    return answer.json().get("join_flood")


def timeline(samples: list[Timed], start: float) -> str:
    """Runs of equal outcomes: "0.3–1.3 s 2× 201 (135–507 ms); 2.3–16.3 s 15× too_many_joins"."""
    runs: list[list[Timed]] = []
    for sample in sorted(samples, key=lambda s: s.at - s.ms / 1000):
        if runs and runs[-1][0].code == sample.code:
            runs[-1].append(sample)
        else:
            runs.append([sample])
    parts = []
    for run in runs:
        sent = [s.at - s.ms / 1000 - start for s in run]
        took = [s.ms for s in run]
        parts.append(f"{sent[0]:.1f}–{sent[-1]:.1f} s {len(run)}× {run[0].code} "
                     f"({min(took):.0f}–{max(took):.0f} ms)")
    return "; ".join(parts) or "–"


def describe_cards(result: dict) -> tuple[list[str], list[str]]:
    answers = result["answers"]
    accepted = [a for a in answers if a["code"] == "201"]
    refused = [a for a in answers if a["code"] != "201"]
    took = result["took_s"]
    taken = stats([a["ms"] for a in accepted])
    lines = [f"{len(answers)} cards from {result['tokens']} tokens in {took:.1f} s "
             f"({len(answers) / took:.0f}/s sent, {len(accepted) / took:.0f}/s accepted)",
             f"accepted 201: {len(accepted)} (answered p50 {taken[0]:.0f} / p95 "
             f"{taken[1]:.0f} / max {taken[2]:.0f} ms); refused {len(refused)}: "
             f"{tally(a['code'] for a in refused) or '–'}"
             + (f" (answered p50 {stats([a['ms'] for a in refused])[0]:.0f} ms)"
                if refused else "")]
    notes = []
    if not any(a["code"] == "too_many_cards" for a in refused):
        per_token = len(accepted) / took / result["tokens"]
        notes.append(f"no token reached its rate limit (5/s, 30/min): the server took "
                     f"{len(accepted) / took:.0f} cards/s, {per_token:.1f} per token")
    return lines, notes


def describe_wrong(result: dict) -> list[str]:
    answers = result["answers"]
    took = result["took_s"]
    wrong = [a for a in answers if a["code"] == "wrong_join_code"]
    blocked = [a for a in answers if a["code"] == "too_many_attempts"]
    return [f"{len(answers)} wrong codes in {took:.1f} s ({len(answers) / took:.0f}/s): "
            f"{tally(a['code'] for a in answers)}",
            f"403 wrong_join_code {len(wrong)}, 429 too_many_attempts {len(blocked)} "
            f"(answered p50 {stats([a['ms'] for a in answers])[0]:.1f} / max "
            f"{stats([a['ms'] for a in answers])[2]:.0f} ms)"]


# -- the run -----------------------------------------------------------------------------------


async def baseline_only(server: WorldcafeServer, options: argparse.Namespace) -> Watch:
    """The honest phone alone (for `--only sockets`)."""
    with httpx.Client(base_url=server.url, timeout=30) as http:
        event = create_event(http, "ベースライン")
    base, _ = await Observer(server).watch(event, lambda: asyncio.sleep(options.baseline))
    return base


async def bench(server: WorldcafeServer, options: argparse.Namespace) -> tuple[Watch,
                                                                               list[Flood]]:
    observer = Observer(server)
    seconds = options.seconds
    floods: list[Flood] = []
    base = await baseline_only(server, options)
    print(f"baseline: {len(base.joins)} honest phones in {base.seconds:.1f} s", file=sys.stderr)
    with httpx.Client(base_url=server.url, timeout=30) as http:

        def flood(kind: str, arguments: dict):
            return lambda: run_flood(kind, arguments)

        event = create_event(http, "大きな本文")
        offset = server.log.stat().st_size
        watch, result = await observer.watch(event, flood("big", {
            "url": server.url, "port": server.port, "seconds": seconds,
            "parallel": options.big_parallel}))
        logged = access_log(server, offset, "POST /api/v1/sessions")
        floods.append(Flood("1 big bodies",
                            f"1. big bodies: {options.big_parallel} connections POST "
                            "/api/v1/sessions with 150 MB bodies", describe_big(result, logged),
                            watch))
        print("big bodies done", file=sys.stderr)

        event = create_event(http, "遅いリクエスト")
        watch, result = await observer.watch(event, flood("slow", {
            "port": server.port, "header_sockets": options.slow_headers,
            "body_sockets": options.slow_bodies, "header_timeout": options.header_timeout,
            "body_timeout": options.body_timeout}))
        floods.append(Flood("2 slow requests",
                            f"2. slow requests: {options.slow_headers} half headers + "
                            f"{options.slow_bodies} trickled bodies",
                            describe_slow(result, options.header_timeout,
                                          options.body_timeout), watch))
        print("slow requests done", file=sys.stderr)

        attacked = create_event(http, "参加の洪水")

        async def joins_on_screen() -> dict:
            """The flood, while the projector's screen (its JSON socket) shows the join
            code: the honest phones read it from there, the flood keeps its own."""
            shown: list[float] = []
            projector = asyncio.create_task(follow_the_projector(server, attacked, shown))
            try:
                result = await run_flood("joins", {
                    "url": server.url, "event_id": attacked["id"],
                    "join_code": attacked["join_code"], "seconds": seconds,
                    "parallel": options.parallel})
            finally:
                projector.cancel()
                await asyncio.gather(projector, return_exceptions=True)
            return {**result, "answered_at": shown[0] if shown else None}

        watch, result = await observer.watch(attacked, joins_on_screen)
        lines, notes = describe_joins(result, watch.joins, participant_count(http, attacked),
                                      options.max_participants, flood_review(http, attacked))
        notes.append("honest joins behind the venue's address share the event's pacer with "
                     "the flood (docs/api.md) until the server answers the flood with a new "
                     "join code, which starts the pacing afresh")
        floods.append(Flood("3 join flood",
                            f"3. join flood: {options.parallel} connections join with the "
                            "right code", lines, watch, notes))
        flood_tokens = result["tokens"]
        print("join flood done", file=sys.stderr)

        hosts = [table["host_token"] for table in attacked["tables"]]
        watch, result = await observer.watch(attacked, flood("cards", {
            "url": server.url, "event_id": attacked["id"], "tokens": flood_tokens + hosts,
            "seconds": seconds, "parallel": options.parallel}))
        lines, notes = describe_cards(result)
        floods.append(Flood("4 card flood",
                            f"4. card flood: {len(flood_tokens)} flood participants + "
                            f"{len(hosts)} hosts, {options.parallel} connections", lines, watch,
                            notes))
        print("card flood done", file=sys.stderr)

        event = create_event(http, "間違った参加コード")
        watch, result = await observer.watch(event, flood("wrong", {
            "url": server.url, "event_id": event["id"], "join_code": event["join_code"],
            "seconds": seconds, "parallel": options.parallel}))
        floods.append(Flood("5 wrong codes",
                            f"5. wrong codes: {options.parallel} connections guess join codes",
                            describe_wrong(result), watch))
        print("wrong codes done", file=sys.stderr)

        event = create_event(http, "間違った主催者パスコード")
        organiser: list[Timed] = []

        async def passcodes_and_the_organiser() -> dict:
            """The flood, while the organiser creates an event with the right passcode
            every 2 s from the same address."""
            flooding = asyncio.create_task(run_flood("passcodes", {
                "url": server.url, "seconds": seconds, "parallel": options.parallel}))
            async with httpx.AsyncClient(base_url=server.url, timeout=HONEST_TIMEOUT_S) as own:
                while not flooding.done():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(asyncio.shield(flooding), 2)
                    attempt, _ = await observer.timed(own.post(
                        "/api/v1/sessions", json={"title": "主催者", "language": "ja",
                                                  "program": "standard",
                                                  "tables": [{"name": "A"}]},
                        headers={"Authorization": f"Bearer {ORGANISER_PASSCODE}"}))
                    organiser.append(attempt)
            return await flooding

        watch, result = await observer.watch(event, passcodes_and_the_organiser)
        watch.organiser = organiser
        answers = result["answers"]
        floods.append(Flood("5b wrong passcodes",
                            f"5b. wrong organiser passcodes: {options.parallel} connections "
                            "create events with guessed passcodes",
                            [f"{len(answers)} guesses ({len(answers) / result['seconds']:.0f}/s):"
                             f" {tally(a['code'] for a in answers)}",
                             f"the organiser, right passcode, same address: "
                             f"{sum(a.ok for a in organiser)}/{len(organiser)} created "
                             f"({tally(a.code for a in organiser)})"], watch))
    return base, floods


BIG_READS_PER_ADDRESS = 4
"""The server's big_reads_per_address: pages of cards one address may have under way."""
RAISED_CARD_LIMITS = {"WORLDCAFE_CARD_RATE_PER_SECOND": "1000",
                      "WORLDCAFE_CARD_RATE_PER_MINUTE": "100000"}
"""For seeding the socket floods' board (2000 cards) quickly; floods 1-5 keep the limits."""
RSS_BACK_SECONDS = 15.0


def seed_board(http: httpx.Client, event: dict, cards: int, writers: int = 20) -> list[str]:
    """`cards` cards from `writers` participants, then voting opened; their tokens."""
    url = f"/api/v1/sessions/{event['id']}"
    tokens = []
    for number in range(writers):
        joined = http.post(f"{url}/participants",
                           json=join_body(event["join_code"], f"種{number}", number))
        joined.raise_for_status()
        tokens.append(joined.json()["token"])

    def post(number: int) -> None:
        with httpx.Client(base_url=str(http.base_url), timeout=60) as own:
            for index in range(number, cards, writers):
                own.post(f"{url}/cards", json=card_body(index), headers={
                    "Authorization": f"Bearer {tokens[number]}"}).raise_for_status()

    with ThreadPoolExecutor(writers) as pool:
        list(pool.map(post, range(writers)))
    http.patch(f"{url}/board", json={"open": True}, headers={
        "Authorization": f"Bearer {event['facilitator_token']}"}).raise_for_status()
    return tokens


async def warm_up(http: httpx.Client, event: dict, tokens: list[str]) -> None:
    """What a server keeps once it has served a busy moment (the database's connection
    pool with its page caches, the worker threads, the room's view of the board), so that
    RSS "before" a flood is not a cold start: 40 reads of cards, as many at once as one
    address may have under way (`big_reads_per_address`, 4), and a phone's screens."""
    def read(token: str) -> None:
        with httpx.Client(base_url=str(http.base_url), timeout=60) as own:
            own.get(f"/api/v1/sessions/{event['id']}/cards", params={"limit": 50},
                    headers={"Authorization": f"Bearer {token}"}).raise_for_status()

    def reads() -> None:
        with ThreadPoolExecutor(BIG_READS_PER_ADDRESS) as pool:
            list(pool.map(read, (tokens * 40)[:40]))

    await asyncio.get_running_loop().run_in_executor(None, reads)
    ws_url = str(http.base_url).replace("http", "ws", 1)
    for query in ("format=json", "view=participant"):  # the room's view, its snapshots
        async with connect(f"{ws_url}/ws/sessions/{event['id']}?token={tokens[0]}&{query}",
                           max_size=None) as screen:
            await screen.recv()


async def rss_settled(pid: int, start: float) -> tuple[float, float]:
    """(RSS, seconds) once it is back within GOALS["rss_back"] of `start`, or the last
    sample after RSS_BACK_SECONDS (no gc.collect() is asked of the server)."""
    began = time.monotonic()
    while True:
        now = rss_mb(pid) or 0.0
        waited = time.monotonic() - began
        if now <= start * (1 + GOALS["rss_back"]) or waited >= RSS_BACK_SECONDS:
            return now, waited
        await asyncio.sleep(RSS_INTERVAL_S)


async def socket_floods(server: WorldcafeServer, options: argparse.Namespace) -> list[Flood]:
    """Rows 6a-6f, on a board of `--board-cards` cards with voting open."""
    observer = Observer(server)
    floods: list[Flood] = []
    with httpx.Client(base_url=server.url, timeout=60) as http:
        event = create_event(http, "ソケットの洪水")
        started = time.monotonic()
        tokens = seed_board(http, event, options.board_cards)
        print(f"socket floods: {options.board_cards} cards seeded in "
              f"{time.monotonic() - started:.0f} s", file=sys.stderr)
        await warm_up(http, event, tokens)
    participant = f"/ws/sessions/{event['id']}?token={tokens[0]}"
    rows = (
        ("6a frames, no event", "frame", "/ws/sessions/NoSuchEv?token=x&format=json",
         options.frame_sockets, 3,
         f"{options.frame_sockets} sockets each send one 15 MiB text frame to "
         "/ws/sessions/NoSuchEv?token=x&format=json; 3 rounds"),
        ("6b frames, a token", "frame-open", participant + "&format=json",
         options.frame_sockets, 3, f"{options.frame_sockets} sockets with a participant's "
         "token each send one 15 MiB text frame once open; 3 rounds"),
        ("6c fragments", "fragments", participant + "&format=json", 150, 1,
         "150 sockets hold an unfinished 15 MiB fragmented message"),
        ("6d resync", "resync", participant + "&view=participant", 50, 1,
         f"50 sockets on one participant token ask for a resync 4×/s, never read "
         f"({options.board_cards} cards, voting open)"),
        ("6e pings", "pings", participant + "&format=json", 20, 1,
         "20 sockets send protocol pings as fast as they can, never reading"),
        ("6f GET cards", "get", f"/api/v1/sessions/{event['id']}/cards?token={tokens[0]}",
         200, 1, f"200 connections GET …/cards ({options.board_cards} cards) and never read"),
    )
    for short, kind, path, sockets, rounds, title in rows:
        watch, result = await observer.watch(event, lambda kind=kind, path=path, sockets=sockets,
                                             rounds=rounds: run_flood("sockets", {
                                                 "port": server.port, "path": path,
                                                 "kind": kind, "sockets": sockets,
                                                 "rounds": rounds, "seconds": options.seconds}))
        floods.append(Flood(short, f"6. {title}", [
            f"{len(result['endings'])} sockets: {tally(result['endings'])}"], watch))
        print(f"{short} done", file=sys.stderr)
    return floods


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 5 s floods, 300 + 30 slow sockets, a 3 s baseline, "
                        "the server's header/body time-outs 3 s / 6 s")
    parser.add_argument("--seconds", type=float, help="length of each flood (15)")
    parser.add_argument("--baseline", type=float, help="seconds of the honest phone alone (5)")
    parser.add_argument("--parallel", type=int, default=32,
                        help="connections of the join, card and wrong-code floods (32)")
    parser.add_argument("--big-parallel", type=int, default=16,
                        help="connections sending 150 MB bodies at once (16)")
    parser.add_argument("--slow-headers", type=int, help="sockets sending half a header (1100)")
    parser.add_argument("--slow-bodies", type=int, help="sockets trickling a body (100)")
    parser.add_argument("--frame-sockets", type=int, default=60,
                        help="sockets per round sending a 15 MiB frame (60)")
    parser.add_argument("--board-cards", type=int, help="cards on the socket floods' board "
                                                        "(2000; --quick 300)")
    parser.add_argument("--only", choices=("requests", "sockets"),
                        help="run floods 1-5 or the socket floods 6 only (default: all)")
    options = parser.parse_args(argv)
    quick = options.quick
    defaults = {"seconds": 5 if quick else 15, "baseline": 3 if quick else 5,
                "slow_headers": 300 if quick else 1100, "slow_bodies": 30 if quick else 100,
                "board_cards": 300 if quick else 2000}
    for name, value in defaults.items():
        if getattr(options, name) is None:
            setattr(options, name, value)
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    raise_open_files_limit()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    env = {"WORLDCAFE_HEADER_TIMEOUT": "3", "WORLDCAFE_BODY_TIMEOUT": "6"} if options.quick else {}
    settings = {name: os.environ.get(f"WORLDCAFE_{name.upper()}") for name in (
        "header_timeout", "body_timeout", "max_participants")}
    options.header_timeout = float(env.get("WORLDCAFE_HEADER_TIMEOUT")
                                   or settings["header_timeout"] or 10)
    options.body_timeout = float(env.get("WORLDCAFE_BODY_TIMEOUT")
                                 or settings["body_timeout"] or 30)
    options.max_participants = int(settings["max_participants"] or 500)
    load = os.getloadavg()[0]
    server = None
    try:
        with tempfile.TemporaryDirectory(prefix="worldcafe-abuse-") as folder:
            env["WORLDCAFE_ORGANISER_PASSCODE"] = ORGANISER_PASSCODE
            server = WorldcafeServer(Path(folder), env=env)
            server.start()
            print(f"abuse: worldcafe serve on {server.url} (pid {server.process.pid}), one "
                  f"worker, fresh SQLite; header/body time-outs {options.header_timeout:g} / "
                  f"{options.body_timeout:g} s{' (--quick)' if options.quick else ''}; every "
                  f"request from {HOST}; {os.cpu_count()} CPUs, load {load:.2f} at the start")
            if options.only == "sockets":
                base, floods = asyncio.run(baseline_only(server, options)), []
            else:
                base, floods = asyncio.run(bench(server, options))
            logs = [server.log]
            if options.only != "requests":  # a fresh server whose board is seeded fast
                server.stop()
                (Path(folder) / "sockets").mkdir()
                server = WorldcafeServer(Path(folder) / "sockets",
                                         env={**env, **RAISED_CARD_LIMITS})
                server.start()
                floods += asyncio.run(socket_floods(server, options))
                logs.append(server.log)
            log = server.log_tail()
            lines = [line for path in logs
                     for line in path.read_text(errors="replace").splitlines()]
            problems = [number for number, line in enumerate(lines)
                        if "Traceback" in line or "ERROR" in line or "Exception" in line]
            if problems:  # the first problem, in full
                log = "\n".join(lines[problems[0]:problems[0] + 40])
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (RuntimeError, httpx.HTTPError, OSError, EOFError) as error:
        print(f"abuse: the run broke: {error}", file=sys.stderr)
        if server is not None:
            print(server.log_tail(), file=sys.stderr)
        return 2
    finally:
        if server is not None:
            server.stop()
    print(f"\nbaseline ({base.seconds:.1f} s, the honest phone alone): joins "
          f"{sum(s.ok for s in base.joins)}/{len(base.joins)} p50/p95/max "
          "{:.1f}/{:.1f}/{:.1f} ms".format(*stats([s.ms for s in base.joins]))
          + ", cards {:.1f}/{:.1f}/{:.1f} ms".format(*stats([s.ms for s in base.cards]))
          + ", /healthz {:.1f}/{:.1f}/{:.1f} ms".format(*stats([s.ms for s in base.healthz]))
          + f", RSS {max(base.rss, default=0):.0f} MB")
    for flood in floods:
        print_flood(flood, base)
    print_summary(floods, base)
    print_rows(floods, base)
    if problems:
        print(f"\nserver log: {len(problems)} lines with errors; the first:")
        print(log[-3000:])
    else:
        print("\nserver log: no errors or tracebacks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
