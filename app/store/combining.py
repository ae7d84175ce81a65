"""Group commit: the writes that many request threads ask for at once, done together.

Each request thread hands its item in and waits for its own outcome. The first thread of a
key (an event) that finds nobody writing for it writes at once, a batch of one; whatever
arrives meanwhile queues, and the thread that finishes a batch hands the lead to the first
one waiting, which writes everything queued then (up to `most`) in one go. A quiet event
thus writes each item as it comes, with no added wait, and a busy one pays one transaction
(one lock, one commit, one publication) for many items instead of one each. No thread of
its own: a writer is always a thread that has an item in the batch it writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


@dataclass(eq=False)
class _Waiting(Generic[Item, Outcome]):
    item: Item
    woken: threading.Event = field(default_factory=threading.Event)
    """Set once: when the outcome is there, or when this thread is to write the next batch."""
    lead: bool = False
    outcome: Outcome | None = None
    failure: BaseException | None = None


Write = Callable[[Hashable, Sequence[Item]], Sequence[Outcome]]
"""`write(key, items)` answers one outcome per item, in order, or raises for them all; an
outcome that is an exception is raised in its own thread (a refusal for one item only)."""


class GroupCommit(Generic[Item, Outcome]):
    """Items of one key written together, at most `most` at once; `most` = 1 writes every
    item alone, in the order they came: no grouping. The thread that writes a batch uses
    its own `write` (every caller of a key hands in the same one)."""

    def __init__(self, most: int = 64):
        self.most = max(1, most)
        self._lock = threading.Lock()
        self._queues: dict[Hashable, list[_Waiting]] = {}
        """key -> the items waiting, the writing thread's own first while it writes"""

    def submit(self, key: Hashable, item: Item, write: Write) -> Outcome:
        me = _Waiting(item)
        with self._lock:
            queue = self._queues.setdefault(key, [])
            queue.append(me)
            me.lead = len(queue) == 1
        if not me.lead:
            me.woken.wait()
        if me.lead:
            self._write_batch(key, write)
        if me.failure is not None:
            raise me.failure
        if isinstance(me.outcome, BaseException):
            raise me.outcome
        return me.outcome

    def _write_batch(self, key: Hashable, write: Write) -> None:
        """Write the batch at the head of the key's queue (this thread's item first), give
        each its outcome and hand the lead to the next one waiting."""
        with self._lock:
            batch = self._queues[key][:self.most]
        try:
            outcomes = list(write(key, [waiting.item for waiting in batch]))
            if len(outcomes) != len(batch):
                raise RuntimeError(f"{len(outcomes)} outcomes for {len(batch)} items")
            for waiting, outcome in zip(batch, outcomes, strict=True):
                waiting.outcome = outcome
        except BaseException as failure:  # noqa: BLE001 - every waiting thread gets it
            for waiting in batch:
                waiting.failure = failure
        with self._lock:
            queue = self._queues[key]
            del queue[:len(batch)]
            if queue:
                queue[0].lead = True
                queue[0].woken.set()
            else:
                del self._queues[key]
        for waiting in batch[1:]:
            waiting.woken.set()
