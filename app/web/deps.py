"""Shared pieces of the routes: the services, who is asking, and refusals as people read
them. Nothing here touches the database: identities come through app/actions/access."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.requests import HTTPConnection

from app import auth, cards
from app.actions import Services, access, board, exports
from app.documents import jobs
from app.i18n import N_, from_accept_language, normalize, translate
from app.refusal import Refusal
from app.schemas import MAX_ID, ImportIn
from app.settings import Settings

FIELD_LABELS = {
    "title": N_("Title"),
    "language": N_("Language"),
    "tables": N_("Tables"),
    "program": N_("Program"),
    "name": N_("Name"),
    "theme": N_("Theme"),
    "kind": N_("Phase kind"),
    "minutes": N_("Minutes"),
    "question": N_("Question"),
    "action": N_("Action"),
    "seconds": N_("Seconds"),
    "join_code": N_("Join code"),
    "affiliation": N_("Affiliation"),
    "capacity": N_("Capacity"),
    "card_max_length": N_("Longest card"),
    "text": N_("Card"),
    "table_id": N_("Table"),
}


def _field_path(loc: tuple, language: str) -> str:
    parts = []
    for part in loc:
        if part in ("body", "query", "path"):
            continue
        if isinstance(part, int):
            parts.append(f"#{part + 1}")
        elif part in FIELD_LABELS:
            parts.append(translate(language, FIELD_LABELS[part]))
        elif not part.startswith(("function-", "str", "list", "float", "int")):
            parts.append(str(part))
    return " › ".join(parts)


def describe_invalid(error: ValidationError | RequestValidationError, language: str) -> str:
    """One readable sentence per problem, in the reader's language."""
    sentences = []
    for problem in error.errors():
        cause = (problem.get("ctx") or {}).get("error")
        where = _field_path(tuple(problem.get("loc", ())), language)
        if isinstance(cause, Refusal):
            text = cause.text(language)
            if where and "field" not in cause.params:
                text = f"{where}: {text}"
        elif problem.get("type") == "missing":
            text = translate(language, N_("%(field)s is required."), field=where)
        elif problem.get("type") == "json_invalid":
            text = translate(language, N_("The request body is not valid JSON."))
        elif not where:
            text = translate(language, N_("The request body must be a JSON object."))
        else:
            text = translate(language, N_("%(field)s has a value of the wrong kind."), field=where)
        if text not in sentences:
            sentences.append(text)
    return " ".join(sentences)


def error_text(error: ValidationError | Refusal, language: str) -> str:
    """What a page shows for a refused form or click."""
    if isinstance(error, ValidationError):
        return describe_invalid(error, language)
    return error.text(language)


def wants_a_page(request: Request) -> bool:
    """A browser navigating (not the API, not a page's own fetch or htmx request)."""
    return (not request.url.path.startswith("/api/")
            and "text/html" in request.headers.get("accept", "")
            and "hx-request" not in request.headers)


def api_language(request: Request) -> str:
    return from_accept_language(request.headers.get("accept-language")) or "en"


def page_language(request: HTTPConnection, event_language: str | None = None) -> str:
    """A device's own choice first, then the event's language, then the browser's."""
    chosen = request.cookies.get("wc_lang")
    if chosen:
        return normalize(chosen)
    if event_language:
        return normalize(event_language)
    return from_accept_language(request.headers.get("accept-language")) or "ja"


def language_to_offer(request: HTTPConnection, language: str) -> str | None:
    """The browser's own language when the page is in another one (the event's) and the
    device has not chosen yet: a phone set to English on a Japanese event is offered
    English in one tap, asked in English."""
    if request.cookies.get("wc_lang"):
        return None
    browser = from_accept_language(request.headers.get("accept-language"))
    return browser if browser and browser != language else None


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_services(request: Request) -> Services:
    return request.app.state.services


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServicesDep = Annotated[Services, Depends(get_services)]


def sent_bearer(request: Request) -> str | None:
    """The bearer token of this request, if it sent one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def bearer_token(request: Request) -> str:
    """The bearer token of this API request; 401 without one."""
    token = sent_bearer(request)
    if token is None:
        raise Refusal("missing_token", N_("Send your token as 'Authorization: Bearer …'."))
    return token


BearerTokenDep = Annotated[str, Depends(bearer_token)]
"""The API request's bearer token, for a route about more than one event (a series),
whose action finds whose it is."""


def bearer_identity(request: Request, event_id: str) -> auth.Identity:
    """Who sends this API request; 401 without a valid token for this event. It reads the
    database: call it from a plain `def` route (FastAPI runs those in a worker thread)."""
    return access.identify(request.app.state.services, event_id, bearer_token(request))


IdentityDep = Annotated[auth.Identity, Depends(bearer_identity)]
RowIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A row id in a path: a positive database integer."""
"""Who sends an API request about the event of the path's `event_id` (a dependency,
resolved in a worker thread before the route runs)."""


def cookie_identity(request: HTTPConnection, event_id: str,
                    *roles: str) -> auth.Identity | None:
    """The first of the device's cookies for `roles` that is valid here (reads the
    database: from a worker thread)."""
    candidates = [(role, request.cookies.get(auth.cookie_name(role, event_id)))
                  for role in roles]
    return access.signed_in(request.app.state.services, event_id, candidates)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def same_origin(request: HTTPConnection, settings: Settings) -> bool:
    """Browsers send Origin on WebSockets and POSTs; it must be this server or an allowed one.
    Programs that send none (the API, benchmarks) authenticate by token instead."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host or origin in settings.allowed_origins


def card_response(answer: board.CardAnswer) -> JSONResponse:
    """201 with the stored card for a new one, 200 with it for a resend."""
    return JSONResponse(cards.card_json(answer.card, reveal_author=True),
                        status_code=201 if answer.created else 200)


DOCUMENT_POLL_SECONDS = 0.2
"""How often a download that waits for its document looks at the job's state (a file)."""
DOCUMENT_FAILED = "document_failed"


def document_failure(job: jobs.Job) -> Refusal:
    return Refusal(DOCUMENT_FAILED, job.message, **(job.params or {}))


async def document_job(services: Services, identity: auth.Identity, name: str, base: str, *,
                       start: bool) -> exports.DocumentJob:
    """The document's job (app/documents/jobs.py), started when asked; the action reads the
    database, so it runs in a worker thread."""
    return await run_in_threadpool(exports.document, services, identity, name, base,
                                   start=start)


async def document_download(services: Services, identity: auth.Identity, name: str,
                            base: str) -> Response:
    """The document as a file: kept, or made by its worker process while this request
    awaits it (the event loop goes on serving); one that could not be made is refused."""
    found = await document_job(services, identity, name, base, start=True)
    job = found.job
    while not job.done:
        await asyncio.sleep(DOCUMENT_POLL_SECONDS)
        job = services.documents.state(found.place) or job
    if job.status == jobs.FAILED:
        raise document_failure(job)
    return FileResponse(found.place.file, media_type=found.media_type,
                        headers={"Content-Disposition": found.disposition,
                                 "Cache-Control": "no-store"})


def job_json(found: exports.DocumentJob, url: str, language: str) -> dict:
    """A document job's state (docs/api.md): name, status, progress, stage; the download's
    url once ready, the error once failed."""
    job = found.job
    body = {"name": found.place.name, "status": job.status, "progress": job.progress,
            "stage": job.stage}
    if job.status == jobs.READY:
        body["url"] = url
    if job.status == jobs.FAILED:
        body.update(document_failure(job).shape(language))
    return body


def download(file: exports.Download) -> Response:
    return Response(file.body, media_type=file.media_type,
                    headers={"Content-Disposition": file.disposition,
                             "Cache-Control": "no-store"})


async def list_sent(request: Request) -> bytes:
    """The list's bytes: the multipart field `file`, or the JSON body's `csv` text."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        sent = (await request.form()).get("file")
        if isinstance(sent, UploadFile):
            return await sent.read()
        if isinstance(sent, str):
            return sent.encode("utf-8")
    elif kind.startswith("application/json"):
        return ImportIn.model_validate_json(await request.body()).csv.encode("utf-8")
    raise Refusal("invalid", N_("Send the list as the form field \"file\"."))


async def photo_sent(request: Request) -> bytes:
    """The photo's bytes: the multipart field `photo` (a file)."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        sent = (await request.form()).get("photo")
        if isinstance(sent, UploadFile):
            return await sent.read()
    raise Refusal("invalid", N_("Send the photo as the file of the form field \"photo\"."))


def jpeg_answer(jpeg: bytes) -> Response:
    """A stored photo: kept out of every cache (it is the event's)."""
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})
