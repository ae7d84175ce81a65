"""Who is asking: tokens, join codes and the guessing limit."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass

from app import auth
from app.actions import Services
from app.i18n import N_, NN_
from app.refusal import Refusal
from app.store import sessions
from app.store.sessions import code_replaced

GONE = N_("There is no such event: the address is wrong, or the event was deleted.")


def identify(services: Services, event_id: str, token: str | None) -> auth.Identity:
    """The holder of an API token; 401 without a valid one for this event, 404 when there
    is no such event (never was, or deleted)."""
    identity, language = _holder(services, event_id, [(None, token)])
    if identity is None and language is None:
        raise Refusal("not_found", GONE)
    if identity is None:
        raise Refusal("invalid_token", N_("This token is not valid for this event."))
    return identity


def signed_in(services: Services, event_id: str,
              candidates: Iterable[tuple[str, str | None]]) -> auth.Identity | None:
    """The first of a device's (role, token) pairs that is valid for its role here."""
    return _holder(services, event_id, candidates)[0]


def socket_holder(services: Services, event_id: str,
                  candidates: Iterable[tuple[str | None, str | None]]
                  ) -> tuple[auth.Identity | None, str]:
    """Who opens a live socket (the first valid pair; role None: any) and the event's
    language; 404 when there is no such event."""
    identity, language = _holder(services, event_id, candidates)
    if language is None:
        raise Refusal("not_found", GONE)
    return identity, language


def known_holder(services: Services, event_id: str,
                 candidates: Iterable[tuple[str | None, str | None]]
                 ) -> tuple[auth.Identity, str] | None:
    """(holder, language) when a token was found valid recently; None otherwise. Reads
    no database, so a socket can use it on the event loop."""
    now = services.now()
    for role, token in candidates:
        hit = services.tokens.get(event_id, token, now)
        if hit is not None and role in (None, hit[0].role):
            return hit
    return None


def remember(services: Services, candidates: Iterable[tuple[str | None, str | None]],
             identity: auth.Identity, language: str, opened_ms: int) -> None:
    """A socket that closes keeps its token known for a while: a room whose Wi-Fi
    dropped reconnects without a lookup per screen (unless the event's tokens changed
    since the socket opened)."""
    for role, token in candidates:
        if token and role in (None, identity.role):
            services.tokens.put(token, identity, language, services.now(), opened_ms,
                                services.tokens.expiry(identity.event_id, token))
            return


def _holder(services: Services, event_id: str, candidates
            ) -> tuple[auth.Identity | None, str | None]:
    candidates = list(candidates)
    known = known_holder(services, event_id, candidates)
    if known is not None:
        return known
    checked = services.now()
    found = sessions.signed_in(services.engine, event_id, candidates,
                               checked - services.token_lifetime_ms)
    if found.identity is not None:
        expires = (None if found.finished_at_ms is None
                   else found.finished_at_ms + services.token_lifetime_ms)
        services.tokens.put(found.token, found.identity, found.language, services.now(),
                            checked, expires)
    return found.identity, found.language


def session_for_join_code(services: Services, join_code: str) -> str | None:
    return sessions.session_id_for_join_code(services.engine, join_code)


def session_for_replaced_code(services: Services, join_code: str) -> str | None:
    return sessions.session_id_for_replaced_code(services.engine, join_code)


@dataclass(frozen=True)
class Flooded:
    """A join whose turn is further off than the longest wait: the address floods."""

    since_ms: int
    """When its run of joins began."""
    wait_ms: int


async def join_turn(services: Services, event_id: str, address: str) -> Flooded | None:
    """Wait this address's turn to join this event (a flood of joins is slowed, not the
    venue); a turn too far off is not waited for, and given back."""
    pacer = services.join_pacer
    wait_ms = pacer.turn(event_id, address, services.now())
    if wait_ms > services.join_wait_ms:
        pacer.give_back(event_id, address)
        return Flooded(pacer.busy_since(event_id, address) or services.now(), wait_ms)
    if wait_ms:
        woken = services.join_wakeups.setdefault(event_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(woken.wait(), wait_ms / 1000)
    return None


def forget_join_turns(services: Services, event_id: str) -> None:
    """Joining was closed or the join code replaced (on any worker): the event's joins
    are paced afresh, and those waiting their turn go on now, to be refused at once
    rather than after their wait."""
    services.join_pacer.forget(event_id)
    woken = services.join_wakeups.pop(event_id, None)
    if woken is not None:
        woken.set()


def too_many_joins(flooded: Flooded) -> Refusal:
    return Refusal.retry_after(
        "too_many_joins",
        NN_("Too many joins from this network at once. Try again in %(num)s second.",
            "Too many joins from this network at once. Try again in %(num)s seconds."),
        flooded.wait_ms)


def check_join_code(services: Services, event_id: str, join_code: str,
                    address: str) -> None:
    """The join code is the credential: a wrong one counts towards the guessing limit of
    the address (and is refused with 429 once over it); a right one is never refused
    because of wrong ones from the same address (a venue shares one). A replaced code of
    the event is no guess: the phone is told to read the new one."""
    if sessions.session_id_for_join_code(services.engine, join_code) == event_id:
        return
    if sessions.session_id_for_replaced_code(services.engine, join_code) == event_id:
        raise code_replaced()
    guard_join_attempts(services, address)
    record_wrong_join_code(services, address)
    raise Refusal("wrong_join_code", N_("This join code does not match the event."))


def guard_join_attempts(services: Services, address: str) -> None:
    """429 while this address has guessed too many wrong join codes."""
    if wait_ms := services.join_limiter.blocked(address, services.now()):
        raise Refusal.retry_after(
            "too_many_attempts",
            NN_("Too many wrong join codes. Try again in %(num)s second.",
                "Too many wrong join codes. Try again in %(num)s seconds."), wait_ms)


def record_wrong_join_code(services: Services, address: str) -> None:
    services.join_limiter.record_failure(address, services.now())
