"""Live connections and fan-out.

Every page holds one WebSocket. The connections of one event form a room, whose worker
keeps a view of the event (app/live/view.py) and brings it up to date with each committed batch
of changes (app/live/changes.py), strictly in `seq` order: a batch that arrives early waits for
the ones before it, and a number that never comes (a lost batch) makes the room load the
event again and send every screen a snapshot. Applying and rendering run in a worker
thread, never on the event loop; batches that queue up while the room is busy are applied
together and sent as one frame per screen. A publishing request does not wait for any of
this: it hands its batch over and answers.

A connection's snapshot is drawn from the room's view (loaded from the database only when
the room starts or resyncs), so the connection gets exactly the changes after its `seq`,
in order; a snapshot loaded ahead of the room (a resync) is sent once the room has caught
up with it.

Each connection has a bounded queue and its own writer task, so one slow tablet never
stalls the room: a connection that falls too far behind is closed with 1013 and resyncs
from a snapshot when it returns (docs/architecture.md, "The push path").

With Redis configured, batches travel over pub/sub (bus.py) so that several workers share
one event; each worker's rooms apply them in `seq` order just the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, assert_never

from app.auth import CO_FACILITATOR, PARTICIPANT, Identity
from app.live import changes, delivery
from app.live.delivery import Audience
from app.live.frames import framed
from app.live.view import EventView

log = logging.getLogger(__name__)

TRY_AGAIN_LATER = 1013
SIGNED_OUT = 4401
GC_SETTLE_SECONDS = 1.0
GAP_WAIT_SECONDS = 1.5
"""How long a room waits for a batch that is missing before it resyncs."""
SNAPSHOT_REUSE_SECONDS = 30.0
"""Snapshots drawn from one load serve newcomers while the room has had no change since
(a room of screens reconnecting at once costs one load and one drawing). A running
countdown's text may be that old; every page recomputes it from `data-ends-at` at once."""
OFFERS_AT_ONCE = 20
"""Connections given their frames between two turns of the event loop, so that a
snapshot for every screen never holds up the loop (or /healthz) for long."""
RESYNC_INTERVAL_SECONDS = 1.0
"""A page's requests to be drawn again are answered at most this often."""
KEYWORDS_INTERVAL_SECONDS = 3.0
"""The keyword charts count every card: the charts a run of cards changed are pushed at
most this often (the first change at once), so a busy room's cards cost the console one
card each, not a redrawn chart each."""
MAX_WAITING_BATCHES = 2000
MAX_BATCHES_AT_ONCE = 500


FRAMED_FROM = 16 * 1024
"""Snapshot texts from this many characters are framed once for every socket they go to
(app/live/frames.py): a hall's phones share a 1.4 MB text at 2000 cards."""


class Drawn:
    """One snapshot load (or the room's view), its drawing and the snapshots drawn from it:
    each page's snapshot is drawn once and shared by every socket that asks (see
    SNAPSHOT_REUSE_SECONDS), and each big text in them is framed once, whichever
    snapshots share it (the voting list of 200 phones)."""

    def __init__(self, view: EventView):
        self.at = time.monotonic()
        self.view = view
        self.drawing = delivery.Drawing(view)
        self.snapshots: dict[tuple[Audience, str], list[str]] = {}
        self._framed: dict[int, tuple[str, str]] = {}
        """id of a drawn text -> (that text, kept alive so that its id stays its own; its
        framed form)"""

    def framed(self, text: str) -> str:
        if len(text) < FRAMED_FROM:
            return text
        kept = self._framed.get(id(text))
        if kept is None or kept[0] is not text:
            kept = self._framed[id(text)] = (text, framed(text))
        return kept[1]


class Connection:
    def __init__(self, audience: Audience, send: Callable[[str], Awaitable[None]],
                 close: Callable[[int], Awaitable[None]], queue_size: int,
                 holder: Identity | None = None):
        self.audience = audience
        self.holder = holder
        """Who opened it (their sockets close when they are signed out)."""
        self._send = send
        self._close = close
        self._queue: asyncio.Queue[str | int] = asyncio.Queue(maxsize=queue_size)
        self.dropped = False
        self.resynced_at = -RESYNC_INTERVAL_SECONDS
        """When (loop time) the page's last request to be drawn again was answered."""
        self.resync_due: asyncio.TimerHandle | None = None
        """The answer to a request that came within the second after the last one."""

    def offer(self, text: str) -> None:
        """Queue without waiting; a connection that cannot keep up is dropped."""
        if self.dropped:
            return
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            self.end(TRY_AGAIN_LATER)

    def offer_snapshot(self, texts: list[str]) -> None:
        """A snapshot shows all that is queued before it, which is dropped: a connection
        never holds two snapshots (a page that asks again and again, never reading)."""
        if self.dropped:
            return
        while not self._queue.empty():
            self._queue.get_nowait()
        for text in texts:
            self.offer(text)

    def end(self, code: int) -> None:
        """Close with `code` as soon as the writer gets to it; nothing more is sent."""
        self.dropped = True
        while not self._queue.empty():  # the same queue: the writer may be waiting on it
            self._queue.get_nowait()
        self._queue.put_nowait(code)

    async def run_writer(self) -> None:
        """Send queued texts in order until ended or the socket fails. A failed send ends
        the task without an exception: a stored exception's traceback would keep this
        frame, its connection and its text alive in a reference cycle."""
        while True:
            item = await self._queue.get()
            if isinstance(item, int):
                with contextlib.suppress(Exception):
                    await self._close(item)
                return
            try:
                await self._send(item)
            except Exception:
                return
            item = None  # not held while waiting: a snapshot may be big

    def closed(self) -> None:
        """The socket is gone: nothing is due for it any more."""
        self.dropped = True
        if self.resync_due is not None:
            self.resync_due.cancel()
            self.resync_due = None


def holds(holder: Identity | None, signed_out: changes.SignedOut) -> bool:
    """Whether the tokens that `signed_out` ended include `holder`'s."""
    if holder is None:
        return False
    role = CO_FACILITATOR if holder.co_facilitator else holder.role
    if role != signed_out.role:
        return False
    held = holder.participant_id if holder.role == PARTICIPANT else holder.table_id
    return signed_out.holder_id is None or signed_out.holder_id == held


def edits_event(batch: changes.Batch) -> bool:
    """Whether the batch edits the event (tables or themes change under every index: the
    room loads it again and draws every screen anew)."""
    return any(isinstance(change, changes.EventEdited) for change in batch.changes)


Loader = Callable[[str], EventView]
"""session id -> the event as committed now (runs in a worker thread)."""


class Room:
    """The connections of one event and the worker that keeps them up to date."""

    def __init__(self, hub: Hub, event_id: str, kept: Drawn | None = None):
        self.hub, self.event_id = hub, event_id
        self.members: set[Connection] = set()
        """Every connection of the room, whatever its state."""
        self.live: set[Connection] = set()
        self.waiting: list[Connection] = []
        """New or resyncing connections whose snapshot is not loaded yet."""
        self.parked: list[tuple[int, list[tuple[Connection, list[str]]]]] = []
        """Snapshots loaded at a `seq` the room has not reached yet, with their frames."""
        self.view: EventView | None = None
        self.pending: dict[int, changes.Batch] = {}
        self.gap_since: float | None = None
        self.needs_resync = False
        self.wake = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.charts_due: set[str] = set()
        """Keyword charts changed since they were last pushed (delivery.Delivery.charts)."""
        self.charts_pushed_at = -KEYWORDS_INTERVAL_SECONDS
        """When (monotonic) keyword charts were last pushed."""
        self.drawn: Drawn | None = kept
        """The last snapshot load or view and what was drawn from it (at first: what the
        hub kept of the room before, if anything)."""

    @property
    def empty(self) -> bool:
        return not self.members

    def join(self, connection: Connection) -> None:
        self.members.add(connection)
        self.live.discard(connection)
        self.waiting.append(connection)
        self.start()

    def start(self) -> None:
        self.wake.set()
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())

    def discard(self, connection: Connection) -> None:
        self.members.discard(connection)
        self.live.discard(connection)
        if connection in self.waiting:
            self.waiting.remove(connection)

    async def _run(self) -> None:
        while not self.empty:
            timeout = None
            if self.gap_since is not None:
                timeout = max(0.0, self.gap_since + GAP_WAIT_SECONDS - time.monotonic())
            if self.charts_due:
                charts_wait = max(0.0, self._charts_time() - time.monotonic())
                timeout = charts_wait if timeout is None else min(timeout, charts_wait)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout)
            self.wake.clear()
            try:
                await self._step()
            except Exception:  # never leave screens stale: start again from the database
                log.exception("live room %s failed; resyncing", self.event_id)
                self.needs_resync = True
                await asyncio.sleep(0.5)
        self.hub.forget(self)

    async def _step(self) -> None:
        if self.view is None or self.needs_resync:
            await self._resync()
            return
        if self.waiting:
            joining, self.waiting = self.waiting, []
            view, frames = await asyncio.to_thread(self._snapshots, joining)
            self.parked.append((view.seq, frames))
        while True:
            run = self._next_run()
            edited = bool(run) and edits_event(run[-1])
            if edited:
                run.pop()  # tables or themes changed: every screen is drawn again
            if run:
                await self._deliver(run)
            if edited:
                await self._resync(kind="session")
                return
            if not await self._release_parked() and not run:
                break
        if self.charts_due and time.monotonic() >= self._charts_time():
            await self._deliver([])  # the keyword charts held back
        self._watch_for_gaps()

    def _charts_time(self) -> float:
        """When keyword charts may be pushed again."""
        return self.charts_pushed_at + KEYWORDS_INTERVAL_SECONDS

    def _next_run(self) -> list[changes.Batch]:
        """The batches that follow the view's `seq` without a hole, up to the first parked
        snapshot (whose connections must not get what their snapshot already shows)."""
        seq = self.view.seq
        for stale in [n for n in self.pending if n <= seq]:
            del self.pending[stale]
        limit = min((parked_seq for parked_seq, _ in self.parked), default=None)
        run = []
        while (seq + 1 in self.pending and len(run) < MAX_BATCHES_AT_ONCE
               and (limit is None or seq < limit)):
            seq += 1
            run.append(self.pending.pop(seq))
            if edits_event(run[-1]):
                break
        return run

    async def _release_parked(self) -> bool:
        """Connections whose snapshot the room has now reached go live, snapshot first."""
        ready = [(seq, group) for seq, group in self.parked if seq <= self.view.seq]
        if not ready:
            return False
        self.parked = [(seq, group) for seq, group in self.parked if seq > self.view.seq]
        for _seq, group in ready:
            for connection in await self._offer(group):
                self.live.add(connection)
        return True

    async def _offer(self, frames: list[tuple[Connection, list[str]]]) -> list[Connection]:
        """Queue each connection's frames, a few connections per turn of the loop; the
        connections still in the room."""
        offered = []
        for position, (connection, texts) in enumerate(frames, start=1):
            if connection not in self.members:
                continue
            connection.offer_snapshot(texts)
            offered.append(connection)
            if position % OFFERS_AT_ONCE == 0:
                await asyncio.sleep(0)
        return offered

    def _watch_for_gaps(self) -> None:
        waiting_on_batches = bool(self.pending) or bool(self.parked)
        if not waiting_on_batches:
            self.gap_since = None
            return
        now = time.monotonic()
        if self.gap_since is None:
            self.gap_since = now
        elif now - self.gap_since >= GAP_WAIT_SECONDS or len(self.pending) > MAX_WAITING_BATCHES:
            log.warning("live room %s: batch %s never arrived; resyncing", self.event_id,
                        self.view.seq + 1)
            self.needs_resync = True
            self.wake.set()

    async def _deliver(self, run: list[changes.Batch]) -> None:
        if self.drawn is not None and self.drawn.view is self.view:
            self.drawn = None  # the view moves on: its drawing shows the past
        connections = list(self.live)
        audiences = {c.audience for c in connections}
        charts_now = time.monotonic() >= self._charts_time()
        texts, charts_shown = await asyncio.to_thread(self._render_run, run, audiences,
                                                      charts_now)
        if charts_shown:
            self.charts_pushed_at = time.monotonic()
        for connection in connections:
            for frame in texts.get(connection.audience, ()):
                connection.offer(frame)
        self.gap_since = None

    def _render_run(self, run: list[changes.Batch], audiences,
                    charts_now: bool) -> tuple[dict, bool]:
        """Each audience's frames, with the keyword charts due when `charts_now`; whether
        they are in."""
        outgoing = delivery.Delivery(self.view, {a.role for a in audiences if a.page == "json"})
        for batch in run:
            outgoing.apply(batch)
        self.charts_due |= outgoing.charts
        shown = charts_now and bool(self.charts_due)
        if shown:
            outgoing.show_charts(self.charts_due)
            self.charts_due = set()
        return outgoing.texts(audiences), shown

    def _snapshots(self, connections: list[Connection], fresh: bool = False,
                   kind: str = "snapshot"):
        """Each connection's snapshot (in a worker thread), drawn from the room's own view
        (the connection then gets every change after its `seq`, as the room does): no
        load from the database, which for a big board costs far more than the drawing
        (sockets asking to be drawn again, while cards keep arriving, had the room load
        the whole board about once a second). A new load only when `fresh` (a resync)
        or before the room has a view, unless the hub kept this event's last view and
        nothing was committed since (Hub._kept). Until the view moves on (or
        SNAPSHOT_REUSE_SECONDS pass), its drawing is shared."""
        drawn = self.drawn
        if self.view is None and not fresh:
            fresh = not self._still_current(drawn)  # a room's first view may be a kept one
        if fresh:
            drawn = self.drawn = Drawn(self.hub.load_view(self.event_id))
        elif self.view is not None and (drawn is None or drawn.view is not self.view
                                        or time.monotonic() - drawn.at > SNAPSHOT_REUSE_SECONDS):
            drawn = self.drawn = Drawn(self.view)
        now: dict[tuple[Audience, str], list[str]] = {}
        given = []
        for connection in connections:
            # a page's snapshot is kept with its drawing (every page redraws its countdown
            # from data-ends-at); a JSON one tells the server's time, so is shared only now
            kept = now if connection.audience.page == "json" else drawn.snapshots
            key = (connection.audience, kind)
            if key not in kept:
                kept[key] = [drawn.framed(text) for text in
                             delivery.snapshot(drawn.view, connection.audience, drawn.drawing,
                                               kind)]
            given.append((connection, kept[key]))
        return drawn.view, given

    def _still_current(self, drawn: Drawn | None) -> bool:
        """Whether a kept drawing still shows the event: young enough, and nothing
        committed since its view (in a worker thread: it asks the database)."""
        return (drawn is not None and time.monotonic() - drawn.at <= SNAPSHOT_REUSE_SECONDS
                and self.hub.committed_seq(self.event_id) == drawn.view.seq)

    def settled(self) -> Drawn | None:
        """The room's view and its drawing, for a room of the same event that may start
        soon: none while the view waits to be loaded again (it may be wrong)."""
        if self.view is None or self.needs_resync:
            return None
        if self.drawn is None or self.drawn.view is not self.view:
            return Drawn(self.view)
        return self.drawn

    async def _resync(self, kind: str = "snapshot") -> None:
        """Load the event again and send every connection a snapshot."""
        everyone = [*self.live, *self.waiting,
                    *(c for _, group in self.parked for c, _ in group)]
        self.waiting, self.parked = [], []
        fresh = self.view is not None or self.needs_resync  # else a kept drawing may do
        self.needs_resync = False

        self.view, frames = await asyncio.to_thread(self._snapshots, everyone, fresh, kind)
        self.charts_due = set()  # every screen gets the charts as they are now
        self.live = set(await self._offer(frames))
        self.waiting = [c for c in self.waiting if c not in self.live]
        self.gap_since = None
        for stale in [n for n in self.pending if n <= self.view.seq]:
            del self.pending[stale]
        if self.pending:
            self.wake.set()


class Bus(Protocol):
    """What carries batches between workers (bus.py's RedisBus)."""

    healthy: bool

    async def publish(self, batch: changes.Batch) -> None: ...


class Hub:
    def __init__(self, load_view: Loader,
                 committed_seq: Callable[[str], int | None] = lambda _id: None,
                 forget_tokens: Callable[[str], None] = lambda _id: None,
                 forget_join_turns: Callable[[str], None] = lambda _id: None):
        self.load_view = load_view
        self.committed_seq = committed_seq
        """session id -> the event's `seq` as committed now (in a worker thread), or None."""
        self.forget_tokens = forget_tokens
        """session id -> nothing: this worker stops trusting the event's known tokens."""
        self.forget_join_turns = forget_join_turns
        """session id -> nothing: joining was closed or the join code replaced, so the
        joins queued for their turn will be refused and this worker paces the event's
        joins afresh (the people who read the new code do not wait behind a flood that
        used the old one)."""
        self._rooms: dict[str, Room] = {}
        self._kept: dict[str, Drawn] = {}
        """The view and drawing of each room that emptied lately (for what is left of
        SNAPSHOT_REUSE_SECONDS): when every screen of a room reconnects at once (the
        venue's Wi-Fi came back), the new room starts from it instead of loading and
        drawing the whole event again, if nothing was committed since."""
        self._bus: Bus | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._freeze: asyncio.TimerHandle | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def attach_bus(self, bus: Bus) -> None:
        self._bus = bus

    # --- connections ------------------------------------------------------------------------

    def add(self, event_id: str, connection: Connection) -> None:
        """A new connection: it gets a snapshot, then every change after it."""
        room = self._rooms.get(event_id)
        if room is None:
            room = self._rooms[event_id] = Room(self, event_id,
                                                self._kept.pop(event_id, None))
        room.join(connection)
        self._settle_garbage_collector()

    def request_snapshot(self, event_id: str, connection: Connection) -> None:
        """The page asked to be drawn again (it found a piece it could not update): at
        most once a second per connection; requests within the second after an answer
        are answered once, when it ends."""
        if connection.resync_due is not None:
            return
        loop = asyncio.get_running_loop()
        wait = connection.resynced_at + RESYNC_INTERVAL_SECONDS - loop.time()
        if wait > 0:
            connection.resync_due = loop.call_later(wait, self._resync_now, event_id,
                                                    connection)
            return
        self._resync_now(event_id, connection)

    def _resync_now(self, event_id: str, connection: Connection) -> None:
        connection.resync_due = None
        connection.resynced_at = asyncio.get_running_loop().time()
        room = self._rooms.get(event_id)
        if room is not None and connection in room.live:
            room.join(connection)

    def remove(self, event_id: str, connection: Connection) -> None:
        connection.closed()
        room = self._rooms.get(event_id)
        if room is not None:
            room.discard(connection)
            if room.empty:
                room.wake.set()  # its worker ends
        if not any(not r.empty for r in self._rooms.values()):
            gc.unfreeze()

    def forget(self, room: Room) -> None:
        if room.empty and self._rooms.get(room.event_id) is room:
            del self._rooms[room.event_id]
            settled = room.settled()
            if settled is None:
                return
            left = settled.at + SNAPSHOT_REUSE_SECONDS - time.monotonic()
            if left > 0:
                self._kept[room.event_id] = settled
                asyncio.get_running_loop().call_later(left, self._drop_kept, room.event_id,
                                                      settled)

    def _drop_kept(self, event_id: str, drawn: Drawn) -> None:
        if self._kept.get(event_id) is drawn:
            del self._kept[event_id]

    def connection_count(self) -> int:
        return sum(len(r.members) for r in self._rooms.values())

    def _settle_garbage_collector(self) -> None:
        """A full collection scans every live object: with a thousand sockets it stalls the
        loop for ~200 ms, in the middle of a round. Once connections stop arriving, freeze
        what lives (cheap, no scan) so later collections skip the long-lived sockets; the
        frozen objects are collected once the rooms are empty and nobody can be stalled."""
        if self._freeze is not None:
            self._freeze.cancel()
        self._freeze = asyncio.get_running_loop().call_later(GC_SETTLE_SECONDS, gc.freeze)

    # --- batches ----------------------------------------------------------------------------

    def publish(self, batch: changes.Batch) -> None:
        """Hand a committed batch over, from any thread; never waits, never raises."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if self._bus is not None:
            future = asyncio.run_coroutine_threadsafe(self._bus.publish(batch), loop)
            future.add_done_callback(lambda done: self._published(done, batch))
        else:
            loop.call_soon_threadsafe(self.arrive, batch)

    def _published(self, done, batch: changes.Batch) -> None:
        """Could not publish (Redis is down): this worker's screens get it at least; the
        other workers' rooms resync when Redis is back."""
        if done.cancelled() or done.exception() is not None:
            self.arrive(batch)

    @property
    def bus_healthy(self) -> bool:
        return self._bus is None or self._bus.healthy

    def arrive(self, batch: changes.Batch) -> None:
        """A batch for this worker's screens (on the event loop). Tokens it signed out stop
        working here at once, and their sockets close, whatever the order of batches."""
        room = self._rooms.get(batch.event_id)
        joining_changed = False
        signed_out: list[changes.SignedOut] = []
        for change in batch.changes:
            match change:
                case changes.JoiningChanged():
                    joining_changed = True
                case changes.SignedOut():
                    signed_out.append(change)
                case (changes.EventEdited() | changes.PhaseChanged() | changes.Joined()
                      | changes.SeatingChanged() | changes.CardAdded() | changes.CardEdited()
                      | changes.CardHidden() | changes.CardGrouped() | changes.CardsMerged()
                      | changes.CardsUnmerged() | changes.GroupSaved()
                      | changes.GroupDeleted() | changes.LayoutChosen()
                      | changes.ScreenChosen() | changes.PagesCommanded()
                      | changes.DotsChanged() | changes.GroupDotsChanged()
                      | changes.VotingChanged() | changes.HostAffiliationChosen()
                      | changes.SurveyChanged() | changes.SurveyAnswered()
                      | changes.ActionSaved() | changes.HandRaised()
                      | changes.PhotoAdded() | changes.PhotoDeleted()
                      | changes.PhotoProjected()):
                    pass  # the room's view and screens follow them, in seq order
                case _:
                    assert_never(change)
        if joining_changed:
            self.forget_join_turns(batch.event_id)
        if signed_out:
            self.forget_tokens(batch.event_id)
            for connection in list(room.members) if room is not None else ():
                if any(holds(connection.holder, ended) for ended in signed_out):
                    room.discard(connection)
                    connection.end(SIGNED_OUT)
        if room is not None and not room.empty:
            room.pending[batch.seq] = batch
            room.start()

    def resync_all(self) -> None:
        """After batches may have been lost (a dropped bus subscription): snapshots for all."""
        for room in self._rooms.values():
            room.needs_resync = True
            room.start()
