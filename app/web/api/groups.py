"""/api/v1/sessions/{id}/groups: the KJ groups of the board."""

from __future__ import annotations

from fastapi import APIRouter

from app import cards
from app.actions import board, sessions
from app.live import wire
from app.schemas import (
    GroupIn,
)
from app.web import answers
from app.web.answers import AnswerRoute
from app.web.deps import (
    IdentityDep,
    RowIdPath,
    ServicesDep,
)

router = APIRouter(route_class=AnswerRoute)


@router.get("/sessions/{event_id}/groups", response_model=answers.Board)
def list_groups(event_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    return wire.board_json(sessions.view(services, identity))


@router.post("/sessions/{event_id}/groups", status_code=201, response_model=answers.Group)
def add_group(event_id: str, identity: IdentityDep, spec: GroupIn, services: ServicesDep) -> dict:
    group = board.create_group(services, identity, spec.name).value
    return cards.group_json(group)


@router.patch("/sessions/{event_id}/groups/{group_id}", response_model=answers.Group)
def patch_group(event_id: str, identity: IdentityDep, group_id: RowIdPath, spec: GroupIn,
                services: ServicesDep) -> dict:
    group = board.rename_group(services, identity, group_id,
                               spec.name).value
    return cards.group_json(group)


@router.delete("/sessions/{event_id}/groups/{group_id}", response_model=answers.Deleted)
def remove_group(event_id: str, identity: IdentityDep, group_id: RowIdPath,
                 services: ServicesDep) -> dict:
    board.delete_group(services, identity, group_id)
    return {"deleted": group_id}
