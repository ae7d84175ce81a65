"""The hub's fan-out rules, with the real Hub and Connection and sockets that are plain
coroutines: render once per audience, never wait for the slowest, drop who cannot keep up."""

import asyncio

from app.hub import TRY_AGAIN_LATER, Audience, Connection, Event, Hub


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


def make_hub(renders: list):
    def render(view, event, audience):
        renders.append((event.type, audience))
        return f"{event.type}:{audience.view}:{view}"

    return Hub(lambda session_id: f"view-of-{session_id}", render)


async def settle():
    for _ in range(5):
        await asyncio.sleep(0)


def test_one_render_per_audience_and_everyone_gets_the_same_text():
    async def scenario():
        renders = []
        hub = make_hub(renders)
        sockets = [Socket() for _ in range(6)]
        audiences = [Audience("projector", "ja")] * 3 + [Audience("host", "ja", 1)] * 3
        writers = []
        for socket, audience in zip(sockets, audiences, strict=True):
            connection = Connection(audience, socket.send, socket.close, queue_size=4)
            hub.add("s1", connection)
            writers.append(asyncio.create_task(connection.run_writer()))
        await hub.publish(Event("s1", "phase"))
        await settle()
        for writer in writers:
            writer.cancel()
        return renders, sockets

    renders, sockets = asyncio.run(scenario())
    assert sorted(a.view for _, a in renders) == ["host", "projector"]
    assert [s.received for s in sockets[:3]] == [["phase:projector:view-of-s1"]] * 3
    assert [s.received for s in sockets[3:]] == [["phase:host:view-of-s1"]] * 3


def test_a_stalled_socket_does_not_hold_up_the_others_and_is_dropped():
    async def scenario():
        hub = make_hub([])
        slow, fast = Socket(stall=True), Socket()
        slow_connection = Connection(Audience("host", "ja", 1), slow.send, slow.close, 3)
        fast_connection = Connection(Audience("host", "ja", 1), fast.send, fast.close, 3)
        tasks = []
        for connection in (slow_connection, fast_connection):
            hub.add("s1", connection)
            tasks.append(asyncio.create_task(connection.run_writer()))
        for _ in range(6):
            await hub.publish(Event("s1", "phase"))
            await settle()
        await settle()
        slow_state = slow_connection.dropped
        for task in tasks:
            task.cancel()
        return slow_state, fast

    dropped, fast = asyncio.run(scenario())
    assert dropped is True
    assert len(fast.received) == 6


def test_a_dropped_connection_is_closed_with_try_again_later():
    async def scenario():
        socket = Socket()
        connection = Connection(Audience("projector"), socket.send, socket.close, 1)
        connection.offer("a")
        connection.offer("b")  # over the limit: dropped
        await asyncio.wait_for(connection.run_writer(), timeout=1)
        return socket

    socket = asyncio.run(scenario())
    assert socket.closed_with == TRY_AGAIN_LATER
    assert socket.received == []


def test_events_for_other_sessions_or_none_rendered_are_not_sent():
    async def scenario():
        hub = Hub(lambda sid: sid, lambda view, event, audience: None)
        socket = Socket()
        connection = Connection(Audience("projector"), socket.send, socket.close, 4)
        hub.add("s1", connection)
        task = asyncio.create_task(connection.run_writer())
        await hub.publish(Event("s1", "phase"))
        await hub.publish(Event("s2", "phase"))
        await settle()
        task.cancel()
        hub.remove("s1", connection)
        return socket, hub.connection_count()

    socket, remaining = asyncio.run(scenario())
    assert socket.received == [] and remaining == 0
