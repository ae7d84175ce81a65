"""The JSON API, /api/v1 (DESIGN.md §5; documented in docs/api.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from app import auth, card_store, cards, rounds, sessions
from app.hub import Event
from app.i18n import N_, translate
from app.schemas import AbsenceIn, CardIn, ControlIn, JoinIn, MoveIn, SessionIn, SessionPatch
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
from app.web.render import session_json

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
