"""The use cases: who may, is it valid, the change; each announces what changed.

The JSON API and the pages call the same functions here (app/web/ only adapts HTTP, forms
and sockets to them). They are plain synchronous functions, run by the routes in a worker
thread: each reads or writes through app/store/ in its own transaction, and after a
committed change publishes one `Batch` of typed changes (app/live/changes.py) and returns them
with its answer in a `Done`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import Engine

from app import auth
from app.documents.jobs import Maker
from app.i18n import N_
from app.insight import Recent
from app.live.changes import Batch, Change
from app.refusal import Refusal
from app.rounds import now_ms
from app.store.combining import GroupCommit

T = TypeVar("T")


@dataclass
class Services:
    """What the use cases need from the running server."""

    engine: Engine
    publish: Callable[[Batch], None]
    """Hands a committed batch to the live hub; never blocks, never raises."""
    card_limiter: auth.RateLimiter = field(
        default_factory=lambda: auth.RateLimiter(((5, 1000), (30, 60_000))))
    card_budget: auth.SharedBudget = field(default_factory=lambda: auth.SharedBudget(2400, 5))
    """Cards per event and client address, and beyond them a few per token (settings.py,
    cards_per_address_per_minute, cards_per_token_over_budget)."""
    card_floods_noted: dict[str, int] = field(default_factory=dict)
    """event id -> when a flood of cards was last written down (admission.note_card_flood)."""
    card_commits: GroupCommit = field(default_factory=GroupCommit)
    """New cards of concurrent requests, written in one transaction (group commit)."""
    join_limiter: auth.FailureLimiter = field(default_factory=lambda: auth.FailureLimiter(10))
    tokens: auth.TokenCache = field(default_factory=auth.TokenCache)
    join_pacer: auth.Pacer = field(default_factory=lambda: auth.Pacer(60, 100))
    join_wakeups: dict[str, asyncio.Event] = field(default_factory=dict)
    """event id -> what the joins waiting their turn wait on besides the time
    (access.forget_join_turns)."""
    join_wait_ms: int = 15_000
    """A join that would wait longer for its turn is a flood (app/actions/access.py)."""
    renew_join_code_on_flood: bool = True
    max_participants: int = 500
    token_lifetime_ms: int = 7 * 24 * 3600 * 1000
    """How long after the event finished its tokens stay valid."""
    erase_names_after_ms: int = 30 * 24 * 3600 * 1000
    """How long after the event finished its names are erased (0: never;
    app/actions/erasure.py)."""
    organiser_passcode: str = ""
    """When set, creating an event needs it."""
    list_events_locally: bool = True
    """Whether the server's own computer sees the events on it without the passcode."""
    passcode_limiter: auth.FailureLimiter = field(
        default_factory=lambda: auth.FailureLimiter(10))
    suggested: Recent = field(default_factory=Recent)
    """The suggested groups made lately, for accepting one (app/actions/insight.py)."""
    documents: Maker | None = None
    """Where documents are made and kept (app/documents/jobs.py); the server always has one
    (tests of the actions alone, which make no documents, need none)."""
    now: Callable[[], int] = now_ms


@dataclass(frozen=True)
class Done(Generic[T]):
    """An action's answer, and the changes it published."""

    value: T
    changes: tuple[Change, ...] = ()


def announce(services: Services, event_id: str, seq: int | None,
             *changes: Change) -> tuple[Change, ...]:
    """Publish the changes of the write committed as `seq` (None: nothing changed)."""
    if seq is None:
        return ()
    services.publish(Batch(event_id, seq, changes))
    return changes


def require(identity: auth.Identity, role: str) -> None:
    if not identity.at_least(role):
        raise Refusal("forbidden", N_("Your role may not do this."))
