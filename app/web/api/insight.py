"""Keywords and suggested groups."""

from __future__ import annotations

from fastapi import APIRouter

from app import cards
from app.actions import insight
from app.schemas import (
    AcceptIn,
)
from app.web import answers
from app.web.answers import AnswerRoute
from app.web.deps import (
    IdentityDep,
    ServicesDep,
)

router = APIRouter(route_class=AnswerRoute)


@router.get("/sessions/{event_id}/keywords", response_model=answers.Keywords)
def get_keywords(event_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    """The words used on most visible cards: overall, per table, theme and affiliation
    (the projector: only its chart)."""
    return insight.keyword_lists(services, identity)


@router.get("/sessions/{event_id}/suggestions", response_model=answers.Suggestions)
def get_suggestions(event_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    """Suggested groups for the cards in no group (facilitator); computed in this worker
    thread, never on the event loop."""
    found = insight.suggest(services, identity)
    return {"suggestions": [{"id": s.id, "name": s.name, "keywords": list(s.keywords),
                             "cards": list(s.cards)} for s in found.suggestions],
            "ungrouped": found.ungrouped, "seconds": found.seconds}


@router.post("/sessions/{event_id}/suggestions/{suggestion_id}/accept", status_code=201,
             response_model=answers.Accepted)
def accept_suggestion(event_id: str, identity: IdentityDep, suggestion_id: str,
                      services: ServicesDep, spec: AcceptIn | None = None) -> dict:
    """The suggested group made, with the cards still in no group; undo by deleting it."""
    spec = spec or AcceptIn()
    accepted = insight.accept(services, identity, suggestion_id,
                              spec.name, spec.cards).value
    return {**cards.group_json(accepted.group), "cards": [c.id for c in accepted.moved],
            "skipped": accepted.skipped}
