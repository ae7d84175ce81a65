"""The one WebSocket every page and JSON client holds: a snapshot first, then changes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from app import auth
from app.actions import access
from app.i18n import N_, from_accept_language
from app.live.delivery import Audience
from app.live.hub import Connection
from app.refusal import Refusal
from app.rounds import now_ms
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


def _candidates(websocket: WebSocket, event_id: str, view: str | None) -> list:
    """The (role, token) pairs the socket may be opened with: its `?token=` (any role) or
    the page's cookies for the view."""
    token = websocket.query_params.get("token")
    if token:
        return [(None, token)]
    return [(role, websocket.cookies.get(auth.cookie_name(role, event_id)))
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


async def _listen(websocket: WebSocket, event_id: str, connection: Connection) -> None:
    """Read until the client goes (returning, not raising: a task's stored exception would
    keep this frame alive in a reference cycle)."""
    while True:
        received = await websocket.receive()
        if received["type"] == "websocket.disconnect":
            return
        text = received.get("text")
        if text is None:  # a binary frame: we speak text only
            log.info("closing a live socket that sent a binary frame")
            await websocket.close(UNSUPPORTED_DATA)
            return
        _answer(websocket, event_id, connection, text)


def _answer(websocket: WebSocket, event_id: str, connection: Connection, text: str) -> None:
    """Clock samples for the client (docs/api.md, the live socket), and a page's request to
    be drawn again; everything else is ignored."""
    if len(text) > MAX_CLIENT_MESSAGE:
        return
    try:
        message = json.loads(text)
    except ValueError:
        return
    if not isinstance(message, dict):
        return
    if message.get("type") == "ping":
        connection.offer(json.dumps(
            {"type": "pong", "t0": message.get("t0"), "server_ms": now_ms()}))
    elif message.get("type") == "resync":
        websocket.app.state.hub.request_snapshot(event_id, connection)


REFUSAL_CLOSE_CODES = {"invalid_token": UNAUTHORIZED, "forbidden": FORBIDDEN,
                       "not_found": NOT_FOUND}
WRONG_VIEW = N_("This link does not open this screen.")


async def _admit(websocket: WebSocket, event_id: str, requested_view: str | None,
                 candidates: list) -> tuple[auth.Identity, str, Audience] | Refusal:
    """Who opens the socket, the event's language and what they see; or why not. Runs
    before the socket is accepted, so a refused one never gets to send a frame."""
    app = websocket.app
    if not same_origin(websocket, app.state.settings):
        return Refusal("forbidden", N_("This request comes from another site."))
    services = app.state.services
    try:  # a token seen lately needs no database (a room reconnecting at once)
        identity, language = access.known_holder(services, event_id, candidates) or \
            await run_in_threadpool(access.socket_holder, services, event_id, candidates)
    except Refusal as refusal:
        return refusal
    if identity is None:
        return Refusal("invalid_token", N_("This token is not valid for this event."))
    audience = _audience(websocket, identity, language, requested_view)
    if audience is None:
        return Refusal("forbidden", WRONG_VIEW)
    return identity, language, audience


async def _refuse(websocket: WebSocket, refusal: Refusal) -> None:
    """A program (its token in the URL) is refused at the handshake, with the HTTP status
    and the error shape. A page's socket (cookies) is accepted only to be closed at once
    with 4401/4403/4404: a browser sees a refused handshake as a bare 1006 and would
    reconnect for ever, while live.js stops on these codes. Whatever the page's socket
    sends meanwhile is bounded (ws_max_message_bytes) and dropped."""
    if websocket.query_params.get("token"):
        language = from_accept_language(websocket.headers.get("accept-language")) or "en"
        await websocket.send_denial_response(
            JSONResponse(refusal.shape(language), status_code=refusal.status))
        return
    await websocket.accept()
    await websocket.close(REFUSAL_CLOSE_CODES.get(refusal.code, FORBIDDEN))


@router.websocket("/ws/sessions/{event_id}")
async def live(websocket: WebSocket, event_id: str) -> None:
    app = websocket.app
    services = app.state.services
    requested_view = websocket.query_params.get("view")
    opened = services.now()
    candidates = _candidates(websocket, event_id, requested_view)
    admitted = await _admit(websocket, event_id, requested_view, candidates)
    if isinstance(admitted, Refusal):
        await _refuse(websocket, admitted)
        return
    identity, language, audience = admitted
    await websocket.accept()
    hub = app.state.hub
    connection = Connection(audience, websocket.send_text, websocket.close,
                            app.state.settings.ws_queue_size, identity)
    writer = asyncio.create_task(connection.run_writer())
    hub.add(event_id, connection)
    reader = asyncio.create_task(_listen(websocket, event_id, connection))
    try:  # either ends the socket: the client went, or the writer was told to close
        await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        hub.remove(event_id, connection)
        access.remember(services, candidates, identity, language, opened)
        for task in (reader, writer):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect,
                                     RuntimeError):
                await task
