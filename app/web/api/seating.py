"""/api/v1/sessions/{id}/seating: who sits where, the planned moves, a move by hand and
absences."""

from __future__ import annotations

from fastapi import APIRouter

from app import auth
from app.actions import seating, sessions
from app.live import wire
from app.schemas import (
    AbsenceIn,
    MoveIn,
)
from app.web import answers
from app.web.answers import AnswerRoute
from app.web.deps import (
    IdentityDep,
    RowIdPath,
    ServicesDep,
)

router = APIRouter(route_class=AnswerRoute)


@router.get("/sessions/{event_id}/seating", response_model=answers.Seating)
def get_seating(event_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    return wire.seating_json(sessions.view(services, identity, auth.FACILITATOR,
                                           with_board=False))


@router.post("/sessions/{event_id}/seating/plan", response_model=answers.Planned)
def plan_seating(event_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    """Plan the moves now, before the first one (to print the route slips); `changed` is
    false when they were planned already."""
    planned = seating.plan_now(services, identity).value
    return {**wire.seating_json(planned.view), "changed": planned.changed}


@router.post("/sessions/{event_id}/seating/rebalance", response_model=answers.Rebalanced)
def rebalance_homes(event_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    """Re-balance the home tables for the best mix of affiliations, before the first
    round (`409 rounds_started` after); people seated at home by hand stay."""
    rebalanced = seating.rebalance(services, identity).value
    return {**wire.seating_json(rebalanced.view), "moved": rebalanced.moved}


@router.post("/sessions/{event_id}/seats", response_model=answers.Seating)
def move_person(event_id: str, identity: IdentityDep, move: MoveIn,
                services: ServicesDep) -> dict:
    """Seat a person at a table by hand, in the current phase's round or a later one."""
    view = seating.move(services, identity, move).value
    return wire.seating_json(view)


@router.post("/sessions/{event_id}/participants/{participant_id}/absence",
             response_model=answers.Seating)
def mark_absence(event_id: str, identity: IdentityDep, participant_id: RowIdPath,
                 absence: AbsenceIn, services: ServicesDep) -> dict:
    """A host (for their own table) or the facilitator marks someone absent or back."""
    view = seating.mark_absent(services, identity, participant_id,
                               absence.absent).value
    return wire.seating_json(view)
