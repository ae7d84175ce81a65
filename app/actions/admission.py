"""Who gets in, answered live by the facilitator when a room turns hostile: close or open
joining, replace the join code, remove a participant, replace a lost device's link."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app import auth
from app.actions import Done, Services, announce, require
from app.i18n import N_, NN_
from app.live import changes
from app.refusal import Refusal
from app.store import access as store
from app.store import sessions as store_sessions

log = logging.getLogger(__name__)


def set_joining(services: Services, identity: auth.Identity, open_: bool
                ) -> Done[store.Joining]:
    require(identity, auth.FACILITATOR)
    joining = store.change_joining(services.engine, identity.event_id, services.now(),
                                   open_=open_)
    return Done(joining, _announce_joining(services, identity.event_id, joining))


def new_join_code(services: Services, identity: auth.Identity) -> Done[store.Joining]:
    """The projector and its QR code show the new code at once; the old one is refused;
    people who joined keep their own pages (they are not keyed by the code)."""
    require(identity, auth.FACILITATOR)
    joining = store.change_joining(services.engine, identity.event_id, services.now(),
                                   new_code=True)
    return Done(joining, _announce_joining(services, identity.event_id, joining))


def answer_flood(services: Services, event_id: str, flooded_code: str,
                 since_ms: int) -> Done[store.Joining | None]:
    """The server's own answer to a flood of joins with the right code from one address
    (it cannot tell the script's joins from the phones behind the same NAT): a new join
    code, shown on the projector at once, so the script's old one is refused while the
    people in the room read the new one; the console lists who joined since `since_ms`
    for the facilitator to review. Nothing when the code was replaced meanwhile."""
    joining = store.renew_after_flood(services.engine, event_id, flooded_code, since_ms,
                                      services.now())
    if joining is None:
        return Done(None)
    log.warning("join flood on event %s: a new join code was drawn", event_id)
    return Done(joining, _announce_joining(services, event_id, joining))


CARD_FLOOD_NOTED_EVERY_MS = 10_000
"""A card flood's window is written (and the console's notice redrawn) at most this often
while it goes on, not for every refused card."""


def note_card_flood(services: Services, event_id: str, since_ms: int) -> None:
    """The server's notice of a flood of cards over an address's budget (app/actions/
    board.py): the same notice as for a flood of joins, listing who wrote cards since
    `since_ms` for the facilitator to review. Nothing else is done: the address's cards
    are refused until its budget allows again, as a venue's honest phones retry theirs."""
    now = services.now()
    noted = services.card_floods_noted.get(event_id)
    if noted is not None and now - noted < CARD_FLOOD_NOTED_EVERY_MS:
        return
    services.card_floods_noted[event_id] = now
    joining = store.card_flood_seen(services.engine, event_id, since_ms, now)
    log.warning("card flood on event %s: an address is over its card budget", event_id)
    _announce_joining(services, event_id, joining)


def review_flood(services: Services, identity: auth.Identity,
                 remove: Sequence[int] = ()) -> Done[store.Joining]:
    """The facilitator's review of the floods (of joins, of cards): the ticked people
    removed (their cards hidden), and the notice gone."""
    require(identity, auth.FACILITATOR)
    removed = remove_participants(services, identity, remove, hide_cards=True).changes \
        if remove else ()
    joining = store.flood_reviewed(services.engine, identity.event_id)
    return Done(joining, removed + _announce_joining(services, identity.event_id, joining))


def _announce_joining(services: Services, event_id: str, joining: store.Joining):
    return announce(services, event_id, joining.seq,
                    changes.JoiningChanged(joining.join_code, joining.open,
                                           joining.flood_since_ms, joining.flood_until_ms,
                                           joining.card_flood_since_ms,
                                           joining.card_flood_until_ms))


@dataclass(frozen=True)
class Removed:
    participant_ids: tuple[int, ...]
    hidden_cards: int


def remove_participants(services: Services, identity: auth.Identity,
                        participant_ids: Iterable[int], hide_cards: bool) -> Done[Removed]:
    """All or none; their tokens stop working at once (on every worker) and their
    sockets close."""
    require(identity, auth.FACILITATOR)
    removal = store.remove_participants(services.engine, identity.event_id,
                                        participant_ids, hide_cards)
    services.tokens.forget(identity.event_id)
    published = announce(
        services, identity.event_id, removal.seq,
        *(changes.CardHidden(card) for card in removal.hidden),
        *(changes.dots_changed(vote) for vote in removal.votes),
        changes.SeatingChanged(removal.seating.seats, removal.seating.people),
        *(changes.SignedOut(auth.PARTICIPANT, person) for person in removal.removed))
    return Done(Removed(removal.removed, len(removal.hidden)), published)


def new_link(services: Services, identity: auth.Identity, role: str,
             table_id: int | None = None, revoke: bool = False) -> Done[str | None]:
    """A new token for the projector, a table's host or the co-facilitator (whose link can
    also be revoked); the device holding the old one is signed out. The new token, for its
    link (None once revoked)."""
    require(identity, auth.FACILITATOR)
    if role not in (auth.PROJECTOR, auth.HOST, auth.CO_FACILITATOR):
        raise Refusal("invalid", N_("Only the projector's, the hosts' and the "
                                    "co-facilitator's links can be replaced."))
    if role == auth.CO_FACILITATOR and identity.co_facilitator:
        raise Refusal("forbidden", N_("Only the facilitator who made the co-facilitator "
                                      "link can replace or revoke it."))
    if revoke and role != auth.CO_FACILITATOR:
        raise Refusal("invalid", N_("Only the co-facilitator's link can be revoked."))
    token, seq = store.new_token(services.engine, identity.event_id, role, table_id,
                                 revoke)
    services.tokens.forget(identity.event_id)
    published = announce(services, identity.event_id, seq, changes.EventEdited(),
                         changes.SignedOut(role, table_id if role == auth.HOST else None))
    return Done(token, published)


LOOPBACK = ("127.0.0.1", "::1")


def is_local(services: Services, address: str) -> bool:
    """A request from the computer the server runs on (unless a proxy there forwards all)."""
    return services.list_events_locally and address in LOOPBACK


def events_on_server(services: Services, passcode: str | None, address: str,
                     limit: int = 50) -> list[store_sessions.EventSummary]:
    """The events created on this server, with their console links: for the computer the
    server runs on, or for whoever gives the organiser passcode when one is set (a lost
    console link is found again here)."""
    if not is_local(services, address) or passcode:
        if not services.organiser_passcode:
            raise Refusal("forbidden", N_("The events on this server are listed only on the "
                                          "computer it runs on."))
        check_organiser(services, passcode, address)
    return store_sessions.recent_events(services.engine, limit)


def check_organiser(services: Services, passcode: str | None, address: str) -> None:
    """Creating an event may need the organiser passcode (a setting). Wrong guesses from
    one address are slowed like wrong join codes, and like a join code the right passcode
    is never refused because of them (the venue shares one address)."""
    expected = services.organiser_passcode
    if not expected:
        return
    if not passcode:
        raise Refusal("passcode_required",
                      N_("Creating an event needs the organiser passcode."))
    if hmac.compare_digest(passcode.encode(), expected.encode()):
        return
    if wait_ms := services.passcode_limiter.blocked(address, services.now()):
        raise Refusal.retry_after(
            "too_many_attempts",
            NN_("Too many wrong passcodes. Try again in %(num)s second.",
                "Too many wrong passcodes. Try again in %(num)s seconds."), wait_ms)
    services.passcode_limiter.record_failure(address, services.now())
    raise Refusal("wrong_passcode", N_("This is not the organiser passcode."))
