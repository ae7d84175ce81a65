"""/api/v1/sessions/{id}/cards: adding, listing (paged), editing, merging and unmerging
cards, and near-identical cards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from app import auth, cards
from app.actions import board
from app.schemas import (
    CardIn,
    CardPatch,
    MergeIn,
)
from app.web import answers
from app.web.answers import AnswerRoute
from app.web.deps import (
    IdentityDep,
    ServicesDep,
    bearer_token,
    card_response,
    client_address,
)
from app.web.reads import PacedJSON

router = APIRouter(route_class=AnswerRoute)


@router.post("/sessions/{event_id}/cards", status_code=201, response_model=answers.Card)
def add_card(event_id: str, identity: IdentityDep, spec: CardIn, request: Request,
             services: ServicesDep) -> JSONResponse:
    """A card from a host, a participant or the facilitator (who names the table)."""
    return card_response(board.add_card(services, identity, bearer_token(request), spec,
                                        client_address(request)).value)


CARDS_PAGE = 500
"""Cards in one answer of GET …/cards unless `limit` says otherwise: an answer stays a few
hundred KiB however big the board (200 phones asking at once, never reading, hold that
each), and an event of up to this many cards gets them all at once, as before pages."""


MAX_CARDS_PAGE = 1000


@router.get("/sessions/{event_id}/cards", response_model=answers.CardPage)
async def list_cards(event_id: str, identity: IdentityDep, request: Request,
                     services: ServicesDep,
                     limit: Annotated[int, Query(ge=1, le=MAX_CARDS_PAGE)] = CARDS_PAGE,
                     after: Annotated[str | None, Query(max_length=64)] = None) -> PacedJSON:
    """The cards oldest first, a page at a time: `next` is the `after` of the next page
    (None on the last); hidden cards and authors for the facilitator only. A big answer
    (app/web/reads.py): a few per address under way at once, built in a worker thread,
    sent as the client reads it."""

    def page() -> dict:
        facilitator = identity.role == auth.FACILITATOR
        listed = board.list_cards(services, identity, after, limit + 1)
        shown = listed.cards[:limit]
        return {"cards": [cards.card_json(card, reveal_author=facilitator,
                                          weight=listed.weights.get(card.id, 1))
                          for card in shown],
                "next": shown[-1].id if len(listed.cards) > limit else None}

    return await request.app.state.big_reads.answer(client_address(request), page)


@router.patch("/sessions/{event_id}/cards/{card_id}", response_model=answers.Card)
def patch_card(event_id: str, identity: IdentityDep, card_id: str, patch: CardPatch,
               services: ServicesDep) -> dict:
    """The facilitator hides or shows a card, edits its text or moves it to a group; a
    table host or a participant edits or withdraws (`hidden: true`) their own card while
    its round is open."""
    changed = board.change_card(services, identity, card_id,
                                patch.model_dump(exclude_unset=True)).value
    return cards.card_json(changed.card, reveal_author=identity.role == auth.FACILITATOR,
                           weight=changed.weight)


@router.post("/sessions/{event_id}/cards/{card_id}/merge", response_model=answers.Merged)
def merge(event_id: str, identity: IdentityDep, card_id: str, spec: MergeIn,
          services: ServicesDep) -> dict:
    """Merge the listed cards into this one: it keeps the combined text, their dots and
    their weight."""
    merged = board.merge(services, identity, card_id,
                         spec.cards).value
    return {"card": cards.card_json(merged.kept, reveal_author=True,
                                    weight=merged.weights[merged.kept.id]),
            "merged": [other.id for other in merged.others]}


@router.post("/sessions/{event_id}/cards/{card_id}/unmerge", response_model=answers.Unmerged)
def unmerge(event_id: str, identity: IdentityDep, card_id: str, services: ServicesDep) -> dict:
    """Undo the merges into this card: the merged cards are shown again with their dots."""
    restored = board.unmerge(services, identity, card_id).value
    return {"card": cards.card_json(restored.kept, reveal_author=True,
                                    weight=restored.weights[restored.kept.id]),
            "restored": [cards.card_json(card, reveal_author=True,
                                         weight=restored.weights[card.id])
                         for card in restored.others]}


@router.get("/sessions/{event_id}/duplicates", response_model=answers.Duplicates)
def duplicates(event_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    """Groups of near-identical visible cards, to merge (facilitator)."""
    found = board.duplicates(services, identity)
    return {"duplicates": [{"cards": list(group.cards), "text": group.text}
                           for group in found.duplicates]}
