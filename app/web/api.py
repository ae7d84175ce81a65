"""The JSON API, /api/v1 (DESIGN.md §5; documented in docs/api.md).

Each route adapts HTTP to one action (app/actions/): it reads the token and the body, calls
the action and shapes the answer. The routes are plain functions, which FastAPI runs in a
worker thread, so their database calls never hold up the event loop; a refusal becomes
the error shape in app/main.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from app import auth, cards, links, shapes
from app.actions import admission, board, exports, insight, seating, sessions
from app.exports import MEDIA_TYPES
from app.i18n import N_, translate
from app.refusal import Refusal
from app.schemas import (
    AbsenceIn,
    AcceptIn,
    ArrivalIn,
    BoardPatch,
    CardIn,
    CardPatch,
    ControlIn,
    GroupIn,
    JoinIn,
    MergeIn,
    MoveIn,
    RemovalIn,
    RowIdPath,
    SessionIn,
    SessionPatch,
    TablePatch,
)
from app.web import answers, urls
from app.web.deps import (
    IdentityDep,
    ServicesDep,
    api_language,
    bearer_token,
    card_response,
    client_address,
    document_download,
    document_job,
    download,
    job_json,
    sent_bearer,
)
from app.web.reads import PacedJSON


class AnswerRoute(APIRoute):
    """Every answer is checked against its model (app/web/answers.py) and says only the keys
    its route gave: an optional key the route left out stays out, never `null`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "response_model_exclude_unset": True})


router = APIRouter(prefix="/api/v1", route_class=AnswerRoute, responses=answers.REFUSALS)



@router.post("/sessions", status_code=201, response_model=answers.Created)
def create_session(spec: SessionIn, request: Request, services: ServicesDep) -> dict:
    """The organiser passcode, when the server has one, is the bearer token."""
    view = sessions.create(services, spec, sent_bearer(request), client_address(request)).value
    return links.created_body(urls.base_url(request), view)


@router.get("/sessions/{session_id}", response_model=answers.EventWithLinks)
def get_session(session_id: str, identity: IdentityDep, request: Request,
                services: ServicesDep) -> dict:
    view = sessions.view(services, identity, auth.FACILITATOR,
                         with_board=False)
    return {
        **shapes.session_json(view, auth.FACILITATOR),
        **links.created_body(urls.base_url(request), view),
        "state": shapes.state_json(view, services.now()),
    }


@router.patch("/sessions/{session_id}", response_model=answers.Event)
def update_session(session_id: str, identity: IdentityDep, patch: SessionPatch,
                   services: ServicesDep) -> dict:
    view = sessions.edit(services, identity, patch).value
    return shapes.session_json(view, auth.FACILITATOR)


@router.post("/sessions/{session_id}/participants", status_code=201, response_model=answers.Joined)
async def join(session_id: str, spec: JoinIn, request: Request, services: ServicesDep) -> dict:
    joined = (await sessions.join_in_turn(services, session_id, spec,
                                          client_address(request))).value
    return {"id": joined.person_id, "token": joined.token, "home_table": joined.home_table,
            "url": links.participant_url(urls.base_url(request), joined.view, joined.token)}


@router.post("/sessions/{session_id}/reception", status_code=201, response_model=answers.Joined)
def register(session_id: str, identity: IdentityDep, spec: ArrivalIn, request: Request,
             services: ServicesDep) -> dict:
    """The facilitator adds someone without a phone (joining by phone may be closed)."""
    added = sessions.register(services, identity, spec).value
    return {"id": added.person_id, "token": added.token, "home_table": added.home_table,
            "url": links.participant_url(urls.base_url(request), added.view, added.token)}


@router.post("/sessions/{session_id}/join_code", response_model=answers.JoinCode)
def new_join_code(session_id: str, identity: IdentityDep, request: Request,
                  services: ServicesDep) -> dict:
    """A new join code; the old one is refused from now on, joined phones keep working."""
    joining = admission.new_join_code(services, identity).value
    view = sessions.view(services, identity, auth.FACILITATOR, with_board=False)
    return {"join_code": joining.join_code, "joining_open": joining.open,
            "url": links.join_url(urls.base_url(request), view)}


@router.delete("/sessions/{session_id}/participants/{participant_id}",
             response_model=answers.Removed)
def remove_participant(session_id: str, identity: IdentityDep, participant_id: RowIdPath,
                       services: ServicesDep, hide_cards: bool = False) -> dict:
    """Their token stops working and their sockets close; `?hide_cards=true` hides their
    cards in the same change."""
    removed = admission.remove_participants(services, identity,
                                            [participant_id], hide_cards).value
    return {"removed": participant_id, "hidden_cards": removed.hidden_cards}


@router.post("/sessions/{session_id}/participants/removal", response_model=answers.RemovedMany)
def remove_participants(session_id: str, identity: IdentityDep, spec: RemovalIn,
                        services: ServicesDep) -> dict:
    """Several at once, all or none (those who joined in a flood): as one removal each."""
    removed = admission.remove_participants(services, identity,
                                            spec.participant_ids, spec.hide_cards).value
    return {"removed": list(removed.participant_ids), "hidden_cards": removed.hidden_cards}


@router.delete("/sessions/{session_id}/join_flood", response_model=answers.FloodReviewed)
def review_join_flood(session_id: str, identity: IdentityDep, request: Request,
                      services: ServicesDep) -> dict:
    """The facilitator has reviewed the flood the server answered: the notice goes (remove
    people first with .../participants/removal)."""
    admission.review_flood(services, identity)
    return {"join_flood": None}


def _new_link(request: Request, services, identity: auth.Identity, role: str,
              table_id: int | None = None) -> dict:
    token = admission.new_link(services, identity, role, table_id).value
    view = sessions.view(services, identity, auth.FACILITATOR, with_board=False)
    base = urls.base_url(request)
    url = {auth.PROJECTOR: lambda: links.projector_url(base, view),
           auth.CO_FACILITATOR: lambda: links.co_facilitator_url(base, view),
           auth.HOST: lambda: links.host_url(base, view, view.table(table_id))}[role]()
    return {"token": token, "url": url}


@router.post("/sessions/{session_id}/projector_token", response_model=answers.Link)
def new_projector_token(session_id: str, identity: IdentityDep, request: Request,
                        services: ServicesDep) -> dict:
    """A new projector link; the screen that holds the old one is signed out."""
    return _new_link(request, services, identity, auth.PROJECTOR)


@router.post("/sessions/{session_id}/cofacilitator_token", response_model=answers.Link)
def new_co_facilitator_token(session_id: str, identity: IdentityDep, request: Request,
                             services: ServicesDep) -> dict:
    """A link to a second console (a co-facilitator's laptop); a new one signs out the old."""
    return _new_link(request, services, identity, auth.CO_FACILITATOR)


@router.delete("/sessions/{session_id}/cofacilitator_token", response_model=answers.Revoked)
def revoke_co_facilitator_token(session_id: str, identity: IdentityDep,
                                services: ServicesDep) -> dict:
    """The co-facilitator's link stops working and their consoles close."""
    admission.new_link(services, identity, auth.CO_FACILITATOR, revoke=True)
    return {"revoked": True}


@router.post("/sessions/{session_id}/tables/{table_id}/host_token", response_model=answers.Link)
def new_host_token(session_id: str, identity: IdentityDep, table_id: RowIdPath,
                   request: Request, services: ServicesDep) -> dict:
    """A new link for a table's host; the tablet that holds the old one is signed out."""
    return _new_link(request, services, identity, auth.HOST, table_id)


@router.patch("/sessions/{session_id}/tables/{table_id}", response_model=answers.Table)
def patch_table(session_id: str, identity: IdentityDep, table_id: RowIdPath, spec: TablePatch,
                services: ServicesDep) -> dict:
    """A table's host (or the facilitator) gives the host's own affiliation."""
    table = sessions.choose_host_affiliation(services, identity,
                                             table_id, spec).value
    return shapes.table_json(table)


@router.post("/sessions/{session_id}/control", response_model=answers.Controlled)
def control(session_id: str, identity: IdentityDep, command: ControlIn, request: Request,
            services: ServicesDep) -> dict:
    done = sessions.control(services, identity, command).value
    body = {**shapes.state_json(done.view, services.now()), "changed": done.changed}
    if done.note:
        body["note"] = translate(api_language(request), done.note)
    return body


@router.get("/sessions/{session_id}/state", response_model=answers.State)
def state(session_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    view = sessions.view(services, identity, with_board=False)
    return shapes.state_json(view, services.now())


@router.get("/sessions/{session_id}/seating", response_model=answers.Seating)
def get_seating(session_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    return shapes.seating_json(sessions.view(services, identity, auth.FACILITATOR,
                                             with_board=False))


@router.post("/sessions/{session_id}/seating/plan", response_model=answers.Planned)
def plan_seating(session_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    """Plan the moves now, before the first one (to print the route slips); `changed` is
    false when they were planned already."""
    planned = seating.plan_now(services, identity).value
    return {**shapes.seating_json(planned.view), "changed": planned.changed}


@router.post("/sessions/{session_id}/seats", response_model=answers.Seating)
def move_person(session_id: str, identity: IdentityDep, move: MoveIn,
                services: ServicesDep) -> dict:
    """Seat a person at a table by hand, in the current phase's round or a later one."""
    view = seating.move(services, identity, move).value
    return shapes.seating_json(view)


@router.post("/sessions/{session_id}/participants/{participant_id}/absence",
             response_model=answers.Seating)
def mark_absence(session_id: str, identity: IdentityDep, participant_id: RowIdPath,
                 absence: AbsenceIn, services: ServicesDep) -> dict:
    """A host (for their own table) or the facilitator marks someone absent or back."""
    view = seating.mark_absent(services, identity, participant_id,
                               absence.absent).value
    return shapes.seating_json(view)


@router.post("/sessions/{session_id}/cards", status_code=201, response_model=answers.Card)
def add_card(session_id: str, identity: IdentityDep, spec: CardIn, request: Request,
             services: ServicesDep) -> JSONResponse:
    """A card from a host, a participant or the facilitator (who names the table)."""
    return card_response(board.add_card(services, identity, bearer_token(request), spec).value)


CARDS_PAGE = 500
"""Cards in one answer of GET …/cards unless `limit` says otherwise: an answer stays a few
hundred KiB however big the board (200 phones asking at once, never reading, hold that
each), and an event of up to this many cards gets them all at once, as before pages."""
MAX_CARDS_PAGE = 1000


@router.get("/sessions/{session_id}/cards", response_model=answers.CardPage)
async def list_cards(session_id: str, identity: IdentityDep, request: Request,
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


@router.get("/sessions/{session_id}/export.{fmt}", response_class=Response,
            responses={200: {"description": "The file", "content": answers.files(MEDIA_TYPES)}})
async def export(session_id: str, identity: IdentityDep, fmt: str, request: Request,
                 services: ServicesDep) -> Response:
    """The harvest as CSV, Markdown, JSON, an A3 landscape PDF or a PNG, the report, the
    printed materials (facilitator). A document is made by its worker process, or kept
    from before when the board has not changed; the request awaits it."""
    if fmt in exports.DOCUMENT_FORMATS:
        return await document_download(services, identity, fmt, urls.base_url(request))
    return download(await run_in_threadpool(exports.export, services, identity, fmt,
                                            urls.base_url(request)))


@router.post("/sessions/{session_id}/documents/{name}", status_code=202,
             response_model=answers.DocumentJob,
             responses={200: {"model": answers.DocumentJob, "description": "Made already"}})
async def start_document(session_id: str, identity: IdentityDep, name: str, request: Request,
                         response: Response, services: ServicesDep) -> dict:
    """Start making a document (202 with its job), or its job when one is under way
    (202) or it is made (200 with its url)."""
    return await _document_answer(identity, name, request, response, services, start=True)


@router.get("/sessions/{session_id}/documents/{name}", status_code=202,
            response_model=answers.DocumentJob,
            responses={200: {"model": answers.DocumentJob, "description": "Ready or failed"}})
async def document_state(session_id: str, identity: IdentityDep, name: str, request: Request,
                         response: Response, services: ServicesDep) -> dict:
    """The state of a document's job; 404 no_document when it was never asked for."""
    return await _document_answer(identity, name, request, response, services, start=False)


async def _document_answer(identity: auth.Identity, name: str, request: Request, response: Response,
                           services: ServicesDep, *, start: bool) -> dict:
    found = await document_job(services, identity, name, urls.base_url(request), start=start)
    if found.job is None:
        raise Refusal("no_document", N_("This document was not asked for yet."))
    response.status_code = 200 if found.job.done else 202
    return job_json(found, f"/api/v1/sessions/{identity.session_id}/export.{name}",
                    api_language(request))


# --- the harvest board: groups, moderation, merging, dot voting ----------------------------

@router.get("/sessions/{session_id}/groups", response_model=answers.Board)
def list_groups(session_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    return shapes.board_json(sessions.view(services, identity))


@router.post("/sessions/{session_id}/groups", status_code=201, response_model=answers.Group)
def add_group(session_id: str, identity: IdentityDep, spec: GroupIn, services: ServicesDep) -> dict:
    group = board.create_group(services, identity, spec.name).value
    return cards.group_json(group)


@router.patch("/sessions/{session_id}/groups/{group_id}", response_model=answers.Group)
def patch_group(session_id: str, identity: IdentityDep, group_id: RowIdPath, spec: GroupIn,
                services: ServicesDep) -> dict:
    group = board.rename_group(services, identity, group_id,
                               spec.name).value
    return cards.group_json(group)


@router.delete("/sessions/{session_id}/groups/{group_id}", response_model=answers.Deleted)
def remove_group(session_id: str, identity: IdentityDep, group_id: RowIdPath,
                 services: ServicesDep) -> dict:
    board.delete_group(services, identity, group_id)
    return {"deleted": group_id}


@router.patch("/sessions/{session_id}/cards/{card_id}", response_model=answers.Card)
def patch_card(session_id: str, identity: IdentityDep, card_id: str, patch: CardPatch,
               services: ServicesDep) -> dict:
    """The facilitator hides or shows a card, edits its text or moves it to a group."""
    changed = board.change_card(services, identity, card_id,
                                patch.model_dump(exclude_unset=True)).value
    return cards.card_json(changed.card, reveal_author=True, weight=changed.weight)


@router.post("/sessions/{session_id}/cards/{card_id}/merge", response_model=answers.Merged)
def merge(session_id: str, identity: IdentityDep, card_id: str, spec: MergeIn,
          services: ServicesDep) -> dict:
    """Merge the listed cards into this one: it keeps the combined text, their dots and
    their weight."""
    merged = board.merge(services, identity, card_id,
                         spec.cards).value
    return {"card": cards.card_json(merged.kept, reveal_author=True,
                                    weight=merged.weights[merged.kept.id]),
            "merged": [other.id for other in merged.others]}


@router.post("/sessions/{session_id}/cards/{card_id}/unmerge", response_model=answers.Unmerged)
def unmerge(session_id: str, identity: IdentityDep, card_id: str, services: ServicesDep) -> dict:
    """Undo the merges into this card: the merged cards are shown again with their dots."""
    restored = board.unmerge(services, identity, card_id).value
    return {"card": cards.card_json(restored.kept, reveal_author=True,
                                    weight=restored.weights[restored.kept.id]),
            "restored": [cards.card_json(card, reveal_author=True,
                                         weight=restored.weights[card.id])
                         for card in restored.others]}


@router.get("/sessions/{session_id}/duplicates", response_model=answers.Duplicates)
def duplicates(session_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    """Groups of near-identical visible cards, to merge (facilitator)."""
    found = board.duplicates(services, identity)
    return {"duplicates": [{"cards": list(group.cards), "text": group.text}
                           for group in found.duplicates]}


@router.post("/sessions/{session_id}/cards/{card_id}/votes", status_code=201,
             response_model=answers.MyDots)
def add_vote(session_id: str, identity: IdentityDep, card_id: str, services: ServicesDep) -> dict:
    return board.vote(services, identity, card_id, +1).value


@router.delete("/sessions/{session_id}/cards/{card_id}/votes", response_model=answers.MyDots)
def remove_vote(session_id: str, identity: IdentityDep, card_id: str,
                services: ServicesDep) -> dict:
    return board.vote(services, identity, card_id, -1).value


@router.post("/sessions/{session_id}/groups/{group_id}/votes", status_code=201,
             response_model=answers.MyDots)
def add_group_vote(session_id: str, identity: IdentityDep, group_id: RowIdPath,
                   services: ServicesDep) -> dict:
    """A dot on a KJ group, when the event votes on groups (`vote_on`)."""
    return board.vote_group(services, identity, group_id, +1).value


@router.delete("/sessions/{session_id}/groups/{group_id}/votes", response_model=answers.MyDots)
def remove_group_vote(session_id: str, identity: IdentityDep, group_id: RowIdPath,
                      services: ServicesDep) -> dict:
    return board.vote_group(services, identity, group_id, -1).value


@router.get("/sessions/{session_id}/votes", response_model=answers.Votes)
def get_votes(session_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    """Voting settings; counts once revealed (always for the facilitator); a participant's
    own dots as `mine`; the projector's pinned screen."""
    view = sessions.view(services, identity)
    body = {**shapes.voting_json(view, identity.role == auth.FACILITATOR),
            "screen": view.session.projector_screen}
    mine = board.my_votes(services, identity)
    if mine is not None:
        body["mine"] = mine
    return body


@router.get("/sessions/{session_id}/keywords", response_model=answers.Keywords)
def get_keywords(session_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    """The words used on most visible cards: overall, per table, theme and affiliation
    (the projector: only its chart)."""
    return insight.keyword_lists(services, identity)


@router.get("/sessions/{session_id}/suggestions", response_model=answers.Suggestions)
def get_suggestions(session_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    """Suggested groups for the cards in no group (facilitator); computed in this worker
    thread, never on the event loop."""
    found = insight.suggest(services, identity)
    return {"suggestions": [{"id": s.id, "name": s.name, "keywords": list(s.keywords),
                             "cards": list(s.cards)} for s in found.suggestions],
            "ungrouped": found.ungrouped, "seconds": found.seconds}


@router.post("/sessions/{session_id}/suggestions/{suggestion_id}/accept", status_code=201,
             response_model=answers.Accepted)
def accept_suggestion(session_id: str, identity: IdentityDep, suggestion_id: str,
                      services: ServicesDep, spec: AcceptIn | None = None) -> dict:
    """The suggested group made, with the cards still in no group; undo by deleting it."""
    spec = spec or AcceptIn()
    accepted = insight.accept(services, identity, suggestion_id,
                              spec.name, spec.cards).value
    return {**cards.group_json(accepted.group), "cards": [c.id for c in accepted.moved],
            "skipped": accepted.skipped}


@router.patch("/sessions/{session_id}/board", response_model=answers.BoardAndVoting)
def patch_board(session_id: str, identity: IdentityDep, patch: BoardPatch, request: Request,
                services: ServicesDep) -> dict:
    """The board's layout (`view`), the projector's screen (`screen`) and its board pages
    (`pages`: play, pause, next, previous), and the dot voting (`budget`, `open`,
    `revealed`, `vote_on`); revealing closes voting unless `open`: true comes in the same
    request."""
    board.change_board(services, identity, patch.model_dump(exclude_unset=True))
    view = sessions.view(services, identity)
    return {**shapes.board_json(view), **shapes.voting_json(view, facilitator=True)}
