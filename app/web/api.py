"""The JSON API, /api/v1 (DESIGN.md §5; documented in docs/api.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from app import auth, card_store, cards, exports, rounds, sessions
from app.hub import Event
from app.i18n import N_, translate
from app.schemas import (
    AbsenceIn,
    BoardPatch,
    CardIn,
    CardPatch,
    ControlIn,
    GroupIn,
    JoinIn,
    MergeIn,
    MoveIn,
    SessionIn,
    SessionPatch,
)
from app.timing import now_ms
from app.web import urls
from app.web.deps import (
    ApiError,
    EngineDep,
    HubDep,
    api_language,
    bearer_identity,
    bearer_token,
    guard_join_attempts,
    record_wrong_join_code,
    require,
)
from app.web.render import board_json, session_json, voting_json

router = APIRouter(prefix="/api/v1")

CLOCK_ERROR_STATUS = {"unknown_action": 400, "invalid_seconds": 400, "invalid_phase": 400}


@router.post("/sessions", status_code=201)
async def create_session(spec: SessionIn, request: Request, engine: EngineDep) -> dict:
    view = await run_in_threadpool(sessions.create_session, engine, spec, now_ms())
    return urls.created_body(urls.base_url(request), view)


@router.get("/sessions/{session_id}")
def get_session(session_id: str, request: Request, engine: EngineDep) -> dict:
    require(bearer_identity(request, session_id), auth.FACILITATOR)
    view = sessions.load_view(engine, session_id)
    return {
        **session_json(view, auth.FACILITATOR),
        **urls.created_body(urls.base_url(request), view),
        "state": rounds.state_json(view.program, view.clock, now_ms()),
    }


@router.patch("/sessions/{session_id}")
async def update_session(session_id: str, patch: SessionPatch, request: Request,
                         engine: EngineDep, hub: HubDep) -> dict:
    require(await run_in_threadpool(bearer_identity, request, session_id),
            auth.FACILITATOR)
    view = await run_in_threadpool(sessions.update_session, engine, session_id, patch)
    await hub.publish(Event(session_id, "session"))
    return session_json(view, auth.FACILITATOR)


@router.post("/sessions/{session_id}/participants", status_code=201)
async def join(session_id: str, spec: JoinIn, request: Request, engine: EngineDep,
               hub: HubDep) -> dict:
    guard_join_attempts(request)
    found = await run_in_threadpool(sessions.session_id_for_join_code, engine, spec.join_code)
    if found != session_id:
        record_wrong_join_code(request)
        raise ApiError(403, "wrong_join_code", N_("This join code does not match the event."))
    person = await run_in_threadpool(sessions.join, engine, session_id, spec, now_ms())
    view = await run_in_threadpool(sessions.load_view, engine, session_id)
    for event in sessions.joined_events(view, person):
        await hub.publish(event)
    return {"id": person.id, "token": person.token, "home_table": person.home_table_id,
            "url": urls.participant_url(urls.base_url(request), view, person.token)}


@router.post("/sessions/{session_id}/control")
async def control(session_id: str, command: ControlIn, request: Request, engine: EngineDep,
                  hub: HubDep) -> JSONResponse:
    require(await run_in_threadpool(bearer_identity, request, session_id),
            auth.FACILITATOR)
    try:
        transition = await run_in_threadpool(
            sessions.control, engine, session_id, command.action, now_ms(),
            seconds=command.seconds, phase_index=command.phase_index,
            from_phase=command.from_phase)
    except rounds.ClockError as error:
        raise ApiError(CLOCK_ERROR_STATUS.get(error.code, 409), error.code,
                       error.message) from None
    for event_type in transition.events:
        await hub.publish(Event(session_id, event_type))
    view = await run_in_threadpool(sessions.load_view, engine, session_id)
    body = rounds.state_json(view.program, view.clock, now_ms())
    body["changed"] = transition.changed
    if transition.note:
        body["note"] = translate(api_language(request), transition.note)
    return JSONResponse(body)


@router.get("/sessions/{session_id}/state")
def state(session_id: str, request: Request, engine: EngineDep) -> dict:
    bearer_identity(request, session_id)
    view = sessions.load_view(engine, session_id)
    return rounds.state_json(view.program, view.clock, now_ms())


@router.get("/sessions/{session_id}/seating")
def get_seating(session_id: str, request: Request, engine: EngineDep) -> dict:
    require(bearer_identity(request, session_id), auth.FACILITATOR)
    return sessions.seating_json(sessions.load_view(engine, session_id))


@router.post("/sessions/{session_id}/seats")
async def move_person(session_id: str, move: MoveIn, request: Request, engine: EngineDep,
                      hub: HubDep) -> dict:
    """Seat a person at a table by hand, in the current phase's round or a later one."""
    require(await run_in_threadpool(bearer_identity, request, session_id),
            auth.FACILITATOR)
    await run_in_threadpool(sessions.move_by_hand, engine, session_id, move.participant_id,
                            move.table_id, move.phase_index)
    await hub.publish(Event(session_id, "seating"))
    view = await run_in_threadpool(sessions.load_view, engine, session_id)
    return sessions.seating_json(view)


@router.post("/sessions/{session_id}/participants/{participant_id}/absence")
async def mark_absence(session_id: str, participant_id: int, absence: AbsenceIn,
                       request: Request, engine: EngineDep, hub: HubDep) -> dict:
    """A host (for their own table) or the facilitator marks someone absent or back."""
    identity = await run_in_threadpool(bearer_identity, request, session_id)
    require(identity, auth.HOST)
    await run_in_threadpool(sessions.set_absent, engine, session_id, participant_id,
                            absence.absent, identity)
    await hub.publish(Event(session_id, "seating"))
    view = await run_in_threadpool(sessions.load_view, engine, session_id)
    return sessions.seating_json(view)


async def accept_card(request: Request, session_id: str, identity: auth.Identity, token: str,
                      spec: CardIn) -> JSONResponse:
    """Store a card and announce it; shared by the API and the pages (which authenticate by
    cookie). The answer comes after the commit: 201 for a new card, 200 with the stored
    card for a resend. Rate limited per device token, never per address."""
    if not identity.at_least(auth.PARTICIPANT):
        raise ApiError(403, "forbidden", N_("Your role may not do this."))
    wait_ms = request.app.state.card_limiter.take(token, now_ms())
    if wait_ms:
        seconds = -(-wait_ms // 1000)
        raise ApiError(429, "too_many_cards",
                       N_("Too many cards at once. Try again in %(seconds)s seconds."),
                       headers={"Retry-After": str(seconds)}, seconds=seconds)
    try:
        card, created = await run_in_threadpool(
            card_store.add_card, request.app.state.engine, session_id, identity, spec.id,
            spec.text, spec.table_id, now_ms())
    except cards.CardRefusal as refusal:
        raise ApiError(refusal.status, refusal.code, refusal.message, **refusal.params) from None
    body = cards.card_json(card, reveal_author=True)
    if created:
        await request.app.state.hub.publish(Event(session_id, "card", {"card": body}))
    return JSONResponse(body, status_code=201 if created else 200)


@router.post("/sessions/{session_id}/cards", status_code=201)
async def add_card(session_id: str, spec: CardIn, request: Request) -> JSONResponse:
    """A card from a host, a participant or the facilitator (who names the table)."""
    identity = await run_in_threadpool(bearer_identity, request, session_id)
    return await accept_card(request, session_id, identity, bearer_token(request), spec)


@router.get("/sessions/{session_id}/cards")
def list_cards(session_id: str, request: Request, engine: EngineDep) -> dict:
    """Every card, oldest first; hidden cards and authors for the facilitator only."""
    identity = bearer_identity(request, session_id)
    facilitator = identity.role == auth.FACILITATOR
    stored = card_store.list_cards(engine, session_id, include_hidden=facilitator)
    return {"cards": [cards.card_json(card, reveal_author=facilitator) for card in stored]}


def export_response(view: sessions.SessionView, fmt: str) -> Response:
    """An export of the event as a download (shared with the console's links)."""
    if fmt not in exports.FORMATS:
        raise ApiError(404, "unknown_format", N_("Unknown export format: %(format)s."),
                       format=fmt)
    return Response(exports.export(view, fmt), media_type=exports.MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": exports.content_disposition(view, fmt),
                             "Cache-Control": "no-store"})


@router.get("/sessions/{session_id}/export.{fmt}")
def export(session_id: str, fmt: str, request: Request, engine: EngineDep) -> Response:
    """The harvest as CSV, Markdown, JSON, an A3 landscape PDF or a PNG (facilitator)."""
    require(bearer_identity(request, session_id), auth.FACILITATOR)
    return export_response(sessions.load_view(engine, session_id), fmt)


# --- the harvest board: groups, moderation, merging, dot voting ----------------------------
# Each action below is shared by the API (bearer token) and the pages (cookie): it calls the
# domain, turns a refusal into an ApiError and publishes what changed.

async def _board_call(function, *args):
    try:
        return await run_in_threadpool(function, *args)
    except cards.CardRefusal as refusal:
        raise ApiError(refusal.status, refusal.code, refusal.message, **refusal.params) from None


async def create_group(request: Request, session_id: str, name: object) -> dict:
    group = await _board_call(card_store.create_group, request.app.state.engine, session_id,
                              name, now_ms())
    body = cards.group_json(group)
    await request.app.state.hub.publish(Event(session_id, "group",
                                              {"action": "created", "group": body}))
    return body


async def rename_group(request: Request, session_id: str, group_id: int, name: object) -> dict:
    group = await _board_call(card_store.rename_group, request.app.state.engine, session_id,
                              group_id, name)
    body = cards.group_json(group)
    await request.app.state.hub.publish(Event(session_id, "group",
                                              {"action": "renamed", "group": body}))
    return body


async def delete_group(request: Request, session_id: str, group_id: int) -> dict:
    await _board_call(card_store.delete_group, request.app.state.engine, session_id, group_id)
    await request.app.state.hub.publish(Event(session_id, "group",
                                              {"action": "deleted", "group_id": group_id}))
    return {"deleted": group_id}


async def change_card(request: Request, session_id: str, card_id: str, changes: dict) -> dict:
    """Hide or show, edit the text, move to a group (None: ungrouped); one event each."""
    card = await _board_call(card_store.update_card, request.app.state.engine, session_id,
                             card_id, changes)
    body = cards.card_json(card, reveal_author=True)
    hub = request.app.state.hub
    if "group_id" in changes:
        await hub.publish(Event(session_id, "group", {
            "action": "moved", "card_id": card.id, "group_id": card.group_id}))
    if "text" in changes:
        await hub.publish(Event(session_id, "card_edited", {"card": body}))
    if "hidden" in changes:
        await hub.publish(Event(session_id, "card_hidden", {"card": body}))
    return body


async def merge_cards(request: Request, session_id: str, keep_id: str,
                      other_ids: list[str]) -> dict:
    keep, others = await _board_call(card_store.merge_cards, request.app.state.engine,
                                     session_id, keep_id, other_ids)
    hub = request.app.state.hub
    body = cards.card_json(keep, reveal_author=True)
    await hub.publish(Event(session_id, "card_edited", {"card": body}))
    for other in others:
        await hub.publish(Event(session_id, "card_hidden",
                                {"card": cards.card_json(other, reveal_author=True)}))
    return {"card": body, "merged": [other.id for other in others]}


async def cast_vote(request: Request, session_id: str, identity: auth.Identity, card_id: str,
                    delta: int) -> dict:
    if identity.role != auth.PARTICIPANT:
        raise ApiError(403, "forbidden", N_("Only participants vote, from their phones."))
    mine = await _board_call(card_store.vote, request.app.state.engine, session_id,
                             identity.participant_id, card_id, delta)
    await request.app.state.hub.publish(Event(session_id, "vote",
                                              {"participant_id": identity.participant_id}))
    return mine


async def change_board(request: Request, session_id: str, changes: dict) -> dict:
    await _board_call(card_store.set_board, request.app.state.engine, session_id, changes)
    hub = request.app.state.hub
    if "view" in changes:
        await hub.publish(Event(session_id, "board"))
    if changes.keys() & {"budget", "open", "revealed"}:
        await hub.publish(Event(session_id, "voting"))
    view = await run_in_threadpool(sessions.load_view, request.app.state.engine, session_id)
    return {**board_json(view), **voting_json(view, facilitator=True)}


async def _facilitator(request: Request, session_id: str) -> None:
    require(await run_in_threadpool(bearer_identity, request, session_id), auth.FACILITATOR)


@router.get("/sessions/{session_id}/groups")
def list_groups(session_id: str, request: Request, engine: EngineDep) -> dict:
    bearer_identity(request, session_id)
    return board_json(sessions.load_view(engine, session_id))


@router.post("/sessions/{session_id}/groups", status_code=201)
async def add_group(session_id: str, spec: GroupIn, request: Request) -> dict:
    await _facilitator(request, session_id)
    return await create_group(request, session_id, spec.name)


@router.patch("/sessions/{session_id}/groups/{group_id}")
async def patch_group(session_id: str, group_id: int, spec: GroupIn, request: Request) -> dict:
    await _facilitator(request, session_id)
    return await rename_group(request, session_id, group_id, spec.name)


@router.delete("/sessions/{session_id}/groups/{group_id}")
async def remove_group(session_id: str, group_id: int, request: Request) -> dict:
    await _facilitator(request, session_id)
    return await delete_group(request, session_id, group_id)


@router.patch("/sessions/{session_id}/cards/{card_id}")
async def patch_card(session_id: str, card_id: str, patch: CardPatch, request: Request) -> dict:
    """The facilitator hides or shows a card, edits its text or moves it to a group."""
    await _facilitator(request, session_id)
    changes = patch.model_dump(exclude_unset=True)
    if not changes:
        raise ApiError(422, "invalid", N_("Send at least one of hidden, text or group_id."))
    return await change_card(request, session_id, card_id, changes)


@router.post("/sessions/{session_id}/cards/{card_id}/merge")
async def merge(session_id: str, card_id: str, spec: MergeIn, request: Request) -> dict:
    """Merge the listed cards into this one: it keeps the combined text."""
    await _facilitator(request, session_id)
    return await merge_cards(request, session_id, card_id, spec.cards)


@router.post("/sessions/{session_id}/cards/{card_id}/votes", status_code=201)
async def add_vote(session_id: str, card_id: str, request: Request) -> dict:
    identity = await run_in_threadpool(bearer_identity, request, session_id)
    return await cast_vote(request, session_id, identity, card_id, +1)


@router.delete("/sessions/{session_id}/cards/{card_id}/votes")
async def remove_vote(session_id: str, card_id: str, request: Request) -> dict:
    identity = await run_in_threadpool(bearer_identity, request, session_id)
    return await cast_vote(request, session_id, identity, card_id, -1)


@router.get("/sessions/{session_id}/votes")
def get_votes(session_id: str, request: Request, engine: EngineDep) -> dict:
    """Voting settings; counts once revealed (always for the facilitator); a participant's
    own dots as `mine`."""
    identity = bearer_identity(request, session_id)
    view = sessions.load_view(engine, session_id)
    body = voting_json(view, identity.role == auth.FACILITATOR)
    if identity.role == auth.PARTICIPANT:
        body["mine"] = card_store.participant_votes(engine, session_id, identity.participant_id)
    return body


@router.patch("/sessions/{session_id}/board")
async def patch_board(session_id: str, patch: BoardPatch, request: Request) -> dict:
    """The board's layout (`view`) and the dot voting (`budget`, `open`, `revealed`)."""
    await _facilitator(request, session_id)
    return await change_board(request, session_id, patch.model_dump(exclude_unset=True))
