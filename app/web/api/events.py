"""/api/v1/sessions: an event — create, read, edit —, its programme's clock, its state,
its tables and the screens' links."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app import auth
from app.actions import admission, erasure, sessions
from app.i18n import translate
from app.live import wire
from app.schemas import (
    ControlIn,
    SessionIn,
    SessionPatch,
    TablePatch,
)
from app.templating import links
from app.web import answers, urls
from app.web.answers import AnswerRoute
from app.web.deps import (
    IdentityDep,
    RowIdPath,
    ServicesDep,
    api_language,
    client_address,
    sent_bearer,
)

router = APIRouter(route_class=AnswerRoute)


@router.post("/sessions", status_code=201, response_model=answers.Created)
def create_session(spec: SessionIn, request: Request, services: ServicesDep) -> dict:
    """The organiser passcode, when the server has one, is the bearer token."""
    view = sessions.create(services, spec, sent_bearer(request), client_address(request)).value
    return links.created_body(urls.base_url(request), view)


@router.get("/sessions/{event_id}", response_model=answers.EventWithLinks)
def get_session(event_id: str, identity: IdentityDep, request: Request,
                services: ServicesDep) -> dict:
    view = sessions.view(services, identity, auth.FACILITATOR,
                         with_board=False)
    return {
        **wire.session_json(view, auth.FACILITATOR),
        **links.created_body(urls.base_url(request), view),
        "state": wire.state_json(view, services.now()),
    }


@router.patch("/sessions/{event_id}", response_model=answers.Event)
def update_session(event_id: str, identity: IdentityDep, patch: SessionPatch,
                   services: ServicesDep) -> dict:
    view = sessions.edit(services, identity, patch).value
    return wire.session_json(view, auth.FACILITATOR)


@router.delete("/sessions/{event_id}", status_code=204, response_class=Response)
def delete_session(event_id: str, identity: IdentityDep, services: ServicesDep) -> Response:
    """The event and everything under it; its links then answer 404."""
    erasure.delete(services, identity)
    return Response(status_code=204)


@router.post("/sessions/{event_id}/anonymise", response_model=answers.Anonymised)
def anonymise(event_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    """Every participant's name, reading and email erased (参加者1, …), every link but the
    facilitator's revoked; cards, groups, dots, survey answers and figures kept."""
    done = erasure.anonymise(services, identity).value
    view = sessions.view(services, identity, auth.FACILITATOR, with_board=False)
    return {"anonymised": done is not None, "participants": len(view.participants),
            "anonymised_at": view.event.anonymised_at_ms}


def _new_link(request: Request, services, identity: auth.Identity, role: str,
              table_id: int | None = None) -> dict:
    token = admission.new_link(services, identity, role, table_id).value
    view = sessions.view(services, identity, auth.FACILITATOR, with_board=False)
    base = urls.base_url(request)
    url = {auth.PROJECTOR: lambda: links.projector_url(base, view),
           auth.CO_FACILITATOR: lambda: links.co_facilitator_url(base, view),
           auth.HOST: lambda: links.host_url(base, view, view.table(table_id))}[role]()
    return {"token": token, "url": url}


@router.post("/sessions/{event_id}/projector_token", response_model=answers.Link)
def new_projector_token(event_id: str, identity: IdentityDep, request: Request,
                        services: ServicesDep) -> dict:
    """A new projector link; the screen that holds the old one is signed out."""
    return _new_link(request, services, identity, auth.PROJECTOR)


@router.post("/sessions/{event_id}/cofacilitator_token", response_model=answers.Link)
def new_co_facilitator_token(event_id: str, identity: IdentityDep, request: Request,
                             services: ServicesDep) -> dict:
    """A link to a second console (a co-facilitator's laptop); a new one signs out the old."""
    return _new_link(request, services, identity, auth.CO_FACILITATOR)


@router.delete("/sessions/{event_id}/cofacilitator_token", response_model=answers.Revoked)
def revoke_co_facilitator_token(event_id: str, identity: IdentityDep,
                                services: ServicesDep) -> dict:
    """The co-facilitator's link stops working and their consoles close."""
    admission.new_link(services, identity, auth.CO_FACILITATOR, revoke=True)
    return {"revoked": True}


@router.post("/sessions/{event_id}/tables/{table_id}/host_token", response_model=answers.Link)
def new_host_token(event_id: str, identity: IdentityDep, table_id: RowIdPath,
                   request: Request, services: ServicesDep) -> dict:
    """A new link for a table's host; the tablet that holds the old one is signed out."""
    return _new_link(request, services, identity, auth.HOST, table_id)


@router.patch("/sessions/{event_id}/tables/{table_id}", response_model=answers.Table)
def patch_table(event_id: str, identity: IdentityDep, table_id: RowIdPath, spec: TablePatch,
                services: ServicesDep) -> dict:
    """A table's host (or the facilitator) gives the host's own affiliation."""
    table = sessions.choose_host_affiliation(services, identity,
                                             table_id, spec).value
    return wire.table_json(table)


@router.post("/sessions/{event_id}/control", response_model=answers.Controlled)
def control(event_id: str, identity: IdentityDep, command: ControlIn, request: Request,
            services: ServicesDep) -> dict:
    done = sessions.control(services, identity, command).value
    body = {**wire.state_json(done.view, services.now()), "changed": done.changed}
    if done.note:
        body["note"] = translate(api_language(request), done.note)
    return body


@router.get("/sessions/{event_id}/state", response_model=answers.State)
def state(event_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    view = sessions.view(services, identity, with_board=False)
    return wire.state_json(view, services.now())
