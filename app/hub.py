"""Live connections and fan-out.

Every page holds one WebSocket. Connections are grouped by audience (the view, its language
and, for hosts and participants, the table); an event is rendered once per audience and the
same text is queued to each of its connections. Each connection has a bounded queue and its
own writer task, so one slow tablet never stalls the room: a connection that falls too far
behind is closed with 1013 and resyncs from a snapshot when it returns (DESIGN.md §7).

With Redis configured, events travel over pub/sub so that several workers share one event;
pub/sub is at-most-once, so a worker that loses its subscription resyncs its clients from
the database, which stays the truth.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field

log = logging.getLogger(__name__)

TRY_AGAIN_LATER = 1013
REDIS_CHANNEL = "worldcafe:events"
GC_SETTLE_SECONDS = 1.0


@dataclass(frozen=True)
class Audience:
    """Connections that see exactly the same bytes for every event."""

    view: str
    language: str = ""
    table_id: int | None = None
    role: str = ""
    participant_id: int | None = None


@dataclass(frozen=True)
class Event:
    session_id: str
    type: str
    data: dict = field(default_factory=dict)


Renderer = Callable[[object, Event, Audience], str | None]
"""(session view, event, audience) -> the text to send, or None when it concerns them not."""


class Connection:
    def __init__(self, audience: Audience, send: Callable[[str], Awaitable[None]],
                 close: Callable[[int], Awaitable[None]], queue_size: int):
        self.audience = audience
        self._send = send
        self._close = close
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=queue_size)
        self.dropped = False

    def offer(self, text: str) -> None:
        """Queue without waiting; a connection that cannot keep up is dropped."""
        if self.dropped:
            return
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            self.dropped = True
            self._queue = asyncio.Queue(maxsize=1)
            self._queue.put_nowait(None)

    async def run_writer(self) -> None:
        """Send queued texts in order until dropped or the socket fails."""
        while True:
            text = await self._queue.get()
            if text is None:
                with contextlib.suppress(Exception):
                    await self._close(TRY_AGAIN_LATER)
                return
            await self._send(text)


class Hub:
    def __init__(self, load_view: Callable[[str], object], render: Renderer):
        self._load_view = load_view
        self._render = render
        self._rooms: dict[str, set[Connection]] = defaultdict(set)
        self._bus: RedisBus | None = None
        self._turns: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._freeze: asyncio.TimerHandle | None = None

    def attach_bus(self, bus: RedisBus) -> None:
        self._bus = bus

    def add(self, session_id: str, connection: Connection) -> None:
        self._rooms[session_id].add(connection)
        self._settle_garbage_collector()

    def _settle_garbage_collector(self) -> None:
        """A full collection scans every live object: with a thousand sockets it stalls the
        loop for ~200 ms, in the middle of a round. Once connections stop arriving, freeze
        what lives (cheap, no scan) so later collections skip the long-lived sockets; the
        frozen objects are collected once the room is empty and nobody can be stalled."""
        if self._freeze is not None:
            self._freeze.cancel()
        self._freeze = asyncio.get_running_loop().call_later(GC_SETTLE_SECONDS, gc.freeze)

    def remove(self, session_id: str, connection: Connection) -> None:
        room = self._rooms.get(session_id)
        if room is not None:
            room.discard(connection)
            if not room:
                del self._rooms[session_id]
                lock = self._turns.get(session_id)
                if lock is not None and not lock.locked():
                    del self._turns[session_id]
        if not self._rooms:
            gc.unfreeze()

    def connection_count(self) -> int:
        return sum(len(room) for room in self._rooms.values())

    async def publish(self, event: Event) -> None:
        """The one way to announce a change: through the bus when there is one."""
        if self._bus is not None:
            await self._bus.publish(event)
        else:
            await self.deliver(event)

    async def deliver(self, event: Event) -> None:
        """Render the event once per audience present here and queue it to each member.

        Deliveries (and snapshots) of one event session take turns: each loads the view
        after the one before it, so the last text queued is rendered from the newest
        state. Without turns, two cards committed at once could be rendered from two loads
        that finish in the wrong order, and a whole-list fragment would lose a card."""
        if not self._rooms.get(event.session_id):
            return
        async with self._turns[event.session_id]:
            await self._deliver(event)

    async def _deliver(self, event: Event) -> None:
        room = self._rooms.get(event.session_id)
        if not room:
            return
        view = await asyncio.to_thread(self._load_view, event.session_id)
        by_audience: dict[Audience, list[Connection]] = defaultdict(list)
        for connection in list(room):
            by_audience[connection.audience].append(connection)
        for audience, members in by_audience.items():
            text = self._render(view, event, audience)
            if text is None:
                continue
            for connection in members:
                connection.offer(text)

    async def send_snapshot(self, session_id: str, connection: Connection) -> None:
        async with self._turns[session_id]:
            view = await asyncio.to_thread(self._load_view, session_id)
            text = self._render(view, Event(session_id, "snapshot"), connection.audience)
            if text is not None:
                connection.offer(text)

    async def resync_all(self) -> None:
        """After events may have been lost (a dropped bus subscription): snapshots for all."""
        for session_id, room in list(self._rooms.items()):
            for connection in list(room):
                await self.send_snapshot(session_id, connection)


class RedisBus:
    """Redis pub/sub between workers; each worker delivers what arrives to its own sockets."""

    def __init__(self, url: str, hub: Hub):
        import redis.asyncio as redis  # only needed in the scaled mode

        self._redis = redis.from_url(url)
        self._hub = hub
        self._task: asyncio.Task | None = None

    async def publish(self, event: Event) -> None:
        await self._redis.publish(REDIS_CHANNEL, json.dumps(asdict(event)))

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen_forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._redis.aclose()

    async def _listen_forever(self) -> None:
        first = True
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(REDIS_CHANNEL)
                    if not first:
                        await self._hub.resync_all()
                    first = False
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            await self._hub.deliver(Event(**json.loads(message["data"])))
            except asyncio.CancelledError:
                raise
            except Exception:  # the subscription is gone: wait, resubscribe, resync
                log.warning("redis subscription lost; resubscribing", exc_info=True)
                await asyncio.sleep(1)
