"""/api/v1/sessions/{id}/board: the board's layout, the projector's screen and the voting."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.actions import board, sessions
from app.live import wire
from app.schemas import (
    BoardPatch,
)
from app.web import answers
from app.web.answers import AnswerRoute
from app.web.deps import (
    IdentityDep,
    ServicesDep,
)

router = APIRouter(route_class=AnswerRoute)


@router.patch("/sessions/{event_id}/board", response_model=answers.BoardAndVoting)
def patch_board(event_id: str, identity: IdentityDep, patch: BoardPatch, request: Request,
                services: ServicesDep) -> dict:
    """The board's layout (`view`), the projector's screen (`screen`) and its board pages
    (`pages`: play, pause, next, previous), and the dot voting (`budget`, `open`,
    `revealed`, `vote_on`); revealing closes voting unless `open`: true comes in the same
    request."""
    board.change_board(services, identity, patch.model_dump(exclude_unset=True))
    view = sessions.view(services, identity)
    return {**wire.board_json(view), **wire.voting_json(view, facilitator=True)}
