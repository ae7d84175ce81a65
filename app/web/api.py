"""The JSON API, /api/v1 (DESIGN.md §5; documented in docs/api.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from app import auth, rounds, sessions
from app.hub import Event
from app.i18n import N_, translate
from app.schemas import ControlIn, JoinIn, SessionIn, SessionPatch
from app.timing import now_ms
from app.web import urls
from app.web.deps import (
    ApiError,
    EngineDep,
    HubDep,
    api_language,
    bearer_identity,
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
    require(bearer_identity(request, session_id), auth.FACILITATOR)
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
    await hub.publish(sessions.joined_event(person))
    view = sessions.load_view(engine, session_id)
    return {"id": person.id, "token": person.token, "home_table": person.home_table_id,
            "url": urls.participant_url(urls.base_url(request), view, person.token)}


@router.post("/sessions/{session_id}/control")
async def control(session_id: str, command: ControlIn, request: Request, engine: EngineDep,
                  hub: HubDep) -> JSONResponse:
    require(bearer_identity(request, session_id), auth.FACILITATOR)
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
    view = sessions.load_view(engine, session_id)
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
