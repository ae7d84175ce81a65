"""/api/v1/sessions/{id}/actions: the action plan (役割分担・時限性) — drafting actions,
changing them and their status, listing them, and participants' raised hands; and
/api/v1/series/{series_id}/actions, every action of a series with its history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app import auth, stakeholders
from app.actions import action_plan
from app.live import wire
from app.live.view import EventView
from app.schemas import ActionIn, ActionPatch
from app.web import answers
from app.web.answers import AnswerRoute
from app.web.deps import BearerTokenDep, IdentityDep, RowIdPath, ServicesDep

router = APIRouter(route_class=AnswerRoute)


def _action(view: EventView, action_id: int) -> dict:
    """The action as the event shows it: its own, or an earlier session's it reviews."""
    return wire.action_json(view, view.actions.get(action_id)
                            or view.earlier_actions[action_id])


@router.post("/sessions/{event_id}/actions", status_code=201, response_model=answers.Action)
def draft(event_id: str, identity: IdentityDep, spec: ActionIn, services: ServicesDep) -> dict:
    """A new action, `proposed` (a table's host for their table, or the facilitator)."""
    record = action_plan.draft(services, identity, spec).value
    return _action(action_plan.plan(services, identity), record.id)


@router.get("/sessions/{event_id}/actions", response_model=answers.Actions)
def listing(event_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    """Every action of the event, in the order drafted; a participant's own hands as
    `mine`."""
    view = action_plan.plan(services, identity)
    raised = view.raised_by(identity.participant_id)
    listed = [wire.action_json(view, action) for action in view.action_list()]
    if identity.role == auth.PARTICIPANT:
        listed = [{**body, "mine": body["id"] in raised} for body in listed]
    return {"actions": listed}


@router.patch("/sessions/{event_id}/actions/{action_id}", response_model=answers.Action)
def change(event_id: str, action_id: RowIdPath, identity: IdentityDep, patch: ActionPatch,
           services: ServicesDep) -> dict:
    """What, roles, due date, status (with a `note` of what happened); 409 status_move for
    a status it may not move to, 403 for a participant."""
    action_plan.edit(services, identity, action_id, patch)
    return _action(action_plan.plan(services, identity), action_id)


def _hand(identity: auth.Identity, action_id: int, services, raised: bool) -> dict:
    view = action_plan.raise_hand(services, identity, action_id, raised).value
    counts = dict(stakeholders.volunteers(view, action_id))
    return {"action_id": action_id, "raised": raised, "volunteers": counts,
            "volunteer_count": sum(counts.values())}


@router.post("/sessions/{event_id}/actions/{action_id}/volunteers", response_model=answers.Hand)
def raise_hand(event_id: str, action_id: RowIdPath, identity: IdentityDep,
               services: ServicesDep) -> dict:
    """The participant's hand raised; raising it again changes nothing (idempotent)."""
    return _hand(identity, action_id, services, raised=True)


@router.delete("/sessions/{event_id}/actions/{action_id}/volunteers",
               response_model=answers.Hand)
def lower_hand(event_id: str, action_id: RowIdPath, identity: IdentityDep,
               services: ServicesDep) -> dict:
    """The participant's hand lowered (lowered already: nothing changes)."""
    return _hand(identity, action_id, services, raised=False)


@router.get("/series/{series_id}/actions", response_model=answers.SeriesActions)
def series_listing(series_id: Annotated[str, Path(max_length=16)], token: BearerTokenDep,
                   services: ServicesDep) -> dict:
    """Every action of every event of the series, first event first, each with its
    history (the steps made in later events too); a token of any of its events."""
    views = action_plan.series_plan(services, series_id, token)
    return {"series_id": series_id,
            "actions": [wire.action_json(view, action)
                        for view in views for action in view.action_list()]}
