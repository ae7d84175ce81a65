"""Seating during the event: the plan, a move by hand, someone absent or back."""

from __future__ import annotations

from app import auth, events
from app.actions import Done, Services, announce, require
from app.schemas import MoveIn
from app.store import sessions
from app.view import SessionView


def _announce(services: Services, session_id: str, change) -> Done[SessionView]:
    seating_now, seq = change
    published = announce(services, session_id, seq,
                         events.SeatingChanged(seating_now.seats, seating_now.people))
    return Done(sessions.load_view(services.engine, session_id, with_board=False), published)


def move(services: Services, identity: auth.Identity, move: MoveIn) -> Done[SessionView]:
    """The facilitator seats someone at a table, in this phase's round or a later one."""
    require(identity, auth.FACILITATOR)
    return _announce(services, identity.session_id, sessions.move_by_hand(
        services.engine, identity.session_id, move.participant_id, move.table_id,
        move.phase_index))


def mark_absent(services: Services, identity: auth.Identity, participant_id: int,
                absent: bool) -> Done[SessionView]:
    """A host (for their own table) or the facilitator marks someone absent or back."""
    require(identity, auth.HOST)
    return _announce(services, identity.session_id, sessions.set_absent(
        services.engine, identity.session_id, participant_id, absent, identity))
