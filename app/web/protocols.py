"""Limits at the edge, before a request reaches the app: how long a client may take to send
its request's headers and its body, and how many connections one address may hold.

uvicorn's own protocols (httptools for HTTP, websockets for live sockets) with three
guards: a connection that has not finished its headers in `header_timeout` seconds, or its
body in `body_timeout`, or has left its answer unread for `body_timeout`, is closed (a
room of half-sent requests or unread answers cannot hold every file
descriptor); an address holding `connections_per_address` connections (HTTP and
WebSocket together) has its next one closed at once, cheaply. The cap is high enough for a
venue behind one NAT (200 phones hold ~200 sockets and a few requests). `serve` also
raises the open-files limit to the hard limit. The counts are per worker. Live sockets
also have their messages, what they send before they are accepted, and their pings
bounded (GuardedWebSockets).

A connection closed while its client is still sending a body (the 413 of a body over the
limit) lingers, as nginx's does: the server says it is done writing and reads on, for
LINGER_SECONDS at most, discarding; closing at once makes the kernel reset the connection,
and a client that sends its whole body before it reads (httpx's async client) sees the
reset instead of the 413.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import logging
import resource
import time
import weakref
from collections import Counter, deque

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from app.live.frames import FramedText
from app.settings import Settings

log = logging.getLogger("uvicorn.error")
_settings = Settings()
HEADER_TIMEOUT = _settings.header_timeout
BODY_TIMEOUT = _settings.body_timeout
CONNECTIONS_PER_ADDRESS = _settings.connections_per_address
PINGS_PER_MINUTE = _settings.ws_pings_per_minute
EARLY_BYTES = 64 * 1024 + _settings.ws_max_message_bytes
"""What a socket may send before it is accepted: its request, and a message."""
POLICY_VIOLATION = 1008

LINGER_SECONDS = 2.0

OPEN: Counter[str] = Counter()
"""address -> connections it holds in this worker"""
_warned: dict[str, float] = {}
WARN_EVERY_SECONDS = 60.0


def _address(transport: asyncio.Transport) -> str:
    peer = transport.get_extra_info("peername")
    return peer[0] if isinstance(peer, tuple) else "unknown"


def _admit(transport: asyncio.Transport) -> str | None:
    """Count a new connection; None (and the connection closed) when over the cap."""
    address = _address(transport)
    if OPEN[address] >= CONNECTIONS_PER_ADDRESS:
        now = time.monotonic()
        if now - _warned.get(address, -WARN_EVERY_SECONDS) >= WARN_EVERY_SECONDS:
            _warned[address] = now  # one line a minute, not one per refused connection
            log.warning("refusing connections from %s: it holds %s already", address,
                        OPEN[address])
        transport.abort()
        return None
    OPEN[address] += 1
    return address


def _release(address: str | None) -> None:
    if address is not None:
        OPEN[address] -= 1
        if OPEN[address] <= 0:
            del OPEN[address]


class _Lingering:
    """The connection's transport, except that closing it while the body still comes
    lingers (see the module's docstring). It knows its protocol through a weak reference:
    the protocol holds it, and a cycle between them would keep a closed connection's
    buffers until the garbage collector's next pass (rare: collect_garbage_less_often)."""

    def __init__(self, transport: asyncio.Transport, protocol: GuardedHttp):
        self._transport, self._protocol = transport, weakref.ref(protocol)

    def __getattr__(self, name: str):
        return getattr(self._transport, name)

    def close(self) -> None:
        protocol, transport = self._protocol(), self._transport
        if (protocol is not None and protocol.receiving_body and not protocol.draining
            and not transport.is_closing() and transport.can_write_eof()):
            protocol.draining = True
            protocol._stop_waiting()
            transport.write_eof()
            protocol.loop.call_later(LINGER_SECONDS, transport.close)
            return
        transport.close()

    def close_now(self) -> None:
        self._transport.close()


class GuardedHttp(HttpToolsProtocol):
    """HTTP with the header and body time-outs, the per-address cap and a lingering close
    while a body still comes."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._counted = _admit(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._unread: asyncio.TimerHandle | None = None
        self.receiving_body = self.draining = False
        super().connection_made(_Lingering(transport, self))  # type: ignore[arg-type]
        if self._counted is not None:
            self._expect(HEADER_TIMEOUT)

    def data_received(self, data: bytes) -> None:
        if not self.draining:  # the rest of a refused body is read and dropped
            super().data_received(data)

    def eof_received(self) -> None:
        if self.draining:  # the client has sent all and read the answer
            self.transport.close_now()
            return
        super().eof_received()

    def _expect(self, seconds: float) -> None:
        """Close the connection unless the next step comes within `seconds`."""
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _too_slow(self) -> None:
        self._deadline = None
        with contextlib.suppress(Exception):
            self.transport.close()

    def _stop_waiting(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def on_message_begin(self) -> None:
        self._expect(HEADER_TIMEOUT)
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._expect(BODY_TIMEOUT)
        self.receiving_body = True
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._stop_waiting()  # the app answers; uvicorn's keep-alive time-out follows
        self.receiving_body = False
        super().on_message_complete()

    def handle_websocket_upgrade(self) -> None:
        self._stop_waiting()
        self.receiving_body = False
        _release(self._counted)  # the socket's protocol counts the connection from here
        self._counted = None
        super().handle_websocket_upgrade()

    def pause_writing(self) -> None:
        """The client has left its answer unread (the write buffer is full): it has
        `body_timeout` seconds to read on, or is cut, giving back what the answer holds."""
        self._stop_unread()
        self._unread = self.loop.call_later(BODY_TIMEOUT, self._too_slow)
        super().pause_writing()

    def resume_writing(self) -> None:
        self._stop_unread()
        super().resume_writing()

    def _stop_unread(self) -> None:
        if self._unread is not None:
            self._unread.cancel()
            self._unread = None

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        self._stop_unread()
        _release(self._counted)
        self._counted = None
        super().connection_lost(exc)
        if self.cycle is not None:  # the body it was sending: nobody will read it now
            self.cycle.body = bytearray()


class GuardedWebSockets(WebSocketsSansIOProtocol):
    """Live sockets counted towards their address's cap. A message over `ws_max_message_bytes`
    is refused by websockets itself (uvicorn's `ws_max_size`, set by `serve`: 1009, before
    it is buffered); here, bytes sent before the socket is accepted or refused (frames
    pushed behind the handshake, which websockets would hold until then) are bounded, and
    protocol pings over `ws_pings_per_minute` close the socket with 1008 (each pong waits
    in the buffer of a client that never reads). A FramedText (app/live/frames.py) goes
    out as the frame it carries."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._counted = _admit(transport)
        self._early_bytes = 0
        self._pings: deque[float] = deque()
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if not self.handshake_complete:
            self._early_bytes += len(data)
            if self._early_bytes > EARLY_BYTES:
                self.transport.abort()
                return
        super().data_received(data)

    async def send(self, message) -> None:  # type: ignore[override]
        text = message.get("text")
        if message["type"] == "websocket.send" and isinstance(text, FramedText):
            await self.writable.wait()
            if (self.handshake_complete and not self.disconnected and not self.close_sent
                    and self.initial_response is None and self.conn.state is State.OPEN
                    and not self.conn.extensions):
                self.transport.write(text.frame)
                return
        await super().send(message)

    def handle_parser_exception(self) -> None:
        """A frame refused (too big, not UTF-8 …) before the socket was accepted, sent
        right behind the upgrade request: websockets sends no close then, so there is
        nothing to say; the connection is cut (uvicorn would assert a close was sent)."""
        if self.conn.close_sent is None:
            self.transport.abort()
            return
        super().handle_parser_exception()

    def handle_ping(self) -> None:
        if self.close_sent:  # closing already: the rest of its pings are dropped
            return
        now, pings = self.loop.time(), self._pings
        while pings and pings[0] <= now - 60:
            pings.popleft()
        pings.append(now)
        if len(pings) > PINGS_PER_MINUTE:
            self.conn.send_close(POLICY_VIOLATION, "too many pings")
            self.handle_parser_exception()  # sends the close and drops the connection
            return
        super().handle_ping()

    def connection_lost(self, exc: Exception | None) -> None:
        _release(self._counted)
        self._counted = None
        super().connection_lost(exc)


def raise_open_files_limit() -> None:
    """A hall's sockets need more descriptors than the usual soft limit of 1024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


M_MMAP_THRESHOLD = -3
"""glibc's mallopt parameter: allocations from this size up get pages of their own."""
MMAP_THRESHOLD_BYTES = 128 * 1024


GC_YOUNG_THRESHOLD = 20_000
"""Container objects allocated (net) before the youngest generation is collected: Python's
700 makes a card request run several collections, and every tenth of every tenth scans the
whole heap (a big board's view: hundreds of ms, every request waiting)."""


def collect_garbage_less_often() -> None:
    """Collections rarer: under a flood of cards the server spent ~10 % of its time
    collecting garbage, up to 0.4 s at a time (bench/throughput.py). Cycles are still
    collected, later; what lives long is frozen by the hub once its sockets settle."""
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def return_freed_memory() -> None:
    """Big buffers (a snapshot, a frame, an answer) go back to the system once freed: glibc
    raises its threshold for pages of their own after the first such buffer is freed, and
    serves the later ones from a heap it keeps, so RSS never came back after a flood of
    sockets. A fixed threshold keeps it at 128 KiB. Nothing happens without glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
