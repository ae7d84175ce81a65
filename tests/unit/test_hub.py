"""The hub's fan-out rules, with the real Hub, Room, Connection and templates, and sockets
that are plain coroutines: batches are applied in commit order whatever order they arrive
in, a lost batch leads to a resync, a newcomer gets exactly the changes after its snapshot,
one text is rendered per audience, and nobody waits for the slowest."""

import asyncio
import threading
from dataclasses import replace

import pytest

from app import templating
from app.live import changes, delivery, frames, hub
from app.live.hub import TRY_AGAIN_LATER, Audience, Connection, Hub
from tests.fixtures.screens import card_record, make_view
from tests.fixtures.timing import eventually_async

PROJECTOR = Audience("projector", "ja", role="projector")
HOST = Audience("host", "ja", table_id=1, role="host")


class Socket:
    def __init__(self, stall: bool = False):
        self.received: list[str] = []
        self.closed_with: int | None = None
        self.stall = stall

    async def send(self, text: str) -> None:
        if self.stall:
            await asyncio.Event().wait()  # a tablet that never reads
        self.received.append(text)

    async def close(self, code: int) -> None:
        self.closed_with = code


class Database:
    """What the hub loads: the committed cards so far and their `seq`."""

    def __init__(self):
        self.cards = []
        self.seq = 0
        self.loads = 0

    def commit(self, card) -> changes.Batch:
        self.cards = [c for c in self.cards if c.id != card.id] + [card]
        self.seq += 1
        return changes.Batch("s1", self.seq, (changes.CardAdded(card),))

    def load(self, event_id: str):
        self.loads += 1
        return make_view(cards=self.cards, seq=self.seq)


def started(database: Database | None = None) -> tuple[Database, Hub]:
    """A hub on the running loop, loading from `database` (a new one by default)."""
    database = database or Database()
    the_hub = Hub(database.load, committed_seq=lambda _id: database.seq)
    the_hub.start(asyncio.get_running_loop())
    return database, the_hub


def connect(the_hub: Hub, audience: Audience, socket: Socket, queue_size: int = 50):
    connection = Connection(audience, socket.send, socket.close, queue_size)
    task = asyncio.create_task(connection.run_writer())
    the_hub.add("s1", connection)
    return connection, task


def card_ids(socket: Socket) -> list[str]:
    """The board cards each frame inserts, in the order they arrived."""
    found = []
    for frame in socket.received[1:]:
        found += [part.split('"')[0] for part in frame.split('id="bc-')[1:]]
    return found


def test_batches_arriving_out_of_order_are_applied_in_commit_order():
    async def scenario():
        database, the_hub = started()
        socket = Socket()
        connect(the_hub, PROJECTOR, socket)
        await eventually_async(lambda: socket.received)  # the snapshot
        first = database.commit(card_record("a", created=1))
        second = database.commit(card_record("b", created=2))
        third = database.commit(card_record("c", created=3))
        for batch in (third, first, second):
            the_hub.arrive(batch)
        await eventually_async(lambda: len(card_ids(socket)) == 3)
        return socket

    socket = asyncio.run(scenario())
    assert card_ids(socket) == ["a", "b", "c"]


async def a_projector() -> tuple[Database, Hub, Socket]:
    """A hub with one projector socket, its snapshot received."""
    database, the_hub = started()
    socket = Socket()
    connect(the_hub, PROJECTOR, socket)
    await eventually_async(lambda: socket.received)
    return database, the_hub, socket


def test_a_lost_batch_makes_the_room_resync_from_the_database(monkeypatch):
    monkeypatch.setattr(hub, "GAP_WAIT_SECONDS", 0.05)

    async def scenario():
        database, the_hub, socket = await a_projector()
        database.commit(card_record("lost", created=1))  # committed, never published
        the_hub.arrive(database.commit(card_record("after", created=2)))
        await eventually_async(lambda: len(socket.received) >= 2)
        return socket, database

    socket, database = asyncio.run(scenario())
    resync = socket.received[1]
    assert 'id="board"' in resync and "bc-lost" in resync and "bc-after" in resync
    assert database.loads == 2


def test_a_newcomer_gets_every_change_once_whether_in_its_snapshot_or_after_it():
    async def scenario():
        database, the_hub = started()
        early, late = Socket(), Socket()
        connect(the_hub, PROJECTOR, early)
        await eventually_async(lambda: early.received)
        in_flight = database.commit(card_record("in-flight", created=1))
        connect(the_hub, PROJECTOR, late)  # its snapshot already holds the card
        await eventually_async(lambda: late.received)
        the_hub.arrive(in_flight)
        the_hub.arrive(database.commit(card_record("next", created=2)))
        await eventually_async(lambda: "next" in card_ids(late) and "next" in card_ids(early))
        return early, late

    early, late = asyncio.run(scenario())
    assert card_ids(early) == ["in-flight", "next"]
    in_snapshot = ["in-flight"] if "bc-in-flight" in late.received[0] else []
    assert in_snapshot + card_ids(late) == ["in-flight", "next"]  # each once, in order


async def projectors_and_hosts(each: int) -> tuple[Database, Hub, list[Socket]]:
    """`each` projector and `each` host sockets on a board of one card, their snapshots
    received (a host's in two frames: what every host's page shows, then its table's)."""
    database = Database()
    database.commit(card_record("first", created=0, participant_id=None))
    database, the_hub = started(database)
    sockets = [Socket() for _ in range(2 * each)]
    for socket, audience in zip(sockets, [PROJECTOR] * each + [HOST] * each, strict=True):
        connect(the_hub, audience, socket)
    await eventually_async(lambda: all(len(s.received) == (1 if n < each else 2)
                            for n, s in enumerate(sockets)))
    return database, the_hub, sockets


def test_one_render_per_audience_and_everyone_gets_the_same_text(monkeypatch):
    renders = []
    real = templating.render

    def counted(language, template, **context):
        renders.append(template)
        return real(language, template, **context)

    monkeypatch.setattr(templating, "render", counted)
    monkeypatch.setattr(delivery, "render", counted)
    templating.forget_items()

    async def scenario():
        database, the_hub, sockets = await projectors_and_hosts(3)
        renders.clear()
        the_hub.arrive(database.commit(card_record("a", created=1, participant_id=None)))
        await eventually_async(lambda: all(len(s.received) == (2 if n < 3 else 3)
                                for n, s in enumerate(sockets)))
        assert len(renders) < 8, renders  # items, counts and the keywords: never the board
        return sockets

    sockets = asyncio.run(scenario())
    assert renders.count("fragments/_board_card.html") == 1  # the projector's item
    assert renders.count("fragments/_table_card.html") == 1  # the host's item
    assert len({s.received[-1] for s in sockets[:3]}) == 1
    assert len({s.received[-1] for s in sockets[3:]}) == 1


def test_a_stalled_socket_does_not_hold_up_the_others_and_is_dropped():
    async def scenario():
        database, the_hub = started()
        slow, fast = Socket(stall=True), Socket()
        slow_connection, _ = connect(the_hub, HOST, slow, queue_size=3)
        connect(the_hub, HOST, fast, queue_size=3)
        await eventually_async(lambda: len(fast.received) == 2)  # a host's snapshot: two frames
        for n in range(6):
            the_hub.arrive(database.commit(card_record(f"c{n}", created=n)))
            await eventually_async(lambda n=n: len(fast.received) == n + 3)
        return slow_connection, fast

    slow_connection, fast = asyncio.run(scenario())
    assert slow_connection.dropped is True
    assert len(fast.received) == 8


def test_a_dropped_connection_is_closed_with_try_again_later():
    async def scenario():
        socket = Socket()
        connection = Connection(PROJECTOR, socket.send, socket.close, 1)
        connection.offer("a")
        connection.offer("b")  # over the limit: dropped
        await asyncio.wait_for(connection.run_writer(), timeout=1)
        return socket

    socket = asyncio.run(scenario())
    assert socket.closed_with == TRY_AGAIN_LATER
    assert socket.received == []


def test_batches_for_other_events_or_rooms_that_are_gone_are_not_sent():
    async def scenario():
        database, the_hub = started()
        socket = Socket()
        connection, _ = connect(the_hub, PROJECTOR, socket)
        await eventually_async(lambda: socket.received)
        the_hub.arrive(replace(database.commit(card_record("x")), event_id="s2"))
        the_hub.remove("s1", connection)
        the_hub.arrive(database.commit(card_record("y")))
        await asyncio.sleep(0)
        return socket, the_hub.connection_count()

    socket, remaining = asyncio.run(scenario())
    assert len(socket.received) == 1 and remaining == 0


@pytest.mark.parametrize("publish_from_a_thread", [True, False])
def test_publish_never_waits_for_the_fan_out(publish_from_a_thread):
    async def scenario():
        database, the_hub = started()
        socket = Socket()
        connect(the_hub, PROJECTOR, socket)
        await eventually_async(lambda: socket.received)
        batch = database.commit(card_record("a"))
        if publish_from_a_thread:  # the loop is blocked meanwhile: publish must not wait
            thread = threading.Thread(target=the_hub.publish, args=(batch,))
            thread.start()
            thread.join(timeout=5)
            assert not thread.is_alive()
        else:
            the_hub.publish(batch)
        assert len(socket.received) == 1  # handed over, not yet delivered
        await eventually_async(lambda: len(socket.received) == 2)
        return socket

    socket = asyncio.run(scenario())
    assert "bc-a" in socket.received[1]


def test_a_newcomer_is_drawn_from_the_rooms_view_and_misses_nothing():
    """No load for a newcomer: its snapshot is the room's view, even while a committed
    batch is still on its way (the newcomer gets it as a change, like everyone)."""
    async def scenario():
        database, the_hub = started()
        early, late = Socket(), Socket()
        connect(the_hub, PROJECTOR, early)
        await eventually_async(lambda: early.received)
        the_hub.arrive(database.commit(card_record("a", created=1)))
        # the room has moved on since its load
        await eventually_async(lambda: card_ids(early) == ["a"])
        in_flight = database.commit(card_record("b", created=2))
        connect(the_hub, PROJECTOR, late)
        await eventually_async(lambda: late.received)
        the_hub.arrive(in_flight)
        the_hub.arrive(database.commit(card_record("c", created=3)))
        await eventually_async(lambda: "c" in card_ids(late) and "c" in card_ids(early))
        return database, early, late

    database, early, late = asyncio.run(scenario())
    assert database.loads == 1  # the room's first load only
    assert card_ids(early) == ["a", "b", "c"]
    assert "bc-a" in late.received[0] and "bc-b" not in late.received[0]
    assert card_ids(late) == ["b", "c"]


def test_a_room_whose_screens_all_reconnect_starts_from_its_last_view_unless_it_changed():
    """Every socket closes and opens again (the venue's Wi-Fi came back): the new room
    draws from the view the emptied room had, without a load, and each screen gets the
    snapshot it got before; once a change has been committed meanwhile (or the view is
    older than SNAPSHOT_REUSE_SECONDS), the room loads the event again."""
    async def reconnect(the_hub: Hub, connection: Connection) -> Socket:
        the_hub.remove("s1", connection)
        await eventually_async(lambda: "s1" not in the_hub._rooms)
        socket = Socket()
        connect(the_hub, PROJECTOR, socket)
        await eventually_async(lambda: socket.received)
        return socket

    async def scenario():
        database, the_hub = started()
        database.commit(card_record("a", created=1))
        first = Socket()
        connection, _ = connect(the_hub, PROJECTOR, first)
        await eventually_async(lambda: first.received)
        again = await reconnect(the_hub, connection)
        loads_after_reconnect = database.loads
        database.commit(card_record("b", created=2))  # while nobody is connected
        changed = await reconnect(the_hub, next(iter(the_hub._rooms["s1"].members)))
        return first, again, changed, loads_after_reconnect, database.loads

    first, again, changed, loads_after_reconnect, loads = asyncio.run(scenario())
    assert loads_after_reconnect == 1
    assert again.received[0] is first.received[0]  # the very text drawn before
    assert loads == 2
    assert "bc-b" in changed.received[0] and "bc-b" not in first.received[0]


def test_a_kept_view_older_than_the_reuse_time_is_loaded_again(monkeypatch):
    monkeypatch.setattr(hub, "SNAPSHOT_REUSE_SECONDS", 0.05)

    async def scenario():
        database, the_hub = started()
        socket = Socket()
        connection, _ = connect(the_hub, PROJECTOR, socket)
        await eventually_async(lambda: socket.received)
        the_hub.remove("s1", connection)
        await eventually_async(lambda: "s1" not in the_hub._rooms and not the_hub._kept)
        connect(the_hub, PROJECTOR, Socket())
        await eventually_async(lambda: database.loads == 2)
        return database.loads

    assert asyncio.run(scenario()) == 2


def test_a_snapshot_replaces_what_is_queued_so_a_socket_never_holds_two():
    async def scenario():
        socket = Socket()
        connection = Connection(PROJECTOR, socket.send, socket.close, 50)
        connection.offer("a change")
        connection.offer_snapshot(["first snapshot"])
        connection.offer_snapshot(["second snapshot"])
        writer = asyncio.create_task(connection.run_writer())
        await eventually_async(lambda: socket.received)
        writer.cancel()
        return socket

    assert asyncio.run(scenario()).received == ["second snapshot"]


def test_a_snapshot_is_drawn_once_per_audience_and_shared():
    async def scenario():
        _database, _hub, sockets = await projectors_and_hosts(2)
        return [s.received[0] for s in sockets]

    projector_a, projector_b, host_a, host_b = asyncio.run(scenario())
    assert projector_a is projector_b and host_a is host_b  # one text, not a copy each
    assert projector_a != host_a
    assert 'id="phase"' in host_a and 'id="table-cards"' not in host_a  # its own after it


def test_a_closed_connection_is_freed_at_once_without_the_garbage_collector():
    """No reference cycle holds a connection (its queue, its texts) once it is closed: its
    memory comes back by reference counting alone, as a flood of sockets needs."""
    import gc
    import weakref

    async def scenario():
        _database, the_hub = started()
        socket = Socket(stall=True)  # a socket that never reads, with a snapshot queued
        connection, writer = connect(the_hub, PROJECTOR, socket)
        room = the_hub._rooms["s1"]
        await eventually_async(lambda: room.live)  # its snapshot is queued
        the_hub.request_snapshot("s1", connection)
        the_hub.request_snapshot("s1", connection)  # within the second: answered later
        gone = weakref.ref(connection)
        the_hub.remove("s1", connection)
        writer.cancel()
        await asyncio.gather(writer, return_exceptions=True)
        del connection, writer
        return gone

    gc.disable()
    try:
        assert asyncio.run(scenario())() is None
    finally:
        gc.enable()


def test_keyword_charts_go_out_with_the_first_card_then_at_most_once_an_interval(
        monkeypatch):
    """A run of cards costs the screens one card each: the charts the cards changed wait
    for the interval (here: until the test moves the last push back past it)."""
    monkeypatch.setattr(hub, "KEYWORDS_INTERVAL_SECONDS", 600.0)

    async def scenario():
        database, the_hub, socket = await a_projector()
        the_hub.arrive(database.commit(card_record("a", created=1, text="公園の清掃")))
        await eventually_async(lambda: card_ids(socket) == ["a"])
        for number, card_id in enumerate("bc", start=2):
            the_hub.arrive(database.commit(card_record(card_id, created=number,
                                                       text="公園の花壇")))
        await eventually_async(lambda: card_ids(socket) == ["a", "b", "c"])
        room = the_hub._rooms["s1"]
        held = len(socket.received)
        room.charts_pushed_at -= hub.KEYWORDS_INTERVAL_SECONDS
        room.wake.set()
        await eventually_async(lambda: len(socket.received) > held)
        return socket.received, held

    frames, held = asyncio.run(scenario())
    first, *cards_only, charts = frames[1:]
    assert 'id="keywords-all"' in first and "清掃" in first
    assert len(cards_only) == held - 2
    assert all("keywords-all" not in frame for frame in cards_only)
    assert charts.count('id="keywords-all"') == 1 and "bc-" not in charts
    assert '<span class="keyword__word">公園</span>' in charts and 'title="3枚">3<' in charts


def test_a_big_snapshot_is_framed_once_for_every_socket_and_a_small_text_stays_plain():
    """The frame kept with a big text is the one a WebSocket client reads back as that
    very text (one final, unmasked text frame); small texts and texts that are not
    UTF-8 (a lone surrogate) stay plain strings, sent as before."""
    from websockets.frames import Frame, Opcode
    from websockets.streams import StreamReader

    big = "見守りボランティア<li>" * 2000
    drawn = hub.Drawn(make_view())
    framed = drawn.framed(big)
    assert framed == big and isinstance(framed, frames.FramedText)
    assert drawn.framed(big) is framed  # the next phone's snapshot shares it
    reader = StreamReader()
    reader.feed_data(framed.frame)
    reader.feed_eof()
    with pytest.raises(StopIteration) as parsed:  # the whole frame is there: no waiting
        next(Frame.parse(reader.read_exact, mask=False))
    frame = parsed.value.value
    assert frame.opcode is Opcode.TEXT and frame.fin and frame.data.decode() == big
    assert type(drawn.framed("見守り")) is str
    lone = "\ud800" * 20000
    assert type(drawn.framed(lone)) is str and drawn.framed(lone) == lone
