"""Redis pub/sub between uvicorn workers: each worker publishes its batches there and
delivers what arrives to its own rooms (hub.py). Pub/sub is at most once, so a worker that
loses its subscription resyncs its rooms from the database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from app.live import changes

log = logging.getLogger(__name__)
REDIS_CHANNEL = "worldcafe:events"


class Receiver(Protocol):
    """Where the batches that arrive go: this worker's rooms (hub.py's Hub)."""

    def arrive(self, batch: changes.Batch) -> None: ...

    def resync_all(self) -> None: ...


class RedisBus:
    """Redis pub/sub between workers; each worker delivers what arrives to its own sockets.

    Redis failing is not a request failing: a batch that cannot be published is delivered
    to this worker's screens, the outage is logged once, `healthy` turns False (/healthz
    says so), and once the subscription is back every room resyncs from the database."""

    READY_SECONDS = 10.0
    """How long start-up waits for the first subscription (then serves, degraded)."""

    def __init__(self, url: str, hub: Receiver):
        import redis.asyncio as redis  # only needed in the scaled mode

        self._redis = redis.from_url(url, socket_connect_timeout=2)
        self._hub = hub
        self._task: asyncio.Task | None = None
        self._ready = asyncio.Event()
        self.healthy = False

    async def publish(self, batch: changes.Batch) -> None:
        try:
            await self._redis.publish(REDIS_CHANNEL, changes.encode(batch))
        except Exception as error:
            self._down(error)
            raise

    def _down(self, error: BaseException) -> None:
        if self.healthy:
            log.warning("redis is unreachable (%s); live changes reach only this "
                        "worker's screens until it is back", error)
        self.healthy = False

    def _up(self) -> None:
        if not self.healthy:
            log.info("redis subscription established")
        self.healthy = True
        self._ready.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen_forever())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), self.READY_SECONDS)

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
                    self._up()
                    if not first:
                        self._hub.resync_all()
                    first = False
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._hub.arrive(changes.decode(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the subscription is gone: wait, resubscribe, resync
                self._down(error)
                first = False
                await asyncio.sleep(1)
