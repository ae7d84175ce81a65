"""Dot voting: dots on cards and on groups, and the votes."""

from __future__ import annotations

from fastapi import APIRouter

from app import auth
from app.actions import board, sessions
from app.live import wire
from app.web import answers
from app.web.answers import AnswerRoute
from app.web.deps import (
    IdentityDep,
    RowIdPath,
    ServicesDep,
)

router = APIRouter(route_class=AnswerRoute)


@router.post("/sessions/{event_id}/cards/{card_id}/votes", status_code=201,
             response_model=answers.MyDots)
def add_vote(event_id: str, identity: IdentityDep, card_id: str, services: ServicesDep) -> dict:
    return board.vote(services, identity, card_id, +1).value


@router.delete("/sessions/{event_id}/cards/{card_id}/votes", response_model=answers.MyDots)
def remove_vote(event_id: str, identity: IdentityDep, card_id: str,
                services: ServicesDep) -> dict:
    return board.vote(services, identity, card_id, -1).value


@router.post("/sessions/{event_id}/groups/{group_id}/votes", status_code=201,
             response_model=answers.MyDots)
def add_group_vote(event_id: str, identity: IdentityDep, group_id: RowIdPath,
                   services: ServicesDep) -> dict:
    """A dot on a KJ group, when the event votes on groups (`vote_on`)."""
    return board.vote_group(services, identity, group_id, +1).value


@router.delete("/sessions/{event_id}/groups/{group_id}/votes", response_model=answers.MyDots)
def remove_group_vote(event_id: str, identity: IdentityDep, group_id: RowIdPath,
                      services: ServicesDep) -> dict:
    return board.vote_group(services, identity, group_id, -1).value


@router.get("/sessions/{event_id}/votes", response_model=answers.Votes)
def get_votes(event_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    """Voting settings; counts once revealed (always for the facilitator); a participant's
    own dots as `mine`; the projector's pinned screen."""
    view = sessions.view(services, identity)
    body = {**wire.voting_json(view, identity.role == auth.FACILITATOR),
            "screen": view.event.projector_screen}
    mine = board.my_votes(services, identity)
    if mine is not None:
        body["mine"] = mine
    return body
