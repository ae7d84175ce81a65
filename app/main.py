"""create_app(settings): wires routers, static files, the hub and the bus together (the
schema is migrated before, once: app/store/migrate.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from app.actions import Services, access, erasure
from app.auth import FailureLimiter, Pacer, RateLimiter, SharedBudget, TokenCache
from app.documents.jobs import Maker
from app.i18n import N_
from app.live.bus import RedisBus
from app.live.hub import Hub
from app.live.view import EventView
from app.refusal import Refusal
from app.settings import Settings
from app.store import keyword_terms, sessions
from app.store.combining import GroupCommit
from app.store.db import UNAVAILABLE, make_engine, write_check, written_within
from app.web import api, logs, pages, ws
from app.web.deps import api_language, describe_invalid
from app.web.middleware import BodyLimit, SecurityHeaders
from app.web.pages.visits import PageAnswer, refusal_answer
from app.web.protocols import collect_garbage_less_often, return_freed_memory
from app.web.reads import BigReads

STATIC = Path(__file__).resolve().parent / "static"
NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
VENDOR_SOURCES = {
    "htmx.min.js": ("htmx.org", "dist", "htmx.min.js"),
    "ws.js": ("htmx-ext-ws", "ws.js"),
}
"""Front-end code from the npm registry: inside the wheel under static/vendor/ (the build
copies it there), in a source checkout in node_modules/ (`npm ci`)."""
VENDOR_FILES = {
    name: next((path for path in (STATIC / "vendor" / name, NODE_MODULES.joinpath(*parts))
                if path.exists()), NODE_MODULES.joinpath(*parts))
    for name, parts in VENDOR_SOURCES.items()
}

HEALTH_CHECK_SECONDS = 2.0
HTTP_REFUSALS = {
    400: ("bad_request", N_("This request cannot be read.")),
    404: ("not_found", N_("There is no such page or address.")),
    405: ("method_not_allowed", N_("This address does not take that kind of request.")),
}
"""What the framework's own refusals (no such route, wrong method, unreadable body) say."""
ERASE_CHECK_SECONDS = 3600
"""How often the server looks for events whose names are due to be erased."""
log = logging.getLogger(__name__)
BUS_UNAVAILABLE = N_("Redis cannot be reached: changes reach only the screens of the "
                     "worker that made them until it is back.")


async def erase_names_periodically(services: Services) -> None:
    """At start and then every ERASE_CHECK_SECONDS: the names of events finished longer
    ago than the setting erased (actions/erasure.py, erase_due; the clock is
    `services.now`). A failed run is logged, and the next one tries again."""
    while True:
        try:
            await asyncio.to_thread(erasure.erase_due, services)
        except Exception:
            log.exception("erasing names failed; tried again later")
        await asyncio.sleep(ERASE_CHECK_SECONDS)


def _check_vendor_files() -> None:
    missing = [str(path) for path in VENDOR_FILES.values() if not path.exists()]
    if missing:
        raise RuntimeError(f"front-end packages are missing ({', '.join(missing)}): "
                           "run `make install` (npm ci) first")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    logs.install()
    engine = make_engine(settings.database_url)

    def load_live_view(event_id: str) -> EventView:
        """The hub's loader (it runs in a worker thread); a restart would otherwise
        tokenise every card while drawing the keyword charts."""
        return keyword_terms.load_view(engine, event_id)

    tokens = TokenCache()
    join_pacer = Pacer(settings.joins_per_minute, settings.join_burst)
    hub = Hub(load_live_view,
              committed_seq=lambda event_id: sessions.committed_seq(engine, event_id),
              forget_tokens=tokens.forget,
              forget_join_turns=lambda event_id: access.forget_join_turns(services,
                                                                          event_id))
    services = Services(
        engine, hub.publish,
        card_limiter=RateLimiter(((settings.card_rate_per_second, 1000),
                                  (settings.card_rate_per_minute, 60_000))),
        card_budget=SharedBudget(settings.cards_per_address_per_minute,
                                 settings.cards_per_token_over_budget),
        card_commits=GroupCommit(settings.card_commit_group),
        join_limiter=FailureLimiter(settings.join_failures_per_minute),
        join_pacer=join_pacer, join_wait_ms=int(settings.join_wait_seconds * 1000),
        renew_join_code_on_flood=settings.renew_join_code_on_flood,
        tokens=tokens, max_participants=settings.max_participants,
        token_lifetime_ms=int(settings.token_days_after_finish * 24 * 3600 * 1000),
        erase_names_after_ms=int(settings.erase_names_after_days * 24 * 3600 * 1000),
        organiser_passcode=settings.organiser_passcode,
        list_events_locally=settings.list_events_locally,
        documents=Maker(settings.documents_folder(), settings.database_url,
                        settings.document_memory_mb, settings.document_seconds))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        _check_vendor_files()
        hub.start(asyncio.get_running_loop())
        bus = None
        if settings.redis_url:
            bus = RedisBus(settings.redis_url, hub)
            hub.attach_bus(bus)
            await bus.start()
        erasing = asyncio.create_task(erase_names_periodically(services))
        yield
        erasing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await erasing
        if bus is not None:
            await bus.stop()
        engine.dispose()

    app = FastAPI(title="worldcafe", lifespan=lifespan, docs_url="/api/docs",
                  redoc_url=None, openapi_url="/api/openapi.json")
    app.state.settings = settings
    app.state.hub = hub
    app.state.services = services
    app.state.big_reads = BigReads(settings.big_reads_per_address)

    @app.exception_handler(Refusal)
    async def refused(request: Request, refusal: Refusal) -> Response:
        """The error shape for programs; the page's answer (the message fragment of a
        form, a message page) for the pages."""
        return refusal_answer(request, refusal) or JSONResponse(
            refusal.shape(api_language(request)), status_code=refusal.status,
            headers=refusal.headers)

    @app.exception_handler(PageAnswer)
    async def page_answer(_request: Request, answer: PageAnswer) -> Response:
        """A page visit answered otherwise: the sign-in step, the page asking for the
        right link, no such event, the switch question (app/web/pages/visits.py)."""
        return answer.response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        """Unknown paths and methods, bodies that cannot be read: the same answer as every
        other refusal (the error shape, or a page with the message)."""
        code, message = HTTP_REFUSALS.get(error.status_code, HTTP_REFUSALS[400])
        return await refused(request, Refusal(code, message))

    @app.exception_handler(ClientDisconnect)
    async def gone(_request: Request, _error: ClientDisconnect) -> Response:
        """The client left (or its body was refused as too large): nobody reads this."""
        return Response(status_code=400)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        message = describe_invalid(error, api_language(request))
        return JSONResponse({"error": {"code": "invalid", "message": message}}, status_code=422)

    @app.exception_handler(ValidationError)
    async def invalid_data(request: Request, error: ValidationError) -> Response:
        """Data an action or a page's form model refused: as a refusal (`invalid`)."""
        answer = refusal_answer(request, error)
        if answer is not None:
            return answer
        message = describe_invalid(error, api_language(request))
        return JSONResponse({"error": {"code": "invalid", "message": message}}, status_code=422)

    database_state: dict = {"checked_at": None, "reason": None, "since": None, "task": None}

    async def check_database() -> None:
        database_state["since"] = time.monotonic()
        try:
            database_state["reason"] = await asyncio.to_thread(write_check, engine)
            database_state["checked_at"] = time.monotonic()
        finally:
            database_state["since"] = database_state["task"] = None

    async def database_problem() -> str | None:
        """Why the database cannot be written, or None: known at once when a write has
        just committed (under a flood of cards the check would wait seconds for SQLite's
        write lock); otherwise the last check's answer, while a thread checks again at
        most every HEALTH_CHECK_SECONDS. Only the first answer waits for its check: a
        check that queues behind the writers or a busy thread pool never holds up
        /healthz, and one that waits longer than settings.health_check_patience is the
        answer."""
        if written_within(engine, HEALTH_CHECK_SECONDS):
            return None
        now, checked_at = time.monotonic(), database_state["checked_at"]
        if database_state["task"] is None and (
                checked_at is None or now - checked_at >= HEALTH_CHECK_SECONDS):
            database_state["task"] = asyncio.create_task(check_database())
        if checked_at is None:
            await asyncio.shield(database_state["task"])
        since = database_state["since"]
        if since is not None and now - since > settings.health_check_patience:
            return f"no answer from the database for {now - since:.0f} s"
        return database_state["reason"]

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        """200 when the database can be written and, in the scaled mode, Redis carries
        live changes; 503 "degraded" with the reasons otherwise (the server still serves:
        writes answer, screens of this worker stay live)."""
        problems = []
        if not hub.bus_healthy:
            problems.append(Refusal("bus_unavailable", BUS_UNAVAILABLE))
        reason = await database_problem()
        if reason:
            problems.append(Refusal("database_unavailable", UNAVAILABLE, reason=reason))
        if not problems:
            return JSONResponse({"status": "ok", "worker": os.getpid()})
        language = api_language(request)
        shown = [{"code": p.code, "message": p.text(language)} for p in problems]
        return JSONResponse({"status": "degraded", "error": shown[0], "problems": shown,
                             "worker": os.getpid()}, status_code=503)

    @app.get("/static/vendor/{name}")
    def vendor(name: str) -> FileResponse:
        path = VENDOR_FILES.get(name)
        if path is None:
            raise Refusal("not_found", N_("Not found"))
        return FileResponse(path, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=3600"})

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes,
                       photo_limit=settings.max_photo_bytes)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(ws.router)
    app.include_router(pages.router)
    return app


def app_from_environment() -> FastAPI:
    """Factory for uvicorn workers: settings come from WORLDCAFE_* variables."""
    return_freed_memory()
    app = create_app(Settings())
    collect_garbage_less_often()
    return app
