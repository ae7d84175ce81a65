"""Big answers (a page of cards), bounded per connection, per address and at once.

A client that asks for a big answer and never reads it held the whole answer in the
server's write buffer for as long as it stayed, 200 of them at once from one address held
hundreds of MB, and 40 worker threads building pages at once left the event loop (and
/healthz) waiting seconds for Python's lock. Here:

- at most `big_reads_per_address` answers per address are under way (built, or sent and
  not yet read); the next one is refused at once with 429 `too_many_reads`, before any
  work;
- at most BUILDS_AT_ONCE are built at a time (in worker threads), the others wait their
  turn on the event loop, which costs nothing;
- the answer goes out in CHUNK_BYTES pieces, each once the client has read the one before
  (uvicorn waits for the write buffer to drain before each piece), so a client that does
  not read holds one answer's bytes, not a growing buffer; GuardedHttp (app/web/protocols.py) cuts
  a connection whose client has read nothing for `body_timeout` seconds, which gives its
  slot back.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from app.i18n import NN_
from app.refusal import Code, Refusal

BUILDS_AT_ONCE = 2
"""Big answers built at the same time: one per core of a venue's laptop; more only share
the same cores and Python's lock with the event loop."""
CHUNK_BYTES = 64 * 1024
RETRY_AFTER_MS = 5000


class BigReads:
    """The bounds of one worker (app.state.big_reads)."""

    def __init__(self, per_address: int):
        self.per_address = per_address
        self.under_way: Counter[str] = Counter()
        """address -> its big answers being built or sent"""
        self._building = asyncio.Semaphore(BUILDS_AT_ONCE)

    def _take(self, address: str) -> None:
        """One more answer under way for `address`; 429 `too_many_reads` over the bound."""
        if self.under_way[address] >= self.per_address:
            raise Refusal.retry_after(
                Code.TOO_MANY_READS,
                NN_("Too many unfinished downloads from this network. "
                    "Try again in %(num)s second.",
                    "Too many unfinished downloads from this network. "
                    "Try again in %(num)s seconds."), RETRY_AFTER_MS)
        self.under_way[address] += 1

    def _give_back(self, address: str) -> None:
        self.under_way[address] -= 1
        if self.under_way[address] <= 0:
            del self.under_way[address]

    async def answer(self, address: str, make: Callable[..., dict], *args: Any
                     ) -> PacedJSON:
        """The JSON of `make(*args)`, built in a worker thread (BUILDS_AT_ONCE at a time),
        holding one of the address's slots until the client has read all but the last
        piece."""
        self._take(address)
        try:
            async with self._building:
                body = await run_in_threadpool(lambda: json.dumps(
                    make(*args), ensure_ascii=False, separators=(",", ":")).encode())
        except BaseException:
            self._give_back(address)
            raise
        return PacedJSON(body, lambda: self._give_back(address))


class PacedJSON(Response):
    """JSON sent a piece at a time as the client reads it; `done` is called once it has
    been sent (or the client is gone)."""

    media_type = "application/json"

    def __init__(self, body: bytes, done: Callable[[], object]):
        super().__init__(body)
        self._done = done

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": self.status_code,
                        "headers": self.raw_headers})
            body = memoryview(self.body)
            for start in range(0, len(body), CHUNK_BYTES):
                await send({"type": "http.response.body",
                            "body": bytes(body[start:start + CHUNK_BYTES]), "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self.body = b""
            self._done()
