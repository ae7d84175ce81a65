"""Downloads: the exports and the documents made by a worker."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from app import auth
from app.actions import exports
from app.documents.exports import MEDIA_TYPES
from app.i18n import N_
from app.refusal import Refusal
from app.web import answers, urls
from app.web.answers import AnswerRoute
from app.web.deps import (
    IdentityDep,
    ServicesDep,
    api_language,
    document_download,
    document_job,
    download,
    job_json,
)

router = APIRouter(route_class=AnswerRoute)


@router.get("/sessions/{event_id}/export.{fmt}", response_class=Response,
            responses={200: {"description": "The file", "content": answers.files(MEDIA_TYPES)}})
async def export(event_id: str, identity: IdentityDep, fmt: str, request: Request,
                 services: ServicesDep) -> Response:
    """The harvest as CSV, Markdown, JSON, an A3 landscape PDF or a PNG, the report, the
    printed materials (facilitator). A document is made by its worker process, or kept
    from before when the board has not changed; the request awaits it."""
    if fmt in exports.DOCUMENT_FORMATS:
        return await document_download(services, identity, fmt, urls.base_url(request))
    return download(await run_in_threadpool(exports.export, services, identity, fmt))


@router.post("/sessions/{event_id}/documents/{name}", status_code=202,
             response_model=answers.DocumentJob,
             responses={200: {"model": answers.DocumentJob, "description": "Made already"}})
async def start_document(event_id: str, identity: IdentityDep, name: str, request: Request,
                         response: Response, services: ServicesDep) -> dict:
    """Start making a document (202 with its job), or its job when one is under way
    (202) or it is made (200 with its url)."""
    return await _document_answer(identity, name, request, response, services, start=True)


@router.get("/sessions/{event_id}/documents/{name}", status_code=202,
            response_model=answers.DocumentJob,
            responses={200: {"model": answers.DocumentJob, "description": "Ready or failed"}})
async def document_state(event_id: str, identity: IdentityDep, name: str, request: Request,
                         response: Response, services: ServicesDep) -> dict:
    """The state of a document's job; 404 no_document when it was never asked for."""
    return await _document_answer(identity, name, request, response, services, start=False)


async def _document_answer(identity: auth.Identity, name: str, request: Request, response: Response,
                           services: ServicesDep, *, start: bool) -> dict:
    found = await document_job(services, identity, name, urls.base_url(request), start=start)
    if found.job is None:
        raise Refusal("no_document", N_("This document was not asked for yet."))
    response.status_code = 200 if found.job.done else 202
    return job_json(found, f"/api/v1/sessions/{identity.event_id}/export.{name}",
                    api_language(request))
