"""The JSON API, /api/v1 (docs/api.md), a module per resource: events, participants,
seating, cards, groups, votes, insight (keywords and suggestions), board, documents,
the survey, the series of events, the action plan and the tables' photos.

Each route adapts HTTP to one action (app/actions/): it reads the token and the body, calls
the action and shapes the answer. The routes are plain functions, which FastAPI runs in a
worker thread, so their database calls never hold up the event loop; a refusal becomes
the error shape in app/main.py."""

from fastapi import APIRouter

from app.web import answers
from app.web.api import (
    action_plan,
    board,
    cards,
    documents,
    events,
    groups,
    insight,
    participants,
    photos,
    seating,
    series,
    survey,
    votes,
)

router = APIRouter(prefix="/api/v1", responses=answers.REFUSALS)
for resource in (events, series, participants, seating, cards, groups, votes, insight, board,
                 documents, survey, action_plan, photos):
    router.include_router(resource.router)
