"""The one WebSocket every page and JSON client holds: a snapshot first, then events."""

from __future__ import annotations

import asyncio
import contextlib
import json

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool

from app import auth, sessions
from app.hub import Audience, Connection
from app.timing import now_ms
from app.web.deps import cookie_identity, page_language, same_origin

router = APIRouter()

UNAUTHORIZED, FORBIDDEN, NOT_FOUND = 4401, 4403, 4404
MAX_CLIENT_MESSAGE = 1024

VIEW_COOKIES = {
    "facilitator": (auth.FACILITATOR,),
    "projector": (auth.PROJECTOR, auth.FACILITATOR),
    "host": (auth.HOST,),
    "participant": (auth.PARTICIPANT,),
}
DEFAULT_VIEW = {auth.FACILITATOR: "facilitator", auth.PROJECTOR: "projector",
                auth.HOST: "host", auth.PARTICIPANT: "participant"}


def _identity(websocket: WebSocket, session_id: str, view: str | None):
    token = websocket.query_params.get("token")
    if token:
        return sessions.identify(websocket.app.state.engine, session_id, token)
    for role in VIEW_COOKIES.get(view or "", ()):
        identity = cookie_identity(websocket, session_id, role)
        if identity is not None:
            return identity
    return None


def _audience(websocket: WebSocket, identity: auth.Identity, event_language: str,
              requested_view: str | None) -> Audience | None:
    if websocket.query_params.get("format") == "json":
        return Audience("json", role=identity.role)
    view = requested_view or DEFAULT_VIEW[identity.role]
    if identity.role not in VIEW_COOKIES.get(view, ()):
        return None
    language = page_language(websocket, event_language)
    if view == "participant":
        return Audience(view, language, participant_id=identity.participant_id)
    return Audience(view, language, identity.table_id)


async def _answer_pings(websocket: WebSocket, connection: Connection) -> None:
    """Clock samples for the client (DESIGN.md §4); everything else is ignored."""
    while True:
        text = await websocket.receive_text()
        if len(text) > MAX_CLIENT_MESSAGE:
            continue
        try:
            message = json.loads(text)
        except ValueError:
            continue
        if isinstance(message, dict) and message.get("type") == "ping":
            connection.offer(json.dumps(
                {"type": "pong", "t0": message.get("t0"), "server_ms": now_ms()}))


@router.websocket("/ws/sessions/{session_id}")
async def live(websocket: WebSocket, session_id: str) -> None:
    app = websocket.app
    requested_view = websocket.query_params.get("view")
    await websocket.accept()
    if not same_origin(websocket, app.state.settings):
        await websocket.close(FORBIDDEN)
        return
    identity = await run_in_threadpool(_identity, websocket, session_id, requested_view)
    if identity is None:
        await websocket.close(UNAUTHORIZED)
        return
    try:
        view = await run_in_threadpool(sessions.load_view, app.state.engine, session_id)
    except sessions.NotFound:
        await websocket.close(NOT_FOUND)
        return
    audience = _audience(websocket, identity, view.session.language, requested_view)
    if audience is None:
        await websocket.close(FORBIDDEN)
        return
    hub = app.state.hub
    connection = Connection(audience, websocket.send_text, websocket.close,
                            app.state.settings.ws_queue_size)
    hub.add(session_id, connection)
    writer = asyncio.create_task(connection.run_writer())
    try:
        await hub.send_snapshot(session_id, connection)
        reader = asyncio.create_task(_answer_pings(websocket, connection))
        done, _pending = await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
        reader.cancel()
        for task in done:
            with contextlib.suppress(WebSocketDisconnect, asyncio.CancelledError, RuntimeError):
                task.result()
    except WebSocketDisconnect:
        pass
    finally:
        hub.remove(session_id, connection)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await writer
