"""Who is asking: tokens, join codes and the guessing limit."""

from __future__ import annotations

from collections.abc import Iterable

from app import auth
from app.actions import Services
from app.i18n import N_
from app.refusal import Refusal
from app.store import sessions


def identify(services: Services, session_id: str, token: str | None) -> auth.Identity:
    """The holder of an API token; 401 without a valid one for this event."""
    identity = sessions.identify(services.engine, session_id, token)
    if identity is None:
        raise Refusal("invalid_token", N_("This token is not valid for this event."))
    return identity


def signed_in(services: Services, session_id: str,
              candidates: Iterable[tuple[str, str | None]]) -> auth.Identity | None:
    """The first of a device's (role, token) pairs that is valid for its role here (each
    token looked up once)."""
    found: dict[str | None, auth.Identity | None] = {}
    for role, token in candidates:
        if token not in found:
            found[token] = sessions.identify(services.engine, session_id, token)
        identity = found[token]
        if identity is not None and identity.role == role:
            return identity
    return None


def event_language(services: Services, session_id: str) -> str:
    """The event's language; 404 when there is no such event."""
    language = sessions.event_language(services.engine, session_id)
    if language is None:
        raise Refusal("not_found", N_("There is no such event."))
    return language


def session_for_join_code(services: Services, join_code: str) -> str | None:
    return sessions.session_id_for_join_code(services.engine, join_code)


def guard_join_attempts(services: Services, address: str) -> None:
    """429 while this address has guessed too many wrong join codes."""
    wait_ms = services.join_limiter.blocked(address, services.now())
    if wait_ms:
        seconds = wait_ms // 1000 + 1
        raise Refusal("too_many_attempts",
                      N_("Too many wrong join codes. Try again in %(seconds)s seconds."),
                      headers={"Retry-After": str(seconds)}, seconds=seconds)


def record_wrong_join_code(services: Services, address: str) -> None:
    services.join_limiter.record_failure(address, services.now())
