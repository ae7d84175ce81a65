"""Seating during the event: the plan, a move by hand, someone absent or back, someone
pre-registered arriving."""

from __future__ import annotations

from dataclasses import dataclass

from app import auth
from app.actions import Done, Services, announce, require
from app.live import changes
from app.live.view import EventView
from app.schemas import MoveIn
from app.store import registration, sessions


def _announce(services: Services, event_id: str, change) -> Done[EventView]:
    seating_now, seq = change
    published = announce(services, event_id, seq,
                         changes.SeatingChanged(seating_now.seats, seating_now.people))
    return Done(sessions.load_view(services.engine, event_id, with_board=False), published)


@dataclass(frozen=True)
class Planned:
    view: EventView
    changed: bool
    """False: the moves were planned already, nothing changed."""


def plan_now(services: Services, identity: auth.Identity) -> Done[Planned]:
    """The facilitator plans the moves before the first one, to print the route slips;
    people who join later are placed without moving anyone."""
    require(identity, auth.FACILITATOR)
    change = sessions.plan_now(services.engine, identity.event_id)
    if change is None:
        view = sessions.load_view(services.engine, identity.event_id, with_board=False)
        return Done(Planned(view, changed=False))
    done = _announce(services, identity.event_id, change)
    return Done(Planned(done.value, changed=True), done.changes)


@dataclass(frozen=True)
class Rebalanced:
    view: EventView
    moved: int


def rebalance(services: Services, identity: auth.Identity) -> Done[Rebalanced]:
    """The facilitator re-balances the home tables before the first round: people present
    get the home table of their theme that mixes affiliations best; those seated by hand
    stay."""
    require(identity, auth.FACILITATOR)
    rebalanced = sessions.rebalance_homes(services.engine, identity.event_id)
    done = _announce(services, identity.event_id, (rebalanced.seating, rebalanced.seq))
    return Done(Rebalanced(done.value, rebalanced.moved), done.changes)


def move(services: Services, identity: auth.Identity, move: MoveIn) -> Done[EventView]:
    """The facilitator seats someone at a table, in this phase's round or a later one."""
    require(identity, auth.FACILITATOR)
    return _announce(services, identity.event_id, sessions.move_by_hand(
        services.engine, identity.event_id, move.participant_id, move.table_id,
        move.phase_index))


def mark_absent(services: Services, identity: auth.Identity, participant_id: int,
                absent: bool) -> Done[EventView]:
    """A host (for their own table) or the facilitator marks someone absent or back."""
    require(identity, auth.HOST)
    return _announce(services, identity.event_id, sessions.set_absent(
        services.engine, identity.event_id, participant_id, absent, identity))


def arrive(services: Services, identity: auth.Identity, participant_id: int
           ) -> Done[EventView]:
    """The reception ticks in someone pre-registered: from now on they are seated."""
    require(identity, auth.FACILITATOR)
    return _announce(services, identity.event_id,
                     registration.arrive(services.engine, identity.event_id, participant_id))
