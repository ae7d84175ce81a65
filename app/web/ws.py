"""The one WebSocket every page and JSON client holds: a snapshot first, then changes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool

from app import auth
from app.actions import access
from app.hub import Connection
from app.refusal import Refusal
from app.render import Audience
from app.timing import now_ms
from app.web import urls
from app.web.deps import page_language, same_origin

router = APIRouter()
log = logging.getLogger(__name__)

UNAUTHORIZED, FORBIDDEN, NOT_FOUND = 4401, 4403, 4404
UNSUPPORTED_DATA = 1003
MAX_CLIENT_MESSAGE = 1024

VIEW_COOKIES = {
    "facilitator": (auth.FACILITATOR,),
    "projector": (auth.PROJECTOR, auth.FACILITATOR),
    "host": (auth.HOST,),
    "participant": (auth.PARTICIPANT,),
}
DEFAULT_VIEW = {auth.FACILITATOR: "facilitator", auth.PROJECTOR: "projector",
                auth.HOST: "host", auth.PARTICIPANT: "participant"}


def _candidates(websocket: WebSocket, session_id: str, view: str | None) -> list:
    """The (role, token) pairs the socket may be opened with: its `?token=` (any role) or
    the page's cookies for the view."""
    token = websocket.query_params.get("token")
    if token:
        return [(None, token)]
    return [(role, websocket.cookies.get(auth.cookie_name(role, session_id)))
            for role in VIEW_COOKIES.get(view or "", ())]


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
    if view in ("facilitator", "projector"):
        return Audience(view, language, base=urls.base_url(websocket))
    return Audience(view, language, identity.table_id)


async def _listen(websocket: WebSocket, session_id: str, connection: Connection) -> None:
    """Clock samples for the client (DESIGN.md §4), and a page's request to be drawn again;
    everything else is ignored."""
    hub = websocket.app.state.hub
    while True:
        received = await websocket.receive()
        if received["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(received.get("code", 1000))
        text = received.get("text")
        if text is None:  # a binary frame: we speak text only
            log.info("closing a live socket that sent a binary frame")
            await websocket.close(UNSUPPORTED_DATA)
            return
        if len(text) > MAX_CLIENT_MESSAGE:
            continue
        try:
            message = json.loads(text)
        except ValueError:
            continue
        if not isinstance(message, dict):
            continue
        if message.get("type") == "ping":
            connection.offer(json.dumps(
                {"type": "pong", "t0": message.get("t0"), "server_ms": now_ms()}))
        elif message.get("type") == "resync":
            hub.request_snapshot(session_id, connection)


@router.websocket("/ws/sessions/{session_id}")
async def live(websocket: WebSocket, session_id: str) -> None:
    app = websocket.app
    requested_view = websocket.query_params.get("view")
    await websocket.accept()
    if not same_origin(websocket, app.state.settings):
        await websocket.close(FORBIDDEN)
        return
    services = app.state.services
    opened = services.now()
    candidates = _candidates(websocket, session_id, requested_view)
    try:  # a token seen lately needs no database (a room reconnecting at once)
        identity, language = access.known_holder(services, session_id, candidates) or \
            await run_in_threadpool(access.socket_holder, services, session_id, candidates)
    except Refusal:
        await websocket.close(NOT_FOUND)
        return
    if identity is None:
        await websocket.close(UNAUTHORIZED)
        return
    audience = _audience(websocket, identity, language, requested_view)
    if audience is None:
        await websocket.close(FORBIDDEN)
        return
    hub = app.state.hub
    connection = Connection(audience, websocket.send_text, websocket.close,
                            app.state.settings.ws_queue_size, identity)
    writer = asyncio.create_task(connection.run_writer())
    hub.add(session_id, connection)
    try:
        reader = asyncio.create_task(_listen(websocket, session_id, connection))
        done, _pending = await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
        reader.cancel()
        for task in done:
            with contextlib.suppress(WebSocketDisconnect, asyncio.CancelledError, RuntimeError):
                task.result()
    except WebSocketDisconnect:
        pass
    finally:
        hub.remove(session_id, connection)
        access.remember(services, candidates, identity, language, opened)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await writer
